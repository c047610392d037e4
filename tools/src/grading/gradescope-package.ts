/**
 * `genbook autograder gradescope --week hwNN --out F.zip`: the zip that Gradescope accepts as a
 * programming assignment's autograder (specification: gradescope-autograders.readthedocs.io
 * /en/latest/specs/). At its root:
 *
 * - `setup.sh`: run once by Gradescope, as root, while it builds the autograder image (Ubuntu).
 *   Installs Node {@link NODE_BUILD} and npm from the npm registry (each tarball checked against
 *   the registry's SHA-512) into `$AUTOGRADER_ROOT/node` — skipped when a Node the grader's sandbox
 *   supports, and npm, are already on PATH —
 *   then `npm ci --ignore-scripts` in `genbook/`;
 * - `run_autograder`: run for every submission. Grades `$AUTOGRADER_ROOT/submission` with
 *   `genbook/tools/dist/grading/gradescope.js` and writes `$AUTOGRADER_ROOT/results/results.json`;
 *   if that program cannot even start, the script writes a results.json saying so;
 * - `genbook/`: a trimmed copy of the project: `package.json` and `package-lock.json` (the
 *   library as a workspace, plus the grader's own dependencies: typescript, chai, @types/node, at
 *   the project's pinned versions and locked to the project's resolved versions), the built library
 *   (`lib/dist`, `lib/package.json` without the optional libtensorflow binding), the built grader
 *   (the JavaScript under `tools/dist/grading/`), the week's public and hidden test files and the files they import,
 *   and `autograder.json` (week, limits, Node version, commit). No solutions, no other weeks, no
 *   notebooks.
 *
 * `AUTOGRADER_ROOT` (default `/autograder`) lets both scripts run anywhere, e.g. in a temp folder
 * for a local trial (see tests/grading/gradescope.test.ts).
 *
 * The zip is written with yazl (entries sorted, fixed timestamps, scripts mode 0755), so the same
 * inputs give the same bytes.
 */
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ZipFile } from 'yazl';
import { bundle } from './compile';
import type { AutograderConfig } from './gradescope';
import { checkWeek, hiddenTestFile, layout, publicTestFile } from './layout';
import { NODE_BUILD, sha512Hex } from './node-build';
import { TARGET_KEY } from './protocol';

export interface GradescopePackageOptions {
  /** Project root (default: this checkout). */
  root?: string;
  week: string;
  /** The zip file to write. */
  out: string;
  /** Default per-test time limit in seconds (the grader's default when absent). */
  testTimeoutSeconds?: number;
  /** Time limit for the whole submission in seconds (default 480: Gradescope stops at 10 min by default). */
  submissionTimeoutSeconds?: number;
  /** Heap cap per worker in MB. */
  memoryMb?: number;
  log?: (line: string) => void;
}

export interface GradescopePackageResult {
  out: string;
  /** Paths inside the zip, sorted. */
  entries: string[];
  bytes: number;
}

/** The project's dependencies the grader needs beside the library's own. */
const GRADER_DEPENDENCIES = ['typescript', 'chai', '@types/node'];

/** A fixed timestamp for every zip entry, so that rebuilding gives the same bytes. */
const ZIP_DATE = new Date(Date.UTC(2020, 0, 1));

interface PackageJson {
  name?: string;
  version?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
  overrides?: Record<string, unknown>;
  scripts?: Record<string, string>;
  [key: string]: unknown;
}

function readJson<T>(file: string): T {
  return JSON.parse(fs.readFileSync(file, 'utf8')) as T;
}

function currentCommit(root: string): string | null {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return null;
  }
}

function copyTree(from: string, to: string, keep: (rel: string) => boolean, rel = ''): void {
  for (const e of fs.readdirSync(path.join(from, rel), { withFileTypes: true })) {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) copyTree(from, to, keep, r);
    else if (e.isFile() && keep(r)) {
      fs.mkdirSync(path.dirname(path.join(to, r)), { recursive: true });
      fs.copyFileSync(path.join(from, r), path.join(to, r));
    }
  }
}

function listFiles(dir: string, rel = ''): string[] {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    return e.isDirectory() ? listFiles(dir, r) : e.isFile() ? [r] : [];
  });
}

/** The trimmed package.json: the library as a workspace plus the grader's dependencies. */
export function trimmedPackageJson(rootPkg: PackageJson, toolsPkg: PackageJson): PackageJson {
  const all = { ...rootPkg.devDependencies, ...rootPkg.dependencies, ...toolsPkg.dependencies };
  const dependencies: Record<string, string> = {};
  for (const name of GRADER_DEPENDENCIES) {
    if (!all[name]) throw new Error(`package.json does not list ${name}, which the grader needs`);
    dependencies[name] = all[name];
  }
  const out: PackageJson = {
    name: 'genbook-autograder',
    version: rootPkg.version ?? '0.0.0',
    private: true,
    description: 'genbook grader for one homework week (built by `genbook autograder gradescope`)',
    workspaces: ['lib'],
    dependencies,
  };
  if (rootPkg.overrides) out.overrides = rootPkg.overrides;
  return out;
}

export function setupScript(): string {
  const b = NODE_BUILD;
  return `#!/usr/bin/env bash
# genbook autograder, setup. Gradescope runs this once, as root, while it builds the autograder
# image. Unless a Node the sandbox supports is already on PATH, it installs Node ${b.version} and
# npm ${b.npm.version} into $AUTOGRADER_ROOT/node, from the npm registry (the packages
# node-linux-<arch> and npm, each checked against the registry's SHA-512), then installs the
# grader's packages with npm ci. AUTOGRADER_ROOT defaults to /autograder.
set -euo pipefail
ROOT="\${AUTOGRADER_ROOT:-/autograder}"
SOURCE="$(cd "$(dirname "\${BASH_SOURCE[0]}")" && pwd)"
NODE_VERSION=${b.version}
NPM_VERSION=${b.npm.version}
REGISTRY=https://registry.npmjs.org

if [ -x "$ROOT/node/bin/node" ]; then export PATH="$ROOT/node/bin:$PATH"; fi
# A Node on PATH is used when the grader's sandbox supports it (20.19.5+, 22.13+, 23.3+, 24 and later;
# node-flags.ts sandboxUnsupported has the reasons) and npm is there too.
node_supported() { node -p 'const [a, b, c] = process.versions.node.split(".").map(Number); a >= 24 || (a === 23 && b >= 3) || (a === 22 && b >= 13) || (a === 20 && (b > 19 || (b === 19 && c >= 5))) ? "yes" : "no"' 2>/dev/null || true; }
if command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 && [ "$(node_supported)" = "yes" ]; then
  echo "genbook autograder: using $(command -v node) ($(node --version))"
else
  case "$(uname -m)" in
    x86_64 | amd64) ARCH=x64; SHA512=${sha512Hex(b.integrity.x64)} ;;
    aarch64 | arm64) ARCH=arm64; SHA512=${sha512Hex(b.integrity.arm64)} ;;
    *) echo "genbook autograder: no pinned Node build for $(uname -m)" >&2; exit 1 ;;
  esac
  NPM_SHA512=${sha512Hex(b.npm.integrity)}
  if ! command -v curl >/dev/null 2>&1; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends curl ca-certificates
  fi
  DOWNLOAD="$(mktemp -d)"
  echo "genbook autograder: installing Node $NODE_VERSION ($ARCH) and npm $NPM_VERSION into $ROOT/node"
  curl -fsSL --retry 3 -o "$DOWNLOAD/node.tgz" "$REGISTRY/node-linux-$ARCH/-/node-linux-$ARCH-$NODE_VERSION.tgz"
  echo "$SHA512  $DOWNLOAD/node.tgz" | sha512sum -c -
  curl -fsSL --retry 3 -o "$DOWNLOAD/npm.tgz" "$REGISTRY/npm/-/npm-$NPM_VERSION.tgz"
  echo "$NPM_SHA512  $DOWNLOAD/npm.tgz" | sha512sum -c -
  rm -rf "$ROOT/node"
  mkdir -p "$ROOT/node/lib/node_modules/npm"
  tar -xzf "$DOWNLOAD/node.tgz" -C "$ROOT/node" --strip-components=1 --no-same-owner
  tar -xzf "$DOWNLOAD/npm.tgz" -C "$ROOT/node/lib/node_modules/npm" --strip-components=1 --no-same-owner
  printf '#!/bin/sh\nexec "%s/node/bin/node" "%s/node/lib/node_modules/npm/bin/npm-cli.js" "$@"\n' "$ROOT" "$ROOT" > "$ROOT/node/bin/npm"
  chmod 755 "$ROOT/node/bin/npm"
  rm -rf "$DOWNLOAD"
  export PATH="$ROOT/node/bin:$PATH"
  echo "genbook autograder: installed $(node --version), npm $(npm --version)"
fi

cd "$SOURCE/genbook"
npm ci --ignore-scripts --no-audit --no-fund
# Fail the image build now, not at the first submission, if the library or grader cannot load.
node -e "require('./lib/dist/index.js'); require('./tools/dist/grading/gradescope.js')"
echo "genbook autograder: ready ($(node --version), week $(node -p "require('./autograder.json').week"))"
`;
}

export function runScript(): string {
  return `#!/usr/bin/env bash
# genbook autograder, run. Gradescope runs this for every submission (from /autograder, where it
# copies this file). It grades $AUTOGRADER_ROOT/submission and always writes
# $AUTOGRADER_ROOT/results/results.json. AUTOGRADER_ROOT defaults to /autograder.
set -uo pipefail
ROOT="\${AUTOGRADER_ROOT:-/autograder}"
PROJECT="$ROOT/source/genbook"
RESULTS="$ROOT/results/results.json"
mkdir -p "$ROOT/results"
rm -f "$RESULTS"
if [ -x "$ROOT/node/bin/node" ]; then export PATH="$ROOT/node/bin:$PATH"; fi
code=0
node "$PROJECT/tools/dist/grading/gradescope.js" --config "$PROJECT/autograder.json" \\
  --submission "$ROOT/submission" --results "$RESULTS" --metadata "$ROOT/submission_metadata.json" || code=$?
if [ ! -s "$RESULTS" ]; then
  printf '{"score": 0, "execution_time": 0, "output": "The autograder could not start (exit code %s). This is not a verdict on your code: tell your instructor.", "tests": []}\\n' "$code" > "$RESULTS"
fi
exit 0
`;
}

function readme(week: string): string {
  return `genbook autograder for ${week} (Gradescope)

Upload this zip as the autograder of a Gradescope programming assignment (Ubuntu 22.04 base image).
setup.sh installs Node ${NODE_BUILD.version} and the grader; run_autograder grades each submission:
the student uploads notebooks/homework/${week}.ts (alone, or in a folder, zip or repository).
Public tests are visible at once; hidden tests and their points appear when you publish the grades.
Try it locally: unzip into DIR/source, AUTOGRADER_ROOT=DIR bash DIR/source/setup.sh, put a
submission in DIR/submission, AUTOGRADER_ROOT=DIR bash DIR/source/run_autograder, read
DIR/results/results.json.
`;
}

/** Write the project's trimmed copy for `week` into `dir`. Returns the config written. */
export function stageProject(root: string, week: string, dir: string, options: Omit<GradescopePackageOptions, 'root' | 'week' | 'out' | 'log'>): AutograderConfig {
  const l = layout(root);
  const pub = publicTestFile(l, week);
  const hid = hiddenTestFile(l, week);
  if (!fs.existsSync(pub)) throw new Error(`no public tests for ${week}: ${path.relative(root, pub)} does not exist`);
  if (!fs.existsSync(hid)) throw new Error(`no hidden tests for ${week}: ${path.relative(root, hid)} does not exist (build the autograder from the instructor's checkout)`);
  const libDist = path.join(root, 'lib', 'dist', 'index.js');
  const graderDist = path.join(root, 'tools', 'dist', 'grading', 'gradescope.js');
  for (const f of [libDist, graderDist]) if (!fs.existsSync(f)) throw new Error(`${path.relative(root, f)} is missing: run npm run build first`);

  // Tests: the week's two files and every .ts file they import (compiled here only to find them).
  const testsDir = path.join(root, 'tests');
  const testFiles = new Set<string>();
  for (const file of [pub, hid]) for (const key of Object.keys(bundle(testsDir, file, { provided: new Set([TARGET_KEY]) }).modules)) testFiles.add(key);
  for (const key of testFiles) {
    fs.mkdirSync(path.dirname(path.join(dir, 'tests', key)), { recursive: true });
    fs.copyFileSync(path.join(testsDir, key), path.join(dir, 'tests', key));
  }
  // The built library and grader.
  copyTree(path.join(root, 'lib', 'dist'), path.join(dir, 'lib', 'dist'), (r) => !r.endsWith('.map') && !r.endsWith('.tsbuildinfo'));
  copyTree(path.join(root, 'tools', 'dist', 'grading'), path.join(dir, 'tools', 'dist', 'grading'), (r) => r.endsWith('.js'));
  const libPkg = readJson<PackageJson>(path.join(root, 'lib', 'package.json'));
  delete libPkg.devDependencies;
  delete libPkg.optionalDependencies;
  delete libPkg.scripts;
  fs.writeFileSync(path.join(dir, 'lib', 'package.json'), JSON.stringify(libPkg, null, 2) + '\n');
  const pkg = trimmedPackageJson(readJson<PackageJson>(path.join(root, 'package.json')), readJson<PackageJson>(path.join(root, 'tools', 'package.json')));
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');

  // package-lock.json: the project's lock, pruned by npm itself to the trimmed dependencies (no
  // download: every package is already in the project's lock).
  fs.copyFileSync(path.join(root, 'package-lock.json'), path.join(dir, 'package-lock.json'));
  const npm = spawnSync(process.platform === 'win32' ? 'npm.cmd' : 'npm', ['install', '--package-lock-only', '--ignore-scripts', '--no-audit', '--no-fund', '--prefer-offline'], {
    cwd: dir,
    encoding: 'utf8',
    shell: process.platform === 'win32',
  });
  if (npm.status !== 0) throw new Error(`npm could not write the autograder's package-lock.json:\n${npm.stderr || npm.stdout || String(npm.error)}`);

  const config: AutograderConfig = {
    schema: 'genbook-autograder/1',
    week,
    hidden: true,
    ...(options.testTimeoutSeconds !== undefined ? { testTimeoutSeconds: options.testTimeoutSeconds } : {}),
    submissionTimeoutSeconds: options.submissionTimeoutSeconds ?? 480,
    ...(options.memoryMb !== undefined ? { memoryMb: options.memoryMb } : {}),
    node: NODE_BUILD.version,
    builtAt: new Date().toISOString(),
    fromCommit: currentCommit(root),
  };
  fs.writeFileSync(path.join(dir, 'autograder.json'), JSON.stringify(config, null, 2) + '\n');
  return config;
}

function writeZip(stage: string, out: string): Promise<string[]> {
  const entries = listFiles(stage).sort();
  const zip = new ZipFile();
  for (const rel of entries) {
    const executable = rel === 'setup.sh' || rel === 'run_autograder';
    zip.addFile(path.join(stage, rel), rel, { mtime: ZIP_DATE, mode: executable ? 0o100755 : 0o100644 });
  }
  zip.end();
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const temp = `${out}.${process.pid}.tmp`;
  return new Promise((resolve, reject) => {
    const stream = fs.createWriteStream(temp);
    zip.outputStream.pipe(stream).on('close', () => {
      fs.renameSync(temp, out);
      resolve(entries);
    });
    stream.on('error', reject);
  });
}

export async function buildGradescopeAutograder(options: GradescopePackageOptions): Promise<GradescopePackageResult> {
  const log = options.log ?? console.log;
  const root = path.resolve(options.root ?? layout().root);
  const week = checkWeek(options.week);
  const out = path.resolve(options.out);
  const stage = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-gradescope-'));
  try {
    const project = path.join(stage, 'genbook');
    fs.mkdirSync(project);
    stageProject(root, week, project, options);
    fs.writeFileSync(path.join(stage, 'setup.sh'), setupScript());
    fs.writeFileSync(path.join(stage, 'run_autograder'), runScript());
    fs.writeFileSync(path.join(stage, 'README.txt'), readme(week));
    const entries = await writeZip(stage, out);
    const bytes = fs.statSync(out).size;
    log(`Gradescope autograder for ${week} written to ${out} (${entries.length} files, ${(bytes / 1024).toFixed(0)} KiB; Node ${NODE_BUILD.version})`);
    return { out, entries, bytes };
  } finally {
    fs.rmSync(stage, { recursive: true, force: true });
  }
}
