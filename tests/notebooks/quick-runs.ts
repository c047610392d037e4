/**
 * One quick-mode run per course notebook per test process. execute.test.ts checks every notebook
 * for errors and stderr; the per-notebook e2e tests check what the outputs say. Both ask this
 * module, which runs a notebook the first time it is asked for (into build/notebooks/, where the
 * book test reuses the executed copy) and hands the same result to every later caller, so the
 * suite executes each notebook once instead of twice.
 */
import * as path from 'path';
import { defaultJobs, NotebookResult, runNotebooks } from '../../tools/src/runner/run';

const runs = new Map<string, Promise<NotebookResult>>();

/** Per-cell timeout of the quick runs (s): generous, since kernels start slowly on a busy machine. */
export const QUICK_CELL_TIMEOUT_SECONDS = 600;

/** The quick-mode results of `files` (in order), running those not run yet, up to `jobs` at a time. */
export function quickRuns(files: readonly string[], jobs = Math.min(defaultJobs(), 4)): Promise<NotebookResult[]> {
  const keys = files.map((f) => path.resolve(f));
  const missing = keys.filter((k, i) => !runs.has(k) && keys.indexOf(k) === i);
  if (missing.length > 0) {
    const batch = runNotebooks(missing, { quick: true, jobs, timeoutSeconds: QUICK_CELL_TIMEOUT_SECONDS });
    missing.forEach((k, i) => runs.set(k, batch.then((results) => results[i])));
  }
  return Promise.all(keys.map((k) => runs.get(k)!));
}
