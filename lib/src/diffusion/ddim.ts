/**
 * DDIM sampling (Song, Meng & Ermon 2021) 결정론적 샘플링: a non-Markovian forward process with the
 * same marginals q(x_t | x_0) gives a generative step that may skip time steps (lectures 002–004):
 *
 *   x_{τ_{i−1}} = √ᾱ_{τ_{i−1}}·x̂_0 + √(1 − ᾱ_{τ_{i−1}} − σ²)·ε_θ(x_{τ_i}, τ_i) + σ·z      (DDIM eq. 12)
 *   x̂_0 = (x_{τ_i} − √(1−ᾱ_{τ_i})·ε_θ)/√ᾱ_{τ_i}                                            (DDIM eq. 9)
 *   σ = η·√((1−ᾱ_{τ_{i−1}})/(1−ᾱ_{τ_i}))·√(1 − ᾱ_{τ_i}/ᾱ_{τ_{i−1}})                          (DDIM eq. 16)
 *
 * over an increasing subsequence τ_1 < … < τ_S of 1 … T (with ᾱ_{τ_0} = ᾱ_0 = 1). η = 0 is
 * deterministic; η = 1 with every step makes σ² = β̃_t, DDPM's posterior variance.
 *
 * @see notebooks/09-ddim-guidance
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random';
import { callEpsilon, startStepOf } from './ddpm';
import { epsFromX0, predictX0FromEps } from './forward';
import { NoiseSchedule } from './schedule';
import { checkSameShape } from '../util/validate';
import { CommonSamplerOptions, EpsilonPredictor } from './types';
import { yieldToEventLoop } from '../util/event-loop';

/** How `ddimTimesteps` spaces S steps over 1 … T. */
export type TimestepSpacing = 'uniform' | 'quadratic' | 'trailing';

/**
 * An increasing subsequence τ_1 < … < τ_S of 1 … T.
 * - `'uniform'` (DDIM §D.2 "linear"): τ_i = (i − 1)·⌊T/S⌋ + 1, so 1, 101, …, 901 for S = 10.
 * - `'quadratic'` (DDIM §D.2): τ_i = ⌊(c·(i − 1))²⌋ + 1 with c chosen so τ_S ≈ 0.8·T.
 * - `'trailing'` (Lin et al. 2024, Table 2): τ_i = round(i·T/S), ending at T itself.
 */
export function ddimTimesteps(T: number, S: number, spacing: TimestepSpacing = 'uniform'): number[] {
  if (!Number.isInteger(T) || T < 1) throw new RangeError(`T must be a positive integer; got ${T}`);
  if (!Number.isInteger(S) || S < 1 || S > T) throw new RangeError(`S must be an integer in [1, ${T}]; got ${S}`);
  let seq: number[];
  switch (spacing) {
    case 'uniform': {
      const c = Math.floor(T / S);
      seq = Array.from({ length: S }, (_, i) => i * c + 1);
      break;
    }
    case 'quadratic': {
      const top = Math.sqrt(0.8 * T);
      seq = Array.from({ length: S }, (_, i) => Math.floor((S === 1 ? 0 : (top * i) / (S - 1)) ** 2) + 1);
      break;
    }
    case 'trailing':
      seq = Array.from({ length: S }, (_, i) => Math.round(((i + 1) * T) / S));
      break;
    default:
      throw new RangeError(`spacing must be 'uniform', 'quadratic' or 'trailing'; got ${JSON.stringify(spacing)}`);
  }
  const unique = Array.from(new Set(seq.map((t) => Math.min(Math.max(t, 1), T)))).sort((a, b) => a - b);
  return unique;
}

/** σ_{τ_i}(η) of DDIM eq. 16 for the step t → tPrev (tPrev = 0 gives σ = 0). */
export function ddimSigma(schedule: NoiseSchedule, t: number, tPrev: number, eta: number): number {
  if (!(eta >= 0 && eta <= 1)) throw new RangeError(`eta must be in [0, 1]; got ${eta}`);
  if (!(tPrev < t)) throw new RangeError(`tPrev must be below t; got t=${t}, tPrev=${tPrev}`);
  const ab = schedule.alphaBar(t);
  const abPrev = schedule.alphaBar(tPrev);
  return eta * Math.sqrt((1 - abPrev) / (1 - ab)) * Math.sqrt(1 - ab / abPrev);
}

/**
 * One DDIM step x_t → x_{tPrev} (DDIM eq. 12). `z` may be null when σ = 0. With `clipX0`, x̂_0 is
 * clipped and ε recomputed from it (as the guided-diffusion code does).
 */
export function ddimStep(
  schedule: NoiseSchedule,
  xt: tf.Tensor,
  t: number,
  tPrev: number,
  eps: tf.Tensor,
  eta: number,
  z: tf.Tensor | null,
  options: { clipX0?: [number, number] | null } = {},
): { x: tf.Tensor; x0Hat: tf.Tensor; sigma: number } {
  checkSameShape(xt, 'xt', eps, 'eps');
  const sigma = ddimSigma(schedule, t, tPrev, eta);
  if (sigma > 0 && !z) throw new RangeError('z must be given when sigma > 0 (eta > 0)');
  const abPrev = schedule.alphaBar(tPrev);
  return tf.tidy(() => {
    let x0Hat = predictX0FromEps(schedule, xt, t, eps);
    let epsUsed = eps;
    if (options.clipX0) {
      x0Hat = tf.clipByValue(x0Hat, options.clipX0[0], options.clipX0[1]);
      epsUsed = epsFromX0(schedule, xt, t, x0Hat);
    }
    const direction = Math.sqrt(Math.max(1 - abPrev - sigma * sigma, 0));
    let x = tf.add(tf.mul(x0Hat, Math.sqrt(abPrev)), tf.mul(epsUsed, direction));
    if (sigma > 0 && z) x = tf.add(x, tf.mul(z, sigma));
    return { x, x0Hat, sigma };
  });
}

/** Options of `ddimSample`. */
export interface DdimOptions extends CommonSamplerOptions {
  /** S (spaced by `spacing`) or the increasing subsequence τ itself. Default: every step 1 … T. */
  steps?: number | readonly number[];
  /** How S steps are spaced (default `'uniform'`). */
  spacing?: TimestepSpacing;
  /** η ∈ [0, 1]: 0 deterministic DDIM (default), 1 DDPM-like. */
  eta?: number;
}

/**
 * The time steps a DDIM run visits, from the top down. Without `startStep` the run starts at τ_S
 * from x ~ N(0, I), as the DDIM code does (τ_S = 901 for S = 10 with uniform spacing); with it, the
 * run starts at `startStep` and continues with the τ_i below it.
 */
export function ddimPlan(schedule: NoiseSchedule, options: Pick<DdimOptions, 'steps' | 'spacing' | 'startStep'>): number[] {
  let seq: number[];
  const steps = options.steps ?? schedule.T;
  if (typeof steps === 'number') {
    seq = ddimTimesteps(schedule.T, steps, options.spacing ?? 'uniform');
  } else {
    seq = Array.from(steps);
    if (seq.length === 0) throw new RangeError('steps must not be empty');
    for (const [i, t] of seq.entries()) {
      if (!Number.isInteger(t) || t < 1 || t > schedule.T) throw new RangeError(`steps[${i}] must be an integer in [1, ${schedule.T}]; got ${t}`);
      if (i > 0 && !(t > seq[i - 1])) throw new RangeError(`steps must be strictly increasing; steps[${i}] = ${t} after ${seq[i - 1]}`);
    }
  }
  // A run that starts from a given x_t (img2img) begins exactly at startStep, then follows τ below it.
  if (options.startStep !== undefined && seq[seq.length - 1] !== options.startStep) {
    const startStep = options.startStep;
    seq = seq.filter((t) => t < startStep);
    seq.push(startStep);
  }
  return seq.reverse();
}

/**
 * DDIM sampling over a subsequence of steps, seeded. Returns x_0 [shape].
 */
export async function ddimSample(schedule: NoiseSchedule, epsilon: EpsilonPredictor, options: DdimOptions): Promise<tf.Tensor> {
  const eta = options.eta ?? 0;
  if (!(eta >= 0 && eta <= 1)) throw new RangeError(`eta must be in [0, 1]; got ${eta}`);
  startStepOf(schedule, options);
  const plan = ddimPlan(schedule, options);
  const rng = new Rng(options.seed);
  let x = options.start ? tf.clone(options.start) : rng.normalTensor(options.shape);
  for (let i = 0; i < plan.length; i++) {
    const t = plan[i];
    const tPrev = i + 1 < plan.length ? plan[i + 1] : 0;
    const xt = x;
    const eps = tf.tidy(() => callEpsilon(epsilon, xt, t));
    const z = eta > 0 && tPrev > 0 ? rng.normalTensor(options.shape) : null;
    const step = ddimStep(schedule, xt, t, tPrev, eps, eta, z, { clipX0: options.clipX0 });
    z?.dispose();
    x = step.x;
    if (options.transform) {
      const edited = options.transform(x, tPrev);
      if (edited !== x) x.dispose();
      x = edited;
    }
    if (options.onStep) await options.onStep({ t, tPrev, index: i, steps: plan.length, xt, x, x0Hat: step.x0Hat, eps });
    tf.dispose([xt, eps, step.x0Hat]);
    await yieldToEventLoop();
  }
  return x;
}
