/**
 * The class fixture (class-fixtures.ts) follows the solutions: a change to a solution reaches every
 * submission made from it, and an edit that no longer applies fails with the student, the week and
 * the edit named instead of leaving a stale copy. Checked on a copy of solutions/ changed here.
 */
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { expectedStub } from '../../tools/src/grading/validate';
import { layout } from '../../tools/src/grading/layout';
import { CLASS_STUDENTS, classWeeks, fixtureSource, ROOT } from './class-fixtures';

describe('class fixture: built from the solutions and stubs', () => {
  let root: string;
  const solution = fs.readFileSync(path.join(ROOT, 'solutions', 'hw01.ts'), 'utf8');
  const withSolution = (text: string) => fs.writeFileSync(path.join(root, 'solutions', 'hw01.ts'), text);

  beforeEach(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-class-fixture-test-'));
    fs.cpSync(path.join(ROOT, 'solutions'), path.join(root, 'solutions'), { recursive: true });
  });
  afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

  it('every submission builds; correct/ is the solution, empty/ the stub, the others differ from both', () => {
    const l = layout(ROOT);
    for (const student of CLASS_STUDENTS) {
      for (const week of classWeeks(student)) {
        const text = fixtureSource(student, week);
        const sol = fs.readFileSync(path.join(l.solutionsDir, `${week}.ts`), 'utf8');
        if (student === 'correct' || (student === 'syntax-error' && week === 'hw05')) expect(text, `${student}/${week}`).to.equal(sol);
        else if (student === 'empty') expect(text, `${student}/${week}`).to.equal(expectedStub(l, week));
        else expect(text, `${student}/${week}`).to.not.equal(sol).and.not.equal(expectedStub(l, week));
      }
    }
  });

  it('a changed solution reaches the submissions made from it, edits and partly solved stubs included', () => {
    const marker = '  // a new line of the reference solution';
    const anchor = '  for (let i = 0; i + 1 < sorted.length; i++) if (sorted[i + 1].startsWith(sorted[i])) return false;';
    expect(solution.split(anchor)).to.have.length(2);
    withSolution(solution.replace(anchor, `${marker}\n${anchor}`));
    for (const student of ['correct', 'out-of-memory', 'partial', 'syntax-error', 'type-error']) {
      expect(fixtureSource(student, 'hw01', root), student).to.contain(marker);
    }
    // the stub has no solution code, so neither does the empty submission
    expect(fixtureSource('empty', 'hw01', root)).to.not.contain(marker);
  });

  it('an edit that no longer applies fails, naming the student, the week and the edit', () => {
    withSolution(solution.replace('for (let i = 0; i + 1 < sorted.length; i++)', 'for (let i = 1; i < sorted.length; i++)'));
    expect(() => fixtureSource('infinite-loop', 'hw01', root)).to.throw(/class fixture infinite-loop\/hw01\.ts, edit 1: .*no longer occurs in the solution region of isPrefixFree/);
    expect(fixtureSource('correct', 'hw01', root)).to.contain('for (let i = 1; i < sorted.length; i++)');
    withSolution(solution.split('  checkBase(base);\n').join('  checkBase(base);\n  checkBase(base);\n'));
    expect(() => fixtureSource('out-of-memory', 'hw01', root)).to.throw(/class fixture out-of-memory\/hw01\.ts, edit 1: .*occurs 2 times in the region of jsDivergence/);
  });
});
