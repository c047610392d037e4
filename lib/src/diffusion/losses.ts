/**
 * The DDPM training objective (손실 함수 loss), DDPM eq. 5 (lectures 001 and 004):
 *   L = E_q[ L_T + Σ_{t>1} L_{t−1} + L_0 ]
 *   L_T     = D_KL(q(x_T | x_0) ‖ p(x_T))                       prior matching, no parameters
 *   L_{t−1} = D_KL(q(x_{t−1} | x_t, x_0) ‖ p_θ(x_{t−1} | x_t))   denoising matching
 *   L_0     = −log p_θ(x_0 | x_1)                                reconstruction (DDPM eq. 13)
 * With the ε-parameterisation, L_{t−1} = λ_t·‖ε − ε_θ‖² + const with λ_t = β_t²/(2σ_t²·α_t·(1−ᾱ_t))
 * (DDPM eq. 12); dropping λ_t gives L_simple = E‖ε − ε_θ(√ᾱ_t·x_0 + √(1−ᾱ_t)·ε, t)‖² (eq. 14).
 * (Lecture 004 prints Σ_{t>1} as a product ∏ — a typo; the terms add.) All per-example losses here
 * are in nats, summed over the data dimensions.
 *
 * @see notebooks/08-diffusion-ddpm
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random';
import { qSample } from './forward';
import { posteriorMeanVariance } from './posterior';
import { ReverseVariance, reverseMean, reverseVariance } from './reverse';
import { NoiseSchedule } from './schedule';
import { checkBatched } from './timesteps';
import { checkSameShape } from '../util/validate';
import { EpsilonPredictor } from './types';

/** Elementwise KL(N(mean1, exp(logVar1)) ‖ N(mean2, exp(logVar2))) in nats. */
export function normalKl(mean1: tf.Tensor, logVar1: tf.Tensor | number, mean2: tf.Tensor, logVar2: tf.Tensor | number): tf.Tensor {
  return tf.tidy(() => {
    const lv1 = tf.scalar(0).add(logVar1);
    const lv2 = tf.scalar(0).add(logVar2);
    return tf
      .sub(lv2, lv1)
      .add(tf.exp(tf.sub(lv1, lv2)))
      .add(tf.squaredDifference(mean1, mean2).mul(tf.exp(tf.neg(lv2))))
      .sub(1)
      .mul(0.5);
  });
}

/** Sum over every axis but the batch axis: [B, …] → [B]. */
function sumPerExample(x: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => (x.rank === 1 ? x.clone() : tf.sum(x, Array.from({ length: x.rank - 1 }, (_, i) => i + 1)))) as tf.Tensor1D;
}

/** L_T = D_KL(N(√ᾱ_T·x_0, (1−ᾱ_T)·I) ‖ N(0, I)) per example [B] (DDPM eq. 5); no parameters. */
export function priorLoss(schedule: NoiseSchedule, x0: tf.Tensor): tf.Tensor1D {
  checkBatched(x0, 'x0');
  const ab = schedule.alphaBar(schedule.T);
  // KL(N(√ᾱ·x, 1−ᾱ) ‖ N(0, 1)) = ½(ᾱ·x² + (1−ᾱ) − 1 − log(1−ᾱ)) = ½(ᾱ·x² + c), c = −log(1−ᾱ) − ᾱ
  // computed in float64: in float32 the constant cancels to noise when ᾱ_T ≈ 4e-5.
  const c = -Math.log1p(-ab) - ab;
  return tf.tidy(() => sumPerExample(tf.add(tf.mul(tf.square(x0), ab), c).mul(0.5)));
}

/** λ_t = β_t²/(2σ_t²·α_t·(1−ᾱ_t)), the weight of ‖ε − ε_θ‖² in L_{t−1} (DDPM eq. 12), t ≥ 2. */
export function lossWeight(schedule: NoiseSchedule, t: number, variance: ReverseVariance = 'beta'): number {
  if (t < 2) throw new RangeError(`lossWeight: t must be >= 2 (L_0 is a decoder term); got ${t}`);
  const sigma2 = reverseVariance(schedule, t, variance);
  return schedule.beta(t) ** 2 / (2 * sigma2 * schedule.alpha(t) * (1 - schedule.alphaBar(t)));
}

/**
 * L_{t−1} = D_KL(q(x_{t−1} | x_t, x_0) ‖ p_θ(x_{t−1} | x_t)) per example [B], for one t ≥ 2
 * (DDPM eq. 5, with μ_θ from eq. 11 and σ_t² from `variance`).
 */
export function denoisingLoss(
  schedule: NoiseSchedule,
  x0: tf.Tensor,
  xt: tf.Tensor,
  t: number,
  epsPred: tf.Tensor,
  variance: ReverseVariance = 'beta',
): tf.Tensor1D {
  checkSameShape(x0, 'x0', xt, 'xt');
  checkSameShape(xt, 'xt', epsPred, 'epsPred');
  if (!Number.isInteger(t) || t < 2 || t > schedule.T) {
    throw new RangeError(`denoisingLoss: t must be an integer in [2, ${schedule.T}]; got ${t}`);
  }
  return tf.tidy(() => {
    const { mean: trueMean, variance: trueVar } = posteriorMeanVariance(schedule, x0, xt, t);
    const modelMean = reverseMean(schedule, xt, t, epsPred);
    const sigma2 = reverseVariance(schedule, t, variance);
    return sumPerExample(normalKl(trueMean, Math.log(trueVar[0]), modelMean, Math.log(sigma2)));
  });
}

/** Φ(x), the standard normal CDF. */
function normalCdf(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.mul(tf.add(tf.erf(tf.div(x, Math.SQRT2)), 1), 0.5));
}

/**
 * log of the probability that N(mean, exp(logScale)²) puts on the bin of each x for data in
 * [−1, 1] quantised to `bins` levels; the outer bins reach ±∞ (DDPM eq. 13 and §3.3).
 */
export function discretizedGaussianLogLikelihood(x: tf.Tensor, mean: tf.Tensor, logScale: number, bins = 256): tf.Tensor {
  const half = 1 / (bins - 1);
  return tf.tidy(() => {
    const invStd = Math.exp(-logScale);
    const centred = tf.sub(x, mean);
    const cdfPlus = normalCdf(tf.mul(tf.add(centred, half), invStd));
    const cdfMinus = normalCdf(tf.mul(tf.sub(centred, half), invStd));
    const tiny = 1e-12;
    const logCdfPlus = tf.log(tf.maximum(cdfPlus, tiny));
    const logOneMinusCdfMinus = tf.log(tf.maximum(tf.sub(1, cdfMinus), tiny));
    const logBin = tf.log(tf.maximum(tf.sub(cdfPlus, cdfMinus), tiny));
    const low = tf.less(x, -1 + 1e-3);
    const high = tf.greater(x, 1 - 1e-3);
    return tf.where(low, logCdfPlus, tf.where(high, logOneMinusCdfMinus, logBin));
  });
}

/** Decoder p_θ(x_0 | x_1): a discretised Gaussian over 256 levels (images) or a plain density. */
export type DecoderKind = 'discretized' | 'gaussian';

/**
 * σ_1² used by the decoder. With the posterior variance β̃_1 = 0, the DDPM code uses β̃_2 in its
 * place ("posterior_log_variance_clipped"); we do the same.
 */
export function decoderVariance(schedule: NoiseSchedule, variance: ReverseVariance): number {
  const v = reverseVariance(schedule, 1, variance);
  return v > 0 ? v : reverseVariance(schedule, Math.min(2, schedule.T), variance);
}

/**
 * L_0 = −log p_θ(x_0 | x_1) per example [B] (DDPM eq. 13): the decoder is N(μ_θ(x_1, 1), σ_1²·I),
 * discretised to 256 levels on [−1, 1] (`'discretized'`, images) or a density (`'gaussian'`,
 * continuous data such as the 2D toys).
 */
export function decoderNll(
  schedule: NoiseSchedule,
  x0: tf.Tensor,
  x1: tf.Tensor,
  epsPred: tf.Tensor,
  variance: ReverseVariance = 'beta',
  decoder: DecoderKind = 'discretized',
): tf.Tensor1D {
  checkSameShape(x0, 'x0', x1, 'x1');
  checkSameShape(x1, 'x1', epsPred, 'epsPred');
  const sigma2 = decoderVariance(schedule, variance);
  return tf.tidy(() => {
    const mean = reverseMean(schedule, x1, 1, epsPred);
    if (decoder === 'discretized') {
      return sumPerExample(tf.neg(discretizedGaussianLogLikelihood(x0, mean, 0.5 * Math.log(sigma2))));
    }
    if (decoder !== 'gaussian') throw new RangeError(`decoder must be 'discretized' or 'gaussian'; got ${String(decoder)}`);
    const nll = tf.squaredDifference(x0, mean).div(2 * sigma2).add(0.5 * Math.log(2 * Math.PI * sigma2));
    return sumPerExample(nll);
  });
}

/**
 * L_simple = E‖ε − ε_θ‖² (DDPM eq. 14, Algorithm 1 line 5) as a scalar. `'sum'` sums over the data
 * dimensions and averages over the batch (the paper's ‖·‖²); `'mean'` (the default, as in the DDPM
 * code's `mean_flat`) also divides by the number of dimensions — a constant factor.
 */
export function simpleLoss(eps: tf.Tensor, epsPred: tf.Tensor, reduction: 'mean' | 'sum' = 'mean'): tf.Scalar {
  checkSameShape(eps, 'eps', epsPred, 'epsPred');
  return tf.tidy(() => {
    const sq = tf.squaredDifference(eps, epsPred);
    if (reduction === 'mean') return tf.mean(sq);
    if (reduction !== 'sum') throw new RangeError(`reduction must be 'mean' or 'sum'; got ${String(reduction)}`);
    return tf.mean(sumPerExample(sq));
  }) as tf.Scalar;
}

/**
 * Min-SNR-γ loss weights for ε-prediction (Hang et al. 2023, "Efficient Diffusion Training via
 * Min-SNR Weighting Strategy", §3.4): w_t = min(SNR(t), γ)/SNR(t), SNR(t) = ᾱ_t/(1 − ᾱ_t). Noisy steps
 * (SNR ≤ γ) keep weight 1; nearly clean ones, whose ε is easy to read off and which add little to a
 * sample's shape, weigh less. The paper's γ is 5. One weight per entry of `t`.
 */
export function minSnrWeights(schedule: NoiseSchedule, t: ArrayLike<number>, gamma: number): number[] {
  if (!(gamma > 0 && Number.isFinite(gamma))) throw new RangeError(`minSnrWeights: gamma must be a finite number > 0; got ${gamma}`);
  return Array.from(t, (s) => {
    if (!Number.isInteger(s) || s < 1 || s > schedule.T) throw new RangeError(`minSnrWeights: t must be an integer in [1, ${schedule.T}]; got ${s}`);
    const snr = schedule.snr(s);
    return Math.min(snr, gamma) / snr;
  });
}

/**
 * L_simple with one weight per example: (1/B)·Σ_i w_i·mean_d (ε_i − ε_θ,i)² (the `'mean'` reduction of
 * `simpleLoss`, which it equals when every w_i = 1). With `minSnrWeights`, Min-SNR-γ's loss.
 */
export function weightedSimpleLoss(eps: tf.Tensor, epsPred: tf.Tensor, weights: ArrayLike<number>): tf.Scalar {
  checkSameShape(eps, 'eps', epsPred, 'epsPred');
  const b = checkBatched(eps, 'eps');
  if (weights.length !== b) throw new RangeError(`weightedSimpleLoss: one weight per example (${b}); got ${weights.length}`);
  return tf.tidy(() => {
    const sq = tf.squaredDifference(eps, epsPred);
    const perExample = sq.rank === 1 ? sq : tf.mean(sq, Array.from({ length: sq.rank - 1 }, (_, i) => i + 1));
    return tf.mean(tf.mul(perExample, tf.tensor1d(Array.from(weights))));
  }) as tf.Scalar;
}

/** The terms of one estimate of the variational bound, batch means in nats per example. */
export interface VariationalBound {
  /** L_T. */
  prior: number;
  /** L_{t−1} for t = 2 … T at index t − 2. */
  denoising: number[];
  /** L_0. */
  decoder: number;
  /** L_T + Σ L_{t−1} + L_0. */
  total: number;
}

/**
 * An unbiased estimate of the full bound L = L_T + Σ_{t=2}^{T} L_{t−1} + L_0 (DDPM eq. 5) on a batch:
 * every term is evaluated once (T network calls), each with a fresh x_t ~ q(x_t | x_0).
 */
export function variationalBound(
  schedule: NoiseSchedule,
  epsilon: EpsilonPredictor,
  x0: tf.Tensor,
  options: { seed: number; variance?: ReverseVariance; decoder?: DecoderKind },
): VariationalBound {
  checkBatched(x0, 'x0');
  const variance = options.variance ?? 'beta';
  const rng = new Rng(options.seed);
  const meanOf = (v: tf.Tensor1D): number => {
    const m = tf.mean(v);
    const out = m.dataSync()[0];
    m.dispose();
    v.dispose();
    return out;
  };
  const prior = meanOf(priorLoss(schedule, x0));
  const denoising: number[] = [];
  for (let t = 2; t <= schedule.T; t++) {
    denoising.push(
      meanOf(
        tf.tidy(() => {
          const xt = qSample(schedule, x0, t, rng.normalTensor(x0.shape));
          return denoisingLoss(schedule, x0, xt, t, epsilon(xt, t), variance);
        }),
      ),
    );
  }
  const decoder = meanOf(
    tf.tidy(() => {
      const x1 = qSample(schedule, x0, 1, rng.normalTensor(x0.shape));
      return decoderNll(schedule, x0, x1, epsilon(x1, 1), variance, options.decoder ?? 'discretized');
    }),
  );
  const total = prior + denoising.reduce((s, v) => s + v, 0) + decoder;
  return { prior, denoising, decoder, total };
}
