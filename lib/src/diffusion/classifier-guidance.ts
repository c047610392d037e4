/**
 * Classifier guidance 분류기 가이던스 (Dhariwal & Nichol 2021, lectures 002–004): a classifier
 * p_φ(y | x_t) trained on noisy images steers an unconditional model toward class y.
 *
 * Algorithm 1 (DDPM, printed in lecture 004):
 *   x_T ~ N(0, I); for t = T … 1: μ, Σ ← μ_θ(x_t), Σ_θ(x_t);
 *   x_{t−1} ~ N(μ + s·Σ·∇_{x_t} log p_φ(y | x_t), Σ)
 * Algorithm 2 (DDIM): ε̂ = ε_θ(x_t) − √(1−ᾱ_t)·s·∇_{x_t} log p_φ(y | x_t), then a DDIM step with ε̂.
 * Here Σ = σ_t²·I is fixed (the paper learns it); the scale s multiplies the gradient, so s > 1
 * sharpens p(y | x)^s (scale 1 vs 10 in the lecture's corgi figure).
 *
 * @see notebooks/09-ddim-guidance
 */
import * as tf from '@tensorflow/tfjs';
import { DdimOptions, ddimSample } from './ddim';
import { DdpmOptions, ddpmSample } from './ddpm';
import { NoiseSchedule } from './schedule';
import { EpsilonPredictor } from './types';

/** A noisy-image classifier: logits [B, K] for x_t [B, …] at time step t. */
export type NoisyClassifier = (xt: tf.Tensor, t: number) => tf.Tensor;

/** ∇_{x_t} log p_φ(y | x_t) for a batch x_t and one target label per example. */
export type ClassifierGradient = (xt: tf.Tensor, t: number) => tf.Tensor;

/** The gradient of Σ_i log softmax(f(x_t, t))_{i, y_i} with respect to x_t, one label per row. */
export function classifierLogProbGradient(classifier: NoisyClassifier, labels: readonly number[] | Int32Array): ClassifierGradient {
  const ys = Array.from(labels);
  return (xt: tf.Tensor, t: number) => {
    if (xt.shape[0] !== ys.length) {
      throw new RangeError(`labels must have one entry per example (${xt.shape[0]}); got ${ys.length}`);
    }
    return tf.tidy(() => {
      const grad = tf.grad((x: tf.Tensor) => {
        const logits = classifier(x, t) as tf.Tensor2D;
        const oneHot = tf.oneHot(tf.tensor1d(ys, 'int32'), logits.shape[1]);
        return tf.sum(tf.mul(tf.logSoftmax(logits), oneHot));
      });
      return grad(xt);
    });
  };
}

/** Options of `classifierGuidedSample`. */
export type ClassifierGuidedOptions =
  | ({ sampler: 'ddpm'; gradient: ClassifierGradient; scale: number } & Omit<DdpmOptions, 'meanShift'>)
  | ({ sampler: 'ddim'; gradient: ClassifierGradient; scale: number } & DdimOptions);

/**
 * Classifier-guided sampling with scale s: Algorithm 1 (`sampler: 'ddpm'`, mean shifted by
 * s·σ_t²·∇ log p_φ) or Algorithm 2 (`sampler: 'ddim'`, ε shifted by −√(1−ᾱ_t)·s·∇ log p_φ).
 */
export async function classifierGuidedSample(
  schedule: NoiseSchedule,
  epsilon: EpsilonPredictor,
  options: ClassifierGuidedOptions,
): Promise<tf.Tensor> {
  const { scale, gradient } = options;
  if (!Number.isFinite(scale)) throw new RangeError(`scale must be a finite number; got ${scale}`);
  if (options.sampler === 'ddpm') {
    const { sampler: _s, gradient: _g, scale: _c, ...rest } = options;
    return ddpmSample(schedule, epsilon, {
      ...rest,
      meanShift: (xt, t, sigma2) => tf.tidy(() => tf.mul(gradient(xt, t), scale * sigma2)),
    });
  }
  if (options.sampler === 'ddim') {
    const { sampler: _s, gradient: _g, scale: _c, ...rest } = options;
    const guided: EpsilonPredictor = (xt, t) =>
      tf.tidy(() => tf.sub(epsilon(xt, t), tf.mul(gradient(xt, t), Math.sqrt(1 - schedule.alphaBar(t)) * scale)));
    return ddimSample(schedule, guided, rest);
  }
  throw new RangeError(`sampler must be 'ddpm' or 'ddim'; got ${JSON.stringify((options as { sampler: unknown }).sampler)}`);
}
