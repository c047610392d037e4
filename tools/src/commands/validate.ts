/**
 * `genbook validate [--weeks hw01,hw02] [--update-stubs] [--skip-notebooks] [--jobs N]
 * [--mutants [--mutants-runner sandbox|mocha] [--mutant id,…]]`
 * (`npm run validate`): solutions score 100% on public and hidden tests, stubs score 0, stubs match
 * the solutions, and every homework notebook runs against the solutions; with `--mutants`, every
 * mutant of tests/mutants/ is caught (tools/src/grading/mutants.ts). Exit code 1 on any problem.
 * See tools/src/grading/validate.ts.
 */
import { validate } from '../grading/validate';
import { parseFlags, UsageError } from '../util/flags';

export async function validateCommand(args: string[]): Promise<number> {
  const flags = parseFlags(args, { weeks: 'string', 'update-stubs': 'boolean', 'skip-notebooks': 'boolean', jobs: 'number', mutants: 'boolean', 'mutants-runner': 'string', mutant: 'string' });
  const usage = 'usage: genbook validate [--weeks hw01,hw02] [--update-stubs] [--skip-notebooks] [--jobs N] [--mutants [--mutants-runner sandbox|mocha] [--mutant id,…]]';
  if (flags._.length > 0) throw new UsageError(usage);
  const runner = flags['mutants-runner'];
  if (runner !== undefined && runner !== 'sandbox' && runner !== 'mocha') throw new UsageError(`--mutants-runner must be sandbox or mocha; got ${String(runner)}\n${usage}`);
  if ((runner !== undefined || flags.mutant !== undefined) && flags.mutants !== true) throw new UsageError(`--mutants-runner and --mutant need --mutants\n${usage}`);
  const list = (v: unknown) => (typeof v === 'string' ? v.split(',').map((w) => w.trim()).filter(Boolean) : undefined);
  const result = await validate({
    weeks: list(flags.weeks),
    updateStubs: flags['update-stubs'] === true,
    skipNotebooks: flags['skip-notebooks'] === true,
    jobs: flags.jobs as number | undefined,
    mutants: flags.mutants === true,
    mutantsRunner: runner as 'sandbox' | 'mocha' | undefined,
    mutantIds: list(flags.mutant),
  });
  if (!result.ok) for (const p of result.problems) console.error(`validate: ${p}`);
  return result.ok ? 0 : 1;
}
