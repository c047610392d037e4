/**
 * The messages between the three processes of a grading run:
 *
 * grader (class.ts / engine.ts / sandbox.ts) ─ RunnerJob on stdin, RunnerEvents on fd 3 ─▶
 * trusted test runner (runner.ts: the tests, chai, the bookkeeping) ─ HostInit + HostRequests on
 * stdin, HostResponses on fd 3 ─▶ the submission's host (host.ts: sandboxed, the student's code).
 *
 * The runner and everything it reports are outside the submission's reach: the host can only
 * answer the requests it is sent, and an answer is plain data (codec.ts) that the runner decodes
 * and checks.
 */
import type { Bundle } from './compile';
import type { Encoded } from './codec';

/** The tests' helper that hands them the student's module: provided by the runner, not compiled. */
export const TARGET_KEY = 'homework/target.ts';

export type TestKind = 'public' | 'hidden';

/** The tests of one week, one kind. */
export interface SuiteBundle {
  week: string;
  kind: TestKind;
  bundle: Bundle;
}

/** The student's module for one week, compiled, or why it cannot be loaded. */
export interface SubmissionModule {
  week: string;
  /** The compiled module graph; absent when `loadError` is set. */
  bundle?: Bundle;
  /** Why the week's file cannot be loaded (missing, syntax error, not a regular file, …). */
  loadError?: string;
}

/** How the runner starts the submission's host. */
export interface HostOptions {
  /** The project root (node_modules, lib/dist, tools/dist/grading). */
  root: string;
  /** The only folder the host may write; wiped before each host process. */
  scratchDir: string;
  /** V8 heap cap of the host in MB. */
  memoryMb: number;
  /** Resident memory cap of the host in MB (checked twice a second). */
  rssLimitMb: number;
  /** Time allowed for a host to start (load the library and the backend), ms. */
  startupTimeoutMs: number;
  /** Environment of the host. */
  env: Record<string, string>;
  /** Wrap the host in bubblewrap when it works here (default true). */
  osSandbox?: boolean;
}

export interface RunnerJob {
  mode: 'discover' | 'run';
  suites: SuiteBundle[];
  submissions: SubmissionModule[];
  /** Test ids already finished in an earlier runner (after it was stopped). */
  skip: string[];
  /** Per-test timeout for tests that declare none (ms). */
  defaultTimeoutMs: number;
  /** Epoch ms by which the whole submission must be done. */
  deadline: number;
  /** Load errors already seen by an earlier runner (week → message). */
  loadErrors: Record<string, string>;
  host: HostOptions;
}

/** One test as the runner registered it. */
export interface PlannedTest {
  /** `week/kind/suite path > title` (made unique with `#n` when titles repeat). */
  id: string;
  week: string;
  kind: TestKind;
  /** The describe() titles, outermost first. */
  suite: string[];
  /** The it() title without the points suffix. */
  title: string;
  /** Points declared in the title; undefined when missing (an authoring error). */
  points: number | undefined;
  timeoutMs: number;
}

export type ResultStatus = 'passed' | 'failed' | 'timeout' | 'crashed';

export type RunnerEvent =
  | { type: 'plan'; tests: PlannedTest[] }
  | { type: 'layers'; description: string }
  | { type: 'load'; week: string; error?: string }
  | { type: 'start'; id: string; timeoutMs: number }
  | { type: 'result'; id: string; status: ResultStatus; message: string; durationMs: number }
  | { type: 'host'; processes: number; stdoutTail: string; stderrTail: string }
  | { type: 'fatal'; message: string }
  | { type: 'done' };

// ---- runner ↔ host ------------------------------------------------------------------------------

/** The first line the host reads: the compiled submission. */
export interface HostInit {
  submissions: SubmissionModule[];
}

export type HostRequest =
  | { id: number; op: 'describe'; week: string }
  | { id: number; op: 'value'; week: string; name: string }
  | { id: number; op: 'call'; week: string; name: string; args: Encoded }
  | { id: number; op: 'remote'; week: string; source: string; args: Encoded };

export type HostResponse =
  | { id: number; ok: true; value: Encoded; promise: boolean }
  | { id: number; ok: false; error: { name: string; message: string } };
