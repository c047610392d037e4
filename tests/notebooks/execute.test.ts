/**
 * Every course notebook in notebooks/ runs headless on the genbook kernel in quick mode
 * (GENBOOK_QUICK=1) with zero errors and nothing written to stderr. The list is read from the
 * folder, so the test grows with the course. The executed copies land in build/notebooks/, where
 * the book test (publish-book.e2e.test.ts) reuses them. A notebook an e2e test already ran (see
 * quick-runs.ts) is not run again.
 *
 * The homework notebooks (notebooks/homework/) are run against the solutions by `genbook validate`
 * (tests/grading/validate.test.ts), not here.
 */
import { expect } from 'chai';
import * as path from 'path';
import { defaultJobs, expandNotebookPaths, NotebookResult } from '../../tools/src/runner/run';
import { quickRuns } from './quick-runs';

const ROOT = path.resolve(__dirname, '..', '..');
const NOTEBOOKS = expandNotebookPaths([path.join(ROOT, 'notebooks')]);
const JOBS = Math.min(defaultJobs(), 4);

describe('every course notebook runs in quick mode', function () {
  // Each notebook should take ≤ ~60 s in quick mode; kernels start slowly on a busy machine.
  this.timeout(Math.max(20 * 60_000, Math.ceil(NOTEBOOKS.length / JOBS) * 240_000));
  const results = new Map<string, NotebookResult>();

  before(async () => {
    const started = Date.now();
    for (const r of await quickRuns(NOTEBOOKS, JOBS)) results.set(path.resolve(r.file), r);
    console.log(`      (${NOTEBOOKS.length} notebooks, ${JOBS} at a time: ${((Date.now() - started) / 1000).toFixed(0)} s)`);
  });

  it('finds the course notebooks', () => {
    expect(NOTEBOOKS.map((f) => path.basename(f))).to.include('00-getting-started.ipynb');
  });

  for (const file of NOTEBOOKS) {
    it(`${path.basename(file)}: zero errors, no stderr`, () => {
      const r = results.get(path.resolve(file));
      expect(r, 'ran').not.to.equal(undefined);
      expect(r!.failure, r!.failure).to.equal(undefined);
      const report = r!.report!;
      expect(report.errors.map((e) => `cell ${e.index + 1}: ${e.message}`)).to.deep.equal([]);
      expect(report.cells.filter((c) => c.status === 'error' && c.allowed).length, 'no cell relies on raises-exception').to.equal(0);
      expect(report.cells.filter((c) => c.stderr).map((c) => `cell ${c.index + 1} wrote to stderr`)).to.deep.equal([]);
      expect(report.cells.filter((c) => c.status === 'ok').length + report.cells.filter((c) => c.status === 'skipped').length).to.equal(report.codeCount);
    });
  }
});
