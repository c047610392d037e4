/**
 * The OS layer of the grader's sandbox (issue 16): on Linux, the worker runs under bubblewrap
 * (`bwrap`, Debian package `bubblewrap`) when it is installed and can create namespaces here.
 * `osSandbox` builds the argument prefix that wraps the worker command:
 *
 * - `--unshare-net`: a network namespace of its own with only a loopback that is down: no TCP/UDP
 *   anywhere, 127.0.0.1 included, and no abstract UNIX sockets of the host (those live in the
 *   network namespace); path UNIX sockets are out of reach because their paths are not mounted;
 * - `--unshare-pid --unshare-ipc --unshare-uts --unshare-cgroup-try`: it sees no other process,
 *   System V IPC object or host name; `--die-with-parent`: it dies with the grader (and when the
 *   grader kills bwrap); `--new-session`: no controlling terminal to push input into (TIOCSTI);
 * - a file system holding only read-only binds of what the worker needs — the node binary and the
 *   shared libraries `ldd` lists for it, the project's package folders in `node_modules`, `lib/dist`
 *   and `tools/dist/grading` (`readablePaths()` from sandbox.ts, the list Node's permission model
 *   is given too) — a minimal `/proc` (this PID namespace only) and `/dev` (null, zero, random…);
 *   nothing else of the host exists: not `solutions/`, `tests/hidden/`, other submissions, `/etc`,
 *   `/tmp` or the grader's output folder. `process.report.writeReport('/anywhere')`, which Node's
 *   permission model does not check, finds no such folder (or a read-only one);
 * - the scratch folder at its usual path: a fresh tmpfs capped at `scratchMb` (default), which is
 *   gone when the process ends, or a writable bind of the host folder (`scratch: 'bind'`);
 * - as root, every capability dropped (`--cap-drop ALL`); as any other user bwrap uses an
 *   unprivileged user namespace and the process has no capabilities on the host.
 *
 * Availability is probed once per process (bwrap on PATH, then a real run of `node -e 0` under a
 * minimal prefix) and cached; `GENBOOK_OS_SANDBOX=off` turns the layer off. Elsewhere (macOS,
 * Windows, Linux without bwrap or without user namespaces) `osSandbox` returns undefined and
 * `osSandboxStatus` says why; the permission model is then the only layer (README: "What the
 * grader's sandbox covers").
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { readablePaths } from './sandbox';

export interface OsSandboxOptions {
  /** The project root (node_modules, lib/dist and tools/dist/grading are bound from here). */
  root: string;
  /** The scratch folder: the worker's working directory and the only writable place. */
  scratchDir: string;
  /** `tmpfs` (default): a fresh size-capped tmpfs at scratchDir; `bind`: the host folder, writable. */
  scratch?: 'tmpfs' | 'bind';
  /** Size cap of the tmpfs scratch in MB (default 64). */
  scratchMb?: number;
  /** The node binary the prefix will run (default process.execPath). */
  nodePath?: string;
  /** More paths to bind read-only (default none). */
  readable?: string[];
}

export interface OsSandbox {
  /** Put before the command: `[...prefix, node, ...nodeArguments]`. */
  prefix: string[];
  /** One line for the grader's output: which layer is active and what it does. */
  description: string;
}

export type OsSandboxStatus = { available: true; bwrap: string; version: string } | { available: false; reason: string };

let cached: { key: string; status: OsSandboxStatus } | undefined;

/** Find an executable on PATH. */
function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    if (!dir) continue;
    const full = path.join(dir, name);
    try {
      fs.accessSync(full, fs.constants.X_OK);
      if (fs.statSync(full).isFile()) return full;
    } catch {
      // not here
    }
  }
  return undefined;
}

/** The node binary and the shared libraries it loads (from `ldd`), as real files to bind. */
export function binaryFiles(binary: string): string[] {
  const out = new Set<string>([binary, fs.realpathSync(binary)]);
  const ldd = spawnSync('ldd', [binary], { encoding: 'utf8', timeout: 10_000 });
  if (ldd.status === 0) {
    for (const line of ldd.stdout.split('\n')) {
      // "libc.so.6 => /lib/x86_64-linux-gnu/libc.so.6 (0x…)" or "/lib64/ld-linux-x86-64.so.2 (0x…)"
      const m = /=>\s*(\/\S+)/.exec(line) ?? /^\s*(\/\S+)\s+\(/.exec(line);
      if (m && fs.existsSync(m[1])) out.add(m[1]);
    }
  } else if (!/not a dynamic executable/.test(`${ldd.stdout}${ldd.stderr}`)) {
    // No ldd: the libraries this very process has mapped (the same binary in the usual case).
    try {
      for (const line of fs.readFileSync('/proc/self/maps', 'utf8').split('\n')) {
        const file = line.split(/\s+/)[5];
        if (file && file.startsWith('/') && /\.so(\.|$)/.test(file) && fs.existsSync(file)) out.add(file);
      }
    } catch {
      // no /proc: the probe will fail and say so
    }
  }
  return [...out];
}

function namespaceFlags(): string[] {
  const flags = ['--unshare-net', '--unshare-pid', '--unshare-ipc', '--unshare-uts', '--unshare-cgroup-try', '--hostname', 'genbook-sandbox', '--die-with-parent', '--new-session'];
  if (typeof process.getuid === 'function' && process.getuid() === 0) flags.push('--cap-drop', 'ALL');
  return flags;
}

function bindFlags(files: readonly string[]): string[] {
  return files.flatMap((f) => ['--ro-bind', f, f]);
}

/**
 * Whether the OS layer can be used here: Linux, bwrap on PATH, and a real run of `node -e 0`
 * under the namespaces succeeds. Probed once per (uid, node binary) and cached.
 */
export function osSandboxStatus(nodePath: string = process.execPath): OsSandboxStatus {
  const key = `${typeof process.getuid === 'function' ? process.getuid() : ''}:${nodePath}:${process.env.GENBOOK_OS_SANDBOX ?? ''}`;
  if (cached?.key === key) return cached.status;
  const status = probe(nodePath);
  cached = { key, status };
  return status;
}

function probe(nodePath: string): OsSandboxStatus {
  if (process.env.GENBOOK_OS_SANDBOX === 'off') return { available: false, reason: 'turned off (GENBOOK_OS_SANDBOX=off)' };
  if (process.platform !== 'linux') return { available: false, reason: `bubblewrap is Linux-only (this is ${process.platform})` };
  const bwrap = which('bwrap');
  if (!bwrap) return { available: false, reason: 'bwrap is not installed (Debian: apt-get install bubblewrap)' };
  const version = spawnSync(bwrap, ['--version'], { encoding: 'utf8', timeout: 10_000 }).stdout?.trim() || 'bubblewrap';
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-bwrap-probe-'));
  try {
    const args = [...namespaceFlags(), ...bindFlags(binaryFiles(nodePath)), '--proc', '/proc', '--dev', '/dev', '--size', String(1024 * 1024), '--tmpfs', scratch, '--chdir', scratch, nodePath, '-e', 'process.stdout.write(String(require("os").networkInterfaces().lo ? 1 : 0))'];
    const run = spawnSync(bwrap, args, { encoding: 'utf8', timeout: 20_000, env: { PATH: '/usr/bin:/bin' } });
    if (run.status !== 0) {
      const why = `${run.stderr ?? ''}`.trim().split('\n')[0] || (run.error ? String(run.error) : `exit ${run.status ?? run.signal}`);
      return { available: false, reason: `bwrap cannot create the sandbox here: ${why}` };
    }
    return { available: true, bwrap, version };
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/** The read-only binds and symbolic links that make `paths` (files, folders, linked packages) visible. */
function projectBinds(paths: readonly string[]): string[] {
  const out: string[] = [];
  const seen = new Set<string>();
  for (const p of paths) {
    if (seen.has(p)) continue;
    seen.add(p);
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(p);
    } catch {
      continue;
    }
    // A linked package: the link itself (its real folder is in `paths` too and is bound).
    if (stat.isSymbolicLink()) out.push('--symlink', fs.readlinkSync(p), p);
    else out.push('--ro-bind', p, p);
  }
  return out;
}

/**
 * The prefix that runs a command under bubblewrap with the binds the grading worker needs, or
 * undefined when the OS layer is not available here (see `osSandboxStatus`).
 */
export function osSandbox(options: OsSandboxOptions): OsSandbox | undefined {
  const nodePath = options.nodePath ?? process.execPath;
  const status = osSandboxStatus(nodePath);
  if (!status.available) return undefined;
  const scratchDir = path.resolve(options.scratchDir);
  const readable = [...readablePaths(options.root, scratchDir).filter((p) => p !== scratchDir), ...(options.readable ?? [])];
  const mode = options.scratch ?? 'tmpfs';
  const scratchMb = options.scratchMb ?? 64;
  const scratch = mode === 'tmpfs' ? ['--size', String(Math.round(scratchMb * 1024 * 1024)), '--tmpfs', scratchDir] : ['--bind', scratchDir, scratchDir];
  const prefix = [status.bwrap, ...namespaceFlags(), ...bindFlags(binaryFiles(nodePath)), ...projectBinds(readable), '--proc', '/proc', '--dev', '/dev', ...scratch, '--chdir', scratchDir, '--'];
  const scratchText = mode === 'tmpfs' ? `a ${scratchMb} MB tmpfs scratch` : 'the scratch folder bound writable';
  return {
    prefix,
    description: `${status.version}: no network, own PID/IPC/UTS namespaces, only ${readable.length} read-only project paths and the node binary visible, ${scratchText}${typeof process.getuid === 'function' && process.getuid() === 0 ? ', capabilities dropped' : ''}`,
  };
}

/**
 * Every process below `pid` (its children, theirs, …), from /proc/<pid>/task/<tid>/children.
 * Under bwrap the spawned pid is bwrap's own: the worker is a descendant, and memory watchdogs
 * must look there.
 */
export function descendantPids(pid: number): number[] {
  const out: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const p = queue.shift() as number;
    let tasks: string[];
    try {
      tasks = fs.readdirSync(`/proc/${p}/task`);
    } catch {
      continue;
    }
    for (const tid of tasks) {
      let children: string;
      try {
        children = fs.readFileSync(`/proc/${p}/task/${tid}/children`, 'utf8');
      } catch {
        continue;
      }
      for (const c of children.trim().split(/\s+/).filter(Boolean).map(Number)) {
        if (!out.includes(c)) {
          out.push(c);
          queue.push(c);
        }
      }
    }
  }
  return out;
}

/** One line for the grader's output saying whether the OS layer is active, and if not, why. */
export function describeOsLayer(nodePath: string = process.execPath): string {
  const status = osSandboxStatus(nodePath);
  return status.available ? `OS sandbox: ${status.version} (no network, own PID/IPC/UTS namespaces, read-only binds, tmpfs scratch)` : `OS sandbox: off (${status.reason})`;
}
