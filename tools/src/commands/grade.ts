/**
 * `genbook grade --submissions DIR --out DIR [--hidden] [--jobs N] [--timeout S]
 *  [--submission-timeout S] [--memory MB] [--weeks hw01,hw02] [--no-typecheck]`
 * (`npm run grade -- …`): grade a class. DIR holds one folder per student, each a copy of that
 * student's notebooks/homework/. See tools/src/grading/class.ts for what is written.
 */
import * as path from 'path';
import { gradeClass } from '../grading/class';
import { parseFlags, UsageError } from '../util/flags';

const USAGE = 'usage: genbook grade --submissions DIR --out DIR [--hidden] [--jobs N] [--timeout S] [--submission-timeout S] [--memory MB] [--weeks hw01,hw02] [--no-typecheck]';

export async function gradeCommand(args: string[]): Promise<number> {
  const flags = parseFlags(args, {
    submissions: 'string',
    out: 'string',
    hidden: 'boolean',
    jobs: 'number',
    timeout: 'number',
    'submission-timeout': 'number',
    memory: 'number',
    weeks: 'string',
    'no-typecheck': 'boolean',
  });
  if (flags._.length > 0 || typeof flags.submissions !== 'string' || typeof flags.out !== 'string') throw new UsageError(USAGE);
  for (const name of ['jobs', 'timeout', 'submission-timeout', 'memory']) {
    const v = flags[name];
    if (v !== undefined && !((v as number) > 0)) throw new UsageError(`--${name} must be positive`);
  }
  const result = await gradeClass({
    submissionsDir: path.resolve(flags.submissions),
    outDir: path.resolve(flags.out),
    hidden: flags.hidden === true,
    jobs: flags.jobs as number | undefined,
    testTimeoutSeconds: flags.timeout as number | undefined,
    submissionTimeoutSeconds: flags['submission-timeout'] as number | undefined,
    memoryMb: flags.memory as number | undefined,
    weeks: typeof flags.weeks === 'string' ? flags.weeks.split(',').map((w) => w.trim()).filter(Boolean) : undefined,
    typecheck: flags['no-typecheck'] !== true,
  });
  return result.reports.length > 0 ? 0 : 1;
}
