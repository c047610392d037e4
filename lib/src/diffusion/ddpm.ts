/**
 * DDPM ancestral sampling 조상 샘플링, Algorithm 2 of Ho et al. 2020 (printed in lecture 004):
 *
 *   1: x_T ~ N(0, I)
 *   2: for t = T, …, 1 do
 *   3:   z ~ N(0, I) if t > 1, else z = 0
 *   4:   x_{t−1} = 1/√α_t · (x_t − (1−α_t)/√(1−ᾱ_t) · ε_θ(x_t, t)) + σ_t·z
 *   5: end for
 *   6: return x_0
 *
 * (Lecture 004 prints the denominator of line 4 as √(1−α_t); the paper has √(1−ᾱ_t), eq. 11.)
 * Where this code departs from the printed algorithm, only when asked: `clipX0` clips
 * x̂_0 = (x_t − √(1−ᾱ_t)·ε)/√ᾱ_t and uses the posterior mean μ̃_t(x_t, x̂_0) (DDPM eq. 7) — without
 * clipping the two means are identical; `start`/`startStep` begin at a given x_t (img2img);
 * `transform` edits x_{t−1} after each step (inpainting); `meanShift` adds a vector to the mean
 * (classifier guidance). σ_t² is β_t by default (DDPM §3.2), or β̃_t, or their interpolation.
 *
 * @see notebooks/08-diffusion-ddpm
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random';
import { predictX0FromEps } from './forward';
import { posteriorMeanVariance } from './posterior';
import { ReverseVariance, reverseMean, reverseVariance } from './reverse';
import { NoiseSchedule } from './schedule';
import { checkSameShape } from '../util/validate';
import { CommonSamplerOptions, EpsilonPredictor } from './types';
import { yieldToEventLoop } from '../util/event-loop';

/** Options of `ddpmSample`. */
export interface DdpmOptions extends CommonSamplerOptions {
  /** σ_t²: `'beta'` (default), `'posterior'` (β̃_t) or v ∈ [0, 1] interpolating in log space. */
  variance?: ReverseVariance;
  /**
   * A vector added to the mean at each step, given x_t, t and σ_t² (classifier guidance adds
   * s·σ_t²·∇ log p_φ(y | x_t), Dhariwal & Nichol Algorithm 1).
   */
  meanShift?: (xt: tf.Tensor, t: number, sigma2: number) => tf.Tensor;
}

/** The result of one reverse step. */
export interface DdpmStepResult {
  /** x_{t−1}. */
  x: tf.Tensor;
  /** x̂_0 (clipped if asked). */
  x0Hat: tf.Tensor;
}

/**
 * One step of Algorithm 2, line 4: x_{t−1} = μ_θ(x_t, t) + σ_t·z (z ignored at t = 1).
 * With `clipX0` the mean is μ̃_t(x_t, clip(x̂_0)) instead (the DDPM code's choice).
 */
export function ddpmStep(
  schedule: NoiseSchedule,
  xt: tf.Tensor,
  t: number,
  eps: tf.Tensor,
  z: tf.Tensor | null,
  options: { variance?: ReverseVariance; clipX0?: [number, number] | null; meanShift?: tf.Tensor | null } = {},
): DdpmStepResult {
  checkSameShape(xt, 'xt', eps, 'eps');
  if (z) checkSameShape(xt, 'xt', z, 'z');
  return tf.tidy(() => {
    let x0Hat = predictX0FromEps(schedule, xt, t, eps);
    let mean: tf.Tensor;
    if (options.clipX0) {
      x0Hat = tf.clipByValue(x0Hat, options.clipX0[0], options.clipX0[1]);
      mean = posteriorMeanVariance(schedule, x0Hat, xt, t).mean;
    } else {
      mean = reverseMean(schedule, xt, t, eps);
    }
    if (options.meanShift) mean = tf.add(mean, options.meanShift);
    const sigma = Math.sqrt(reverseVariance(schedule, t, options.variance ?? 'beta'));
    const x = t > 1 && z ? tf.add(mean, tf.mul(z, sigma)) : mean;
    return { x, x0Hat };
  });
}

/** Check the start of a sampler run; returns the first t. */
export function startStepOf(schedule: NoiseSchedule, options: CommonSamplerOptions): number {
  const startStep = options.startStep ?? schedule.T;
  if (!Number.isInteger(startStep) || startStep < 1 || startStep > schedule.T) {
    throw new RangeError(`startStep must be an integer in [1, ${schedule.T}]; got ${startStep}`);
  }
  if (options.start) {
    const s = options.start.shape;
    if (s.length !== options.shape.length || s.some((d, i) => d !== options.shape[i])) {
      throw new RangeError(`start must have shape [${options.shape}]; got [${s}]`);
    }
  }
  return startStep;
}

/** The ε estimate, checked for shape. */
export function callEpsilon(epsilon: EpsilonPredictor, xt: tf.Tensor, t: number): tf.Tensor {
  const eps = epsilon(xt, t);
  if (eps.shape.length !== xt.shape.length || eps.shape.some((d, i) => d !== xt.shape[i])) {
    const shape = eps.shape;
    eps.dispose();
    throw new RangeError(`epsilon(x_t, ${t}) must return x_t's shape [${xt.shape}]; got [${shape}]`);
  }
  return eps;
}

/**
 * Algorithm 2: ancestral sampling from x_T ~ N(0, I) down to x_0, seeded. Returns x_0 [shape].
 */
export async function ddpmSample(schedule: NoiseSchedule, epsilon: EpsilonPredictor, options: DdpmOptions): Promise<tf.Tensor> {
  const startStep = startStepOf(schedule, options);
  const rng = new Rng(options.seed);
  let x = options.start ? tf.clone(options.start) : rng.normalTensor(options.shape);
  const steps = startStep;
  for (let t = startStep; t >= 1; t--) {
    const xt = x;
    const eps = tf.tidy(() => callEpsilon(epsilon, xt, t));
    const z = t > 1 ? rng.normalTensor(options.shape) : null;
    const shift = options.meanShift ? options.meanShift(xt, t, reverseVariance(schedule, t, options.variance ?? 'beta')) : null;
    const step = ddpmStep(schedule, xt, t, eps, z, { variance: options.variance, clipX0: options.clipX0, meanShift: shift });
    z?.dispose();
    shift?.dispose();
    x = step.x;
    if (options.transform) {
      const edited = options.transform(x, t - 1);
      if (edited !== x) x.dispose();
      x = edited;
    }
    if (options.onStep) {
      await options.onStep({ t, tPrev: t - 1, index: startStep - t, steps, xt, x, x0Hat: step.x0Hat, eps });
    }
    tf.dispose([xt, eps, step.x0Hat]);
    await yieldToEventLoop();
  }
  return x;
}
