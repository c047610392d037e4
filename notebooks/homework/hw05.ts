// hw05: your homework. Replace each "not implemented yet" line with your code, keep the
// signatures, then run the notebook's last cell or `npm run check -- hw05` to see your score.
// (Generated from the reference solution; do not rename the exported functions.)

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
  throw new Error("hw05: linearBetaSchedule is not implemented yet (write it in notebooks/homework/hw05.ts)");
}

/**
 * Task 2. The cosine schedule (Nichol & Dhariwal 2021, eq. 17): ᾱ(t) = f(t)/f(0) with
 * f(t) = cos²(((t/T) + s)/(1 + s) · π/2), and β_t = 1 − ᾱ(t)/ᾱ(t − 1) for t = 1 … T, clipped to at
 * most `maxBeta`.
 */
export function cosineBetaSchedule(steps: number, s = 0.008, maxBeta = 0.999): number[] {
  throw new Error("hw05: cosineBetaSchedule is not implemented yet (write it in notebooks/homework/hw05.ts)");
}

/** Task 3. ᾱ_t = Π_{s ≤ t} (1 − β_s), for every index. */
export function alphaBar(betas: readonly number[]): number[] {
  throw new Error("hw05: alphaBar is not implemented yet (write it in notebooks/homework/hw05.ts)");
}

/**
 * Task 4. Sample the forward process in one jump (DDPM eq. 4):
 * x_t = √ᾱ_t · x_0 + √(1 − ᾱ_t) · ε, with the noise ε given.
 */
export function qSample(x0: tf.Tensor, t: number, alphaBars: readonly number[], noise: tf.Tensor): tf.Tensor {
  throw new Error("hw05: qSample is not implemented yet (write it in notebooks/homework/hw05.ts)");
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
  throw new Error("hw05: posteriorMeanVariance is not implemented yet (write it in notebooks/homework/hw05.ts)");
}

/**
 * Task 6. One step of DDPM sampling (Ho et al. 2020, Algorithm 2, with σ_t² = β_t):
 * x_{t−1} = 1/√α_t · (x_t − β_t/√(1 − ᾱ_t) · ε_θ) + σ_t z, where ε_θ = `epsPred` is the
 * network's noise prediction and z = `noise`; no noise is added at index 0 (the last step).
 */
export function ddpmStep(xt: tf.Tensor, epsPred: tf.Tensor, t: number, betas: readonly number[], noise: tf.Tensor): tf.Tensor {
  throw new Error("hw05: ddpmStep is not implemented yet (write it in notebooks/homework/hw05.ts)");
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
  throw new Error("hw05: ddimStep is not implemented yet (write it in notebooks/homework/hw05.ts)");
}

/**
 * Task 8. Classifier-free guidance (Ho & Salimans 2022, eq. 6; lecture 002):
 * ε̃ = (1 + w) · ε(z, c) − w · ε(z). w = 0 is the plain conditional model.
 */
export function cfgCombine(epsConditional: tf.Tensor, epsUnconditional: tf.Tensor, w: number): tf.Tensor {
  throw new Error("hw05: cfgCombine is not implemented yet (write it in notebooks/homework/hw05.ts)");
}
