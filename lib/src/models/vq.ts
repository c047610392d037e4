/**
 * Vector quantisation for the VQ-VAE (van den Oord, Vinyals & Kavukcuoglu 2017, "Neural Discrete
 * Representation Learning"; lectures 002 and 003 §2.3).
 *
 * The encoder's output z_e is replaced by its nearest codebook vector e_k (k = argminⱼ ‖z_e − eⱼ‖₂,
 * eq. 1–2). argmin has no gradient, so the straight-through estimator copies the decoder's gradient
 * from z_q to z_e: z_q = z_e + sg[e_k − z_e] (forward value e_k, gradient identity). The loss (eq. 3,
 * lecture 003):
 *
 *   L = log p(x | z_q) + ‖sg[z_e] − e‖²₂ + β ‖z_e − sg[e]‖²₂
 *
 * (the reconstruction term as a loss, i.e. −log p). The codebook term moves e towards the encoder
 * outputs, the commitment term (β = 0.25 in the paper) keeps the encoder close to its codes.
 * Codebook usage is measured by the perplexity exp(H(p̄)) of the average code assignment.
 *
 * The nearest code is gathered as a one-hot matrix product (oneHot(k)·E) rather than tf.gather, so
 * the codebook's gradient needs no UnsortedSegmentSum kernel (missing on stock wasm).
 *
 * @see notebooks/04-vae-elbo
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random/rng';
import { trainLoop, Progress, Losses } from '../train/loop';
import { gatherRows } from '../data/batches';
import { batchStream, ExampleSet, Activation } from './autoencoder';
import { bernoulliNegLogLikelihood } from './vae';

/** sg[x]: the identity in the forward pass, a zero gradient in the backward pass. */
export const stopGradient: (x: tf.Tensor) => tf.Tensor = tf.customGrad((x: tf.Tensor | tf.GradSaveFunc) => ({
  value: tf.clone(x as tf.Tensor),
  gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy),
})) as unknown as (x: tf.Tensor) => tf.Tensor;

/** z_e + sg[e − z_e]: forward value e, gradient passed straight through to z_e. */
export function straightThrough(ze: tf.Tensor, e: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.add(ze, stopGradient(tf.sub(e, ze))));
}

/** exp(−Σₖ p̄ₖ log p̄ₖ), p̄ the fraction of vectors assigned to each of the K codes (1 ≤ · ≤ K). */
export function codebookPerplexity(codes: ArrayLike<number>, numEmbeddings: number): number {
  if (!Number.isInteger(numEmbeddings) || numEmbeddings < 1) throw new RangeError(`numEmbeddings must be a positive integer; got ${numEmbeddings}`);
  if (codes.length === 0) throw new RangeError('codes must not be empty');
  const counts = new Float64Array(numEmbeddings);
  for (let i = 0; i < codes.length; i++) {
    const k = codes[i];
    if (!Number.isInteger(k) || k < 0 || k >= numEmbeddings) throw new RangeError(`codes[${i}] must be an integer in 0..${numEmbeddings - 1}; got ${k}`);
    counts[k]++;
  }
  let h = 0;
  for (const c of counts) if (c > 0) h -= (c / codes.length) * Math.log(c / codes.length);
  return Math.exp(h);
}

export interface QuantizeResult {
  /** z_q with the straight-through gradient, same shape as z_e. */
  quantized: tf.Tensor;
  /** Index of the nearest code per vector, int32 [M] (M = number of D-dim vectors in z_e). */
  codes: tf.Tensor1D;
  /** mean ‖sg[z_e] − e‖² (per value). */
  codebookLoss: tf.Scalar;
  /** mean ‖z_e − sg[e]‖² (per value), unweighted. */
  commitmentLoss: tf.Scalar;
}

export interface VectorQuantizerConfig {
  /** K, the number of codebook vectors. */
  numEmbeddings: number;
  /** D, the dimension of each vector (the last axis of z_e). */
  embeddingDim: number;
  seed: number;
}

/** The VQ layer: a K×D codebook and nearest-neighbour quantisation of z_e's last axis. */
export class VectorQuantizer {
  readonly codebook: tf.Variable;
  readonly numEmbeddings: number;
  readonly embeddingDim: number;

  constructor(config: VectorQuantizerConfig) {
    const { numEmbeddings, embeddingDim, seed } = config;
    for (const [v, name] of [[numEmbeddings, 'numEmbeddings'], [embeddingDim, 'embeddingDim']] as [number, string][]) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer; got ${v}`);
    }
    this.numEmbeddings = numEmbeddings;
    this.embeddingDim = embeddingDim;
    // Uniform(−1/K, 1/K), as in the paper's reference implementation.
    this.codebook = tf.variable(tf.randomUniform([numEmbeddings, embeddingDim], -1 / numEmbeddings, 1 / numEmbeddings, 'float32', seed), true);
  }

  /** Nearest codes of the D-dim vectors of `ze` ([..., D]), as int32 [M]. */
  nearest(ze: tf.Tensor): tf.Tensor1D {
    return tf.tidy(() => {
      const flat = ze.reshape([-1, this.embeddingDim]);
      // ‖z‖² − 2 z·eᵀ + ‖e‖²  → [M, K]
      const distances = tf.add(
        tf.sub(tf.sum(tf.square(flat), 1, true), tf.mul(tf.matMul(flat, this.codebook, false, true), 2)),
        tf.sum(tf.square(this.codebook), 1).reshape([1, -1]),
      );
      return tf.argMin(distances, 1) as tf.Tensor1D;
    });
  }

  /** Quantises z_e ([..., D]) and returns z_q (straight-through), the codes and the two VQ losses. */
  quantize(ze: tf.Tensor): QuantizeResult {
    if (ze.shape[ze.shape.length - 1] !== this.embeddingDim) {
      throw new RangeError(`ze's last axis must be embeddingDim = ${this.embeddingDim}; got shape [${ze.shape}]`);
    }
    return tf.tidy(() => {
      const codes = this.nearest(ze);
      const e = tf.matMul(tf.oneHot(codes, this.numEmbeddings).toFloat(), this.codebook).reshape(ze.shape);
      const codebookLoss = tf.mean(tf.squaredDifference(stopGradient(ze), e)) as tf.Scalar;
      const commitmentLoss = tf.mean(tf.squaredDifference(ze, stopGradient(e))) as tf.Scalar;
      return { quantized: straightThrough(ze, e), codes, codebookLoss, commitmentLoss };
    });
  }

  /**
   * Sets the codebook to K vectors drawn (seeded, without replacement when possible) from
   * `vectors` ([M, D], e.g. encoder outputs of a first batch): a common remedy for codes that are
   * never chosen ("dead codes") when z_e and a tiny random codebook live at different scales.
   */
  initializeFrom(vectors: tf.Tensor, seed: number): void {
    const flat = vectors.reshape([-1, this.embeddingDim]);
    const m = flat.shape[0];
    const rng = new Rng(seed);
    const order = rng.permutation(m);
    const picks = Int32Array.from({ length: this.numEmbeddings }, (_, k) => (k < m ? order[k] : rng.int(0, m)));
    tf.tidy(() => this.codebook.assign(tf.gather(flat, picks)));
    flat.dispose();
  }

  /** The codebook vectors of `codes`, [codes.length, D]. */
  lookup(codes: tf.Tensor1D): tf.Tensor2D {
    return tf.tidy(() => tf.matMul(tf.oneHot(codes, this.numEmbeddings).toFloat(), this.codebook) as tf.Tensor2D);
  }

  dispose(): void {
    this.codebook.dispose();
  }
}

export interface VqVaeConfig {
  inputDim: number;
  hiddenUnits?: readonly number[];
  /** Number of code vectors per image (the encoder outputs latentVectors·embeddingDim values). */
  latentVectors?: number;
  embeddingDim?: number;
  numEmbeddings?: number;
  /** Commitment weight β. Default 0.25 (the paper's value). */
  beta?: number;
  activation?: Activation;
  seed: number;
}

/** A dense VQ-VAE: x → z_e ([L, D]) → z_q (codebook of K) → x̂ logits (Bernoulli decoder). */
export class VqVae {
  readonly encoder: tf.LayersModel;
  readonly decoder: tf.LayersModel;
  readonly quantizer: VectorQuantizer;
  readonly latentVectors: number;
  readonly beta: number;
  readonly inputDim: number;

  constructor(config: VqVaeConfig) {
    const { inputDim, hiddenUnits = [512], latentVectors = 8, embeddingDim = 8, numEmbeddings = 64, beta = 0.25, activation = 'relu', seed } = config;
    const rng = new Rng(seed);
    const dense = (units: number, act: Activation) =>
      tf.layers.dense({ units, activation: act, kernelInitializer: tf.initializers.glorotUniform({ seed: rng.tfSeed() }) });
    const encoder = tf.sequential();
    encoder.add(tf.layers.inputLayer({ inputShape: [inputDim] }));
    for (const u of hiddenUnits) encoder.add(dense(u, activation));
    encoder.add(dense(latentVectors * embeddingDim, 'linear'));
    const decoder = tf.sequential();
    decoder.add(tf.layers.inputLayer({ inputShape: [latentVectors * embeddingDim] }));
    for (const u of [...hiddenUnits].reverse()) decoder.add(dense(u, activation));
    decoder.add(dense(inputDim, 'linear'));
    this.encoder = encoder;
    this.decoder = decoder;
    this.quantizer = new VectorQuantizer({ numEmbeddings, embeddingDim, seed: rng.tfSeed() });
    this.latentVectors = latentVectors;
    this.beta = beta;
    this.inputDim = inputDim;
  }

  /** The loss terms of a batch (eq. 3): reconstruction (−log p(x|z_q), nats per image), codebook, commitment, total. */
  loss(x: tf.Tensor, training = false): { reconstruction: tf.Scalar; codebook: tf.Scalar; commitment: tf.Scalar; total: tf.Scalar; codes: tf.Tensor1D } {
    return tf.tidy(() => {
      const n = x.shape[0];
      const ze = (this.encoder.apply(x, { training }) as tf.Tensor).reshape([n, this.latentVectors, this.quantizer.embeddingDim]);
      const q = this.quantizer.quantize(ze);
      const logits = this.decoder.apply(q.quantized.reshape([n, -1]), { training }) as tf.Tensor;
      const reconstruction = tf.mean(bernoulliNegLogLikelihood(logits, x)) as tf.Scalar;
      // The optimised total balances per-value means (as the keras-io VQ-VAE does): the
      // reconstruction per pixel (nats per image / inputDim) plus the two VQ terms per latent value.
      // Summing the reconstruction over pixels against per-vector VQ terms lets the straight-through
      // gradient drag z_e far from every code.
      const total = tf.add(tf.div(reconstruction, this.inputDim), tf.add(q.codebookLoss, tf.mul(q.commitmentLoss, this.beta))) as tf.Scalar;
      return { reconstruction, codebook: q.codebookLoss, commitment: q.commitmentLoss, total, codes: q.codes };
    });
  }

  /** Reconstructions sigmoid(decoder(z_q)) of x. */
  reconstruct(x: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => {
      const n = x.shape[0];
      const ze = (this.encoder.apply(x) as tf.Tensor).reshape([n, this.latentVectors, this.quantizer.embeddingDim]);
      const zq = this.quantizer.quantize(ze).quantized;
      return tf.sigmoid(this.decoder.apply(zq.reshape([n, -1])) as tf.Tensor) as tf.Tensor2D;
    });
  }

  trainableVariables(): tf.Variable[] {
    return [...this.encoder.trainableWeights, ...this.decoder.trainableWeights].map((w) => w.read() as tf.Variable).concat(this.quantizer.codebook);
  }
}

/**
 * Trains a VQ-VAE with Adam (codebook initialised from the first batch's encoder outputs). History: { reconstruction, codebook, commitment, perplexity } per step.
 */
export async function trainVqVae(
  model: VqVae,
  examples: ExampleSet,
  options: {
    steps: number;
    batchSize?: number;
    learningRate?: number;
    /** Initialise the codebook from the encoder outputs of the first batch (default true). */
    initializeCodebook?: boolean;
    seed: number;
    onProgress?: (p: Progress) => void;
  },
): Promise<{ history: Losses[]; seconds: number }> {
  const { steps, batchSize = 128, learningRate = 1e-3, seed, onProgress } = options;
  const rng = new Rng(seed);
  const next = batchStream(examples.count, batchSize, rng);
  const optimizer = tf.train.adam(learningRate);
  const variables = model.trainableVariables();
  const initSeed = rng.tfSeed();
  try {
    return await trainLoop({
      steps,
      onProgress,
      step: (i) => {
        const idx = next();
        return tf.tidy(() => {
          const x = tf.tensor2d(gatherRows(examples.data, model.inputDim, idx), [idx.length, model.inputDim]);
          if (i === 0 && options.initializeCodebook !== false) model.quantizer.initializeFrom(model.encoder.predict(x) as tf.Tensor, initSeed);
          let out: Losses = {};
          optimizer.minimize(
            () => {
              const l = model.loss(x, true);
              out = {
                reconstruction: l.reconstruction.dataSync()[0],
                codebook: l.codebook.dataSync()[0],
                commitment: l.commitment.dataSync()[0],
                perplexity: codebookPerplexity(l.codes.dataSync(), model.quantizer.numEmbeddings),
              };
              return l.total;
            },
            false,
            variables,
          );
          return out;
        });
      },
    });
  } finally {
    optimizer.dispose();
  }
}
