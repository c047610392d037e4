/**
 * The grader's side of the sandbox: start the worker under Node's permission model, feed it a job,
 * follow its events, enforce the limits, and resume after a kill.
 *
 * Limits: a time limit per test (the test's own `this.timeout(ms)` or the default) plus a short
 * grace, a time limit for the whole submission, a V8 heap cap (`--max-old-space-size`) and a
 * resident-memory cap checked twice a second (covers wasm memory and array buffers, which the heap
 * cap does not). When a test breaks a limit, or the process dies under it (crash, out of memory,
 * `process.reallyExit`), that test fails with the reason and a fresh process resumes with the tests
 * that have not run. If the process dies while loading a week's module, that week is marked as not
 * loadable so its other tests fail at once instead of timing out one by one.
 */
import { ChildProcess, spawn } from 'child_process';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { moduleLookupFolders, permissionArguments, workerHardeningArguments } from './node-flags';
import type { PlannedTest, StampedEvent, SubmissionModule, SuiteBundle, WorkerEvent, WorkerJob } from './protocol';

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
  /** Time allowed for the worker to start and register the tests (default 120 000 ms). */
  startupTimeoutMs?: number;
  /** Environment variables passed to the worker (the grader's own environment is not). */
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
  /** How many worker processes were started. */
  processes: number;
  stdoutTail: string;
  stderrTail: string;
  durationMs: number;
}

const TAIL = 8000;

function appendTail(tail: string, chunk: string): string {
  const s = tail + chunk;
  return s.length > TAIL ? s.slice(s.length - TAIL) : s;
}

/** The worker's script (compiled) next to this file. */
export function workerScript(root: string): string {
  return path.join(root, 'tools', 'dist', 'grading', 'worker.js');
}

/**
 * The paths the sandbox may read: each package folder in node_modules (not node_modules itself,
 * and not the workspace links `genbook` → ../lib and `genbook-tools` → ../tools: the permission
 * model checks paths lexically but the open follows links, so with node_modules allowed,
 * `node_modules/genbook/../solutions` would reach the project's solutions), the real folder
 * behind a linked package, lib/dist, tools/dist/grading and the scratch folder.
 */
export function readablePaths(root: string, scratchDir: string): string[] {
  const out: string[] = [];
  const realRoot = fs.realpathSync(root);
  // The library's dependencies: hoisted to the root, or (when npm could not hoist them) in lib's own folder.
  for (const nodeModules of [path.join(root, 'node_modules'), path.join(root, 'lib', 'node_modules')]) {
    if (fs.existsSync(nodeModules)) out.push(...packageFolders(nodeModules, realRoot));
  }
  out.push(path.join(root, 'lib', 'dist'), path.join(root, 'lib', 'package.json'), path.join(root, 'tools', 'dist', 'grading'), scratchDir);
  return out;
}

/** Each package folder (and the real folder behind a linked one) of one node_modules folder. */
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
      for (const scoped of fs.readdirSync(full)) add(path.join(full, scoped));
    } else {
      add(full);
    }
  }
  return out;
}

/** The worker's Node arguments; the version-dependent flags come from node-flags.ts. */
export function nodeArguments(root: string, scratchDir: string, memoryMb: number, version: string = process.version): string[] {
  return [
    ...permissionArguments({ version, read: [...readablePaths(root, scratchDir), ...moduleLookupFolders(root)], write: [scratchDir] }),
    ...workerHardeningArguments(memoryMb),
    workerScript(root),
  ];
}

function residentMb(pid: number): number | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(status);
    return m ? Number(m[1]) / 1024 : undefined;
  } catch {
    return undefined;
  }
}

interface WorkerRun {
  events: WorkerEvent[];
  exitCode: number | null;
  signal: NodeJS.Signals | null;
  /** Why the grader killed it, if it did. */
  killedFor?: string;
  stdout: string;
  stderr: string;
}

interface RunControl {
  /** Called for each event; may return a kill deadline (ms from now) or null to clear it. */
  onEvent: (event: WorkerEvent, kill: (reason: string) => void) => void;
  /** Deadline handling: set by the caller through `arm`. */
  arm: (setter: (ms: number | null, reason: string) => void) => void;
}

/** Start one worker, feed it `job`, and resolve when it exits. */
function startWorker(job: WorkerJob, options: Required<Pick<SandboxOptions, 'root' | 'scratchDir' | 'memoryMb' | 'rssLimitMb'>> & { env: Record<string, string> }, control: RunControl): Promise<WorkerRun> {
  fs.mkdirSync(options.scratchDir, { recursive: true });
  const child: ChildProcess = spawn(process.execPath, nodeArguments(options.root, options.scratchDir, options.memoryMb), {
    cwd: options.scratchDir,
    env: options.env,
    stdio: ['pipe', 'pipe', 'pipe', 'pipe'],
  });
  const run: WorkerRun = { events: [], exitCode: null, signal: null, stdout: '', stderr: '' };
  let timer: NodeJS.Timeout | undefined;
  const kill = (reason: string) => {
    if (run.killedFor === undefined) run.killedFor = reason;
    child.kill('SIGKILL');
  };
  control.arm((ms, reason) => {
    if (timer) clearTimeout(timer);
    timer = ms === null ? undefined : setTimeout(() => kill(reason), Math.max(0, ms));
  });
  const watchdog = setInterval(() => {
    if (child.pid === undefined) return;
    const rss = residentMb(child.pid);
    if (rss !== undefined && rss > options.rssLimitMb) kill(`used more than ${options.rssLimitMb} MB of memory`);
  }, 500);
  child.stdout?.setEncoding('utf8').on('data', (s: string) => (run.stdout = appendTail(run.stdout, s)));
  child.stderr?.setEncoding('utf8').on('data', (s: string) => (run.stderr = appendTail(run.stderr, s)));
  let buffer = '';
  const channel = child.stdio[3] as NodeJS.ReadableStream;
  channel.setEncoding('utf8');
  channel.on('data', (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      let parsed: StampedEvent;
      try {
        parsed = JSON.parse(line) as StampedEvent;
      } catch {
        continue;
      }
      if (parsed.nonce !== job.nonce) continue;
      const { nonce: _nonce, ...event } = parsed;
      void _nonce;
      run.events.push(event as WorkerEvent);
      control.onEvent(event as WorkerEvent, kill);
    }
  });
  child.stdin?.on('error', () => {});
  child.stdin?.end(JSON.stringify(job));
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      clearInterval(watchdog);
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
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', GENBOOK_QUICK: '1', ...(options.env ?? {}) },
  };
}

function newNonce(): string {
  return crypto.randomBytes(18).toString('base64url');
}

/** Why a worker died, in words for the student. */
function deathReason(run: WorkerRun, memoryMb: number): string {
  if (run.killedFor) return run.killedFor;
  if (/heap out of memory|Reached heap limit|Allocation failed/i.test(run.stderr)) return `ran out of memory (the heap limit is ${memoryMb} MB)`;
  if (/Maximum call stack size exceeded/.test(run.stderr)) return 'overflowed the call stack';
  if (run.signal) return `crashed (signal ${run.signal})`;
  return `ended the test process (exit code ${run.exitCode})`;
}

/** Register the tests without any submission: the list of tests, their points and time limits. */
export async function discover(suites: SuiteBundle[], options: SandboxOptions): Promise<PlannedTest[]> {
  const o = resolved(options);
  const job: WorkerJob = { mode: 'discover', nonce: newNonce(), suites, submissions: [], skip: [], defaultTimeoutMs: o.testTimeoutMs };
  let plan: PlannedTest[] | undefined;
  let fatal: string | undefined;
  const run = await startWorker(job, o, {
    arm: (set) => set(o.startupTimeoutMs, 'timed out while registering the tests'),
    onEvent: (e) => {
      if (e.type === 'plan') plan = e.tests;
      if (e.type === 'fatal') fatal = e.message;
    },
  });
  if (fatal) throw new Error(fatal);
  if (!plan) throw new Error(`the grading worker did not register the tests (${deathReason(run, o.memoryMb)}):\n${run.stderr.trim()}`);
  return plan;
}

/**
 * Run every planned test against one submission, in as many worker processes as it takes.
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
  // The worker registers the tests before any submission code runs (the student's module is
  // loaded only when a test first asks for it), so the first process's plan can be trusted.
  let plan: PlannedTest[] = knownPlan ?? [];
  let planned = new Set(plan.map((t) => t.id));
  let byId = new Map(plan.map((t) => [t.id, t]));

  while (knownPlan === undefined || results.size < plan.length) {
    const remainingMs = deadline - Date.now();
    if (remainingMs <= 0) break;
    processes++;
    const job: WorkerJob = {
      mode: 'run',
      nonce: newNonce(),
      suites,
      submissions: submissions.map((s) => (loadErrors.has(s.week) ? { week: s.week, loadError: loadErrors.get(s.week) } : s)),
      skip: [...results.keys()],
      defaultTimeoutMs: o.testTimeoutMs,
    };
    let current: { id: string; startedAt: number } | undefined;
    let loading: string | undefined;
    let fatal: string | undefined;
    let setTimer: (ms: number | null, reason: string) => void = () => {};
    const submissionLimit = `the submission's time limit (${Math.round(o.submissionTimeoutMs / 1000)} s) was reached`;
    const armFor = (ms: number, reason: string) => {
      const left = deadline - Date.now();
      if (left < ms) setTimer(left, submissionLimit);
      else setTimer(ms, reason);
    };
    const before = results.size;
    const run = await startWorker(job, o, {
      arm: (set) => {
        setTimer = set;
        armFor(o.startupTimeoutMs, 'the test process did not start in time');
      },
      onEvent: (e) => {
        switch (e.type) {
          case 'plan': {
            if (knownPlan === undefined) {
              knownPlan = plan = e.tests;
              planned = new Set(plan.map((t) => t.id));
              byId = new Map(plan.map((t) => [t.id, t]));
            } else if (e.tests.length !== plan.length || e.tests.some((t) => !planned.has(t.id))) {
              fatal = 'the tests registered differently in a resumed process';
            }
            setTimer(null, '');
            break;
          }
          case 'start': {
            current = { id: e.id, startedAt: Date.now() };
            const limit = byId.get(e.id)?.timeoutMs ?? o.testTimeoutMs;
            armFor(limit + o.graceMs, `timed out after ${limit / 1000} s (an infinite loop, or too slow?)`);
            break;
          }
          case 'load-start':
            loading = e.week;
            break;
          case 'load-end':
            loading = undefined;
            if (e.error) loadErrors.set(e.week, e.error);
            break;
          case 'result':
            if (planned.has(e.id)) record({ id: e.id, status: e.passed ? 'passed' : 'failed', passed: e.passed, message: e.message, durationMs: e.durationMs });
            current = undefined;
            setTimer(null, '');
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
    stdoutTail = appendTail(stdoutTail, run.stdout);
    stderrTail = appendTail(stderrTail, run.stderr);
    if (fatal) throw new Error(fatal);
    if (knownPlan === undefined) {
      throw new Error(`the grading worker stopped before registering the tests (${deathReason(run, o.memoryMb)}):\n${run.stderr.trim()}`);
    }
    const finished = run.events.some((e) => e.type === 'done');
    if (finished) continue;
    const reason = deathReason(run, o.memoryMb);
    const timedOut = run.killedFor !== undefined && /timed out|time limit/.test(run.killedFor);
    if (loading) loadErrors.set(loading, `${loading}.ts did not finish loading: it ${reason}`);
    if (current) {
      record({
        id: current.id,
        status: timedOut ? 'timeout' : 'crashed',
        passed: false,
        message: loading ? `${loading}.ts did not finish loading: it ${reason}` : `the test ${reason}`,
        durationMs: Date.now() - current.startedAt,
      });
    } else if (results.size === before) {
      // Died outside any test (during start-up or an after hook): charge the next test so the
      // loop always makes progress.
      const next = plan.find((t) => !results.has(t.id));
      if (next) record({ id: next.id, status: 'crashed', passed: false, message: `the test process ${reason} before this test could run`, durationMs: 0 });
    }
  }
  for (const t of plan) {
    if (!results.has(t.id)) {
      record({ id: t.id, status: 'not-run', passed: false, message: `not run: the submission's time limit (${Math.round(o.submissionTimeoutMs / 1000)} s) was reached`, durationMs: 0 });
    }
  }
  return { plan, results, loadErrors, processes, stdoutTail, stderrTail, durationMs: Date.now() - started };
}
