/**
 * PixelCNN (van den Oord, Kalchbrenner & Kavukcuoglu 2016, "Pixel Recurrent Neural Networks", §3.5
 * and Figure 2; lecture 001 "PixelCNN", lecture 004 "Autoregressive Models") for binary images.
 *
 * An explicit-density model (명시적 밀도 추정, explicit density estimation): the chain rule
 * (연쇄 법칙) factorises the image distribution over the pixels in raster order (row by row, left
 * to right),
 *
 *   p(x) = Π_{i=1}^{H·W} p(x_i | x_1, …, x_{i−1})            (PixelRNN eq. 1, lecture 004)
 *
 * and a stack of masked convolutions computes all H·W conditionals in one parallel pass: each
 * kernel is multiplied by a mask that zeroes the weights on the current pixel's "future". Mask A
 * (first layer) also hides the current pixel, so x_i never sees itself; mask B (later layers)
 * keeps the centre, because there the centre feature already depends only on x_<i.
 *
 *   mask A (3×3)    mask B (3×3)
 *   1 1 1           1 1 1
 *   1 0 0           1 1 0
 *   0 0 0           0 0 0
 *
 * The log-likelihood is exact: for binary pixels each conditional is a Bernoulli with logit ℓ_i, and
 * −log p(x) = Σ_i BCE(ℓ_i, x_i) nats (bits per dimension: divide by H·W·ln 2). Training maximises it
 * directly; sampling is sequential, one network pass per pixel (784 for MNIST). The stacked 3×3
 * masks leave a "blind spot" above-right of each pixel (van den Oord et al. 2016b, "Conditional Image
 * Generation with PixelCNN Decoders", Figure 1); the notebook shows it with input gradients.
 *
 * Network (every conv keeps H × W):
 *   x [N,H,W,1] → mask-A conv k₀×k₀ (C) → ReLU
 *     → L × residual block: h + ReLU(mask-B conv k×k (C)(h))
 *     → ReLU → 1×1 conv (C) → ReLU → 1×1 conv (1) → logits [N,H,W,1]
 *
 * A masked k×k kernel is zero below its centre row, so only its top (k+1)/2 rows are stored and
 * computed: the input is padded by (k−1)/2 rows on top only and convolved 'valid' with the
 * ((k+1)/2)×k kernel (times the same rows of the mask). The output is the same as the full masked
 * k×k 'same' convolution, at about (k+1)/(2k) of the cost.
 *
 * The MNIST recipe of the shipped checkpoint, its continuation and loading are in
 * `recipes/pixelcnn-mnist.ts`; what this model shares with the Gated PixelCNN in `pixelcnn-common.ts`.
 *
 * @see notebooks/07-autoregressive-and-flows
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random/rng';
import { trainLoop, Progress, Losses } from '../train/loop';
import { gatherRows } from '../data/batches';
import { ExponentialMovingAverage } from '../train/ema';
import { checkPositiveInt } from '../util/validate';
import { bernoulliNegLogLikelihood } from './vae';
import { batchStream } from './autoencoder';
import { createPixelCnnVariables, PixelCnnStackConfig, resolvePixelCnnConfig } from './pixelcnn-common';
import { yieldToEventLoop } from '../util/event-loop';
import { tidyValues } from '../util/tidy-values';

export type PixelCnnMaskType = 'A' | 'B';

/**
 * The mask of a masked convolution, shape [k, k, inChannels, outChannels] (tfjs filter layout):
 * 1 on rows above the centre and on the centre row left of the centre; the centre itself is 1 for
 * mask 'B' and 0 for mask 'A'. (For one input channel; colour PixelCNNs also split channels by R, G, B.)
 */
export function pixelCnnMask(type: PixelCnnMaskType, kernelSize: number, inChannels = 1, outChannels = 1): tf.Tensor4D {
  if (type !== 'A' && type !== 'B') throw new RangeError(`type must be 'A' or 'B'; got ${JSON.stringify(type)}`);
  if (!Number.isInteger(kernelSize) || kernelSize < 1 || kernelSize % 2 === 0) {
    throw new RangeError(`kernelSize must be an odd positive integer; got ${kernelSize}`);
  }
  const plane = maskPlane(type, kernelSize);
  const values = new Float32Array(kernelSize * kernelSize * inChannels * outChannels);
  for (let p = 0; p < kernelSize * kernelSize; p++) {
    if (!plane[p]) continue;
    values.fill(1, p * inChannels * outChannels, (p + 1) * inChannels * outChannels);
  }
  return tf.tensor4d(values, [kernelSize, kernelSize, inChannels, outChannels]);
}

/** The top (k+1)/2 rows of a mask (the rows that can be non-zero), [(k+1)/2, k, in, out]. */
function maskTopRows(type: PixelCnnMaskType, k: number, inChannels: number, outChannels: number): tf.Tensor4D {
  return tf.tidy(() => pixelCnnMask(type, k, inChannels, outChannels).slice([0, 0, 0, 0], [(k + 1) / 2, k, inChannels, outChannels]));
}

/** The k×k mask as a flat 0/1 array (row-major), for tables and plots. */
export function maskPlane(type: PixelCnnMaskType, kernelSize: number): Uint8Array {
  const c = (kernelSize - 1) / 2;
  const out = new Uint8Array(kernelSize * kernelSize);
  for (let r = 0; r < kernelSize; r++) {
    for (let q = 0; q < kernelSize; q++) {
      out[r * kernelSize + q] = r < c || (r === c && (q < c || (q === c && type === 'B'))) ? 1 : 0;
    }
  }
  return out;
}

export interface PixelCnnConfig extends PixelCnnStackConfig {
  /** Feature maps per layer. Default 32. */
  channels?: number;
  /** Residual mask-B layers after the first (mask-A) layer. Default 5. */
  layers?: number;
  /** Kernel of the first, mask-A layer. Default 7 (as in the paper). */
  firstKernelSize?: number;
  /** Kernel of the mask-B layers. Default 3. */
  kernelSize?: number;
}

type Resolved = Required<PixelCnnConfig>;

const DEFAULTS = { channels: 32, layers: 5, firstKernelSize: 7, kernelSize: 3, height: 28, width: 28, outputBias: 0 };

/** A PixelCNN for binary images (pixels in {0, 1}), written with plain tf variables. */
export class PixelCnn {
  readonly config: Resolved;
  /** The weights by name (what checkpoints store). */
  readonly variables: Record<string, tf.Variable>;
  private readonly masks: Record<string, tf.Tensor4D>;

  constructor(config: PixelCnnConfig, weights?: Record<string, tf.Tensor>) {
    this.config = resolvePixelCnnConfig(DEFAULTS, config);
    const { channels: C, layers: L, firstKernelSize: k0, kernelSize: k } = this.config;
    // masked kernels: only the top (k+1)/2 rows (see the file comment)
    const shapes: Record<string, number[]> = { 'a.kernel': [(k0 + 1) / 2, k0, 1, C], 'a.bias': [C] };
    for (let l = 0; l < L; l++) {
      shapes[`b${l}.kernel`] = [(k + 1) / 2, k, C, C];
      shapes[`b${l}.bias`] = [C];
    }
    Object.assign(shapes, { 'out1.kernel': [1, 1, C, C], 'out1.bias': [C], 'out2.kernel': [1, 1, C, 1], 'out2.bias': [1] });
    this.variables = createPixelCnnVariables({
      shapes,
      weights,
      outputBiasName: 'out2.bias',
      outputBias: this.config.outputBias,
      kernelInitializer: (seed) => tf.initializers.heNormal({ seed }), // fan-in of the full kernel
      seed: this.config.seed,
    });
    this.masks = { a: maskTopRows('A', k0, 1, C), b: maskTopRows('B', k, C, C) };
  }

  /** How many rows above a pixel its conditional can see: (k₀−1)/2 + L·(k−1)/2. */
  get receptiveRows(): number {
    const { firstKernelSize: k0, kernelSize: k, layers: L } = this.config;
    return (k0 - 1) / 2 + (L * (k - 1)) / 2;
  }

  /** Logits ℓ of p(x_i = 1 | x_<i) for every pixel: x [N,H',W,1] → [N,H',W,1] (H' may be a crop). */
  logits(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const v = this.variables;
      const conv = (h: tf.Tensor4D, kernel: tf.Tensor4D, bias: tf.Tensor) => tf.add(tf.conv2d(h, kernel, 1, 'same'), bias) as tf.Tensor4D;
      /** A masked k×k conv from its top rows: pad (k−1)/2 rows on top and (k−1)/2 columns each side, then 'valid'. */
      const maskedConv = (h: tf.Tensor4D, kernel: tf.Tensor, mask: tf.Tensor4D, bias: tf.Tensor) => {
        const half = (kernel.shape[1]! - 1) / 2;
        const padded = tf.pad(h, [[0, 0], [half, 0], [half, half], [0, 0]]) as tf.Tensor4D;
        return tf.add(tf.conv2d(padded, tf.mul(kernel, mask) as tf.Tensor4D, 1, 'valid'), bias) as tf.Tensor4D;
      };
      let h = tf.relu(maskedConv(x, v['a.kernel'], this.masks.a, v['a.bias']));
      for (let l = 0; l < this.config.layers; l++) {
        h = tf.add(h, tf.relu(maskedConv(h, v[`b${l}.kernel`], this.masks.b, v[`b${l}.bias`]))) as tf.Tensor4D;
      }
      h = tf.relu(conv(tf.relu(h), v['out1.kernel'] as tf.Tensor4D, v['out1.bias']));
      return conv(h, v['out2.kernel'] as tf.Tensor4D, v['out2.bias']);
    });
  }

  /** Exact −log p(x) per image in nats, [N]: Σ_i BCE(ℓ_i, x_i), x binary [N,H,W,1]. */
  negativeLogLikelihood(x: tf.Tensor4D): tf.Tensor1D {
    return tf.tidy(() => bernoulliNegLogLikelihood(this.logits(x), x));
  }

  /**
   * Mean exact NLL of a set of binary images (flat Float32Array, N·H·W values), in nats per image
   * and bits per dimension (nats / (H·W·ln 2)).
   */
  evaluate(images: Float32Array, batchSize = 250): { nats: number; bitsPerDim: number; count: number } {
    const { height: H, width: W } = this.config;
    const n = images.length / (H * W);
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`images must hold N·${H * W} pixels; got ${images.length}`);
    let total = 0;
    for (let s = 0; s < n; s += batchSize) {
      const e = Math.min(n, s + batchSize);
      total += tf.tidy(() => {
        const x = tf.tensor4d(images.subarray(s * H * W, e * H * W), [e - s, H, W, 1]);
        return tf.sum(this.negativeLogLikelihood(x)).dataSync()[0];
      });
    }
    const nats = total / n;
    return { nats, bitsPerDim: nats / (H * W * Math.LN2), count: n };
  }

  /**
   * Sequential sampling (lecture 004: "generation must be done sequentially; still slow"): pixel by
   * pixel in raster order, each drawn from Bernoulli(sigmoid(ℓ_i)) given the pixels drawn so far —
   * one network pass per pixel. Only the rows the current pixel can see are fed to the network
   * (`receptiveRows` above it), which gives the same logits as the full image. Returns [count,H,W,1].
   */
  async sample(count: number, seed: number, options: { onRow?: (row: number) => void } = {}): Promise<tf.Tensor4D> {
    checkPositiveInt(count, 'count');
    const { height: H, width: W } = this.config;
    const rng = new Rng(seed);
    const canvas = new Float32Array(count * H * W);
    const reach = this.receptiveRows;
    for (let r = 0; r < H; r++) {
      const top = Math.max(0, r - reach);
      const rows = r - top + 1;
      for (let c = 0; c < W; c++) {
        const probs = tidyValues(() => {
          const window = new Float32Array(count * rows * W);
          for (let n = 0; n < count; n++) window.set(canvas.subarray(n * H * W + top * W, n * H * W + (r + 1) * W), n * rows * W);
          const l = this.logits(tf.tensor4d(window, [count, rows, W, 1]));
          return tf.sigmoid(l.slice([0, rows - 1, c, 0], [count, 1, 1, 1]));
        });
        for (let n = 0; n < count; n++) canvas[n * H * W + r * W + c] = rng.uniform() < probs[n] ? 1 : 0;
        if (c % 7 === 6) await yieldToEventLoop(); // keep the event loop (progress bars) alive
      }
      options.onRow?.(r);
    }
    return tf.tensor4d(canvas, [count, H, W, 1]);
  }

  /** All variables as a list (for optimizers). */
  trainableVariables(): tf.Variable[] {
    return Object.values(this.variables);
  }

  /** Number of weights. */
  get parameterCount(): number {
    return Object.values(this.variables).reduce((s, v) => s + v.size, 0);
  }

  dispose(): void {
    tf.dispose([...Object.values(this.variables), ...Object.values(this.masks)]);
  }
}

export interface TrainPixelCnnOptions {
  /** Training images in [0, 1], flat N·H·W. With `dynamicBinarization` each batch is re-sampled. */
  images: Float32Array;
  steps: number;
  /** Default 64. */
  batchSize?: number;
  /** Adam learning rate (decays linearly to 10% of it). Default 1e-3. */
  learningRate?: number;
  /** Draw x ~ Bernoulli(intensity) per batch (the usual dynamic binarisation). Default true; false = use images as they are (already binary). */
  dynamicBinarization?: boolean;
  seed: number;
  /** Updated after every step (Polyak averaging of the weights); the caller owns it. */
  ema?: ExponentialMovingAverage;
  onProgress?: (progress: Progress) => void;
}

/** Trains a PixelCNN by maximum likelihood (mean NLL per image, nats) with Adam. */
export async function trainPixelCnn(model: PixelCnn, options: TrainPixelCnnOptions): Promise<{ history: Losses[]; seconds: number }> {
  const { images, steps, batchSize = 64, learningRate = 1e-3, dynamicBinarization = true, seed, ema, onProgress } = options;
  const { height: H, width: W } = model.config;
  const n = images.length / (H * W);
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`images must hold N·${H * W} pixels; got ${images.length}`);
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
        const pixels = gatherRows(images, H * W, idx);
        if (dynamicBinarization) for (let p = 0; p < pixels.length; p++) pixels[p] = rng.uniform() < pixels[p] ? 1 : 0;
        const x = tf.tensor4d(pixels, [idx.length, H, W, 1]);
        const loss = optimizer.minimize(() => tf.mean(model.negativeLogLikelihood(x)) as tf.Scalar, true, variables)!;
        const nats = loss.dataSync()[0];
        tf.dispose([x, loss]);
        ema?.update();
        return { nats };
      },
    });
  } finally {
    optimizer.dispose();
  }
}
