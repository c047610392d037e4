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
 * @see notebooks/07-autoregressive-and-flows
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random/rng';
import { trainLoop, Progress, Losses } from '../train/loop';
import { gatherRows } from '../data/batches';
import { mnist, MnistSet } from '../data/mnist';
import { saveVariables, loadVariables, readMeta, hasCheckpoint, checkpointDir, CheckpointMeta } from '../train/checkpoint';
import { writeResult } from '../train/results';
import { ExponentialMovingAverage } from '../train/ema';
import { quickModeEnv } from '../train/mode';
import { projectPath } from '../paths';

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

export interface PixelCnnConfig {
  /** Feature maps per layer. Default 32. */
  channels?: number;
  /** Residual mask-B layers after the first (mask-A) layer. Default 5. */
  layers?: number;
  /** Kernel of the first, mask-A layer. Default 7 (as in the paper). */
  firstKernelSize?: number;
  /** Kernel of the mask-B layers. Default 3. */
  kernelSize?: number;
  /** Image height and width. Default 28 × 28. */
  height?: number;
  width?: number;
  /** Initial bias of the output logit (e.g. the logit of the mean pixel, so training starts at the marginal). Default 0. */
  outputBias?: number;
  seed: number;
}

type Resolved = Required<PixelCnnConfig>;

function resolve(config: PixelCnnConfig): Resolved {
  const c: Resolved = { channels: 32, layers: 5, firstKernelSize: 7, kernelSize: 3, height: 28, width: 28, outputBias: 0, ...config };
  if (!Number.isFinite(c.outputBias)) throw new RangeError(`outputBias must be finite; got ${c.outputBias}`);
  for (const key of ['channels', 'firstKernelSize', 'kernelSize', 'height', 'width'] as const) {
    if (!Number.isInteger(c[key]) || c[key] < 1) throw new RangeError(`${key} must be a positive integer; got ${c[key]}`);
  }
  if (!Number.isInteger(c.layers) || c.layers < 0) throw new RangeError(`layers must be an integer >= 0; got ${c.layers}`);
  for (const key of ['firstKernelSize', 'kernelSize'] as const) {
    if (c[key] % 2 === 0) throw new RangeError(`${key} must be odd; got ${c[key]}`);
  }
  return c;
}

/** A PixelCNN for binary images (pixels in {0, 1}), written with plain tf variables. */
export class PixelCnn {
  readonly config: Resolved;
  /** The weights by name (what checkpoints store). */
  readonly variables: Record<string, tf.Variable>;
  private readonly masks: Record<string, tf.Tensor4D>;

  constructor(config: PixelCnnConfig, weights?: Record<string, tf.Tensor>) {
    this.config = resolve(config);
    const { channels: C, layers: L, firstKernelSize: k0, kernelSize: k } = this.config;
    const rng = new Rng(this.config.seed);
    // masked kernels: only the top (k+1)/2 rows (see the file comment)
    const shapes: Record<string, number[]> = { 'a.kernel': [(k0 + 1) / 2, k0, 1, C], 'a.bias': [C] };
    for (let l = 0; l < L; l++) {
      shapes[`b${l}.kernel`] = [(k + 1) / 2, k, C, C];
      shapes[`b${l}.bias`] = [C];
    }
    Object.assign(shapes, { 'out1.kernel': [1, 1, C, C], 'out1.bias': [C], 'out2.kernel': [1, 1, C, 1], 'out2.bias': [1] });
    this.variables = {};
    for (const [name, shape] of Object.entries(shapes)) {
      const given = weights?.[name];
      if (weights && !given) throw new RangeError(`weights must contain '${name}'`);
      if (given && given.shape.join() !== shape.join()) throw new RangeError(`weights['${name}'] must have shape [${shape}]; got [${given.shape}]`);
      const init = given
        ? given.clone()
        : name === 'out2.bias'
          ? tf.fill(shape, this.config.outputBias)
          : name.endsWith('.bias')
          ? tf.zeros(shape)
          : tf.initializers.heNormal({ seed: rng.tfSeed() }).apply(shape) as tf.Tensor; // fan-in of the full kernel
      this.variables[name] = tf.variable(init, true); // unnamed: tfjs variable names must be globally unique
      if (init !== given) init.dispose();
    }
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
    return tf.tidy(() => {
      const l = this.logits(x);
      // BCE on logits, stable: max(ℓ,0) − ℓ·x + log(1 + e^−|ℓ|)
      const perPixel = tf.add(tf.sub(tf.relu(l), tf.mul(l, x)), tf.log1p(tf.exp(tf.neg(tf.abs(l)))));
      return tf.sum(perPixel, [1, 2, 3]) as tf.Tensor1D;
    });
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
    if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer; got ${count}`);
    const { height: H, width: W } = this.config;
    const rng = new Rng(seed);
    const canvas = new Float32Array(count * H * W);
    const reach = this.receptiveRows;
    for (let r = 0; r < H; r++) {
      const top = Math.max(0, r - reach);
      const rows = r - top + 1;
      for (let c = 0; c < W; c++) {
        const probs = tf.tidy(() => {
          const window = new Float32Array(count * rows * W);
          for (let n = 0; n < count; n++) window.set(canvas.subarray(n * H * W + top * W, n * H * W + (r + 1) * W), n * rows * W);
          const l = this.logits(tf.tensor4d(window, [count, rows, W, 1]));
          return tf.sigmoid(l.slice([0, rows - 1, c, 0], [count, 1, 1, 1])).dataSync() as Float32Array;
        });
        for (let n = 0; n < count; n++) canvas[n * H * W + r * W + c] = rng.uniform() < probs[n] ? 1 : 0;
        if (c % 7 === 6) await new Promise((resolve) => setImmediate(resolve)); // keep the event loop (progress bars) alive
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
  let queue: Int32Array[] = [];
  const size = Math.min(batchSize, n);
  const nextBatch = (): Int32Array => {
    if (queue.length === 0) {
      const order = rng.permutation(n);
      for (let s = 0; s + size <= n; s += size) queue.push(Int32Array.from(order.slice(s, s + size)));
    }
    return queue.shift()!;
  };
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

// ---------------------------------------------------------------------------------------------
// The shipped checkpoint: `npm run train -- pixelcnn`.


/** Name of the shipped checkpoint: `data/checkpoints/pixelcnn/`. */
export const PIXELCNN_CHECKPOINT = 'pixelcnn';
export const PIXELCNN_COMMAND = 'npm run train -- pixelcnn';

/** The recipe of the shipped checkpoint (full) and of the quick-mode smoke run. */
export const PIXELCNN_RECIPE = {
  full: { config: { channels: 32, layers: 10, firstKernelSize: 7, kernelSize: 3 }, steps: 6000, batchSize: 32, learningRate: 3e-3 },
  quick: { config: { channels: 8, layers: 2, firstKernelSize: 7, kernelSize: 3 }, steps: 20, batchSize: 16, learningRate: 3e-3 },
} as const;

/** The training images (intensities; binarised per batch while training): all of MNIST train, 500 in quick mode. */
function pixelCnnTrainSet(quick: boolean, seed: number): MnistSet {
  return mnist({ split: 'train', seed, limit: quick ? 500 : undefined });
}

/**
 * The binarised MNIST test set the NLL is reported on: each pixel 1 with probability equal to its
 * intensity, drawn once with seed 0 — the stochastic binarisation of the PixelRNN paper's table
 * (Salakhutdinov & Murray 2008), where PixelCNN reports 81.3 nats. (Thresholding at 0.5 instead, as
 * notebook 04's VAE does, removes the pixel noise and gives far lower NLLs: the two do not compare.)
 */
export function binarizedMnistTest(limit?: number): Float32Array {
  return mnist({ split: 'test', binarize: 'stochastic', seed: 0, limit }).images;
}

export interface PixelCnnRun {
  dir: string;
  testNats: number;
  testBitsPerDim: number;
  testCount: number;
  /** Seconds of training in this run (a continuation: its own steps only). */
  seconds: number;
  /** Steps in the checkpoint after this run (a continuation: all steps so far). */
  steps: number;
}

/** Every `lossCurve` point is [step, nats]; at most `points` of them per run. */
function thinCurve(history: Losses[], offset: number, points: number): number[][] {
  const every = Math.max(1, Math.floor(history.length / points));
  return history
    .map((h, i) => [offset + i + 1, h.nats])
    .filter((_, i) => i % every === 0 || i === history.length - 1);
}

/** Save the weights with `meta` and register the test NLL in the results (full or quick). */
async function savePixelCnnRun(model: PixelCnn, dir: string, meta: CheckpointMeta, test: { nats: number; bitsPerDim: number; count: number }): Promise<void> {
  const full = { ...meta, testNats: test.nats, testBitsPerDim: test.bitsPerDim, testCount: test.count };
  await saveVariables(model.variables, dir, full);
  const commands = [meta.command as string, ...((meta.resumedWith as string[] | undefined) ?? [])];
  writeResult({
    model: PIXELCNN_CHECKPOINT,
    family: 'Autoregressive',
    notebook: '07-autoregressive-and-flows',
    metrics: { nllNats: test.nats, bitsPerDim: test.bitsPerDim },
    trainSeconds: meta.trainSeconds as number,
    command: commands.join(' && '),
    mode: meta.mode === 'quick' ? 'quick' : 'full',
    notes: `exact test NLL on ${test.count} stochastically binarised MNIST test images (the PixelRNN paper's data; not vae-mnist's thresholded data); ${meta.steps} steps of batch ${meta.batchSize}, backend ${tf.getBackend()}`,
  });
}

/**
 * What `npm run train -- pixelcnn` does: train the PixelCNN on dynamically binarised MNIST (pixels
 * re-drawn from their intensities for every batch), measure the exact NLL on the stochastically
 * binarised test set (seed 0), save the weights and meta data (with a thinned loss curve), and write
 * the result to the registry.
 */
export async function makePixelCnnCheckpoint(
  options: { seed?: number; quick?: boolean; dir?: string; onProgress?: (p: Progress) => void } = {},
): Promise<PixelCnnRun> {
  const seed = options.seed ?? 0;
  const quick = options.quick ?? quickModeEnv();
  const recipe = quick ? PIXELCNN_RECIPE.quick : PIXELCNN_RECIPE.full;
  const dir = options.dir ?? (quick ? projectPath('build', 'checkpoints', PIXELCNN_CHECKPOINT) : checkpointDir(PIXELCNN_CHECKPOINT));
  const train = pixelCnnTrainSet(quick, seed);
  let mean = 0;
  for (const v of train.images) mean += v / train.images.length;
  // start at the marginal: every pixel ~ Bernoulli(mean intensity), ≈ 784·H(0.13) ≈ 300 nats instead of 784·log 2 ≈ 543
  const model = new PixelCnn({ ...recipe.config, outputBias: Math.log(mean / (1 - mean)), seed });
  try {
    const { history, seconds } = await trainPixelCnn(model, {
      images: train.images,
      steps: recipe.steps,
      batchSize: recipe.batchSize,
      learningRate: recipe.learningRate,
      dynamicBinarization: true,
      seed: seed + 1,
      onProgress: options.onProgress,
    });
    const test = model.evaluate(binarizedMnistTest(quick ? 200 : undefined));
    await savePixelCnnRun(model, dir, {
      name: PIXELCNN_CHECKPOINT,
      command: PIXELCNN_COMMAND,
      seed,
      steps: recipe.steps,
      trainSeconds: seconds,
      backend: tf.getBackend(),
      config: { ...recipe.config, height: 28, width: 28 },
      batchSize: recipe.batchSize,
      learningRate: recipe.learningRate,
      data: 'MNIST train set, dynamically binarised (x ~ Bernoulli(intensity), re-drawn for every batch)',
      testData: "MNIST test set binarised stochastically once: data.mnist({ split: 'test', binarize: 'stochastic', seed: 0 })",
      lossCurve: thinCurve(history, 0, 200),
      mode: quick ? 'quick' : 'full',
    }, test);
    return { dir, testNats: test.nats, testBitsPerDim: test.bitsPerDim, testCount: test.count, seconds, steps: recipe.steps };
  } finally {
    model.dispose();
  }
}

export interface ContinuePixelCnnOptions {
  /** More steps of the checkpoint's batch size. */
  steps: number;
  /** Adam learning rate at the first step, decayed linearly to 0.1× (a fresh Adam state). Default 1e-3. */
  learningRate?: number;
  /** Seed of the batch order and the dynamic binarisation. Default 7. */
  seed?: number;
  /**
   * Polyak averaging: keep an exponential moving average of the weights with this decay (e.g.
   * 0.999; PixelCNN++ used 0.9995), score both the last and the averaged weights on the test set,
   * and keep the better. Default 0: off.
   */
  emaDecay?: number;
  /** Default: the shipped checkpoint. */
  dir?: string;
  /** The command line to record in meta.json's `resumedWith` (how to reproduce this run). */
  command: string;
  onProgress?: (p: Progress) => void;
}

/**
 * Continue a saved PixelCNN (`tools/scripts/train-pixelcnn-more.ts`): train `steps` more, measure
 * the exact test NLL again on the same test images, and keep the result only if it improved — the
 * checkpoint, its meta.json (steps, training seconds and loss curve extended, the command appended
 * to `resumedWith`) and the results file; otherwise nothing on disk changes.
 */
export async function continuePixelCnnCheckpoint(
  options: ContinuePixelCnnOptions,
): Promise<PixelCnnRun & { before: number; improved: boolean; lastNats: number; averagedNats?: number }> {
  const { steps, learningRate = 1e-3, seed = 7, emaDecay = 0, command } = options;
  if (!Number.isInteger(steps) || steps < 1) throw new RangeError(`steps must be a positive integer; got ${steps}`);
  if (!(learningRate > 0)) throw new RangeError(`learningRate must be positive; got ${learningRate}`);
  if (!(emaDecay >= 0 && emaDecay < 1)) throw new RangeError(`emaDecay must be in [0, 1); got ${emaDecay}`);
  const dir = options.dir ?? checkpointDir(PIXELCNN_CHECKPOINT);
  const { model, meta } = loadPixelCnn(dir);
  const ema = emaDecay > 0 ? new ExponentialMovingAverage(model.trainableVariables(), emaDecay) : undefined;
  try {
    const before = meta.testNats as number;
    const testCount = meta.testCount as number;
    const quick = meta.mode === 'quick';
    const { history, seconds } = await trainPixelCnn(model, {
      images: pixelCnnTrainSet(quick, (meta.seed as number | undefined) ?? 0).images,
      steps,
      batchSize: meta.batchSize as number,
      learningRate,
      dynamicBinarization: true,
      seed,
      ema,
      onProgress: options.onProgress,
    });
    const testImages = binarizedMnistTest(testCount);
    const last = model.evaluate(testImages);
    const averaged = ema ? await ema.withAveraged(() => model.evaluate(testImages)) : undefined;
    const useAveraged = averaged !== undefined && averaged.nats < last.nats;
    if (useAveraged) ema!.copyToVariables();
    const test = useAveraged ? averaged : last;
    const total = (meta.steps as number) + steps;
    const run = { dir, testNats: test.nats, testBitsPerDim: test.bitsPerDim, testCount: test.count, seconds, steps: total, before, improved: test.nats < before, lastNats: last.nats, averagedNats: averaged?.nats };
    if (!run.improved) return { ...run, steps: meta.steps as number };
    await savePixelCnnRun(model, dir, {
      ...meta,
      steps: total,
      trainSeconds: (meta.trainSeconds as number) + seconds,
      resumedWith: [...((meta.resumedWith as string[] | undefined) ?? []), command],
      // which weights of the last run were kept (undefined, and dropped from the JSON, without averaging)
      weights: ema ? (useAveraged ? `EMA (decay ${emaDecay}) of the last run's weights` : "the last step's weights (they beat their EMA)") : undefined,
      lossCurve: [...((meta.lossCurve as number[][] | undefined) ?? []), ...thinCurve(history, meta.steps as number, 50)],
    }, test);
    return run;
  } finally {
    ema?.dispose();
    model.dispose();
  }
}

/** The PixelCNN saved in `dir` (default: the shipped checkpoint) and its meta data. */
export function loadPixelCnn(dir: string = checkpointDir(PIXELCNN_CHECKPOINT)): { model: PixelCnn; meta: CheckpointMeta } {
  if (!hasCheckpoint(dir)) throw new Error(`no PixelCNN checkpoint in ${dir}; make it with \`${PIXELCNN_COMMAND}\``);
  const meta = readMeta(dir);
  const config = meta?.config as PixelCnnConfig | undefined;
  if (!meta || !config) throw new Error(`${dir}/meta.json has no PixelCNN config`);
  const weights = loadVariables(dir);
  try {
    return { model: new PixelCnn({ ...config, seed: (meta.seed as number | undefined) ?? 0 }, weights), meta };
  } finally {
    tf.dispose(Object.values(weights));
  }
}
