/**
 * Notebook namespace: the helpers every lecture and homework notebook shares, so no notebook
 * defines its own copy — the printed two-sided `check` and `expectThat`, `moments`, `showGrid`,
 * `loadGenerator` for the shipped GAN checkpoints and `fidCurves` for how they trained, `start`/`finish` (backend, quick mode, clock,
 * tensors left) and the homework notebooks' `attempt`. They print (they are for notebooks); the
 * rest of the library returns values instead.
 *
 * ```ts
 * import { notebook } from 'genbook';
 * const { check, expectThat } = notebook;
 * const session = await notebook.start();   // backend line, "quick mode: true"
 * check('1 + 1 = 2', 1 + 1, 2);               // ✓ 1 + 1 = 2: 2 vs 2
 * session.finish();                           // notebook ran in 3 s (quick mode, backend wasm); …
 * ```
 *
 * @see notebooks/REFERENCES.md for the papers and lectures the notebooks cite
 */
export { check } from './check';
export { expectThat } from './expect-that';
export { attempt, attemptMessage } from './attempt';
export { moments } from './moments';
export type { Moments } from './moments';
export { showGrid } from './show-grid';
export { loadGenerator } from './load-generator';
export { fidCurves } from './fid-curves';
export type { LoadedGenerator } from './load-generator';
export { start, NotebookSession } from './session';
export type { StartOptions, FinishReport } from './session';
