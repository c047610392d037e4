/**
 * `genbook check hwNN [--target DIR] [--timeout S] [--json]` (`npm run check -- hwNN`): a
 * student's self-check. Runs the week's public tests on `DIR/hwNN.ts` (default
 * notebooks/homework) in the grader's sandbox and prints a table: task, test, points, result and
 * message. The exit code is 0 whatever the score (a non-zero code means the check itself could
 * not run).
 */
import * as path from 'path';
import { checkWeek } from '../grading/layout';
import { selfCheck } from '../grading/self-check';
import { parseFlags, UsageError } from '../util/flags';

export async function checkCommand(args: string[]): Promise<number> {
  const flags = parseFlags(args, { target: 'string', timeout: 'number', json: 'boolean' });
  const [week, ...extra] = flags._;
  if (!week || extra.length > 0) throw new UsageError('usage: genbook check hwNN [--target DIR] [--timeout S] [--json]');
  try {
    checkWeek(week);
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  const target = flags.target === undefined ? undefined : path.resolve(flags.target as string);
  const json = flags.json === true;
  const report = await selfCheck(week, { target, timeoutSeconds: flags.timeout as number | undefined, print: json ? null : console.log });
  if (json) console.log(JSON.stringify(report, null, 2));
  else if (report.public.points < report.public.max) console.log(`\nEdit ${path.join(target ?? 'notebooks/homework', `${week}.ts`)} and run the check again.`);
  return 0;
}
