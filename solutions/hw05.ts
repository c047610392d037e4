/**
 * Homework 5: diffusion (lectures 000–004: 확산 모델 diffusion model, 순방향 과정 forward process,
 * 역방향 과정 reverse process, 노이즈 스케줄 noise schedule, DDIM, classifier-free guidance).
 *
 * Steps are 0-based array indices: index t = 0 … T − 1 stands for the paper's step t + 1, so
 * `betas[t]` is β_{t+1} and `alphaBars[t]` is ᾱ_{t+1} = Π_{s ≤ t} (1 − betas[s]). The step
 * "before" index 0 is x_0 itself (ᾱ = 1 there).
 *
 * @see notebooks/08-diffusion-ddpm
 * @see notebooks/09-ddim-guidance
 * @see notebooks/homework/hw05.ipynb
 */
import { tf } from 'genbook';

function checkSteps(steps: number): void {
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`steps must be a positive integer; got ${steps}`);
}

function checkIndex(t: number, length: number, name = 't'): void {
  if (!Number.isInteger(t) || t < 0 || t >= length) throw new RangeError(`${name} must be an integer in 0..${length - 1}; got ${t}`);
}

/**
 * Task 1. The linear schedule of DDPM (Ho et al. 2020, section 4): `steps` values from
 * `betaStart` to `betaEnd` inclusive, evenly spaced (one value, betaStart, when steps = 1).
 * @throws RangeError unless steps is a positive integer and 0 < betaStart ≤ betaEnd < 1.
 */
export function linearBetaSchedule(steps: number, betaStart = 1e-4, betaEnd = 0.02): number[] {
  // BEGIN SOLUTION
  checkSteps(steps);
  if (!(betaStart > 0 && betaStart <= betaEnd && betaEnd < 1)) throw new RangeError(`need 0 < betaStart <= betaEnd < 1; got ${betaStart}, ${betaEnd}`);
  if (steps === 1) return [betaStart];
  return Array.from({ length: steps }, (_, i) => betaStart + ((betaEnd - betaStart) * i) / (steps - 1));
  // END SOLUTION
}

/**
 * Task 2. The cosine schedule (Nichol & Dhariwal 2021, eq. 17): ᾱ(t) = f(t)/f(0) with
 * f(t) = cos²(((t/T) + s)/(1 + s) · π/2), and β_t = 1 − ᾱ(t)/ᾱ(t − 1) for t = 1 … T, clipped to at
 * most `maxBeta`.
 */
export function cosineBetaSchedule(steps: number, s = 0.008, maxBeta = 0.999): number[] {
  // BEGIN SOLUTION
  checkSteps(steps);
  if (!(s >= 0)) throw new RangeError(`s must be >= 0; got ${s}`);
  if (!(maxBeta > 0 && maxBeta <= 1)) throw new RangeError(`maxBeta must be in (0, 1]; got ${maxBeta}`);
  const f = (t: number) => Math.cos((((t / steps) + s) / (1 + s)) * (Math.PI / 2)) ** 2;
  return Array.from({ length: steps }, (_, i) => Math.min(maxBeta, 1 - f(i + 1) / f(i)));
  // END SOLUTION
}

/** Task 3. ᾱ_t = Π_{s ≤ t} (1 − β_s), for every index. */
export function alphaBar(betas: readonly number[]): number[] {
  // BEGIN SOLUTION
  let product = 1;
  return betas.map((beta, i) => {
    if (!(beta > 0 && beta <= 1)) throw new RangeError(`betas[${i}] must be in (0, 1]; got ${beta}`);
    product *= 1 - beta;
    return product;
  });
  // END SOLUTION
}

/**
 * Task 4. Sample the forward process in one jump (DDPM eq. 4):
 * x_t = √ᾱ_t · x_0 + √(1 − ᾱ_t) · ε, with the noise ε given.
 */
export function qSample(x0: tf.Tensor, t: number, alphaBars: readonly number[], noise: tf.Tensor): tf.Tensor {
  // BEGIN SOLUTION
  checkIndex(t, alphaBars.length);
  const a = alphaBars[t];
  return tf.tidy(() => x0.mul(Math.sqrt(a)).add(noise.mul(Math.sqrt(1 - a))));
  // END SOLUTION
}

export interface Posterior {
  /** μ̃_t(x_t, x_0), same shape as x_t. */
  mean: tf.Tensor;
  /** β̃_t, a number. */
  variance: number;
}

/**
 * Task 5. The forward-process posterior q(x_{t−1} | x_t, x_0) = N(μ̃_t, β̃_t I) (DDPM eq. 6–7):
 * μ̃_t = √ᾱ_{t−1} β_t / (1 − ᾱ_t) · x_0 + √α_t (1 − ᾱ_{t−1}) / (1 − ᾱ_t) · x_t and
 * β̃_t = (1 − ᾱ_{t−1}) / (1 − ᾱ_t) · β_t, where α_t = 1 − β_t and ᾱ before index 0 is 1.
 */
export function posteriorMeanVariance(x0: tf.Tensor, xt: tf.Tensor, t: number, betas: readonly number[]): Posterior {
  // BEGIN SOLUTION
  checkIndex(t, betas.length);
  const alphaBars = alphaBar(betas);
  const beta = betas[t];
  const a = alphaBars[t];
  const previous = t === 0 ? 1 : alphaBars[t - 1];
  const c0 = (Math.sqrt(previous) * beta) / (1 - a);
  const ct = (Math.sqrt(1 - beta) * (1 - previous)) / (1 - a);
  return { mean: tf.tidy(() => x0.mul(c0).add(xt.mul(ct))), variance: ((1 - previous) / (1 - a)) * beta };
  // END SOLUTION
}

/**
 * Task 6. One step of DDPM sampling (Ho et al. 2020, Algorithm 2, with σ_t² = β_t):
 * x_{t−1} = 1/√α_t · (x_t − β_t/√(1 − ᾱ_t) · ε_θ) + σ_t z, where ε_θ = `epsPred` is the
 * network's noise prediction and z = `noise`; no noise is added at index 0 (the last step).
 */
export function ddpmStep(xt: tf.Tensor, epsPred: tf.Tensor, t: number, betas: readonly number[], noise: tf.Tensor): tf.Tensor {
  // BEGIN SOLUTION
  checkIndex(t, betas.length);
  const beta = betas[t];
  const a = alphaBar(betas)[t];
  return tf.tidy(() => {
    const mean = xt.sub(epsPred.mul(beta / Math.sqrt(1 - a))).div(Math.sqrt(1 - beta));
    return t === 0 ? mean : mean.add(noise.mul(Math.sqrt(beta)));
  });
  // END SOLUTION
}

/**
 * Task 7. One DDIM step from index t to an earlier index tPrev (Song et al. 2021, eq. 12), which
 * may skip steps; tPrev = −1 means "to x_0" (ᾱ = 1):
 * x̂_0 = (x_t − √(1 − ᾱ_t) ε_θ)/√ᾱ_t,
 * σ = η √((1 − ᾱ_prev)/(1 − ᾱ_t)) √(1 − ᾱ_t/ᾱ_prev),
 * x_prev = √ᾱ_prev x̂_0 + √(1 − ᾱ_prev − σ²) ε_θ + σ z.
 * η = 0 is deterministic DDIM; η = 1 matches DDPM's posterior variance.
 */
export function ddimStep(xt: tf.Tensor, epsPred: tf.Tensor, t: number, tPrev: number, alphaBars: readonly number[], eta: number, noise: tf.Tensor): tf.Tensor {
  // BEGIN SOLUTION
  checkIndex(t, alphaBars.length);
  if (!Number.isInteger(tPrev) || tPrev < -1 || tPrev >= t) throw new RangeError(`tPrev must be an integer in -1..${t - 1}; got ${tPrev}`);
  if (!(eta >= 0)) throw new RangeError(`eta must be >= 0; got ${eta}`);
  const a = alphaBars[t];
  const previous = tPrev === -1 ? 1 : alphaBars[tPrev];
  const sigma = eta * Math.sqrt((1 - previous) / (1 - a)) * Math.sqrt(1 - a / previous);
  return tf.tidy(() => {
    const x0 = xt.sub(epsPred.mul(Math.sqrt(1 - a))).div(Math.sqrt(a));
    const direction = epsPred.mul(Math.sqrt(Math.max(0, 1 - previous - sigma * sigma)));
    return x0.mul(Math.sqrt(previous)).add(direction).add(noise.mul(sigma));
  });
  // END SOLUTION
}

/**
 * Task 8. Classifier-free guidance (Ho & Salimans 2022, eq. 6; lecture 002):
 * ε̃ = (1 + w) · ε(z, c) − w · ε(z). w = 0 is the plain conditional model.
 */
export function cfgCombine(epsConditional: tf.Tensor, epsUnconditional: tf.Tensor, w: number): tf.Tensor {
  // BEGIN SOLUTION
  if (!Number.isFinite(w)) throw new RangeError(`w must be a finite number; got ${w}`);
  return tf.tidy(() => epsConditional.mul(1 + w).sub(epsUnconditional.mul(w)));
  // END SOLUTION
}
