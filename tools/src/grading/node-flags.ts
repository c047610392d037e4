/**
 * Which Node flags put the grading worker under the permission model, chosen from the version of
 * the Node that runs the grader (the worker is started with the same binary, `process.execPath`).
 *
 * Every fact below was measured with the npm registry's `node` package (20.6.1, 20.7.0, 20.19.0,
 * 20.19.2, 20.19.4, 20.19.5, 20.19.6, 20.20.0, 20.20.2, 22.12.0, 22.13.0, 22.23.3, 23.0.0, 23.2.0,
 * 23.3.0, 23.4.0, 23.5.0, 24.21.0, 25.0.0, 26.10.0); `tests/grading/node-flags.test.ts` checks them
 * again on the Node that runs it, and `.ci/run` runs that test on 22, 24 and 26.
 *
 * - The flag: `--experimental-permission` on 20.x, 21.x, 22.0–22.12 and 23.0–23.4; `--permission`
 *   from 22.13 and 23.5. 24 and later reject the old flag (`node: bad option`); 22.13+ and 23.x
 *   still accept it, 22.12 and 23.4 reject the new one.
 * - Several allowed paths: one `--allow-fs-read` / `--allow-fs-write` flag per path from 20.7.0
 *   (nodejs/node#49047); a comma in the value is then part of the path (22.13+ warn about it).
 *   Before 20.7.0 the value was a comma-separated list and a repeated flag silently kept only the
 *   last path; those versions are refused anyway (next point but one).
 * - What the model denies when nothing else is allowed: reads and writes outside the allowed
 *   paths, child processes, worker threads, native addons and WASI on every version; the network
 *   (TCP, UDP, DNS look-ups, Unix sockets, `fetch`) only from 25.0, where `--allow-net` would
 *   allow it. On 20–24 a sandboxed process can open sockets.
 * - The other flags the grader passes (`--frozen-intrinsics`, `--max-old-space-size`,
 *   `--stack-size`, `--no-warnings`) exist and behave alike on 20, 22, 24 and 26 (intrinsics
 *   frozen, the heap capped, the same stack depth, warnings silenced), see
 *   {@link workerHardeningArguments}.
 * - Module resolution under the model: from 20.19.5 / 22.13.0 / 23.3.0 (nodejs/node#55797) `require` may stat
 *   a `node_modules` folder it cannot read, but it then reads `<folder>/<name>/package.json` under
 *   the permission check, so a `node_modules` folder on the lookup path that is not readable makes
 *   `require('chai')` fail with ERR_ACCESS_DENIED even when the package is found further up (see
 *   `readablePaths` in sandbox.ts, with {@link holdsLink}). Before that fix (measured: 20.7.0–20.19.4, 22.0–22.12,
 *   23.0–23.2; works from 20.19.5, 22.13.0, 23.3.0) an unreadable `node_modules` folder is skipped,
 *   so the hoisted packages are never found and the worker cannot start: see
 *   {@link sandboxUnsupported}.
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

/**
 * Why the grader's sandbox cannot run on `version`, or undefined where it can: below 20 there is no
 * permission model; on 20.0–20.19.4, 21.x, 22.0–22.12 and 23.0–23.2 `require` cannot find the
 * installed packages under it (the fix of nodejs/node#55797 landed in 20.19.5, 22.13.0 and 23.3.0).
 */
export function sandboxUnsupported(version: string = process.version): string | undefined {
  const v = parseNodeVersion(version);
  const fixed = (major: number, minor: number, patch: number) =>
    atLeast(v, major, minor, patch) ? undefined : `on Node ${version} the permission model hides the installed packages from require (fixed in 20.19.5, 22.13.0 and 23.3.0, nodejs/node#55797): use Node 22.13 or later (24 or 26 recommended)`;
  if (v.major < 20) return `Node ${version} has no permission model: use Node 22.13 or later (24 or 26 recommended)`;
  if (v.major === 20) return fixed(20, 19, 5);
  if (v.major === 21) return `Node ${version} (end-of-life) never received the fix that lets require find the installed packages under the permission model (nodejs/node#55797): use Node 22.13 or later (24 or 26 recommended)`;
  if (v.major === 22) return fixed(22, 13, 0);
  if (v.major === 23) return fixed(23, 3, 0);
  return undefined;
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
 * accepts; an Error (with {@link sandboxUnsupported}'s reason) where the sandbox cannot run.
 * Nothing else is allowed: no child process, worker, addon, WASI, and (Node ≥ 25) no network,
 * since no `--allow-child-process`, `--allow-worker`, `--allow-addons`, `--allow-wasi` or
 * `--allow-net` is ever returned. An empty list allows no path of that kind.
 */
export function permissionArguments(options: PermissionOptions): string[] {
  const version = options.version ?? process.version;
  const unsupported = sandboxUnsupported(version);
  if (unsupported !== undefined) throw new Error(`the grader's sandbox cannot run here: ${unsupported}`);
  const flag = permissionFlag(version);
  for (const p of [...options.read, ...options.write]) {
    // `*` would allow everything; a relative path would be resolved against the worker's cwd.
    if (typeof p !== 'string' || !path.isAbsolute(p)) throw new RangeError(`read/write: expected absolute paths, got ${JSON.stringify(p)}`);
  }
  // One flag per path (every version that passes the check above takes them so).
  return [flag, ...options.read.map((p) => `--allow-fs-read=${p}`), ...options.write.map((p) => `--allow-fs-write=${p}`)];
}

/**
 * The worker's other flags: frozen intrinsics (Math, Array.prototype, … cannot be patched), the V8
 * heap cap in MB (rounded to whole MB), the stack size V8 uses by default on 64-bit Linux (984 KB,
 * stated so that a changed default cannot change which recursion depth overflows), and no warnings
 * (the experimental-feature warnings would land in the student's stderr tail).
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
  return `note: on Node ${version} the sandbox does not block the network: a submission can open sockets (TCP, UDP, DNS). Node 25 and later block it; grade on Node 26, or where network access does not matter.`;
}

/** One line naming the layers that are active on `version` (and the heap cap, when given). */
export function sandboxDescription(version: string = process.version, memoryMb?: number): string {
  const network = networkBlockedByPermissionModel(version) ? 'no network' : 'network NOT blocked';
  const heap = memoryMb === undefined ? 'a heap cap' : `a ${Math.round(memoryMb)} MB heap cap`;
  return `sandbox on Node ${version}: permission model (${permissionFlag(version)}) with reads only of the allowed paths, writes only to the scratch folder, no child processes, worker threads or native addons, ${network}; frozen intrinsics; ${heap}`;
}

/**
 * Whether a node_modules folder may NOT be made readable whole: it has a link among its packages
 * (scoped ones included) or a command link to a folder. A readable folder that holds such a link
 * opens whatever is beside the link's target through `<link>/../` — the project's solutions for a
 * workspace link, other students' folders for a link into the grader's temp dir — because the
 * permission model checks paths lexically and the open follows the link. Node's resolver
 * (≥ 20.19.5 / 22.13) reads `<folder>/<name>/package.json` in every node_modules on the lookup
 * path (measured on 22.23, 24.21, 26.10: `require('chai')` in the worker failed on
 * `tools/node_modules/chai/package.json`), so a folder without such links is listed whole and one
 * with them package by package (sandbox.ts `readablePaths`).
 */
export function holdsLink(nodeModules: string): boolean {
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
