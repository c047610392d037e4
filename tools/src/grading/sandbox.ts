/**
 * The grader's side of a grading run: start the trusted test runner (runner.ts) for a submission,
 * follow its events, and enforce the whole-submission deadline. The runner starts the submission's
 * host (host.ts) under Node's permission model and enforces the per-test limits itself; this side
 * is the backstop — it stops a runner that goes quiet past a test's limit plus a margin, or past
 * the submission's deadline, and resumes with a fresh runner for the tests not yet run.
 *
 * Each runner is started in its own process group, with the host in it, so stopping a run stops
 * both, also when the grader itself is interrupted.
 */
import { ChildProcess, spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { holdsLink, permissionArguments, workerHardeningArguments } from './node-flags';
import { appendTail, readJsonLines } from './json-lines';
import { osSandbox } from './os-sandbox';
import type { HostOptions, PlannedTest, RunnerEvent, RunnerJob, SubmissionModule, SuiteBundle } from './protocol';

export interface SandboxOptions {
  /** The project root: node_modules, lib/dist and tools/dist/grading are read from here. */
  root: string;
  /** The only folder the submission may write (created if missing). */
  scratchDir: string;
  /** V8 heap cap in MB (default 1024). */
  memoryMb?: number;
  /** Resident memory cap in MB (default memoryMb + 1024). */
  rssLimitMb?: number;
  /** Default per-test time limit in ms (default 30 000); a test may declare a longer one. */
  testTimeoutMs?: number;
  /** Time limit for the whole submission in ms (default 600 000). */
  submissionTimeoutMs?: number;
  /** Extra grace after a test's limit before the process is killed (default 1500 ms). */
  graceMs?: number;
  /** Time allowed for a runner or a host to start (default 120 000 ms). */
  startupTimeoutMs?: number;
  /** Environment variables of the runner and host (the grader's own environment is not passed). */
  env?: Record<string, string>;
  /** Called for each test as it finishes. */
  onResult?: (result: TestOutcome) => void;
}

export type TestStatus = 'passed' | 'failed' | 'timeout' | 'crashed' | 'not-run';

export interface TestOutcome {
  id: string;
  status: TestStatus;
  passed: boolean;
  message: string;
  durationMs: number;
}

export interface SubmissionOutcome {
  /** Every test, in order, with its points and time limit. */
  plan: PlannedTest[];
  results: Map<string, TestOutcome>;
  /** Weeks whose module could not be loaded, with the reason. */
  loadErrors: Map<string, string>;
  /** How many host processes were started. */
  processes: number;
  stdoutTail: string;
  stderrTail: string;
  durationMs: number;
}

/** The compiled scripts next to this file. */
export function runnerScript(root: string): string {
  return path.join(root, 'tools', 'dist', 'grading', 'runner.js');
}

export function hostScript(root: string): string {
  return path.join(root, 'tools', 'dist', 'grading', 'host.js');
}

/**
 * The paths the sandbox may read: each of the three node_modules folders on the resolver's path
 * whole when it holds no link (`holdsLink` in node-flags.ts), otherwise package by package — never
 * the workspace links `genbook` → ../lib and `genbook-tools` → ../tools (the permission model checks
 * paths lexically but the open follows links, so with the root node_modules allowed,
 * `node_modules/genbook/../solutions` would reach the project's solutions) — the real folder behind
 * a linked package, lib/dist, tools/dist and the scratch folder.
 */
export function readablePaths(root: string, scratchDir: string): string[] {
  const out: string[] = [];
  const realRoot = fs.realpathSync(root);
  // The dependencies: hoisted to the root, or (when npm could not hoist them) in a workspace's own
  // folder. A node_modules folder that is not there is allowed as a path: from Node 22.12 the
  // module resolver's package.json reads are permission-checked, so each folder it looks in must
  // be readable even when empty (a missing file is then "not found", not "access denied").
  for (const nodeModules of [path.join(root, 'node_modules'), path.join(root, 'lib', 'node_modules'), path.join(root, 'tools', 'node_modules')]) {
    if (!fs.existsSync(nodeModules) || !holdsLink(nodeModules)) out.push(nodeModules);
    else out.push(...packageFolders(nodeModules, realRoot));
  }
  // lib/dist and tools/dist (the library and the grader's scripts: no tests, no solutions), and the
  // package.json files the resolver reads on the way up from them.
  out.push(path.join(root, 'lib', 'dist'), path.join(root, 'lib', 'package.json'), path.join(root, 'tools', 'dist'), path.join(root, 'tools', 'package.json'), path.join(root, 'package.json'), scratchDir);
  return out;
}

/**
 * Each package folder of one node_modules folder — a scope folder (`@tensorflow`) as a whole, so
 * the resolver may look in `@scope/node_modules` — and the real folder behind a linked package;
 * never a link into the project itself (a workspace package).
 */
function packageFolders(nodeModules: string, realRoot: string): string[] {
  const out: string[] = [];
  const add = (full: string) => {
    const stat = fs.lstatSync(full);
    if (!stat.isSymbolicLink()) {
      if (stat.isDirectory()) out.push(full);
      return;
    }
    let real: string;
    try {
      real = fs.realpathSync(full);
    } catch {
      return;
    }
    const inProject = !path.relative(realRoot, real).startsWith('..');
    const inNodeModules = !path.relative(fs.realpathSync(nodeModules), real).startsWith('..');
    if (inProject && !inNodeModules) return; // a workspace link into the project
    if (fs.statSync(real).isDirectory()) out.push(full, real);
  };
  for (const entry of fs.readdirSync(nodeModules, { withFileTypes: true })) {
    if (entry.name.startsWith('.')) continue;
    const full = path.join(nodeModules, entry.name);
    if (entry.name.startsWith('@') && entry.isDirectory()) {
      const scoped = fs.readdirSync(full).map((name) => path.join(full, name));
      // A scope with no links is allowed whole; one with a link is allowed package by package.
      if (scoped.every((p) => !fs.lstatSync(p).isSymbolicLink())) out.push(full);
      else for (const p of scoped) add(p);
    } else {
      add(full);
    }
  }
  return out;
}

/** The submission host's Node arguments; the version-dependent flags come from node-flags.ts. */
export function nodeArguments(root: string, scratchDir: string, memoryMb: number, version: string = process.version): string[] {
  const read = readablePaths(root, scratchDir);
  return [
    ...permissionArguments({ version, read, write: [scratchDir] }),
    ...workerHardeningArguments(memoryMb),
    hostScript(root),
  ];
}

/** The command that starts a submission host for these options. */
export function hostCommand(options: HostOptions): { command: string; args: string[] } {
  const args = nodeArguments(options.root, options.scratchDir, options.memoryMb);
  // On Linux with bubblewrap: no network, read-only binds of what the host needs, tmpfs scratch (os-sandbox.ts).
  const os = osSandbox({ root: options.root, scratchDir: options.scratchDir });
  return os ? { command: os.prefix[0], args: [...os.prefix.slice(1), process.execPath, ...args] } : { command: process.execPath, args };
}

/** The largest event line a runner may send (bytes). */
const MAX_EVENT_BYTES = 1024 * 1024;
/** Margin past a test's own limit before the grader stops a quiet runner (the runner enforces the limit). */
const BACKSTOP_MS = 20_000;

/** Live runners' process groups, stopped if the grader is interrupted or exits. */
const liveGroups = new Set<number>();
let cleanupInstalled = false;

function killGroup(pid: number): void {
  try {
    process.kill(-pid, 'SIGKILL');
  } catch {
    /* already gone */
  }
}

function installCleanup(): void {
  if (cleanupInstalled) return;
  cleanupInstalled = true;
  process.on('exit', () => {
    for (const pid of liveGroups) killGroup(pid);
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    // Only where the signal would end the process anyway: a host program that handles it itself
    // (the notebook kernel interrupts a cell on SIGINT) keeps its own behaviour, and 'exit' still
    // stops the runners when it ends.
    if (process.listenerCount(signal) > 0) continue;
    process.once(signal, () => {
      for (const pid of liveGroups) killGroup(pid);
      process.kill(process.pid, signal);
    });
  }
}

interface RunnerRun {
  events: RunnerEvent[];
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Why the grader stopped it, if it did. */
  killedFor?: string;
  stdout: string;
  stderr: string;
}

interface RunControl {
  onEvent: (event: RunnerEvent) => void;
  /** Receives the function that (re)arms the grader's backstop timer. */
  arm: (setter: (ms: number | null, reason: string) => void) => void;
}

/** Start one runner, feed it `job`, and resolve when it exits. */
function startRunner(job: RunnerJob, root: string, control: RunControl): Promise<RunnerRun> {
  installCleanup();
  const child: ChildProcess = spawn(process.execPath, ['--no-warnings', '--stack-size=984', runnerScript(root)], {
    cwd: root,
    // GENBOOK_OS_SANDBOX=off reaches the runner, which starts the hosts (os-sandbox.ts).
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GENBOOK_QUICK: '1', ...(process.env.GENBOOK_OS_SANDBOX ? { GENBOOK_OS_SANDBOX: process.env.GENBOOK_OS_SANDBOX } : {}), ...job.host.env },
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
    detached: true,
  });
  if (child.pid !== undefined) liveGroups.add(child.pid);
  const run: RunnerRun = { events: [], exitCode: null, signal: null, stdout: '', stderr: '' };
  let timer: NodeJS.Timeout | undefined;
  const kill = (reason: string) => {
    if (run.killedFor === undefined) run.killedFor = reason;
    if (child.pid !== undefined) killGroup(child.pid);
  };
  control.arm((ms, reason) => {
    if (timer) clearTimeout(timer);
    timer = ms === null ? undefined : setTimeout(() => kill(reason), Math.max(0, ms));
  });
  child.stdout?.setEncoding('utf8').on('data', (s: string) => (run.stdout = appendTail(run.stdout, s)));
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (run.stderr = appendTail(run.stderr, s)));
  readJsonLines(
    child.stdio[3] as NodeJS.ReadableStream,
    MAX_EVENT_BYTES,
    (message) => {
      const event = message as unknown as RunnerEvent;
      if (typeof event.type !== 'string') return;
      run.events.push(event);
      control.onEvent(event);
    },
    () => kill('the test runner sent an event that is too long'),
  );
  child.stdin?.on('error', () => {});
  child.stdin?.end(JSON.stringify(job));
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      if (child.pid !== undefined) {
        killGroup(child.pid); // a host left behind by a runner that died
        liveGroups.delete(child.pid);
      }
      run.exitCode = code;
      run.signal = signal;
      resolve(run);
    });
  });
}

function resolved(options: SandboxOptions) {
  const memoryMb = options.memoryMb ?? 1024;
  return {
    root: options.root,
    scratchDir: options.scratchDir,
    memoryMb,
    rssLimitMb: options.rssLimitMb ?? memoryMb + 1024,
    testTimeoutMs: options.testTimeoutMs ?? 30_000,
    submissionTimeoutMs: options.submissionTimeoutMs ?? 600_000,
    graceMs: options.graceMs ?? 1500,
    startupTimeoutMs: options.startupTimeoutMs ?? 120_000,
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GENBOOK_QUICK: '1', GENBOOK_THREADS: '1', ...(options.env ?? {}) },
  };
}

function hostOptions(o: ReturnType<typeof resolved>): HostOptions {
  return { root: o.root, scratchDir: o.scratchDir, memoryMb: o.memoryMb, rssLimitMb: o.rssLimitMb, startupTimeoutMs: o.startupTimeoutMs, env: o.env };
}

/** Why a runner died, in words for the report. */
function deathReason(run: RunnerRun): string {
  if (run.killedFor) return run.killedFor;
  if (/heap out of memory|Reached heap limit|Allocation failed/i.test(run.stderr)) return 'the test runner ran out of memory';
  if (run.signal) return `the test runner crashed (signal ${run.signal})`;
  return `the test runner stopped (exit code ${run.exitCode})`;
}

/** Register the tests without any submission: the list of tests, their points and time limits. */
export async function discover(suites: SuiteBundle[], options: SandboxOptions): Promise<PlannedTest[]> {
  const o = resolved(options);
  const job: RunnerJob = { mode: 'discover', suites, submissions: [], skip: [], defaultTimeoutMs: o.testTimeoutMs, deadline: Date.now() + o.startupTimeoutMs, loadErrors: {}, host: hostOptions(o) };
  let plan: PlannedTest[] | undefined;
  let fatal: string | undefined;
  const run = await startRunner(job, o.root, {
    arm: (set) => set(o.startupTimeoutMs, 'timed out while registering the tests'),
    onEvent: (e) => {
      if (e.type === 'plan' && !plan) plan = e.tests;
      if (e.type === 'fatal') fatal = e.message;
    },
  });
  if (fatal) throw new Error(fatal);
  if (!plan) throw new Error(`the test runner did not register the tests (${deathReason(run)}):\n${run.stderr.trim()}`);
  return plan;
}

/**
 * Run every planned test against one submission, in as many runner processes as it takes.
 * Every planned test gets an outcome.
 */
export async function runSubmission(knownPlan: PlannedTest[] | undefined, suites: SuiteBundle[], submissions: SubmissionModule[], options: SandboxOptions): Promise<SubmissionOutcome> {
  const o = resolved(options);
  const started = Date.now();
  const deadline = started + o.submissionTimeoutMs;
  const results = new Map<string, TestOutcome>();
  const loadErrors = new Map<string, string>();
  for (const s of submissions) if (s.loadError) loadErrors.set(s.week, s.loadError);
  let stdoutTail = '';
  let stderrTail = '';
  let processes = 0;
  const record = (outcome: TestOutcome) => {
    if (results.has(outcome.id)) return;
    results.set(outcome.id, outcome);
    options.onResult?.(outcome);
  };
  let plan: PlannedTest[] = knownPlan ?? [];
  let planned = new Set(plan.map((t) => t.id));
  let byId = new Map(plan.map((t) => [t.id, t]));
  const submissionLimit = `the submission's time limit (${Math.round(o.submissionTimeoutMs / 1000)} s) was reached`;

  while (knownPlan === undefined || results.size < plan.length) {
    if (deadline - Date.now() <= 0) break;
    const job: RunnerJob = {
      mode: 'run',
      suites,
      submissions,
      skip: [...results.keys()],
      defaultTimeoutMs: o.testTimeoutMs,
      deadline,
      loadErrors: Object.fromEntries(loadErrors),
      host: hostOptions(o),
    };
    let current: { id: string; startedAt: number } | undefined;
    let fatal: string | undefined;
    let setTimer: (ms: number | null, reason: string) => void = () => {};
    const armFor = (ms: number, reason: string) => {
      const left = deadline - Date.now() + BACKSTOP_MS;
      if (left < ms) setTimer(left, submissionLimit);
      else setTimer(ms, reason);
    };
    const before = results.size;
    let gotPlan = false;
    const run = await startRunner(job, o.root, {
      arm: (set) => {
        setTimer = set;
        armFor(o.startupTimeoutMs, 'the test runner did not start in time');
      },
      onEvent: (e) => {
        switch (e.type) {
          case 'plan': {
            if (gotPlan) break; // one plan per runner
            gotPlan = true;
            if (knownPlan === undefined) {
              knownPlan = plan = e.tests;
              planned = new Set(plan.map((t) => t.id));
              byId = new Map(plan.map((t) => [t.id, t]));
            } else if (e.tests.length !== plan.length || e.tests.some((t) => !planned.has(t.id))) {
              fatal = 'the tests registered differently in a resumed runner';
            }
            setTimer(null, '');
            break;
          }
          case 'start': {
            current = { id: e.id, startedAt: Date.now() };
            const limit = byId.get(e.id)?.timeoutMs ?? o.testTimeoutMs;
            armFor(limit + o.graceMs + BACKSTOP_MS, `timed out after ${limit / 1000} s (an infinite loop, or too slow?)`);
            break;
          }
          case 'load':
            if (e.error && !loadErrors.has(e.week)) loadErrors.set(e.week, e.error);
            break;
          case 'result':
            if (current && e.id === current.id && planned.has(e.id)) {
              const status = (['passed', 'failed', 'timeout', 'crashed'] as const).includes(e.status) ? e.status : 'failed';
              record({ id: e.id, status, passed: status === 'passed', message: String(e.message ?? ''), durationMs: Number(e.durationMs) || 0 });
            }
            current = undefined;
            // A runner between tests (after hooks, the next start) gets its own short backstop.
            armFor(BACKSTOP_MS + o.graceMs, 'the test runner stopped responding between tests');
            break;
          case 'host':
            processes += Number(e.processes) || 0;
            stdoutTail = appendTail(stdoutTail, String(e.stdoutTail ?? ''));
            stderrTail = appendTail(stderrTail, String(e.stderrTail ?? ''));
            break;
          case 'fatal':
            fatal = e.message;
            break;
          case 'done':
            setTimer(null, '');
            break;
        }
      },
    });
    stderrTail = appendTail(stderrTail, run.stderr);
    if (fatal) throw new Error(fatal);
    if (knownPlan === undefined) {
      throw new Error(`the test runner stopped before registering the tests (${deathReason(run)}):\n${run.stderr.trim()}`);
    }
    if (run.events.some((e) => e.type === 'done')) continue;
    const reason = deathReason(run);
    const timedOut = run.killedFor !== undefined && /timed out|time limit/.test(run.killedFor);
    if (current) {
      record({ id: current.id, status: timedOut ? 'timeout' : 'crashed', passed: false, message: reason, durationMs: Date.now() - current.startedAt });
    } else if (results.size === before) {
      // Died outside any test: charge the next test so the loop always makes progress.
      const next = plan.find((t) => !results.has(t.id));
      if (next) record({ id: next.id, status: 'crashed', passed: false, message: `${reason} before this test could run`, durationMs: 0 });
    }
  }
  for (const t of plan) {
    if (!results.has(t.id)) {
      record({ id: t.id, status: 'not-run', passed: false, message: `not run: ${submissionLimit}`, durationMs: 0 });
    }
  }
  return { plan, results, loadErrors, processes, stdoutTail, stderrTail, durationMs: Date.now() - started };
}
