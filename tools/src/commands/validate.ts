/**
 * `genbook validate [--weeks hw01,hw02] [--update-stubs] [--skip-notebooks] [--jobs N]`
 * (`npm run validate`): solutions score 100% on public and hidden tests, stubs score 0, stubs match
 * the solutions, and every homework notebook runs against the solutions. Exit code 1 on any problem.
 * See tools/src/grading/validate.ts.
 */
import { validate } from '../grading/validate';
import { parseFlags, UsageError } from '../util/flags';

export async function validateCommand(args: string[]): Promise<number> {
  const flags = parseFlags(args, { weeks: 'string', 'update-stubs': 'boolean', 'skip-notebooks': 'boolean', jobs: 'number' });
  if (flags._.length > 0) throw new UsageError('usage: genbook validate [--weeks hw01,hw02] [--update-stubs] [--skip-notebooks] [--jobs N]');
  const result = await validate({
    weeks: typeof flags.weeks === 'string' ? flags.weeks.split(',').map((w) => w.trim()).filter(Boolean) : undefined,
    updateStubs: flags['update-stubs'] === true,
    skipNotebooks: flags['skip-notebooks'] === true,
    jobs: flags.jobs as number | undefined,
  });
  if (!result.ok) for (const p of result.problems) console.error(`validate: ${p}`);
  return result.ok ? 0 : 1;
}
