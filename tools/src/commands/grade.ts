/**
 * `genbook grade --submissions DIR --out DIR [--hidden] [--jobs N] [--timeout S]
 *  [--submission-timeout S] [--memory MB] [--weeks hw01,hw02] [--no-typecheck]
 *  [--roster roster.csv --lms canvas|moodle]`
 * (`npm run grade -- …`): grade a class. DIR holds one folder per student, each a copy of that
 * student's notebooks/homework/. See tools/src/grading/class.ts for what is written, and
 * tools/src/grading/lms.ts for the LMS file written with --roster and --lms.
 */
import * as path from 'path';
import { gradeClass } from '../grading/class';
import { Lms, LMS_NAMES, readRoster, RosterEntry, RosterError, writeLmsGradebook } from '../grading/lms';
import { parseFlags, UsageError } from '../util/flags';

const USAGE = 'usage: genbook grade --submissions DIR --out DIR [--hidden] [--jobs N] [--timeout S] [--submission-timeout S] [--memory MB] [--weeks hw01,hw02] [--no-typecheck] [--roster roster.csv --lms canvas|moodle]';

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
    roster: 'string',
    lms: 'string',
  });
  if (flags._.length > 0 || typeof flags.submissions !== 'string' || typeof flags.out !== 'string') throw new UsageError(USAGE);
  for (const name of ['jobs', 'timeout', 'submission-timeout', 'memory']) {
    const v = flags[name];
    if (v !== undefined && !((v as number) > 0)) throw new UsageError(`--${name} must be positive`);
  }
  // The roster is read before grading, so that a bad one stops the run at once.
  let roster: { lms: Lms; entries: RosterEntry[] } | undefined;
  if (flags.roster !== undefined || flags.lms !== undefined) {
    if (typeof flags.roster !== 'string' || typeof flags.lms !== 'string') throw new UsageError('--roster and --lms go together');
    if (!LMS_NAMES.includes(flags.lms as Lms)) throw new UsageError(`--lms must be one of ${LMS_NAMES.join(', ')}; got ${JSON.stringify(flags.lms)}`);
    try {
      roster = { lms: flags.lms as Lms, entries: readRoster(path.resolve(flags.roster), flags.lms as Lms) };
    } catch (e) {
      if (e instanceof RosterError) throw new UsageError(e.message);
      throw e;
    }
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
  if (roster) writeLmsGradebook({ lms: roster.lms, roster: roster.entries, reports: result.reports, weeks: result.weeks, outDir: path.resolve(flags.out) });
  return result.reports.length > 0 ? 0 : 1;
}
