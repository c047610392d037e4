/**
 * Two ideas of BigGAN (Brock, Donahue & Simonyan 2019) on the course's conditional GAN, at 14×14
 * MNIST scale with dense layers:
 *
 * - **Truncation trick** 절단 기법: sample z from a truncated normal — components with |z_i| > τ are
 *   redrawn until they fall inside — so samples come from the high-density middle of p(z): fidelity
 *   (충실도) goes up, diversity (다양성) down as τ shrinks (BigGAN §3.1, Fig. 2; lecture 003
 *   "BigGAN … truncation trick"). Redrawing rather than clipping keeps the truncated normal's shape.
 * - **Class-conditional batch normalisation** 클래스 조건부 배치 정규화: BN's per-channel gain and
 *   bias become functions of the class, γ(y) = 1 + W_γ·onehot(y), β(y) = W_β·onehot(y) (BigGAN §3;
 *   de Vries et al. 2017), so the label acts on every layer of G instead of only its input.
 *
 * @see notebooks/12-systems-in-practice
 */
import * as tf from '@tensorflow/tfjs';
import { ParameterStore, dense } from '../models/diffusion-nn';
import { Rng } from '../random/rng';
import { stopGradient } from '../models/vq';

/**
 * n·dim draws of N(0, 1) truncated to [−τ, τ] by redrawing each component outside (BigGAN §3.1).
 * τ = Infinity gives plain N(0, I). Returns [n, dim] values row-major.
 */
export function truncatedNormal(rng: Rng, n: number, dim: number, threshold: number): Float32Array {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`n must be a non-negative integer; got ${n}`);
  if (!Number.isInteger(dim) || dim < 1) throw new RangeError(`dim must be a positive integer; got ${dim}`);
  if (!(threshold > 0)) throw new RangeError(`threshold must be > 0 (Infinity = no truncation); got ${threshold}`);
  const out = new Float32Array(n * dim);
  for (let i = 0; i < out.length; i++) {
    let z = rng.normal();
    while (Math.abs(z) > threshold) z = rng.normal();
    out[i] = z;
  }
  return out;
}

/** Variance of N(0, 1) truncated to [−τ, τ]: 1 − 2τφ(τ)/(2Φ(τ) − 1) (closed form, for the checks). */
export function truncatedNormalVariance(threshold: number, normalCdf: (x: number) => number): number {
  if (!(threshold > 0)) throw new RangeError(`threshold must be > 0; got ${threshold}`);
  if (!Number.isFinite(threshold)) return 1;
  const phi = Math.exp(-0.5 * threshold * threshold) / Math.sqrt(2 * Math.PI);
  return 1 - (2 * threshold * phi) / (2 * normalCdf(threshold) - 1);
}

export interface CbnGeneratorConfig {
  latentDim: number;
  numClasses: number;
  /** Output dimension (196 for 14×14). */
  dataDim: number;
  /** Hidden widths. Default [128, 256]. */
  hiddenUnits?: readonly number[];
  seed: number;
}

/**
 * An MLP generator z [B, latentDim], onehot(y) [B, K] → x [B, dataDim] in [−1, 1] (tanh), with a
 * class-conditional BN after each hidden dense layer:
 *   h ← ReLU( (h − μ_B)/√(σ_B² + ε) · (1 + W_γ·onehot(y)) + W_β·onehot(y) )
 * (W_γ, W_β start at zero: at initialisation it is plain BN with γ = 1, β = 0). In training mode
 * μ_B, σ_B² are the batch's and update running averages (momentum 0.9); otherwise the running
 * averages are used (sampling with a truncated z then does not renormalise it away).
 * Implements the GanNetwork interface of gan.GanTrainer (apply([z, onehot], {training})).
 */
export class CbnMlpGenerator {
  readonly config: Required<CbnGeneratorConfig>;
  readonly params: ParameterStore;
  private readonly running = new Map<string, { mean: tf.Variable; variance: tf.Variable }>();

  constructor(config: CbnGeneratorConfig) {
    this.config = { hiddenUnits: config.hiddenUnits ?? [128, 256], ...config } as Required<CbnGeneratorConfig>;
    const c = this.config;
    for (const [k, v] of [['latentDim', c.latentDim], ['numClasses', c.numClasses], ['dataDim', c.dataDim]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`${k} must be a positive integer; got ${v}`);
    }
    this.params = new ParameterStore(config.seed);
    c.hiddenUnits.forEach((units, i) => {
      this.running.set(`bn${i}`, {
        mean: tf.variable(tf.zeros([units]), false),
        variance: tf.variable(tf.ones([units]), false),
      });
    });
    tf.tidy(() => {
      this.forward(tf.zeros([2, c.latentDim]), tf.oneHot(tf.tensor1d([0, 1], 'int32'), c.numClasses).toFloat(), false);
    });
    this.params.freeze();
  }

  /** Parameters and running statistics by name (for `train.saveVariables`). */
  record(): Record<string, tf.Tensor> {
    const out: Record<string, tf.Tensor> = { ...this.params.record() };
    for (const [name, s] of this.running) {
      out[`${name}/running_mean`] = s.mean;
      out[`${name}/running_variance`] = s.variance;
    }
    return out;
  }

  /** Assign values saved from `record()`. */
  assign(values: Record<string, tf.Tensor>): void {
    this.params.assign(values);
    for (const [name, s] of this.running) {
      const m = values[`${name}/running_mean`];
      const v = values[`${name}/running_variance`];
      if (!m || !v) throw new RangeError(`checkpoint has no running statistics for ${name}`);
      s.mean.assign(m);
      s.variance.assign(v);
    }
  }

  /** The BN statistics kept for sampling. */
  runningStatistics(): { mean: tf.Variable; variance: tf.Variable }[] {
    return Array.from(this.running.values());
  }

  get trainableWeights(): { read(): tf.Tensor; write(value: tf.Tensor): unknown }[] {
    return this.params.variables().map((v) => ({ read: () => v, write: (x: tf.Tensor) => v.assign(x) }));
  }

  /** Class-conditional BN of h [B, C] for one-hot labels y [B, K]. */
  conditionalBatchNorm(name: string, h: tf.Tensor, y: tf.Tensor, training: boolean): tf.Tensor {
    const stats = this.running.get(name);
    if (!stats) throw new RangeError(`no batch norm named ${name}`);
    const units = h.shape[1] as number;
    let mean: tf.Tensor;
    let variance: tf.Tensor;
    if (training) {
      const m = tf.moments(h, 0);
      mean = m.mean;
      variance = m.variance;
      const mNew = tf.tidy(() => tf.add(tf.mul(stats.mean, 0.9), tf.mul(stopGradient(mean), 0.1)));
      const vNew = tf.tidy(() => tf.add(tf.mul(stats.variance, 0.9), tf.mul(stopGradient(variance), 0.1)));
      stats.mean.assign(mNew);
      stats.variance.assign(vNew);
      tf.dispose([mNew, vNew]);
    } else {
      mean = stats.mean;
      variance = stats.variance;
    }
    const normed = tf.div(tf.sub(h, mean), tf.sqrt(tf.add(variance, 1e-5)));
    const gamma = tf.add(1, dense(this.params, `${name}/gamma`, y, units, { zeroInit: true }));
    const beta = dense(this.params, `${name}/beta`, y, units, { zeroInit: true });
    return tf.add(tf.mul(normed, gamma), beta);
  }

  private forward(z: tf.Tensor, y: tf.Tensor, training: boolean): tf.Tensor {
    let h: tf.Tensor = z;
    this.config.hiddenUnits.forEach((units, i) => {
      h = tf.relu(this.conditionalBatchNorm(`bn${i}`, dense(this.params, `hidden${i}`, h, units), y, training));
    });
    return tf.tanh(dense(this.params, 'out', h, this.config.dataDim));
  }

  /** G(z, y): inputs [z [B, latentDim], onehot(y) [B, numClasses]]. */
  apply(inputs: tf.Tensor | tf.Tensor[], kwargs: { training?: boolean } = {}): tf.Tensor {
    if (!Array.isArray(inputs) || inputs.length !== 2) throw new RangeError('inputs must be [z, onehot(y)]');
    const [z, y] = inputs;
    if (z.rank !== 2 || z.shape[1] !== this.config.latentDim) throw new RangeError(`z must have shape [B, ${this.config.latentDim}]; got [${z.shape}]`);
    if (y.rank !== 2 || y.shape[1] !== this.config.numClasses || y.shape[0] !== z.shape[0]) {
      throw new RangeError(`the labels must be one-hot [${z.shape[0]}, ${this.config.numClasses}]; got [${y.shape}]`);
    }
    return tf.tidy(() => this.forward(z, y, kwargs.training ?? false));
  }

  /** Samples for given labels with z from the truncated normal (τ = Infinity: no truncation). */
  sample(labels: ArrayLike<number>, threshold: number, seed: number): tf.Tensor2D {
    const rng = new Rng(seed);
    const n = labels.length;
    const z = tf.tensor2d(truncatedNormal(rng, n, this.config.latentDim, threshold), [n, this.config.latentDim]);
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), this.config.numClasses).toFloat());
    const x = this.apply([z, y], { training: false }) as tf.Tensor2D;
    tf.dispose([z, y]);
    return x;
  }

  dispose(): void {
    this.params.dispose();
    for (const s of this.running.values()) tf.dispose([s.mean, s.variance]);
  }
}

/**
 * A projection discriminator (Miyato & Koyama 2018, the discriminator BigGAN uses):
 *   D(x, y) = w·φ(x) + b + ⟨E·onehot(y), φ(x)⟩,   φ = two LeakyReLU(0.2) dense layers,
 * so the label enters as an inner product with the features (a class-matching score) instead of
 * being appended to x. Inputs [x [B, dataDim], onehot(y) [B, K]] → one logit [B, 1].
 */
export class ProjectionMlpDiscriminator {
  readonly params: ParameterStore;
  readonly hiddenUnits: readonly number[];
  readonly numClasses: number;

  constructor(config: { dataDim: number; numClasses: number; hiddenUnits?: readonly number[]; seed: number }) {
    this.hiddenUnits = config.hiddenUnits ?? [256, 128];
    this.numClasses = config.numClasses;
    this.params = new ParameterStore(config.seed);
    tf.tidy(() => {
      this.apply([tf.zeros([1, config.dataDim]), tf.oneHot(tf.tensor1d([0], 'int32'), config.numClasses).toFloat()]);
    });
    this.params.freeze();
  }

  get trainableWeights(): { read(): tf.Tensor; write(value: tf.Tensor): unknown }[] {
    return this.params.variables().map((v) => ({ read: () => v, write: (x: tf.Tensor) => v.assign(x) }));
  }

  apply(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    if (!Array.isArray(inputs) || inputs.length !== 2) throw new RangeError('inputs must be [x, onehot(y)]');
    const [x, y] = inputs;
    return tf.tidy(() => {
      let h: tf.Tensor = x;
      this.hiddenUnits.forEach((units, i) => {
        h = tf.leakyRelu(dense(this.params, `hidden${i}`, h, units), 0.2);
      });
      const units = this.hiddenUnits[this.hiddenUnits.length - 1];
      const projection = tf.sum(tf.mul(dense(this.params, 'embed', y, units), h), 1, true);
      return tf.add(dense(this.params, 'out', h, 1), projection);
    });
  }

  dispose(): void {
    this.params.dispose();
  }
}

/**
 * Diversity of a set of images: the mean Euclidean distance between pairs of rows, per group (e.g.
 * per class), averaged over groups. `rows` [N·D], `groups` one id per row.
 */
export function meanPairwiseDistance(rows: Float32Array, dim: number, groups: ArrayLike<number>): number {
  const n = rows.length / dim;
  if (!Number.isInteger(n) || groups.length !== n) throw new RangeError(`rows must hold ${groups.length} rows of ${dim}; got ${rows.length} values`);
  const byGroup = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const list = byGroup.get(groups[i]) ?? [];
    list.push(i);
    byGroup.set(groups[i], list);
  }
  let total = 0;
  let count = 0;
  for (const idx of byGroup.values()) {
    if (idx.length < 2) continue;
    let s = 0;
    let pairs = 0;
    for (let a = 0; a < idx.length; a++) {
      for (let b = a + 1; b < idx.length; b++) {
        let d = 0;
        for (let j = 0; j < dim; j++) d += (rows[idx[a] * dim + j] - rows[idx[b] * dim + j]) ** 2;
        s += Math.sqrt(d);
        pairs++;
      }
    }
    total += s / pairs;
    count++;
  }
  if (count === 0) throw new RangeError('meanPairwiseDistance needs a group with at least two rows');
  return total / count;
}
