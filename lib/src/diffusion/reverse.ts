/**
 * The learned reverse process 역방향 과정 p_θ(x_{t−1} | x_t) = N(μ_θ(x_t, t), σ_t²·I) with the
 * ε-parameterisation μ_θ = (x_t − β_t/√(1−ᾱ_t)·ε_θ(x_t, t))/√α_t (DDPM eq. 11), and the choices of
 * σ_t² (DDPM §3.2: β_t or β̃_t; Nichol & Dhariwal eq. 15 and CFG Algorithm 2 interpolate the two in
 * log space with v ∈ [0, 1]).
 *
 * @see notebooks/08-diffusion-ddpm
 */
import * as tf from '@tensorflow/tfjs';
import { NoiseSchedule } from './schedule';

/**
 * σ_t² of the reverse step: `'beta'` (σ² = β_t), `'posterior'` (σ² = β̃_t), or a number v in [0, 1]
 * for exp(v·log β_t + (1 − v)·log β̃_t) (v = 1 is `'beta'`, v = 0 is `'posterior'`).
 */
export type ReverseVariance = 'beta' | 'posterior' | number;

/** σ_t² for t = 1 … T. With `'posterior'`, σ_1² = β̃_1 = 0 (the last step adds no noise). */
export function reverseVariance(schedule: NoiseSchedule, t: number, variance: ReverseVariance): number {
  const beta = schedule.beta(t);
  const betaTilde = schedule.posteriorVariance(t);
  if (variance === 'beta') return beta;
  if (variance === 'posterior') return betaTilde;
  if (typeof variance !== 'number' || !(variance >= 0 && variance <= 1)) {
    throw new RangeError(`variance must be 'beta', 'posterior' or a number v in [0, 1]; got ${String(variance)}`);
  }
  if (betaTilde === 0) return variance === 1 ? beta : 0; // log β̃_1 = −∞
  return Math.exp(variance * Math.log(beta) + (1 - variance) * Math.log(betaTilde));
}

/** The ε-parameterised mean μ_θ(x_t, t) = (x_t − β_t/√(1−ᾱ_t)·ε)/√α_t (DDPM eq. 11). */
export function reverseMean(schedule: NoiseSchedule, xt: tf.Tensor, t: number, eps: tf.Tensor): tf.Tensor {
  const coef = schedule.beta(t) / Math.sqrt(1 - schedule.alphaBar(t));
  const scale = 1 / Math.sqrt(schedule.alpha(t));
  return tf.tidy(() => tf.mul(tf.sub(xt, tf.mul(eps, coef)), scale));
}
