/**
 * One quick-mode run per course notebook per test process. execute.test.ts checks every notebook
 * for errors and stderr; the per-notebook e2e tests check what the outputs say. Both ask this
 * module, which runs a notebook the first time it is asked for (into build/notebooks/, where the
 * book test reuses the executed copy) and hands the same result to every later caller, so the
 * suite executes each notebook once instead of twice.
 */
import { expect } from 'chai';
import * as path from 'path';
import type { ICodeCell } from '@jupyterlab/nbformat';
import { joinLines } from '../../tools/src/runner/nbformat';
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

/** The quick-mode results of the course notebooks `names` (e.g. '01-information-theory'), by name. */
export async function quickRunsByName(names: readonly string[]): Promise<Record<string, NotebookResult>> {
  const files = names.map((n) => path.resolve(__dirname, '..', '..', 'notebooks', `${n}.ipynb`));
  const results: Record<string, NotebookResult> = {};
  for (const r of await quickRuns(files)) results[path.basename(r.file, '.ipynb')] = r;
  return results;
}

/**
 * The common head of a per-notebook e2e suite (call it inside `describe`): fills the returned record
 * with the quick runs of `names` in a `before` hook and adds one "every cell runs, no stderr, every
 * check passes" test per notebook (at least `minChecks` "✓" lines each).
 */
export function cleanRunTests(names: readonly string[], minChecks: number): Record<string, NotebookResult> {
  const results: Record<string, NotebookResult> = {};
  before(async () => {
    Object.assign(results, await quickRunsByName(names));
  });
  for (const name of names) {
    it(`${name}: every cell runs, no stderr, every check passes`, () => {
      expectCleanRun(results[name], name, minChecks);
    });
  }
  return results;
}

/** Every text output of a run's code cells (streams and text/plain), one string. */
export function outputText(result: NotebookResult): string {
  const cells = (result.report?.notebook.cells ?? []).filter((c): c is ICodeCell => c.cell_type === 'code');
  return cells
    .flatMap((c) => c.outputs)
    .map((o) => joinLines(((o.text as string | string[] | undefined) ?? (o.data as Record<string, string | string[]> | undefined)?.['text/plain'] ?? '') as string | string[]))
    .join('\n');
}

/**
 * The run of `name` finished every cell with no error and nothing on stderr, and its formula
 * checks all passed: at least `minChecks` "✓" lines and no "✗".
 */
export function expectCleanRun(result: NotebookResult | undefined, name: string, minChecks: number): void {
  expect(result, `${name} did not run`).to.not.equal(undefined);
  const r = result!;
  expect(r.failure, r.failure).to.equal(undefined);
  expect(r.report!.errors.map((e) => e.message)).to.deep.equal([]);
  expect(r.report!.executed).to.equal(r.report!.codeCount);
  expect(r.report!.cells.filter((c) => c.stderr).map((c) => c.index)).to.deep.equal([]);
  const text = outputText(r);
  expect(text).to.not.contain('✗');
  expect((text.match(/✓/g) ?? []).length).to.be.at.least(minChecks);
}
