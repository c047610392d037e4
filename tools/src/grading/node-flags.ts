/**
 * Which Node flags put the grading worker under the permission model, chosen from the version of
 * the Node that runs the grader (the worker is started with the same binary, `process.execPath`).
 *
 * Every fact below was measured with the npm registry's `node` package (v20.6.1, 20.7.0, 20.20.2,
 * 22.12.0, 22.23.3, 23.4.0, 23.5.0, 24.21.0, 25.0.0, 26.10.0); `tests/grading/node-flags.test.ts`
 * checks them again on the Node that runs it, and `.ci/run` runs that test on 22, 24 and 26.
 *
 * - The flag: `--experimental-permission` on 20.x, 21.x, 22.0–22.12 and 23.0–23.4; `--permission`
 *   from 22.13 and 23.5. 24 and later reject the old flag (`node: bad option`); 22.13+ and 23.x
 *   still accept it, 22.12 and 23.4 reject the new one.
 * - Several allowed paths: one `--allow-fs-read` / `--allow-fs-write` flag per path from 20.7.0
 *   (nodejs/node#49047); a comma in the value is then part of the path (22.13+ warn about it).
 *   Before 20.7.0 the value is a comma-separated list and a repeated flag silently keeps only the
 *   last path, so a path containing a comma cannot be expressed there.
 * - What the model denies when nothing else is allowed: reads and writes outside the allowed
 *   paths, child processes, worker threads, native addons and WASI on every version; the network
 *   (TCP, UDP, DNS look-ups, Unix sockets, `fetch`) only from 25.0, where `--allow-net` would
 *   allow it. On 20–24 a sandboxed process can open sockets.
 * - The other flags the grader passes (`--frozen-intrinsics`, `--max-old-space-size`,
 *   `--stack-size`, `--no-warnings`) exist and behave alike on 20, 22, 24 and 26 (intrinsics
 *   frozen, the heap capped, the same stack depth, warnings silenced), see
 *   {@link workerHardeningArguments}.
 * - Module resolution under the model: from 20.20 / 22.13 (nodejs/node#55797) `require` may stat
 *   a `node_modules` folder it cannot read, but it then reads `<folder>/<name>/package.json` under
 *   the permission check, so a `node_modules` folder on the lookup path that is not readable makes
 *   `require('chai')` fail with ERR_ACCESS_DENIED even when the package is found further up (see
 *   {@link moduleLookupFolders}). Before that fix (20.7–20.19, 22.0–22.12) an unreadable
 *   `node_modules` folder is skipped, so hoisted packages are never found and grading cannot run.
 */

import * as fs from 'fs';
import * as path from 'path';

/** A Node version as `process.version` spells it, parsed. */
export interface NodeVersion {
  major: number;
  minor: number;
  patch: number;
}

/** Parse `v22.13.0` (or `22.13.0`, as `process.versions.node` spells it). */
export function parseNodeVersion(version: string): NodeVersion {
  const m = /^v?(\d+)\.(\d+)\.(\d+)(?:[-+].*)?$/.exec(version.trim());
  if (!m) throw new RangeError(`version: expected a Node version like "v22.13.0", got ${JSON.stringify(version)}`);
  return { major: Number(m[1]), minor: Number(m[2]), patch: Number(m[3]) };
}

function atLeast(v: NodeVersion, major: number, minor = 0, patch = 0): boolean {
  if (v.major !== major) return v.major > major;
  if (v.minor !== minor) return v.minor > minor;
  return v.patch >= patch;
}

/** The flag that turns the permission model on for `version`. Throws below Node 20 (no permission model). */
export function permissionFlag(version: string = process.version): '--permission' | '--experimental-permission' {
  const v = parseNodeVersion(version);
  if (v.major < 20) throw new RangeError(`Node ${version} has no permission model; the grader needs Node 22, 24 or 26 (20.x works but is end-of-life)`);
  if (v.major >= 24) return '--permission';
  if (v.major === 23) return atLeast(v, 23, 5) ? '--permission' : '--experimental-permission';
  if (v.major === 22) return atLeast(v, 22, 13) ? '--permission' : '--experimental-permission';
  return '--experimental-permission'; // 20.x, 21.x
}

/** Whether the permission model denies network access unless `--allow-net` is given (Node ≥ 25). */
export function networkBlockedByPermissionModel(version: string = process.version): boolean {
  return parseNodeVersion(version).major >= 25;
}

export interface PermissionOptions {
  /** The Node version the flags are for (default `process.version`). */
  version?: string;
  /** Absolute paths the process may read (a folder covers everything below it). */
  read: readonly string[];
  /** Absolute paths the process may write. */
  write: readonly string[];
}

/**
 * The permission flag and the `--allow-fs-read` / `--allow-fs-write` flags, in the syntax `version`
 * accepts. Nothing else is allowed: no child process, worker, addon, WASI, and (Node ≥ 25) no
 * network, since no `--allow-child-process`, `--allow-worker`, `--allow-addons`, `--allow-wasi` or
 * `--allow-net` is ever returned. An empty list allows no path of that kind.
 */
export function permissionArguments(options: PermissionOptions): string[] {
  const version = options.version ?? process.version;
  const flag = permissionFlag(version);
  for (const p of [...options.read, ...options.write]) {
    if (typeof p !== 'string' || p === '' || p === '*') throw new RangeError(`read/write: expected paths, got ${JSON.stringify(p)}`);
  }
  const commaSeparated = !atLeast(parseNodeVersion(version), 20, 7);
  const allow = (kind: 'read' | 'write', paths: readonly string[]): string[] => {
    if (paths.length === 0) return [];
    if (!commaSeparated) return paths.map((p) => `--allow-fs-${kind}=${p}`);
    const withComma = paths.find((p) => p.includes(','));
    if (withComma !== undefined) throw new RangeError(`${kind}: Node ${version} separates paths with commas, so it cannot allow ${JSON.stringify(withComma)}; use Node ≥ 20.7`);
    return [`--allow-fs-${kind}=${paths.join(',')}`];
  };
  return [flag, ...allow('read', options.read), ...allow('write', options.write)];
}

/**
 * The worker's other flags: frozen intrinsics (Math, Array.prototype, … cannot be patched), the V8
 * heap cap in MB (rounded to whole MB), the stack size V8 uses by default on 64-bit Linux (984 KB, stated so that a
 * changed default cannot change which recursion depth overflows), and no warnings (the
 * experimental-feature warnings would land in the student's stderr tail).
 */
export function workerHardeningArguments(memoryMb: number): string[] {
  if (!(Number.isFinite(memoryMb) && memoryMb >= 1)) throw new RangeError(`memoryMb: expected a heap size of at least 1 MB, got ${memoryMb}`);
  return ['--frozen-intrinsics', `--max-old-space-size=${Math.round(memoryMb)}`, '--no-warnings', '--stack-size=984'];
}

/**
 * The note the grader prints once where the network is open to submissions (Node < 25), or
 * undefined where the permission model blocks it.
 */
export function networkNotice(version: string = process.version): string | undefined {
  if (networkBlockedByPermissionModel(version)) return undefined;
  return `note: on Node ${version} the sandbox does not block the network (submissions can open sockets); Node ≥ 25 blocks it — grade where that does not matter, or use Node 26`;
}

/** One line naming the layers that are active on `version`, for logs and the README. */
export function sandboxDescription(version: string = process.version): string {
  const flag = permissionFlag(version);
  const network = networkBlockedByPermissionModel(version) ? 'no network' : 'network NOT blocked';
  return `sandbox on Node ${version}: permission model (${flag}): reads only the allowed paths, writes only the scratch folder, no child processes, worker threads or native addons, ${network}; frozen intrinsics; heap cap`;
}

/**
 * The `node_modules` folders on the lookup path of the worker and the library (`tools/node_modules`,
 * `lib/node_modules`) that the sandbox may read whole: Node's resolver (≥ 20.20 / 22.13) reads
 * `<folder>/<name>/package.json` in each of them before it reaches the hoisted package in the root
 * `node_modules`, and a denied read there stops `require` (measured on 22.23, 24.21, 26.10:
 * `require('chai')` in the worker failed on `tools/node_modules/chai/package.json`). A folder is
 * listed only if none of its entries is a link: a readable folder that holds a link into the
 * project would open the project through `<link>/../` (the permission model checks paths lexically,
 * the open follows the link). The root `node_modules` holds the workspace links, so it is never
 * listed; sandbox.ts lists its package folders one by one instead.
 */
export function moduleLookupFolders(root: string): string[] {
  const out: string[] = [];
  for (const folder of [path.join(root, 'tools', 'node_modules'), path.join(root, 'lib', 'node_modules')]) {
    if (!fs.existsSync(folder) || !fs.statSync(folder).isDirectory()) continue;
    if (!containsLink(folder)) out.push(folder);
  }
  return out;
}

/** Whether a node_modules folder has a link among its packages (scoped ones included). */
function containsLink(nodeModules: string): boolean {
  for (const entry of fs.readdirSync(nodeModules, { withFileTypes: true })) {
    const full = path.join(nodeModules, entry.name);
    if (entry.name === '.bin' && entry.isDirectory()) {
      // npm's command links point at files, and `<file>/..` does not resolve; a link to a folder would.
      for (const bin of fs.readdirSync(full)) if (linksToFolder(path.join(full, bin))) return true;
      continue;
    }
    if (entry.isSymbolicLink()) return true;
    if (entry.name.startsWith('@') && entry.isDirectory()) {
      for (const scoped of fs.readdirSync(full, { withFileTypes: true })) if (scoped.isSymbolicLink()) return true;
    }
  }
  return false;
}

function linksToFolder(file: string): boolean {
  try {
    return fs.lstatSync(file).isSymbolicLink() && fs.statSync(file).isDirectory();
  } catch {
    return false; // a dangling link reaches nothing
  }
}
