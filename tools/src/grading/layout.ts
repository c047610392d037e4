/**
 * Where the homework lives in a genbook checkout (or in the student edition, which lacks
 * `solutions/` and `tests/hidden/`):
 *
 * | path | what |
 * | --- | --- |
 * | `solutions/hwNN.ts` | reference solutions with `// BEGIN SOLUTION` … `// END SOLUTION` regions |
 * | `notebooks/homework/hwNN.ts` | the student's stub, generated from the solution |
 * | `notebooks/homework/hwNN.ipynb` | the assignment notebook |
 * | `tests/homework/hwNN.test.ts` | public tests (points in each title: `… [2 pts]`) |
 * | `tests/hidden/hwNN.test.ts` | hidden tests (never in the student edition) |
 */
import * as fs from 'fs';
import * as path from 'path';

export interface Layout {
  root: string;
  solutionsDir: string;
  stubsDir: string;
  publicTestsDir: string;
  hiddenTestsDir: string;
}

/** The project root: tools/dist/grading (or tools/src/grading) is three levels below it. */
export function defaultRoot(): string {
  return path.resolve(__dirname, '..', '..', '..');
}

export function layout(root: string = defaultRoot()): Layout {
  return {
    root,
    solutionsDir: path.join(root, 'solutions'),
    stubsDir: path.join(root, 'notebooks', 'homework'),
    publicTestsDir: path.join(root, 'tests', 'homework'),
    hiddenTestsDir: path.join(root, 'tests', 'hidden'),
  };
}

/** A homework week's name: `hw` and two digits. */
export const WEEK_PATTERN = /^hw\d\d$/;

export function checkWeek(week: string): string {
  if (!WEEK_PATTERN.test(week)) throw new RangeError(`week must look like hw01; got ${JSON.stringify(week)}`);
  return week;
}

/** The weeks that have public tests, in order (hw01, hw02, …). */
export function listWeeks(l: Layout): string[] {
  if (!fs.existsSync(l.publicTestsDir)) return [];
  return fs
    .readdirSync(l.publicTestsDir)
    .map((f) => /^(hw\d\d)\.test\.ts$/.exec(f)?.[1])
    .filter((w): w is string => w !== undefined)
    .sort();
}

export function publicTestFile(l: Layout, week: string): string {
  return path.join(l.publicTestsDir, `${week}.test.ts`);
}

export function hiddenTestFile(l: Layout, week: string): string {
  return path.join(l.hiddenTestsDir, `${week}.test.ts`);
}
