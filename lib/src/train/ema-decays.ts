/**
 * EMA decays across resumed trainings. The weights a diffusion checkpoint ships are an exponential
 * moving average of the trained ones, θ̄ ← d·θ̄ + (1 − d)·θ after every step (Polyak averaging; DDPM,
 * Ho et al. 2020, Appendix B: d = 0.9999). A training keeps, in its meta.json, every decay it
 * averaged with and the step it started at, `emaDecays`. A resume given no decay goes on with the
 * last one; a resume given another appends it, and the average goes on from the saved θ̄ with the
 * new decay (its window, about 1 / (1 − d) steps, grows or shrinks from there).
 *
 * Used by `tools/scripts/train-diffusion.ts` (`--ema-decay`).
 */

/** The decay used from `fromStep` on. */
export interface EmaDecayStep {
  fromStep: number;
  decay: number;
}

/** What a training averages with from `step` on, and the history to save. */
export interface EmaDecayPlan {
  decay: number;
  emaDecays: EmaDecayStep[];
}

function checkDecay(name: string, decay: number | undefined): void {
  if (decay !== undefined && !(decay > 0 && decay < 1)) throw new RangeError(`${name} must be a number in (0, 1); got ${decay}`);
}

/**
 * The decay to average with from `step` on. `saved`: the saved training's `emaDecays` (empty for a
 * new training; `savedDecay` alone, as meta.json's `emaDecay`, for a training saved before the
 * history was kept: it then counts from step 0). Precedence: the requested decay, then the saved
 * training's last, then `defaultDecay`.
 */
export function planEmaDecays(
  saved: readonly EmaDecayStep[] | undefined,
  savedDecay: number | undefined,
  step: number,
  requested: number | undefined,
  defaultDecay: number,
): EmaDecayPlan {
  checkDecay('the EMA decay', requested);
  checkDecay('the default EMA decay', defaultDecay);
  if (!Number.isInteger(step) || step < 0) throw new RangeError(`step must be an integer >= 0; got ${step}`);
  const history: EmaDecayStep[] = saved && saved.length > 0 ? [...saved] : savedDecay !== undefined && step > 0 ? [{ fromStep: 0, decay: savedDecay }] : [];
  for (const s of history) checkDecay(`the saved EMA decay from step ${s.fromStep}`, s.decay);
  const last = history.at(-1);
  if (last && step < last.fromStep) throw new RangeError(`step ${step} is before the last saved EMA decay's (from step ${last.fromStep})`);
  const decay = requested ?? last?.decay ?? defaultDecay;
  if (last && last.decay === decay) return { decay, emaDecays: history };
  return { decay, emaDecays: [...history, { fromStep: step, decay }] };
}
