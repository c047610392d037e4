/**
 * How a homework test reaches the code it grades. A test file does
 * ```ts
 * import type * as Hw01 from '../../notebooks/homework/hw01';   // types only (erased)
 * import { homework, ready } from './target';
 * const hw = homework<typeof Hw01>('hw01');
 * before(ready);
 * it('… [2 pts]', () => expect(hw().entropy([0.5, 0.5])).to.equal(1));
 * ```
 * Inside the grader's sandbox this module is replaced by the grader's own (tools/src/grading/
 * worker.ts), which hands out the submission's module. When mocha runs the tests directly
 * (`npm test`), the module comes from `GENBOOK_HOMEWORK_DIR` if set, else `solutions/` when it
 * exists (the instructor's checkout), else `notebooks/homework/` (the student edition).
 * A name the module does not export fails only the tests that use it.
 */
import * as fs from 'fs';
import * as path from 'path';
import { backend } from 'genbook';
import { exportsProxy } from '../../tools/src/grading/target-runtime';

const ROOT = path.resolve(__dirname, '..', '..');

export function homeworkDir(env: Record<string, string | undefined> = process.env): string {
  if (env.GENBOOK_HOMEWORK_DIR) return path.resolve(env.GENBOOK_HOMEWORK_DIR);
  const solutions = path.join(ROOT, 'solutions');
  return fs.existsSync(solutions) ? solutions : path.join(ROOT, 'notebooks', 'homework');
}

/** A function returning the week's module (loaded on first use). */
export function homework<T extends object>(week: string): () => T {
  let module: T | undefined;
  return () => {
    if (!module) {
      // eslint-disable-next-line @typescript-eslint/no-var-requires
      module = exportsProxy<T>(require(path.join(homeworkDir(), week)) as object, week);
    }
    return module;
  };
}

/** Make sure a TensorFlow.js backend is active (the grader sets one up before the tests). */
export async function ready(): Promise<void> {
  if (!backend.current()) await backend.setup(undefined, { log: null });
}
