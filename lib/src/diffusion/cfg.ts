/**
 * Classifier-free guidance 분류기 없는 가이던스 (Ho & Salimans 2021, lectures 002–004).
 * One network learns ε_θ(z, c) and ε_θ(z) = ε_θ(z, ∅) by dropping c with probability p_uncond
 * (CFG Algorithm 1, see `trainDiffusion`); sampling uses the guided estimate
 *   ε̃ = (1 + w)·ε_θ(z, c) − w·ε_θ(z)                                    (CFG Algorithm 2, line 3)
 * with any sampler in place of line 5 ("could be replaced by another sampler, e.g. DDIM"). Our time
 * is discrete t with α_λ = √ᾱ_t, σ_λ = √(1−ᾱ_t), λ = log(ᾱ_t/(1−ᾱ_t)); the algorithm's variance
 * interpolation (σ̃²)^{1−v}(σ²)^v is `ddpmSample`'s `variance: v`.
 *
 * @see notebooks/09-ddim-guidance
 */
import * as tf from '@tensorflow/tfjs';
import { checkSameShape } from '../util/validate';
import { ConditionalEpsilonPredictor, EpsilonPredictor } from './types';

/** ε̃ = (1 + w)·ε_cond − w·ε_uncond (CFG Algorithm 2, line 3). w = 0 is the conditional model. */
export function classifierFreeEpsilon(epsCond: tf.Tensor, epsUncond: tf.Tensor, w: number): tf.Tensor {
  checkSameShape(epsCond, 'epsCond', epsUncond, 'epsUncond');
  if (!Number.isFinite(w)) throw new RangeError(`w must be a finite number; got ${w}`);
  return tf.tidy(() => tf.sub(tf.mul(epsCond, 1 + w), tf.mul(epsUncond, w)));
}

/**
 * An `EpsilonPredictor` for the guided ε̃ with one label per example. The conditional and the
 * unconditional (label `nullLabel`) passes run as one batch of 2B. At w = 0 only the conditional
 * pass runs.
 */
export function classifierFreeGuidance(
  model: ConditionalEpsilonPredictor,
  labels: readonly number[] | Int32Array,
  nullLabel: number,
  w: number,
): EpsilonPredictor {
  if (!Number.isFinite(w)) throw new RangeError(`w must be a finite number; got ${w}`);
  if (!Number.isInteger(nullLabel)) throw new RangeError(`nullLabel must be an integer; got ${nullLabel}`);
  const ys = Array.from(labels);
  return (xt: tf.Tensor, t: number) => {
    const batch = xt.shape[0];
    if (batch !== ys.length) throw new RangeError(`labels must have one entry per example (${batch}); got ${ys.length}`);
    return tf.tidy(() => {
      if (w === 0) return model(xt, t, tf.tensor1d(ys, 'int32'));
      const both = model(tf.concat([xt, xt], 0), t, tf.tensor1d([...ys, ...new Array<number>(batch).fill(nullLabel)], 'int32'));
      const [cond, uncond] = tf.split(both, 2, 0);
      return classifierFreeEpsilon(cond, uncond, w);
    });
  };
}
