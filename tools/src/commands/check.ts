/**
 * `genbook check hwNN [--target DIR] [--timeout S] [--format table|json|github-classroom]`
 * (`npm run check -- hwNN`): a student's self-check. Runs the week's public tests on `DIR/hwNN.ts`
 * (default notebooks/homework) in the grader's sandbox and prints a table: task, test, points,
 * result and message. `--json` (or `--format json`) prints the week's report instead;
 * `--format github-classroom` prints the GitHub Classroom runner result on stdout and the table on
 * stderr (see tools/src/grading/classroom.ts). The exit code is 0 whatever the score (a non-zero
 * code means the check itself could not run; with github-classroom the result then says so).
 */
import * as path from 'path';
import { classroomError, classroomResult } from '../grading/classroom';
import { checkWeek } from '../grading/layout';
import { selfCheck } from '../grading/self-check';
import { parseFlags, UsageError } from '../util/flags';

const FORMATS = ['table', 'json', 'github-classroom'];
const USAGE = `usage: genbook check hwNN [--target DIR] [--timeout S] [--format ${FORMATS.join('|')}] [--json]`;

export async function checkCommand(args: string[]): Promise<number> {
  const flags = parseFlags(args, { target: 'string', timeout: 'number', json: 'boolean', format: 'string' });
  const [week, ...extra] = flags._;
  if (!week || extra.length > 0) throw new UsageError(USAGE);
  try {
    checkWeek(week);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const format = flags.json === true ? 'json' : ((flags.format as string | undefined) ?? 'table');
  if (!FORMATS.includes(format)) throw new UsageError(`--format must be one of ${FORMATS.join(', ')}; got ${JSON.stringify(format)}`);
  const target = flags.target === undefined ? undefined : path.resolve(flags.target as string);
  const timeoutSeconds = flags.timeout as number | undefined;
  if (format === 'github-classroom') {
    try {
      const report = await selfCheck(week, { target, timeoutSeconds, print: (text) => console.error(text) });
      console.log(JSON.stringify(classroomResult(report)));
      return 0;
    } catch (e) {
      console.log(JSON.stringify(classroomError(week, e instanceof Error ? e.message : String(e))));
      console.error(e instanceof Error ? (e.stack ?? e.message) : String(e));
      return 1;
    }
  }
  const json = format === 'json';
  const report = await selfCheck(week, { target, timeoutSeconds, print: json ? null : console.log });
  if (json) console.log(JSON.stringify(report, null, 2));
  else if (report.public.points < report.public.max) console.log(`\nEdit ${path.join(target ?? 'notebooks/homework', `${week}.ts`)} and run the check again.`);
  return 0;
}
