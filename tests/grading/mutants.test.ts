/**
 * Mutation testing of the homework tests (tools/src/grading/mutants.ts): the catalogues in
 * tests/mutants/ apply to the current solutions, and every mutant is caught when graded in the
 * sandbox with the public and hidden tests — what `npm run validate -- --mutants` checks, in CI.
 */
import { expect } from 'chai';
import * as fs from 'fs';
import * as path from 'path';
import { transpile } from '../../tools/src/grading/compile';
import { listWeeks, layout } from '../../tools/src/grading/layout';
import { applyMutant, loadCatalogue, MutantError, mutantTable, runMutants, solutionRegions } from '../../tools/src/grading/mutants';

const ROOT = path.resolve(__dirname, '..', '..');

const SOURCE = [
  'export function f(x: number): number {',
  '  // BEGIN SOLUTION',
  '  const y = x * 2;',
  '  return y + 1 + 1;',
  '  // END SOLUTION',
  '}',
  'export function g(): number {',
  '  return 1 + 1;',
  '}',
  '',
].join('\n');

describe('mutants: applying an edit to a solution region', () => {
  it('replaces a snippet inside the named function\'s region only', () => {
    const out = applyMutant(SOURCE, { id: 'a', description: 'doubles wrongly', function: 'f', find: 'x * 2', replace: 'x * 3' });
    expect(out).to.equal(SOURCE.replace('x * 2', 'x * 3'));
  });
  it('with "all", replaces every occurrence in the region and none outside it', () => {
    const out = applyMutant(SOURCE, { id: 'a', description: 'adds 2 instead', function: 'f', find: '+ 1', replace: '+ 2', all: true });
    expect(out).to.contain('return y + 2 + 2;');
    expect(out).to.contain('return 1 + 1;');
  });
  it('with "body", replaces the whole region, indented like it', () => {
    const out = applyMutant(SOURCE, { id: 'a', description: 'returns a constant', function: 'f', body: 'return 0;' });
    expect(out.split('\n').slice(1, 4)).to.deep.equal(['  // BEGIN SOLUTION', '  return 0;', '  // END SOLUTION']);
  });
  it('fails with MutantError when the edit no longer applies', () => {
    const spec = { id: 'a', description: 'some mistake here', function: 'f' };
    expect(() => applyMutant(SOURCE, { ...spec, find: 'x * 4', replace: 'x' })).to.throw(MutantError, /no longer occurs/);
    expect(() => applyMutant(SOURCE, { ...spec, find: '+ 1', replace: '+ 2' })).to.throw(MutantError, /occurs 2 times/);
    expect(() => applyMutant(SOURCE, { ...spec, function: 'g', find: '1 + 1', replace: '2' })).to.throw(MutantError, /no solution region/);
    expect(() => applyMutant(SOURCE, { ...spec, find: 'x * 2', replace: 'x * 2' })).to.throw(MutantError, /does not change/);
  });
});

describe('mutants: the catalogues', () => {
  const l = layout(ROOT);
  for (const week of listWeeks(l)) {
    it(`${week}: at least 10 mutants, each applies to the solution and still parses`, () => {
      const specs = loadCatalogue(l, week);
      expect(specs.length).to.be.at.least(10);
      const source = fs.readFileSync(path.join(l.solutionsDir, `${week}.ts`), 'utf8');
      const regions = solutionRegions(source, `${week}.ts`);
      for (const spec of specs) {
        const mutated = applyMutant(source, spec, `${week}.ts`, regions);
        expect(() => transpile(mutated, `${week}.ts`), spec.id).not.to.throw();
      }
    });
  }
});

describe('mutants: every one is caught in the grading sandbox (validate --mutants)', function () {
  this.timeout(1_200_000);
  it('no mutant survives or fails to apply, in any week', async () => {
    const lines: string[] = [];
    const started = Date.now();
    const report = await runMutants({ root: ROOT, jobs: 2, log: (line) => lines.push(line) });
    const table = mutantTable(report);
    // The table goes to the test log: the public catch rate per week, and how long grading took.
    console.log(`${table}\n(${((Date.now() - started) / 1000).toFixed(1)} s)`);
    expect(report.weeks.map((w) => w.week)).to.deep.equal(listWeeks(layout(ROOT)));
    expect(report.ok, `${lines.join('\n')}\n${table}`).to.equal(true);
  });
});
