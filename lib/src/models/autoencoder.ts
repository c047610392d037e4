/**
 * Autoencoders (오토인코더; lecture 000 "AutoEncoder", lecture 001 "Background: Autoencoders",
 * lecture 003 §2.1): an encoder g_φ maps x to a low-dimensional code z (잠재 변수, latent
 * variable), a decoder f_θ maps z back to x̂, and both are trained on a reconstruction loss
 * (MSE or binary cross-entropy) — no labels needed. A dense autoencoder with no hidden layers and
 * linear activations can at best match PCA; hidden layers with non-linear activations can beat it
 * (lecture 000: reconstruction MSE 0.024 for PCA vs 0.010 for the autoencoder).
 *
 * The denoising autoencoder (Vincent et al. 2008; lecture 000 "Denoising Autoencoder") is the same
 * network trained to reconstruct the clean x from a corrupted x̃: see `corrupt` and the `noise`
 * option of `trainAutoencoder`.
 *
 * @see notebooks/03-pca-vs-autoencoder
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random/rng';
import { trainLoop, Progress, Losses } from '../train/loop';
import { indexBatches, gatherRows } from '../data/batches';
import { checkPositiveInt } from '../util/validate';
import { tidyValues } from '../util/tidy-values';

export type Activation = 'relu' | 'elu' | 'tanh' | 'sigmoid' | 'linear';

export interface DenseAutoencoderConfig {
  /** Input size, e.g. 784 for MNIST. */
  inputDim: number;
  /** Encoder hidden widths, e.g. [256]; the decoder mirrors them. [] = a one-layer (shallow) AE. */
  hiddenUnits?: readonly number[];
  /** Size of the code z. */
  codeSize: number;
  /** Hidden activation. Default 'relu'. Use 'linear' for a linear autoencoder. */
  activation?: Activation;
  /** Activation of the code layer. Default 'linear'. */
  codeActivation?: Activation;
  /** Output activation: 'sigmoid' for pixels in [0, 1] (default), 'linear' for real-valued data. */
  outputActivation?: Activation;
  /** Seed of the weight initialisers. */
  seed: number;
}

/** An encoder, a decoder, and the two chained (x → z → x̂). */
export interface Autoencoder {
  encoder: tf.LayersModel;
  decoder: tf.LayersModel;
  /** encoder then decoder in one model (shares their weights). */
  autoencoder: tf.LayersModel;
  codeSize: number;
  /** Shape of one input example, e.g. [784] or [28, 28, 1]. */
  inputShape: number[];
}

function dense(units: number, activation: Activation, rng: Rng): tf.layers.Layer {
  return tf.layers.dense({ units, activation, kernelInitializer: tf.initializers.glorotUniform({ seed: rng.tfSeed() }) });
}

/** Chains an encoder and a decoder into one model x → x̂ (sharing their layers). */
export function chain(encoder: tf.LayersModel, decoder: tf.LayersModel): tf.LayersModel {
  const input = tf.input({ shape: encoder.inputs[0].shape.slice(1) as number[] });
  const code = encoder.apply(input) as tf.SymbolicTensor;
  const output = decoder.apply(code) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: output });
}

/**
 * A dense (fully connected) autoencoder: inputDim → hiddenUnits… → codeSize → …reversed → inputDim.
 */
export function denseAutoencoder(config: DenseAutoencoderConfig): Autoencoder {
  const { inputDim, hiddenUnits = [256], codeSize, activation = 'relu', codeActivation = 'linear', outputActivation = 'sigmoid', seed } = config;
  checkPositiveInt(inputDim, 'inputDim');
  checkPositiveInt(codeSize, 'codeSize');
  hiddenUnits.forEach((u, i) => checkPositiveInt(u, `hiddenUnits[${i}]`));
  const rng = new Rng(seed);
  const encoder = tf.sequential();
  encoder.add(tf.layers.inputLayer({ inputShape: [inputDim] }));
  for (const units of hiddenUnits) encoder.add(dense(units, activation, rng));
  encoder.add(dense(codeSize, codeActivation, rng));
  const decoder = tf.sequential();
  decoder.add(tf.layers.inputLayer({ inputShape: [codeSize] }));
  for (const units of [...hiddenUnits].reverse()) decoder.add(dense(units, activation, rng));
  decoder.add(dense(inputDim, outputActivation, rng));
  return { encoder, decoder, autoencoder: chain(encoder, decoder), codeSize, inputShape: [inputDim] };
}

export interface ConvAutoencoderConfig {
  /** Image height and width; both must be divisible by 2^filters.length. Default 28×28. */
  height?: number;
  width?: number;
  channels?: number;
  /** Filters of the stride-2 convolutions, e.g. [16, 32] halves the size twice. */
  filters?: readonly number[];
  kernelSize?: number;
  codeSize: number;
  outputActivation?: Activation;
  seed: number;
}

/**
 * A convolutional autoencoder: stride-2 3×3 convolutions (ReLU) down to a dense code, then a dense
 * layer and stride-2 transposed convolutions back up (keras-io "Convolutional autoencoder for image
 * denoising" shape). Inputs are NHWC images [N, height, width, channels].
 */
export function convAutoencoder(config: ConvAutoencoderConfig): Autoencoder {
  const { height = 28, width = 28, channels = 1, filters = [16, 32], kernelSize = 3, codeSize, outputActivation = 'sigmoid', seed } = config;
  checkPositiveInt(codeSize, 'codeSize');
  checkPositiveInt(kernelSize, 'kernelSize');
  if (filters.length === 0) throw new RangeError('filters must have at least one entry');
  filters.forEach((f, i) => checkPositiveInt(f, `filters[${i}]`));
  const factor = 2 ** filters.length;
  if (height % factor !== 0 || width % factor !== 0) {
    throw new RangeError(`height and width must be divisible by 2^filters.length = ${factor}; got ${height}×${width}`);
  }
  const rng = new Rng(seed);
  const init = () => tf.initializers.glorotUniform({ seed: rng.tfSeed() });
  const h = height / factor;
  const w = width / factor;
  const last = filters[filters.length - 1];
  const encoder = tf.sequential();
  encoder.add(tf.layers.inputLayer({ inputShape: [height, width, channels] }));
  for (const f of filters) {
    encoder.add(tf.layers.conv2d({ filters: f, kernelSize, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init() }));
  }
  encoder.add(tf.layers.flatten());
  encoder.add(tf.layers.dense({ units: codeSize, kernelInitializer: init() }));
  const decoder = tf.sequential();
  decoder.add(tf.layers.inputLayer({ inputShape: [codeSize] }));
  decoder.add(tf.layers.dense({ units: h * w * last, activation: 'relu', kernelInitializer: init() }));
  decoder.add(tf.layers.reshape({ targetShape: [h, w, last] }));
  for (const f of [...filters].reverse().slice(1)) {
    decoder.add(tf.layers.conv2dTranspose({ filters: f, kernelSize, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: init() }));
  }
  decoder.add(
    tf.layers.conv2dTranspose({ filters: channels, kernelSize, strides: 2, padding: 'same', activation: outputActivation, kernelInitializer: init() }),
  );
  return { encoder, decoder, autoencoder: chain(encoder, decoder), codeSize, inputShape: [height, width, channels] };
}

export type NoiseKind = 'gaussian' | 'masking' | 'saltAndPepper';

export interface NoiseOptions {
  /** 'gaussian': x + level·ε, clipped to [0, 1]; 'masking': each value zeroed with probability
   * level; 'saltAndPepper': each value set to 0 or 1 (equally likely) with probability level. */
  kind: NoiseKind;
  level: number;
  seed: number;
}

/** The corrupted input x̃ of a denoising autoencoder (Vincent et al. 2008, §2.3). */
export function corrupt(x: tf.Tensor, options: NoiseOptions): tf.Tensor {
  const { kind, level, seed } = options;
  if (!(level >= 0)) throw new RangeError(`level must be >= 0; got ${level}`);
  if ((kind === 'masking' || kind === 'saltAndPepper') && level > 1) throw new RangeError(`level must be a probability for ${kind} noise; got ${level}`);
  return tf.tidy(() => {
    switch (kind) {
      case 'gaussian':
        return tf.clipByValue(tf.add(x, tf.mul(tf.randomNormal(x.shape, 0, 1, 'float32', seed), level)), 0, 1);
      case 'masking':
        return tf.mul(x, tf.cast(tf.greaterEqual(tf.randomUniform(x.shape, 0, 1, 'float32', seed), level), 'float32'));
      case 'saltAndPepper': {
        const u = tf.randomUniform(x.shape, 0, 1, 'float32', seed);
        const hit = tf.less(u, level);
        const salt = tf.cast(tf.less(u, level / 2), 'float32');
        return tf.where(hit, salt, x);
      }
      default:
        throw new RangeError(`kind must be 'gaussian', 'masking' or 'saltAndPepper'; got ${JSON.stringify(kind)}`);
    }
  });
}

export type ReconstructionLoss = 'mse' | 'bce';

/**
 * Per-example reconstruction losses, shape [N]: 'mse' = mean over values of (x − x̂)²;
 * 'bce' = mean over values of −[x log x̂ + (1 − x) log(1 − x̂)] (x̂ clipped to [1e-7, 1 − 1e-7]).
 */
export function reconstructionLoss(x: tf.Tensor, reconstruction: tf.Tensor, loss: ReconstructionLoss = 'mse'): tf.Tensor1D {
  return tf.tidy(() => {
    const n = x.shape[0];
    const flatX = x.reshape([n, -1]);
    const flatR = reconstruction.reshape([n, -1]);
    if (loss === 'mse') return tf.mean(tf.squaredDifference(flatX, flatR), 1) as tf.Tensor1D;
    if (loss === 'bce') {
      const r = tf.clipByValue(flatR, 1e-7, 1 - 1e-7);
      return tf.neg(tf.mean(tf.add(tf.mul(flatX, tf.log(r)), tf.mul(tf.sub(1, flatX), tf.log(tf.sub(1, r)))), 1)) as tf.Tensor1D;
    }
    throw new RangeError(`loss must be 'mse' or 'bce'; got ${JSON.stringify(loss)}`);
  });
}

/** Training examples: row-major values, `rowSize` per example (e.g. MNIST images, 784 each). */
export interface ExampleSet {
  data: Float32Array;
  count: number;
}

export interface TrainAutoencoderOptions {
  /** Optimisation steps (mini-batches). */
  steps: number;
  batchSize?: number;
  learningRate?: number;
  loss?: ReconstructionLoss;
  /** Train as a denoising autoencoder: corrupt each batch with this noise (seed drawn per step). */
  noise?: { kind: NoiseKind; level: number };
  seed: number;
  onProgress?: (progress: Progress) => void;
}

/** Turns a flat batch into the autoencoder's input shape [B, ...inputShape]. */
function batchTensor(values: Float32Array, size: number, inputShape: number[]): tf.Tensor {
  return tf.tensor(values, [size, ...inputShape]);
}

/** Yields mini-batches of example indices forever, one seeded shuffle per epoch. */
export function batchStream(count: number, batchSize: number, rng: Rng): () => Int32Array {
  let queue: Int32Array[] = [];
  const size = Math.min(batchSize, count);
  return () => {
    if (queue.length === 0) queue = indexBatches(count, size, rng);
    return queue.shift()!;
  };
}

/**
 * Trains an autoencoder with Adam on a reconstruction loss (optionally as a denoising AE).
 * Returns the loss history (one entry per step: `{ loss }`).
 */
export async function trainAutoencoder(
  model: Autoencoder,
  examples: ExampleSet,
  options: TrainAutoencoderOptions,
): Promise<{ history: Losses[]; seconds: number }> {
  const { steps, batchSize = 128, learningRate = 1e-3, loss = 'mse', noise, seed, onProgress } = options;
  const rowSize = model.inputShape.reduce((a, b) => a * b, 1);
  if (examples.data.length !== examples.count * rowSize) {
    throw new RangeError(`examples.data must have count·${rowSize} = ${examples.count * rowSize} values; got ${examples.data.length}`);
  }
  const rng = new Rng(seed);
  const next = batchStream(examples.count, batchSize, rng);
  const optimizer = tf.train.adam(learningRate);
  const variables = model.autoencoder.trainableWeights.map((w) => w.read() as tf.Variable);
  try {
    return await trainLoop({
      steps,
      onProgress,
      step: () => {
        const idx = next();
        const value = tf.tidy(() => {
          const clean = batchTensor(gatherRows(examples.data, rowSize, idx), idx.length, model.inputShape);
          const input = noise ? corrupt(clean, { ...noise, seed: rng.tfSeed() }) : clean;
          const cost = optimizer.minimize(
            () => tf.mean(reconstructionLoss(clean, model.autoencoder.apply(input, { training: true }) as tf.Tensor, loss)) as tf.Scalar,
            true,
            variables,
          )!;
          return cost.dataSync()[0];
        });
        return { loss: value };
      },
    });
  } finally {
    optimizer.dispose();
  }
}

/**
 * Mean reconstruction error over a set (per value, as `reconstructionLoss`), in batches. With
 * `noise`, the inputs are corrupted and the error is measured against the clean examples.
 */
export function evaluateReconstruction(
  model: Autoencoder,
  examples: ExampleSet,
  options: { loss?: ReconstructionLoss; batchSize?: number; noise?: NoiseOptions } = {},
): number {
  const { loss = 'mse', batchSize = 500, noise } = options;
  const rowSize = model.inputShape.reduce((a, b) => a * b, 1);
  let total = 0;
  for (let start = 0; start < examples.count; start += batchSize) {
    const size = Math.min(batchSize, examples.count - start);
    total += tf.tidy(() => {
      const clean = batchTensor(examples.data.subarray(start * rowSize, (start + size) * rowSize), size, model.inputShape);
      const input = noise ? corrupt(clean, { ...noise, seed: noise.seed + start }) : clean;
      return tf.sum(reconstructionLoss(clean, model.autoencoder.predict(input) as tf.Tensor, loss)).dataSync()[0];
    });
  }
  return total / examples.count;
}

/** Runs `model` (encoder, decoder or autoencoder) on row-major inputs in batches; returns row-major outputs. */
export function predictRows(model: tf.LayersModel, rows: Float32Array, count: number, batchSize = 500): Float32Array {
  const inShape = model.inputs[0].shape.slice(1) as number[];
  const inSize = inShape.reduce((a, b) => a * b, 1);
  if (rows.length !== count * inSize) throw new RangeError(`rows must have count·${inSize} = ${count * inSize} values; got ${rows.length}`);
  const outShape = (model.outputs[0].shape.slice(1) as number[]).reduce((a, b) => a * b, 1);
  const out = new Float32Array(count * outShape);
  for (let start = 0; start < count; start += batchSize) {
    const size = Math.min(batchSize, count - start);
    const values = tidyValues(() => model.predict(tf.tensor(rows.subarray(start * inSize, (start + size) * inSize), [size, ...inShape])) as tf.Tensor);
    out.set(values, start * outShape);
  }
  return out;
}
