/**
 * How a homework test reaches the code it grades. A test file does
 * ```ts
 * import type * as Hw01 from '../../notebooks/homework/hw01';   // types only (erased)
 * import { homework, ready } from './target';
 * const hw = homework<typeof Hw01>('hw01');
 * before(ready);
 * it('… [2 pts]', () => expect(hw().entropy([0.5, 0.5])).to.equal(1));
 * it('… [2 pts]', () => expect(hw.remote((m, x, { tf }) => tf.grad(…)(…), x)).to.…);
 * ```
 * Calls carry plain data both ways and a gradient or a callback needs `hw.remote` (see
 * tools/src/grading/target-runtime.ts, which explains why). Inside the grader this module is
 * replaced by the grader's own (tools/src/grading/runner.ts), whose calls cross into the sandbox
 * where the submission runs. When mocha runs the tests directly (`npm test`), the module comes from
 * `GENBOOK_HOMEWORK_DIR` if set, else `solutions/` when it exists (the instructor's checkout), else
 * `notebooks/homework/` (the student edition). A name the module does not export fails only the
 * tests that use it.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as genbook from 'genbook';
import { Homework, HomeworkBackend, localBackend, makeHomework } from '../../tools/src/grading/target-runtime';

const ROOT = path.resolve(__dirname, '..', '..');

export type { Homework };

export function homeworkDir(env: Record<string, string | undefined> = process.env): string {
  if (env.GENBOOK_HOMEWORK_DIR) return path.resolve(env.GENBOOK_HOMEWORK_DIR);
  const solutions = path.join(ROOT, 'solutions');
  return fs.existsSync(solutions) ? solutions : path.join(ROOT, 'notebooks', 'homework');
}

let backend: HomeworkBackend | undefined;

/** The week's module behind the same boundary rules as in the grader (loaded on first use). */
export function homework<T extends object>(week: string): Homework<T> {
  backend ??= localBackend(
    // eslint-disable-next-line @typescript-eslint/no-var-requires
    (w) => require(path.join(homeworkDir(), w)) as object,
    { tf: genbook.tf, genbook },
  );
  return makeHomework<T>(week, backend);
}

/** Make sure a TensorFlow.js backend is active (the grader sets one up before the tests). */
export async function ready(): Promise<void> {
  if (!genbook.backend.current()) await genbook.backend.setup(undefined, { log: null });
}
