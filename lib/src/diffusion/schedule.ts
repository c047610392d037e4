/**
 * Variance (noise) schedules β_1 … β_T for the forward process (분산 스케줄 variance schedule)
 * q(x_t | x_{t−1}) = N(√(1−β_t)·x_{t−1}, β_t·I)   (DDPM eq. 2; lectures 001 and 004).
 *
 * Time is 1-based as in the papers: β_t for t = 1 … T is stored at index t − 1, and ᾱ_0 = 1.
 * Homework 5 (`solutions/hw05.ts`) passes plain 0-based arrays instead: its index i is the
 * library's step t = i + 1 (hw05 `betas[i]` = β_{i+1} = `schedule.beta(i + 1)` = `schedule.betas[i]`,
 * hw05 `alphaBars[i]` = `schedule.alphaBar(i + 1)`), and its `tPrev = −1` is the library's t = 0
 * (x_0, ᾱ_0 = 1). See notebooks/REFERENCES.md for the papers cited here.
 *
 * - `linear`: β_t evenly spaced from 1e-4 to 0.02 (DDPM §4, T = 1000).
 * - `quadratic`: √β_t evenly spaced from √1e-4 to √0.02, then squared (DDPM code's "quad").
 * - `sigmoid`: β_t = β_1 + (β_T − β_1)·sigmoid(s_t), s_t evenly spaced in [−6, 6] (the form used in
 *   GeoDiff and most tutorials; it does not reach β_1 and β_T exactly, sigmoid(±6) ≈ 0.0025/0.9975).
 * - `cosine`: ᾱ_t = f(t)/f(0), f(t) = cos²(((t/T + s)/(1 + s))·π/2), s = 0.008, and
 *   β_t = 1 − ᾱ_t/ᾱ_{t−1} clipped at 0.999 (Nichol & Dhariwal 2021, eq. 17).
 *
 * @see notebooks/08-diffusion-ddpm
 */

export const BETA_SCHEDULE_KINDS = ['linear', 'quadratic', 'sigmoid', 'cosine'] as const;
export type BetaScheduleKind = (typeof BETA_SCHEDULE_KINDS)[number];

/** Options of `betaSchedule`: the end points of the linear, quadratic and sigmoid schedules. */
export interface BetaScheduleOptions {
  /** β_1 (default 1e-4, DDPM). */
  betaStart?: number;
  /** β_T (default 0.02, DDPM). */
  betaEnd?: number;
  /** The cosine schedule's offset s (default 0.008, Nichol & Dhariwal). */
  cosineOffset?: number;
  /** The cosine schedule's upper clip for β_t (default 0.999). */
  maxBeta?: number;
}

function checkSteps(T: number): void {
  if (!Number.isInteger(T) || T < 1) throw new RangeError(`T must be a positive integer; got ${T}`);
}

function linspace(start: number, end: number, n: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) out[i] = n === 1 ? start : start + ((end - start) * i) / (n - 1);
  return out;
}

/**
 * β_1 … β_T for a named schedule (`out[t − 1] = β_t`). Unknown kinds are a RangeError.
 * DDPM eq. 2 (linear), Nichol & Dhariwal eq. 17 (cosine); lecture 001 ("Linear, Sigmoid, Quadratic").
 */
export function betaSchedule(kind: BetaScheduleKind, T: number, options: BetaScheduleOptions = {}): Float64Array {
  checkSteps(T);
  const betaStart = options.betaStart ?? 1e-4;
  const betaEnd = options.betaEnd ?? 0.02;
  if (!(betaStart > 0 && betaStart < 1)) throw new RangeError(`betaStart must be in (0, 1); got ${betaStart}`);
  if (!(betaEnd > 0 && betaEnd < 1)) throw new RangeError(`betaEnd must be in (0, 1); got ${betaEnd}`);
  switch (kind) {
    case 'linear':
      return linspace(betaStart, betaEnd, T);
    case 'quadratic':
      return linspace(Math.sqrt(betaStart), Math.sqrt(betaEnd), T).map((r) => r * r);
    case 'sigmoid':
      return linspace(-6, 6, T).map((s) => betaStart + (betaEnd - betaStart) / (1 + Math.exp(-s)));
    case 'cosine': {
      const s = options.cosineOffset ?? 0.008;
      const maxBeta = options.maxBeta ?? 0.999;
      if (!(s >= 0)) throw new RangeError(`cosineOffset must be >= 0; got ${s}`);
      if (!(maxBeta > 0 && maxBeta <= 1)) throw new RangeError(`maxBeta must be in (0, 1]; got ${maxBeta}`);
      const f = (t: number) => Math.cos((((t / T) + s) / (1 + s)) * (Math.PI / 2)) ** 2;
      const out = new Float64Array(T);
      for (let t = 1; t <= T; t++) out[t - 1] = Math.min(1 - f(t) / f(t - 1), maxBeta);
      return out;
    }
    default:
      throw new RangeError(
        `betaSchedule: kind must be one of ${BETA_SCHEDULE_KINDS.join(', ')}; got ${JSON.stringify(kind)}`,
      );
  }
}

function checkBetas(betas: ArrayLike<number>): void {
  if (betas.length === 0) throw new RangeError('betas must not be empty');
  for (let i = 0; i < betas.length; i++) {
    const b = betas[i];
    if (!(b > 0 && b <= 1)) throw new RangeError(`betas[${i}] must be in (0, 1]; got ${b}`);
  }
}

/** α_t = 1 − β_t (DDPM §2, notation above eq. 4). */
export function alphas(betas: ArrayLike<number>): Float64Array {
  checkBetas(betas);
  return Float64Array.from(betas, (b) => 1 - b);
}

/** ᾱ_t = ∏_{s=1}^{t} α_s (DDPM §2, eq. 4): `out[t − 1] = ᾱ_t`. */
export function alphaBar(betas: ArrayLike<number>): Float64Array {
  const a = alphas(betas);
  const out = new Float64Array(a.length);
  let prod = 1;
  for (let i = 0; i < a.length; i++) {
    prod *= a[i];
    out[i] = prod;
  }
  return out;
}

/**
 * Everything a sampler needs about one schedule, with 1-based accessors: `beta(t)`, `alpha(t)`,
 * `alphaBar(t)` for t = 1 … T and `alphaBar(0) = 1`.
 */
export class NoiseSchedule {
  readonly kind: BetaScheduleKind | 'custom';
  readonly T: number;
  /** β_t at index t − 1. */
  readonly betas: Float64Array;
  /** α_t at index t − 1. */
  readonly alphas: Float64Array;
  /** ᾱ_t at index t − 1. */
  readonly alphaBars: Float64Array;

  constructor(betas: ArrayLike<number>, kind: BetaScheduleKind | 'custom' = 'custom') {
    this.betas = Float64Array.from(betas);
    this.alphas = alphas(this.betas);
    this.alphaBars = alphaBar(this.betas);
    this.T = this.betas.length;
    this.kind = kind;
  }

  private check(t: number, allowZero: boolean): void {
    const low = allowZero ? 0 : 1;
    if (!Number.isInteger(t) || t < low || t > this.T) {
      throw new RangeError(`t must be an integer in [${low}, ${this.T}]; got ${t}`);
    }
  }

  /** β_t, t = 1 … T. */
  beta(t: number): number {
    this.check(t, false);
    return this.betas[t - 1];
  }

  /** α_t = 1 − β_t, t = 1 … T. */
  alpha(t: number): number {
    this.check(t, false);
    return this.alphas[t - 1];
  }

  /** ᾱ_t, t = 0 … T (ᾱ_0 = 1). */
  alphaBar(t: number): number {
    this.check(t, true);
    return t === 0 ? 1 : this.alphaBars[t - 1];
  }

  /** β̃_t = (1 − ᾱ_{t−1})/(1 − ᾱ_t)·β_t, the posterior variance (DDPM eq. 7); β̃_1 = 0. */
  posteriorVariance(t: number): number {
    this.check(t, false);
    return ((1 - this.alphaBar(t - 1)) / (1 - this.alphaBar(t))) * this.beta(t);
  }

  /** Signal-to-noise ratio ᾱ_t/(1 − ᾱ_t) (Kingma et al. 2021; CFG's λ = log SNR). */
  snr(t: number): number {
    const ab = this.alphaBar(t);
    return ab / (1 - ab);
  }
}

/** `new NoiseSchedule(betaSchedule(kind, T, options), kind)`. */
export function noiseSchedule(kind: BetaScheduleKind, T: number, options: BetaScheduleOptions = {}): NoiseSchedule {
  return new NoiseSchedule(betaSchedule(kind, T, options), kind);
}
