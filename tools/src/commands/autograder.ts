/**
 * `genbook autograder gradescope --week hwNN --out F.zip [--timeout S] [--submission-timeout S]
 * [--memory MB]` (`npm run autograder -- …`): build a platform's autograder for one homework week.
 * Gradescope is the one platform that takes an uploaded autograder; GitHub Classroom runs the
 * student edition's own workflow (`genbook check hwNN --format github-classroom`), see
 * tools/src/grading/classroom.ts. See tools/src/grading/gradescope-package.ts for the zip.
 */
import * as path from 'path';
import { buildGradescopeAutograder } from '../grading/gradescope-package';
import { parseFlags, UsageError } from '../util/flags';

const USAGE = 'usage: genbook autograder gradescope --week hwNN --out FILE.zip [--timeout S] [--submission-timeout S] [--memory MB]';

export async function autograderCommand(args: string[]): Promise<number> {
  const flags = parseFlags(args, { week: 'string', out: 'string', timeout: 'number', 'submission-timeout': 'number', memory: 'number' });
  const [platform, ...extra] = flags._;
  if (platform !== 'gradescope' || extra.length > 0 || typeof flags.week !== 'string' || typeof flags.out !== 'string') {
    throw new UsageError(platform && platform !== 'gradescope' ? `unknown platform "${platform}" (known: gradescope)\n${USAGE}` : USAGE);
  }
  if (!/^hw\d\d$/.test(flags.week)) throw new UsageError(`--week must look like hw01; got ${JSON.stringify(flags.week)}`);
  if (!flags.out.endsWith('.zip')) throw new UsageError(`--out must name a .zip file; got ${JSON.stringify(flags.out)}`);
  for (const name of ['timeout', 'submission-timeout', 'memory']) {
    const v = flags[name];
    if (v !== undefined && !((v as number) > 0)) throw new UsageError(`--${name} must be positive`);
  }
  await buildGradescopeAutograder({
    week: flags.week,
    out: path.resolve(flags.out),
    testTimeoutSeconds: flags.timeout as number | undefined,
    submissionTimeoutSeconds: flags['submission-timeout'] as number | undefined,
    memoryMb: flags.memory as number | undefined,
  });
  return 0;
}
