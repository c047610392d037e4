/**
 * A RealNVP-style normalising flow for 2D data (Dinh, Sohl-Dickstein & Bengio 2017, "Density
 * estimation using Real NVP"; lecture 004 "Flow-based models: invertible transform of
 * distributions").
 *
 * A flow is an invertible map f from data x to a latent z with a simple density p_Z = N(0, I). The
 * change of variables (변수 변환) gives the exact log-likelihood
 *
 *   log p_X(x) = log p_Z(f(x)) + log |det ∂f(x)/∂x|                        (RealNVP eq. 3)
 *
 * and sampling runs the inverse: z ~ N(0, I), x = f⁻¹(z). f is a chain of affine coupling layers
 * (RealNVP eq. 4–6, with a binary mask b that alternates between the two coordinates):
 *
 *   y = b ⊙ x + (1 − b) ⊙ (x ⊙ exp(s(b ⊙ x)) + t(b ⊙ x)),   log|det| = Σ (1 − b) ⊙ s(b ⊙ x)
 *
 * whose Jacobian is triangular, so its determinant is the product of the diagonal, and whose inverse
 * is x = b ⊙ y + (1 − b) ⊙ (y − t(b ⊙ y)) ⊙ exp(−s(b ⊙ y)). s and t are small MLPs; s passes through
 * tanh to keep each layer's scaling within e^±1 (a common stabiliser). A fixed standardisation
 * x ↦ (x − μ)/σ comes first, with its own log-determinant −Σ log σ.
 *
 * @see notebooks/07-autoregressive-and-flows
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random/rng';
import { trainLoop, Progress, Losses } from '../train/loop';
import { gatherRows } from '../data/batches';
import { batchStream } from './autoencoder';

export interface RealNvpConfig {
  /** Number of affine coupling layers (masks alternate). Default 8. */
  couplings?: number;
  /** Hidden width of the s and t networks. Default 64. */
  hiddenUnits?: number;
  /** Hidden layers of the s and t networks. Default 2. */
  hiddenLayers?: number;
  /** Standardisation applied first: x ↦ (x − shift) / scale (fit it to the data). Default 0 and 1. */
  shift?: readonly [number, number];
  scale?: readonly [number, number];
  seed: number;
}

type Resolved = Required<RealNvpConfig>;

/** log N(z; 0, I) for 2D z, per row. */
function standardNormalLogProb(z: tf.Tensor2D): tf.Tensor1D {
  return tf.tidy(() => tf.sub(tf.mul(tf.sum(tf.square(z), 1), -0.5), Math.log(2 * Math.PI)) as tf.Tensor1D);
}

/** A 2D RealNVP: data x ↔ latent z through affine couplings. */
export class RealNvp2d {
  readonly config: Resolved;
  /** The weights by name (what checkpoints store). */
  readonly variables: Record<string, tf.Variable>;

  constructor(config: RealNvpConfig, weights?: Record<string, tf.Tensor>) {
    const c: Resolved = { couplings: 8, hiddenUnits: 64, hiddenLayers: 2, shift: [0, 0], scale: [1, 1], ...config };
    for (const key of ['couplings', 'hiddenUnits'] as const) {
      if (!Number.isInteger(c[key]) || c[key] < 1) throw new RangeError(`${key} must be a positive integer; got ${c[key]}`);
    }
    if (!Number.isInteger(c.hiddenLayers) || c.hiddenLayers < 0) throw new RangeError(`hiddenLayers must be an integer >= 0; got ${c.hiddenLayers}`);
    if (c.shift.length !== 2 || !c.shift.every(Number.isFinite)) throw new RangeError(`shift must be two finite numbers; got [${c.shift}]`);
    if (c.scale.length !== 2 || !c.scale.every((s) => Number.isFinite(s) && s > 0)) throw new RangeError(`scale must be two positive numbers; got [${c.scale}]`);
    this.config = c;
    const rng = new Rng(c.seed);
    this.variables = {};
    for (let k = 0; k < c.couplings; k++) {
      let fanIn = 1;
      for (let l = 0; l <= c.hiddenLayers; l++) {
        const out = l === c.hiddenLayers ? 2 : c.hiddenUnits;
        const last = l === c.hiddenLayers;
        this.addVariable(`c${k}.w${l}`, [fanIn, out], weights, () =>
          // the last layer starts at zero: every coupling starts as the identity (s = t = 0)
          last ? tf.zeros([fanIn, out]) : (tf.initializers.glorotUniform({ seed: rng.tfSeed() }).apply([fanIn, out]) as tf.Tensor),
        );
        this.addVariable(`c${k}.b${l}`, [out], weights, () => tf.zeros([out]));
        fanIn = out;
      }
    }
  }

  private addVariable(name: string, shape: number[], weights: Record<string, tf.Tensor> | undefined, init: () => tf.Tensor): void {
    const given = weights?.[name];
    if (weights && !given) throw new RangeError(`weights must contain '${name}'`);
    if (given && given.shape.join() !== shape.join()) throw new RangeError(`weights['${name}'] must have shape [${shape}]; got [${given.shape}]`);
    const value = given ? given.clone() : init();
    this.variables[name] = tf.variable(value, true);
    value.dispose();
  }

  /** Which coordinate coupling k leaves unchanged (and conditions on): 0, 1, 0, 1, … */
  conditioner(k: number): 0 | 1 {
    return (k % 2) as 0 | 1;
  }

  /** s(·) and t(·) of coupling k for the conditioning column [N,1]: each [N,1]. */
  private shiftAndLogScale(k: number, column: tf.Tensor2D): { s: tf.Tensor2D; t: tf.Tensor2D } {
    const v = this.variables;
    let h: tf.Tensor2D = column;
    for (let l = 0; l <= this.config.hiddenLayers; l++) {
      h = tf.add(tf.matMul(h, v[`c${k}.w${l}`]), v[`c${k}.b${l}`]) as tf.Tensor2D;
      if (l < this.config.hiddenLayers) h = tf.relu(h);
    }
    const [raw, t] = tf.split(h, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
    return { s: tf.tanh(raw), t };
  }

  /** f: data → latent. Returns z [N,2] and log|det ∂z/∂x| [N]. */
  forward(x: tf.Tensor2D): { z: tf.Tensor2D; logDet: tf.Tensor1D } {
    return tf.tidy(() => {
      const { shift, scale } = this.config;
      let h = tf.div(tf.sub(x, tf.tensor1d([...shift])), tf.tensor1d([...scale])) as tf.Tensor2D;
      let logDet = tf.fill([x.shape[0]], -(Math.log(scale[0]) + Math.log(scale[1]))) as tf.Tensor1D;
      for (let k = 0; k < this.config.couplings; k++) {
        const keep = this.conditioner(k);
        const cols = tf.split(h, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
        const { s, t } = this.shiftAndLogScale(k, cols[keep]);
        const changed = tf.add(tf.mul(cols[1 - keep], tf.exp(s)), t) as tf.Tensor2D;
        h = (keep === 0 ? tf.concat([cols[0], changed], 1) : tf.concat([changed, cols[1]], 1)) as tf.Tensor2D;
        logDet = tf.add(logDet, tf.reshape(s, [-1])) as tf.Tensor1D;
      }
      return { z: h, logDet };
    });
  }

  /** f⁻¹: latent → data. */
  inverse(z: tf.Tensor2D): tf.Tensor2D {
    return tf.tidy(() => {
      let h = z;
      for (let k = this.config.couplings - 1; k >= 0; k--) {
        const keep = this.conditioner(k);
        const cols = tf.split(h, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
        const { s, t } = this.shiftAndLogScale(k, cols[keep]);
        const restored = tf.mul(tf.sub(cols[1 - keep], t), tf.exp(tf.neg(s))) as tf.Tensor2D;
        h = (keep === 0 ? tf.concat([cols[0], restored], 1) : tf.concat([restored, cols[1]], 1)) as tf.Tensor2D;
      }
      const { shift, scale } = this.config;
      return tf.add(tf.mul(h, tf.tensor1d([...scale])), tf.tensor1d([...shift])) as tf.Tensor2D;
    });
  }

  /** Exact log p_X(x) = log N(f(x); 0, I) + log|det ∂f/∂x| per row, nats, [N]. */
  logProb(x: tf.Tensor2D): tf.Tensor1D {
    return tf.tidy(() => {
      const { z, logDet } = this.forward(x);
      return tf.add(standardNormalLogProb(z), logDet) as tf.Tensor1D;
    });
  }

  /** Mean log-likelihood (nats per point) of a set of points (flat, N·2). */
  meanLogLikelihood(points: Float32Array): number {
    const n = points.length / 2;
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`points must hold N·2 coordinates; got ${points.length}`);
    return tf.tidy(() => tf.mean(this.logProb(tf.tensor2d(points, [n, 2]))).dataSync()[0]);
  }

  /** count samples x = f⁻¹(z), z ~ N(0, I): [count, 2]. */
  sample(count: number, seed: number): tf.Tensor2D {
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer; got ${count}`);
    return tf.tidy(() => this.inverse(tf.randomNormal([count, 2], 0, 1, 'float32', new Rng(seed).tfSeed()) as tf.Tensor2D));
  }

  trainableVariables(): tf.Variable[] {
    return Object.values(this.variables);
  }

  get parameterCount(): number {
    return Object.values(this.variables).reduce((s, v) => s + v.size, 0);
  }

  dispose(): void {
    tf.dispose(Object.values(this.variables));
  }
}

/** Mean and standard deviation of each coordinate of 2D points (for the flow's standardisation). */
export function standardization(points: Float32Array): { shift: [number, number]; scale: [number, number] } {
  const n = points.length / 2;
  if (!Number.isInteger(n) || n < 2) throw new RangeError(`points must hold N·2 coordinates with N >= 2; got ${points.length}`);
  const mean = [0, 0];
  for (let i = 0; i < n; i++) for (let j = 0; j < 2; j++) mean[j] += points[2 * i + j] / n;
  const variance = [0, 0];
  for (let i = 0; i < n; i++) for (let j = 0; j < 2; j++) variance[j] += (points[2 * i + j] - mean[j]) ** 2 / (n - 1);
  return { shift: [mean[0], mean[1]], scale: [Math.sqrt(variance[0]) || 1, Math.sqrt(variance[1]) || 1] };
}

export interface TrainFlowOptions {
  /** Training points, flat N·2. */
  points: Float32Array;
  steps: number;
  /** Default 256. */
  batchSize?: number;
  /** Adam learning rate. Default 3e-3, decaying linearly to 10%. */
  learningRate?: number;
  seed: number;
  onProgress?: (progress: Progress) => void;
}

/** Maximum likelihood: minimise the mean −log p_X(x) over mini-batches with Adam. */
export async function trainFlow(model: RealNvp2d, options: TrainFlowOptions): Promise<{ history: Losses[]; seconds: number }> {
  const { points, steps, batchSize = 256, learningRate = 3e-3, seed, onProgress } = options;
  const n = points.length / 2;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`points must hold N·2 coordinates; got ${points.length}`);
  const rng = new Rng(seed);
  const nextBatch = batchStream(n, batchSize, rng);
  const optimizer = tf.train.adam(learningRate);
  const variables = model.trainableVariables();
  try {
    return await trainLoop({
      steps,
      onProgress,
      step: (i) => {
        (optimizer as unknown as { learningRate: number }).learningRate = learningRate * (1 - (0.9 * i) / Math.max(1, steps));
        const idx = nextBatch();
        const x = tf.tensor2d(gatherRows(points, 2, idx), [idx.length, 2]);
        const loss = optimizer.minimize(() => tf.neg(tf.mean(model.logProb(x))) as tf.Scalar, true, variables)!;
        const nll = loss.dataSync()[0];
        tf.dispose([x, loss]);
        return { nll };
      },
    });
  } finally {
    optimizer.dispose();
  }
}
