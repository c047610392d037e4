/**
 * `genbook release --out DIR [--force]` (`npm run release -- --out DIR`): write the student
 * edition (no solutions, no hidden tests, fresh stubs, a README for students) to DIR.
 * See tools/src/grading/release.ts.
 */
import * as path from 'path';
import { release } from '../grading/release';
import { parseFlags, UsageError } from '../util/flags';

export function releaseCommand(args: string[]): number {
  const flags = parseFlags(args, { out: 'string', force: 'boolean' });
  if (flags._.length > 0 || typeof flags.out !== 'string') throw new UsageError('usage: genbook release --out DIR [--force]');
  release({ out: path.resolve(flags.out), force: flags.force === true });
  return 0;
}
