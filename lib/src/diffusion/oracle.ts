/**
 * The exact noise predictor for data from a mixture of isotropic Gaussians — a "perfect network"
 * that lets the samplers be studied without training error. For x_0 ~ Σ_k π_k N(m_k, s_k²·I):
 *   q(x_t) = Σ_k π_k N(√ᾱ_t·m_k, v_k·I), v_k = ᾱ_t·s_k² + 1 − ᾱ_t
 *   ∇ log q(x_t) = −Σ_k r_k(x_t)·(x_t − √ᾱ_t·m_k)/v_k, r_k = posterior responsibility of component k
 *   ε*(x_t, t) = E[ε | x_t] = −√(1 − ᾱ_t)·∇ log q(x_t)      (Tweedie; Song et al. 2021, eq. 4 of DDIM)
 * With labels, the conditional ε*(x_t, t, c) uses component c alone (or the classes' components).
 *
 * @see notebooks/09-ddim-guidance
 */
import * as tf from '@tensorflow/tfjs';
import { NoiseSchedule } from './schedule';
import { ConditionalEpsilonPredictor, EpsilonPredictor } from './types';

/** A mixture of isotropic Gaussians in D dimensions. */
export interface GaussianMixtureSpec {
  /** K component means, each of length D. */
  means: readonly (readonly number[])[];
  /** One standard deviation per component (or one for all). */
  stds: number | readonly number[];
  /** Mixture weights (default uniform); must sum to 1. */
  weights?: readonly number[];
  /** The class of each component (default: component k has class k). */
  classes?: readonly number[];
}

function resolve(spec: GaussianMixtureSpec): { means: number[][]; stds: number[]; weights: number[]; classes: number[] } {
  const K = spec.means.length;
  if (K === 0) throw new RangeError('means must not be empty');
  const D = spec.means[0].length;
  spec.means.forEach((m, k) => {
    if (m.length !== D) throw new RangeError(`means[${k}] has ${m.length} values; means[0] has ${D}`);
  });
  const stds = typeof spec.stds === 'number' ? new Array<number>(K).fill(spec.stds) : Array.from(spec.stds);
  if (stds.length !== K || stds.some((s) => !(s >= 0))) throw new RangeError(`stds must be one number >= 0 or one per component (${K})`);
  const weights = spec.weights ? Array.from(spec.weights) : new Array<number>(K).fill(1 / K);
  if (weights.length !== K || weights.some((w) => !(w > 0)) || Math.abs(weights.reduce((s, w) => s + w, 0) - 1) > 1e-6) {
    throw new RangeError(`weights must be ${K} positive numbers summing to 1`);
  }
  const classes = spec.classes ? Array.from(spec.classes) : Array.from({ length: K }, (_, k) => k);
  if (classes.length !== K) throw new RangeError(`classes must have one entry per component (${K})`);
  return { means: spec.means.map((m) => Array.from(m)), stds, weights, classes };
}

/** ε* for x_t [B, D] given per-row log-weights [B, K] over the components (−Infinity excludes one). */
function mixtureEpsilon(schedule: NoiseSchedule, xt: tf.Tensor, t: number, means: number[][], stds: number[], logWeights: tf.Tensor2D): tf.Tensor {
  const ab = schedule.alphaBar(t);
  const D = means[0].length;
  return tf.tidy(() => {
    const mu = tf.mul(tf.tensor2d(means), Math.sqrt(ab)); // [K, D]
    const v = tf.tensor1d(stds.map((s) => ab * s * s + 1 - ab)); // [K]
    const diff = tf.sub(tf.expandDims(xt, 1), tf.expandDims(mu, 0)); // [B, K, D]
    const sq = tf.sum(tf.square(diff), 2); // [B, K]
    const logp = tf.add(logWeights, tf.sub(tf.mul(tf.log(tf.mul(v, 2 * Math.PI)), -D / 2), tf.div(sq, tf.mul(v, 2)))); // [B, K]
    const r = tf.softmax(logp); // [B, K]
    const score = tf.neg(tf.sum(tf.mul(tf.expandDims(tf.div(r, v), 2), diff), 1)); // [B, D]
    return tf.mul(score, -Math.sqrt(1 - ab));
  });
}

/** The exact unconditional ε*(x_t, t) for mixture data (rows of x_t are points in D dimensions). */
export function gaussianMixtureEpsilon(schedule: NoiseSchedule, spec: GaussianMixtureSpec): EpsilonPredictor {
  const { means, stds, weights } = resolve(spec);
  return (xt, t) =>
    tf.tidy(() => mixtureEpsilon(schedule, xt, t, means, stds, tf.tile(tf.tensor2d([weights.map(Math.log)]), [xt.shape[0], 1]) as tf.Tensor2D));
}

/**
 * The exact conditional ε*(x_t, t, c): the mixture restricted to the components of class c; the
 * label `nullLabel` (default: number of classes) gives the unconditional ε*.
 */
export function gaussianMixtureConditionalEpsilon(schedule: NoiseSchedule, spec: GaussianMixtureSpec, nullLabel?: number): ConditionalEpsilonPredictor {
  const { means, stds, weights, classes } = resolve(spec);
  const nullL = nullLabel ?? Math.max(...classes) + 1;
  return (xt, t, labels) =>
    tf.tidy(() => {
      const ys = Array.from(labels.dataSync());
      const logW = ys.map((y) => weights.map((w, k) => (y === nullL || classes[k] === y ? Math.log(w) : -Infinity)));
      ys.forEach((y, i) => {
        if (logW[i].every((v) => v === -Infinity)) throw new RangeError(`labels[${i}] = ${y} matches no component and is not the null label ${nullL}`);
      });
      return mixtureEpsilon(schedule, xt, t, means, stds, tf.tensor2d(logW));
    });
}
