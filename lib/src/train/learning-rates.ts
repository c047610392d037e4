/**
 * Step decays across resumed trainings: a training keeps, in its meta.json, every learning rate it
 * ran at and the step (or iteration) it started at, `learningRates`. A resume given no rate goes on
 * at the last one; a resume given another rate appends it (a step decay, as in He et al. 2016 §3.4;
 * here the step is chosen by looking at the FID curve). A GAN may give D its own rate (TTUR,
 * Heusel et al. 2017), kept as `discriminatorLr` when it differs from G's.
 *
 * Used by `gan.makeMnistGanCheckpoint` (train-gan.ts `--lr`, `--lr-d`) and
 * `tools/scripts/train-diffusion.ts` (`--lr`).
 */

/** The rates from `fromStep` on: `lr` (G's, or the only network's) and D's when it differs. */
export interface LearningRateStep {
  fromStep: number;
  lr: number;
  discriminatorLr?: number;
}

export interface LearningRateRequest {
  /** The rate asked for (both players' for a GAN, unless `discriminatorLr`). */
  lr?: number;
  /** D's rate asked for. */
  discriminatorLr?: number;
}

/** What a training runs at from `step` on, and the history to save. */
export interface LearningRatePlan {
  lr: number;
  /** D's rate (equal to `lr` unless TTUR). */
  discriminatorLr: number;
  learningRates: LearningRateStep[];
}

function checkRate(name: string, rate: number | undefined): void {
  if (rate !== undefined && !(rate > 0 && Number.isFinite(rate))) throw new RangeError(`${name} must be a positive number; got ${rate}`);
}

/**
 * The rates to run at from `step` on. `saved`: the saved training's `learningRates` (empty for a
 * new training). Precedence: a requested rate, then the saved training's last rate, then
 * `defaultLr`; a requested `lr` without `discriminatorLr` sets D's too (TTUR ends).
 */
export function planLearningRates(saved: readonly LearningRateStep[], step: number, request: LearningRateRequest, defaultLr: number): LearningRatePlan {
  checkRate('learningRate', request.lr);
  checkRate('discriminatorLearningRate', request.discriminatorLr);
  checkRate('the default learning rate', defaultLr);
  if (!Number.isInteger(step) || step < 0) throw new RangeError(`step must be an integer >= 0; got ${step}`);
  const last = saved.at(-1);
  if (last && step < last.fromStep) throw new RangeError(`step ${step} is before the last saved rate's (from step ${last.fromStep})`);
  const lr = request.lr ?? last?.lr ?? defaultLr;
  const discriminatorLr = request.discriminatorLr ?? (request.lr !== undefined ? lr : (last?.discriminatorLr ?? lr));
  const current: LearningRateStep = { fromStep: step, lr, ...(discriminatorLr !== lr ? { discriminatorLr } : {}) };
  const unchanged = last !== undefined && last.lr === current.lr && last.discriminatorLr === current.discriminatorLr;
  return { lr, discriminatorLr, learningRates: unchanged ? [...saved] : [...saved, current] };
}
