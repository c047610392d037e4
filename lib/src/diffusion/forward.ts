/**
 * The forward (diffusion) process 확산 과정 / 정방향 과정:
 *   one step   q(x_t | x_{t−1}) = N(√(1−β_t)·x_{t−1}, β_t·I)          (DDPM eq. 2)
 *   closed form q(x_t | x_0)   = N(√ᾱ_t·x_0, (1−ᾱ_t)·I)                 (DDPM eq. 4)
 * so x_t = √ᾱ_t·x_0 + √(1−ᾱ_t)·ε with ε ~ N(0, I) (the reparameterisation in Algorithm 1, line 5).
 * Lectures 001 (forward process) and 004 (Algorithm 1).
 *
 * @see notebooks/08-diffusion-ddpm
 */
import * as tf from '@tensorflow/tfjs';
import { NoiseSchedule } from './schedule';
import { Timesteps, checkBatched, perExample, timestepList } from './timesteps';
import { checkSameShape } from '../util/validate';

/**
 * Sample x_t ~ q(x_t | x_0) with the given noise: √ᾱ_t·x_0 + √(1−ᾱ_t)·ε (DDPM eq. 4).
 * @param x0 clean data [B, …]
 * @param t one t in 0 … T for the batch or one per example (t = 0 returns x_0)
 * @param eps standard normal noise with x0's shape
 */
export function qSample(schedule: NoiseSchedule, x0: tf.Tensor, t: Timesteps, eps: tf.Tensor): tf.Tensor {
  const batch = checkBatched(x0, 'x0');
  checkSameShape(x0, 'x0', eps, 'eps');
  const ts = timestepList(t, batch, schedule.T, 0);
  return tf.tidy(() => {
    const signal = perExample(ts.map((s) => Math.sqrt(schedule.alphaBar(s))), x0);
    const noise = perExample(ts.map((s) => Math.sqrt(1 - schedule.alphaBar(s))), x0);
    return tf.add(tf.mul(signal, x0), tf.mul(noise, eps));
  });
}

/**
 * DDPM-IP's perturbed input (Ning et al. 2023, "Input Perturbation Reduces Exposure Bias in Diffusion
 * Models", Algorithm 1): y_t = √ᾱ_t·x_0 + √(1−ᾱ_t)·(ε + γ·ξ), i.e. `qSample` with the noise ε + γ·ξ.
 * Trained against the target ε, the network sees inputs with variance (1−ᾱ_t)(1+γ²) around √ᾱ_t·x_0,
 * as its own slightly wrong samples are at sampling time.
 * @param xi standard normal noise with x0's shape, independent of eps
 * @param gamma γ ≥ 0 (the paper: 0.1); 0 gives `qSample`
 */
export function qSamplePerturbed(schedule: NoiseSchedule, x0: tf.Tensor, t: Timesteps, eps: tf.Tensor, xi: tf.Tensor, gamma: number): tf.Tensor {
  checkSameShape(eps, 'eps', xi, 'xi');
  if (!(gamma >= 0 && Number.isFinite(gamma))) throw new RangeError(`qSamplePerturbed: gamma must be a finite number >= 0; got ${gamma}`);
  return tf.tidy(() => qSample(schedule, x0, t, tf.add(eps, tf.mul(xi, gamma))));
}

/** Mean √ᾱ_t·x_0 and variance 1 − ᾱ_t (one per example, as a plain array) of q(x_t | x_0). */
export function qMeanVariance(
  schedule: NoiseSchedule,
  x0: tf.Tensor,
  t: Timesteps,
): { mean: tf.Tensor; variance: number[] } {
  const batch = checkBatched(x0, 'x0');
  const ts = timestepList(t, batch, schedule.T, 0);
  const mean = tf.tidy(() => tf.mul(perExample(ts.map((s) => Math.sqrt(schedule.alphaBar(s))), x0), x0));
  return { mean, variance: ts.map((s) => 1 - schedule.alphaBar(s)) };
}

/**
 * One forward step x_t = √(1−β_t)·x_{t−1} + √β_t·noise, a draw from q(x_t | x_{t−1}) (DDPM eq. 2).
 * Iterating it from x_0 gives the same distribution as `qSample` (checked in the tests and 08).
 */
export function qStep(schedule: NoiseSchedule, xPrev: tf.Tensor, t: Timesteps, noise: tf.Tensor): tf.Tensor {
  const batch = checkBatched(xPrev, 'xPrev');
  checkSameShape(xPrev, 'xPrev', noise, 'noise');
  const ts = timestepList(t, batch, schedule.T, 1);
  return tf.tidy(() => {
    const keep = perExample(ts.map((s) => Math.sqrt(1 - schedule.beta(s))), xPrev);
    const add = perExample(ts.map((s) => Math.sqrt(schedule.beta(s))), xPrev);
    return tf.add(tf.mul(keep, xPrev), tf.mul(add, noise));
  });
}

/**
 * x̂_0 from x_t and a noise estimate: (x_t − √(1−ᾱ_t)·ε)/√ᾱ_t, eq. 4 solved for x_0 (DDPM eq. 15,
 * DDIM eq. 9 "predicted x_0").
 */
export function predictX0FromEps(schedule: NoiseSchedule, xt: tf.Tensor, t: Timesteps, eps: tf.Tensor): tf.Tensor {
  const batch = checkBatched(xt, 'xt');
  checkSameShape(xt, 'xt', eps, 'eps');
  const ts = timestepList(t, batch, schedule.T, 1);
  return tf.tidy(() => {
    const inv = perExample(ts.map((s) => 1 / Math.sqrt(schedule.alphaBar(s))), xt);
    const noise = perExample(ts.map((s) => Math.sqrt(1 - schedule.alphaBar(s))), xt);
    return tf.mul(inv, tf.sub(xt, tf.mul(noise, eps)));
  });
}

/** ε from x_t and x_0: (x_t − √ᾱ_t·x_0)/√(1−ᾱ_t), the inverse of `predictX0FromEps`. */
export function epsFromX0(schedule: NoiseSchedule, xt: tf.Tensor, t: Timesteps, x0: tf.Tensor): tf.Tensor {
  const batch = checkBatched(xt, 'xt');
  checkSameShape(xt, 'xt', x0, 'x0');
  const ts = timestepList(t, batch, schedule.T, 1);
  return tf.tidy(() => {
    const signal = perExample(ts.map((s) => Math.sqrt(schedule.alphaBar(s))), xt);
    const inv = perExample(ts.map((s) => 1 / Math.sqrt(1 - schedule.alphaBar(s))), xt);
    return tf.mul(inv, tf.sub(xt, tf.mul(signal, x0)));
  });
}
