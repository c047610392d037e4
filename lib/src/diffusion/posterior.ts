/**
 * The forward-process posterior 사후 분포 q(x_{t−1} | x_t, x_0) = N(μ̃_t(x_t, x_0), β̃_t·I) with
 *   μ̃_t = √ᾱ_{t−1}·β_t/(1−ᾱ_t) · x_0 + √α_t·(1−ᾱ_{t−1})/(1−ᾱ_t) · x_t     (DDPM eq. 7)
 *   β̃_t = (1−ᾱ_{t−1})/(1−ᾱ_t) · β_t                                       (DDPM eq. 7)
 * Tractable because it is conditioned on x_0 (DDPM eq. 6); the targets of L_{t−1} (lectures 001, 004).
 *
 * @see notebooks/08-diffusion-ddpm
 */
import * as tf from '@tensorflow/tfjs';
import { NoiseSchedule } from './schedule';
import { Timesteps, checkBatched, perExample, timestepList } from './timesteps';
import { checkSameShape } from '../util/validate';

/** The two coefficients of μ̃_t: `mean = x0Coef·x_0 + xtCoef·x_t` (DDPM eq. 7). */
export function posteriorMeanCoefficients(schedule: NoiseSchedule, t: number): { x0Coef: number; xtCoef: number } {
  const abPrev = schedule.alphaBar(t - 1);
  const ab = schedule.alphaBar(t);
  return {
    x0Coef: (Math.sqrt(abPrev) * schedule.beta(t)) / (1 - ab),
    xtCoef: (Math.sqrt(schedule.alpha(t)) * (1 - abPrev)) / (1 - ab),
  };
}

/**
 * Mean μ̃_t(x_t, x_0) [B, …] and variance β̃_t (one per example) of q(x_{t−1} | x_t, x_0),
 * DDPM eqs. 6–7. At t = 1 the variance is 0 and the mean is x_0.
 */
export function posteriorMeanVariance(
  schedule: NoiseSchedule,
  x0: tf.Tensor,
  xt: tf.Tensor,
  t: Timesteps,
): { mean: tf.Tensor; variance: number[] } {
  const batch = checkBatched(x0, 'x0');
  checkSameShape(x0, 'x0', xt, 'xt');
  const ts = timestepList(t, batch, schedule.T, 1);
  const coefs = ts.map((s) => posteriorMeanCoefficients(schedule, s));
  const mean = tf.tidy(() =>
    tf.add(
      tf.mul(perExample(coefs.map((c) => c.x0Coef), x0), x0),
      tf.mul(perExample(coefs.map((c) => c.xtCoef), xt), xt),
    ),
  );
  return { mean, variance: ts.map((s) => schedule.posteriorVariance(s)) };
}
