/**
 * The Node.js build that graders on other machines install: Gradescope's `setup.sh` downloads it,
 * and the student edition's GitHub Classroom workflow asks `actions/setup-node` for the same
 * version.
 *
 * Node 24, the LTS line (Node 20, the previous pin, reached end of life on 2026-04-30), at the release
 * `npm i node@24` installs — the one `.ci/run` tests the grader's sandbox on (24.21.0). The
 * build comes from the npm registry, the same source `npm i node@24` uses: the package
 * `node-linux-<arch>@<version>` holds nodejs.org's `bin/node`, and `npm@<npm>` the npm that runs
 * `npm ci` (the node package ships without one). `setup.sh` checks each tarball against the
 * registry's published integrity (SHA-512), pinned here. To move to another release, replace the
 * versions and all three integrities together, each from `npm view <package>@<version>
 * dist.integrity`; `tests/grading/gradescope.test.ts` downloads the pinned tarballs and checks them.
 */
export interface NodeBuild {
  /** The exact Node release, without the leading `v`. */
  version: string;
  /** npm's `dist.integrity` (`sha512-<base64>`) of `node-linux-<arch>@<version>`, per Node's arch name. */
  integrity: { x64: string; arm64: string };
  /** The npm release installed beside it, and its tarball's integrity. */
  npm: { version: string; integrity: string };
}

export const NODE_BUILD: NodeBuild = {
  version: '24.21.0',
  integrity: {
    x64: 'sha512-3nULszZ5X0fciYpG0t6TrdApJzAn8+FlINP6OiMX7V8HrvpATPN936U1LlReOJriLRa4e8yEqQBYCnLyPNAs7Q==',
    arm64: 'sha512-FpJRPEz2OvvTLfjIOlNGFY9JLPMKgl5m+d4oGYBLg24kJ1mmvN1Zl/HPJgF4HDaJ51ISev1l1cRZ/DM+keXW5g==',
  },
  npm: { version: '11.21.3', integrity: 'sha512-5Cf+jE+XctbhH/zjOOqXC+ity7eec/Tkk4Ql38tf6w+1htp2wYPHmE4c1R1Es3DY227Ac14+SLrlYJwkBicbTg==' },
};

/** The hex SHA-512 of an `sha512-<base64>` integrity string (what `sha512sum -c` compares). */
export function sha512Hex(integrity: string): string {
  const m = /^sha512-([A-Za-z0-9+/]+={0,2})$/.exec(integrity);
  if (!m) throw new Error(`not an sha512 integrity string: ${integrity}`);
  const hex = Buffer.from(m[1], 'base64').toString('hex');
  if (hex.length !== 128) throw new Error(`an sha512 digest has 64 bytes; got ${hex.length / 2}: ${integrity}`);
  return hex;
}

/** The registry tarball of a package version (`https://registry.npmjs.org/<name>/-/<name>-<version>.tgz`). */
export function registryTarball(name: string, version: string): string {
  return `https://registry.npmjs.org/${name}/-/${name}-${version}.tgz`;
}
