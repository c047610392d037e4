/**
 * The Node.js build that graders on other machines install: Gradescope's `setup.sh` downloads it
 * from nodejs.org and checks it against the SHA-256 below, and the student edition's GitHub
 * Classroom workflow asks `actions/setup-node` for the same version.
 *
 * Node 20: the line this machine runs and the course's tests are measured on (the sandbox also
 * runs on 22.13+, 24 and 26 with `--permission`; Node 20 reached end of life on 2026-04-30, so
 * moving the pin to an LTS line is the next step). The checksums are those of nodejs.org's
 * `SHASUMS256.txt` for v20.19.5 (the same values are pinned in several public build scripts). To
 * move to another release, replace the version and both checksums together, from that release's
 * `SHASUMS256.txt`.
 */
export interface NodeBuild {
  /** The exact release, without the leading `v`. */
  version: string;
  /** SHA-256 of `node-v<version>-linux-<arch>.tar.xz`, per `uname -m` architecture name. */
  sha256: { x64: string; arm64: string };
}

export const NODE_BUILD: NodeBuild = {
  version: '20.19.5',
  sha256: {
    x64: '315046739a513a70e03a4a55a8afda8cf979f30852e576075c340084e3f8ac0f',
    arm64: 'd462267863ae8ee556039ebdf559055a8ec562c633889ef1403f3adb449ba1dd',
  },
};

