/**
 * The homework notebooks' last cell: `await selfCheck('hw01')` runs the week's public tests on the
 * notebook's `hw01.ts` (in the grader's sandbox, as `npm run check -- hw01` does), prints the table
 * (task, test, points, result, message) and returns the week's report.
 *
 * ```ts
 * import { selfCheck } from 'genbook-tools/dist/grading/self-check';
 * await selfCheck('hw01');
 * ```
 */
import * as path from 'path';
import { Grader } from './engine';
import { defaultRoot, layout } from './layout';
import { checkTable, WeekReport } from './report';
import { presentInSubmission } from './submission-files';

export interface SelfCheckOptions {
  /** The folder holding `hwNN.ts` (default: the current folder if it has one, else notebooks/homework). */
  target?: string;
  /** Project root (default: this checkout). */
  root?: string;
  /** Default per-test time limit in seconds. */
  timeoutSeconds?: number;
  /** Where the table goes (default console.log); null to stay quiet. */
  print?: ((text: string) => void) | null;
}

/** The folder `check` reads `week.ts` from when none is given. */
export function defaultTarget(week: string, root: string = defaultRoot(), cwd: string = process.cwd()): string {
  // Anything named hwNN.ts here (a link too) makes this the target, so a refused file is reported, not skipped.
  return presentInSubmission(path.join(cwd, `${week}.ts`)) ? cwd : layout(root).stubsDir;
}

export async function selfCheck(week: string, options: SelfCheckOptions = {}): Promise<WeekReport> {
  const root = options.root ?? defaultRoot();
  const target = path.resolve(options.target ?? defaultTarget(week, root));
  const grader = Grader.create({ root, weeks: [week], hidden: false, testTimeoutSeconds: options.timeoutSeconds });
  const report = await grader.grade({ student: 'self-check', dir: target });
  const weekReport = report.weeks[0];
  const print = options.print === undefined ? console.log : options.print;
  if (print) print(checkTable(weekReport));
  return weekReport;
}
