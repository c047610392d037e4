/**
 * The messages between the grader (parent) and the sandboxed worker (child).
 *
 * Parent → child: one JSON `WorkerJob` on stdin. Child → parent: newline-delimited JSON events on
 * file descriptor 3, each carrying the job's `nonce` (a random string the student's code never
 * sees), so a submission cannot forge results by writing to the pipe itself.
 */
import type { Bundle } from './compile';

/** The tests' helper that hands them the student's module: provided by the worker, not compiled. */
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
  /** Why the week's file cannot be loaded (missing, syntax error, timed out while loading, …). */
  loadError?: string;
}

export interface WorkerJob {
  mode: 'discover' | 'run';
  nonce: string;
  suites: SuiteBundle[];
  submissions: SubmissionModule[];
  /** Test ids already finished in an earlier process (after a timeout or crash). */
  skip: string[];
  /** Per-test timeout for tests that declare none (ms). */
  defaultTimeoutMs: number;
}

/** One test as the worker registered it. */
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

export type WorkerEvent =
  | { type: 'plan'; tests: PlannedTest[] }
  | { type: 'load-start'; week: string }
  | { type: 'load-end'; week: string; error?: string }
  | { type: 'start'; id: string; timeoutMs: number }
  | { type: 'result'; id: string; passed: boolean; message: string; durationMs: number }
  | { type: 'fatal'; message: string }
  | { type: 'done' };

export type StampedEvent = WorkerEvent & { nonce: string };
