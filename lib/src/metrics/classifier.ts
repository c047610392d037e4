/**
 * The course's MNIST classifier: the feature network of MNIST-IS and MNIST-FID.
 *
 * The Inception Score and FID were defined with Inception-v3 trained on ImageNet (lecture 004:
 * "If a classifier is unavailable, use a classifier trained on a large dataset, e.g. Inception
 * network trained on the ImageNet"). For MNIST digits we train our own small CNN instead, so the
 * numbers it gives are MNIST-IS and MNIST-FID: comparable across the models of this course, not
 * with ImageNet Inception numbers in papers.
 *
 * Architecture (LeCun-style, 판별 모델 discriminative model p(y|x)):
 *   [N,28,28,1] → conv 5×5 (16, same) → ReLU → max-pool 2 → conv 5×5 (32, same) → ReLU → max-pool 2
 *   → flatten [N,1568] → dense 128 → ReLU  ← `features` (the penultimate layer, used by FID)
 *   → dropout → dense 10                   ← logits; softmax gives c(y|x) (used by IS)
 *
 * @see notebooks/11-evaluation
 */
import * as tf from '@tensorflow/tfjs';
import { Matrix } from '../linalg/matrix';
import { argmaxRows } from './class-accuracy';
import { Rng } from '../random/rng';
import { trainLoop, Progress, Losses } from '../train/loop';
import { gatherRows } from '../data/batches';
import { mnist, MnistSet } from '../data/mnist';
import { checkpointDir, checkpointOutputDir, loadModel, saveModel, hasCheckpoint, readMeta, CheckpointMeta } from '../train/checkpoint';
import { writeResult } from '../train/results';
import { quickModeEnv } from '../train/mode';
import { projectPath } from '../paths';
import { tidyValues } from '../util/tidy-values';

/** Name of the shipped checkpoint: `data/checkpoints/mnist-classifier/`. */
export const MNIST_CLASSIFIER_CHECKPOINT = 'mnist-classifier';

/** The command that reproduces the shipped checkpoint. */
export const MNIST_CLASSIFIER_COMMAND = 'npm run train -- mnist-classifier';

/** Name of the penultimate (feature) layer inside the model. */
export const FEATURE_LAYER = 'features';

/**
 * MNIST images in [0, 1]: a tensor ([N, 784] or [N, 28, 28] or [N, 28, 28, 1]), a flat
 * Float32Array of N·784 pixels, or a set with `images` and `count` (what `data.mnist` returns).
 */
export type MnistImages = tf.Tensor | Float32Array | Pick<MnistSet, 'images' | 'count'>;

export interface MnistClassifierConfig {
  /** Filters of the two conv layers. Default [16, 32]. */
  filters?: readonly [number, number];
  /** Width of the feature layer. Default 128. */
  featureUnits?: number;
  /** Dropout rate before the last layer (training only). Default 0.3. */
  dropout?: number;
  seed: number;
}

/** Builds the (untrained) classifier network; it outputs logits [N, 10]. */
export function buildMnistClassifier(config: MnistClassifierConfig): tf.LayersModel {
  const { filters = [16, 32], featureUnits = 128, dropout = 0.3, seed } = config;
  for (const [v, name] of [[filters[0], 'filters[0]'], [filters[1], 'filters[1]'], [featureUnits, 'featureUnits']] as [number, string][]) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer; got ${v}`);
  }
  if (!(dropout >= 0 && dropout < 1)) throw new RangeError(`dropout must be in [0, 1); got ${dropout}`);
  const rng = new Rng(seed);
  const init = () => tf.initializers.heNormal({ seed: rng.tfSeed() });
  const input = tf.input({ shape: [28, 28, 1] });
  let h = tf.layers.conv2d({ filters: filters[0], kernelSize: 5, padding: 'same', activation: 'relu', kernelInitializer: init() }).apply(input) as tf.SymbolicTensor;
  h = tf.layers.maxPooling2d({ poolSize: 2 }).apply(h) as tf.SymbolicTensor; // [N,14,14,f0]
  h = tf.layers.conv2d({ filters: filters[1], kernelSize: 5, padding: 'same', activation: 'relu', kernelInitializer: init() }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.maxPooling2d({ poolSize: 2 }).apply(h) as tf.SymbolicTensor; // [N,7,7,f1]
  h = tf.layers.flatten().apply(h) as tf.SymbolicTensor;
  const features = tf.layers.dense({ units: featureUnits, activation: 'relu', kernelInitializer: init(), name: FEATURE_LAYER }).apply(h) as tf.SymbolicTensor;
  const dropped = tf.layers.dropout({ rate: dropout, seed: rng.tfSeed() }).apply(features) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: rng.tfSeed() }), name: 'logits' }).apply(dropped) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: logits, name: 'mnist_classifier' });
}

/** Number of images in an MnistImages value, and a function giving rows [start, end) as [n,28,28,1]. */
function imageSource(images: MnistImages, argName: string): { count: number; slice: (start: number, end: number) => tf.Tensor4D } {
  if (images instanceof tf.Tensor) {
    const n = images.shape[0];
    const size = images.size / (n || 1);
    if (images.rank < 2 || size !== 784) throw new RangeError(`${argName} must hold 28×28 images ([N,784], [N,28,28] or [N,28,28,1]); got shape [${images.shape}]`);
    return { count: n, slice: (s, e) => tf.tidy(() => images.slice([s], [e - s]).reshape([e - s, 28, 28, 1]).toFloat() as tf.Tensor4D) };
  }
  const flat = images instanceof Float32Array ? images : images.images;
  if (!(flat instanceof Float32Array) || flat.length % 784 !== 0) {
    throw new RangeError(`${argName} must be a tensor, a Float32Array of N·784 pixels or { images, count }; got ${flat === undefined ? 'undefined' : `${flat.length} values`}`);
  }
  const count = images instanceof Float32Array ? flat.length / 784 : images.count;
  if (count * 784 !== flat.length) throw new RangeError(`${argName}.images must hold count·784 = ${count * 784} pixels; got ${flat.length}`);
  return { count, slice: (s, e) => tf.tensor4d(flat.subarray(s * 784, e * 784), [e - s, 28, 28, 1]) };
}

/** Pixel range check: generated samples must be mapped to [0, 1] first (GAN outputs live in [−1, 1]). */
function checkRange(batch: tf.Tensor, argName: string): void {
  const [lo, hi] = tf.tidy(() => [batch.min().dataSync()[0], batch.max().dataSync()[0]]);
  if (!(lo >= -0.01 && hi <= 1.01)) {
    throw new RangeError(`${argName} must hold pixel intensities in [0, 1] (map GAN outputs with models.fromGanRange); got values in [${lo}, ${hi}]`);
  }
}

/** Rows renormalised to sum to 1 in Float64 (float32 softmax rows are off by ~1e-7). */
function normalizeRows(p: Matrix): Matrix {
  for (let i = 0; i < p.rows; i++) {
    let total = 0;
    for (let j = 0; j < p.cols; j++) total += p.data[i * p.cols + j];
    for (let j = 0; j < p.cols; j++) p.data[i * p.cols + j] /= total;
  }
  return p;
}

/** The trained classifier: class probabilities c(y|x) and penultimate-layer features. */
export class MnistClassifier {
  /** The network, images [N,28,28,1] → logits [N,10]. */
  readonly model: tf.LayersModel;
  /** The same weights, images → features [N, featureUnits] (the penultimate layer). */
  readonly featureModel: tf.LayersModel;
  /** The same weights, images → [features, logits] in one pass. */
  private readonly bothModel: tf.LayersModel;
  /** Meta data of the checkpoint it was loaded from, if any. */
  readonly meta: CheckpointMeta | undefined;

  constructor(model: tf.LayersModel, meta?: CheckpointMeta) {
    const layer = model.layers.find((l) => l.name === FEATURE_LAYER);
    if (!layer) throw new RangeError(`model must have a layer named '${FEATURE_LAYER}' (the penultimate layer)`);
    this.model = model;
    this.featureModel = tf.model({ inputs: model.inputs, outputs: layer.output as tf.SymbolicTensor });
    this.bothModel = tf.model({ inputs: model.inputs, outputs: [layer.output as tf.SymbolicTensor, model.outputs[0]] });
    this.meta = meta;
  }

  /** Width of the feature vector. */
  get featureDim(): number {
    return this.featureModel.outputs[0].shape[1] as number;
  }

  private run(net: tf.LayersModel, images: MnistImages, argName: string, batchSize: number, softmax: boolean): Matrix {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer; got ${batchSize}`);
    const source = imageSource(images, argName);
    const width = net.outputs[0].shape[1] as number;
    const out = new Matrix(source.count, width);
    for (let start = 0; start < source.count; start += batchSize) {
      const end = Math.min(source.count, start + batchSize);
      const batch = source.slice(start, end);
      try {
        checkRange(batch, argName);
        const values = tidyValues(() => {
          const y = net.predict(batch) as tf.Tensor;
          return softmax ? tf.softmax(y) : y;
        });
        out.data.set(values, start * width);
      } finally {
        batch.dispose();
      }
    }
    return out;
  }

  /** c(y|x): one probability row per image, N×10 (Float64, rows renormalised to sum to 1). */
  probabilities(images: MnistImages, batchSize = 500): Matrix {
    return normalizeRows(this.run(this.model, images, 'images', batchSize, true));
  }

  /** Penultimate-layer features, N×featureDim (Float64): the embedding FID compares. */
  features(images: MnistImages, batchSize = 500): Matrix {
    return this.run(this.featureModel, images, 'images', batchSize, false);
  }

  /** Features and probabilities from one forward pass (what FID and IS need together). */
  featuresAndProbabilities(images: MnistImages, batchSize = 500): { features: Matrix; probabilities: Matrix } {
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer; got ${batchSize}`);
    const source = imageSource(images, 'images');
    const features = new Matrix(source.count, this.featureDim);
    const probabilities = new Matrix(source.count, 10);
    for (let start = 0; start < source.count; start += batchSize) {
      const end = Math.min(source.count, start + batchSize);
      const batch = source.slice(start, end);
      try {
        checkRange(batch, 'images');
        tf.tidy(() => {
          const [f, logits] = this.bothModel.predict(batch) as tf.Tensor[];
          features.data.set(f.dataSync() as Float32Array, start * this.featureDim);
          probabilities.data.set(tf.softmax(logits).dataSync() as Float32Array, start * 10);
        });
      } finally {
        batch.dispose();
      }
    }
    normalizeRows(probabilities);
    return { features, probabilities };
  }

  /** The most probable class of each image. */
  predictLabels(images: MnistImages, batchSize = 500): Uint8Array {
    return Uint8Array.from(argmaxRows(this.probabilities(images, batchSize)));
  }

  /** Fraction of images whose predicted class equals `labels`. */
  accuracy(images: MnistImages, labels: ArrayLike<number>, batchSize = 500): number {
    const predicted = this.predictLabels(images, batchSize);
    if (labels.length !== predicted.length) throw new RangeError(`labels must have one entry per image (${predicted.length}); got ${labels.length}`);
    let correct = 0;
    for (let i = 0; i < predicted.length; i++) if (predicted[i] === labels[i]) correct++;
    return correct / predicted.length;
  }

  dispose(): void {
    this.model.dispose();
  }
}

export interface TrainMnistClassifierOptions extends MnistClassifierConfig {
  /** Optimisation steps (mini-batches). Default 4 epochs of the training set. */
  steps?: number;
  /** Default 64. */
  batchSize?: number;
  /** Adam learning rate; decays linearly to 10% over the steps. Default 1e-3. */
  learningRate?: number;
  /** Use only this many training images (quick mode). */
  trainLimit?: number;
  /** Evaluate on this many test images (default all 10 000). */
  testLimit?: number;
  onProgress?: (progress: Progress) => void;
}

export interface TrainMnistClassifierResult {
  classifier: MnistClassifier;
  history: Losses[];
  seconds: number;
  /** Accuracy on the (first `testLimit`) MNIST test images. */
  testAccuracy: number;
  steps: number;
}

/**
 * Trains the classifier on the MNIST training set with Adam on softmax cross-entropy, then
 * measures its test accuracy. The shipped checkpoint was made by `npm run train -- mnist-classifier`.
 */
export async function trainMnistClassifier(options: TrainMnistClassifierOptions): Promise<TrainMnistClassifierResult> {
  const { seed, batchSize = 64, learningRate = 1e-3, trainLimit, testLimit, onProgress } = options;
  const trainSet = mnist({ split: 'train', seed, limit: trainLimit });
  const steps = options.steps ?? Math.floor((4 * trainSet.count) / batchSize);
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`steps must be a non-negative integer; got ${steps}`);
  const model = buildMnistClassifier(options);
  const rng = new Rng(seed + 1);
  let queue: Int32Array[] = [];
  const nextBatch = (): Int32Array => {
    if (queue.length === 0) {
      const order = rng.permutation(trainSet.count);
      for (let s = 0; s + batchSize <= trainSet.count; s += batchSize) queue.push(Int32Array.from(order.slice(s, s + batchSize)));
      if (queue.length === 0) queue.push(Int32Array.from(order));
    }
    return queue.shift()!;
  };
  const optimizer = tf.train.adam(learningRate);
  const variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
  try {
    const { history, seconds } = await trainLoop({
      steps,
      onProgress,
      step: (i) => {
        // linear decay to 10%: a cheap way to settle into a good minimum in few epochs
        (optimizer as unknown as { learningRate: number }).learningRate = learningRate * (1 - (0.9 * i) / Math.max(1, steps));
        const idx = nextBatch();
        const x = tf.tensor4d(gatherRows(trainSet.images, 784, idx), [idx.length, 28, 28, 1]);
        const labels = tf.tidy(() => tf.oneHot(tf.tensor1d(Int32Array.from(idx, (k) => trainSet.labels[k]), 'int32'), 10));
        const loss = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(labels, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true, variables);
        const value = loss!.dataSync()[0];
        tf.dispose([x, labels, loss!]);
        return { loss: value };
      },
    });
    const classifier = new MnistClassifier(model);
    const testSet = mnist({ split: 'test', limit: testLimit });
    const testAccuracy = classifier.accuracy(testSet, testSet.labels);
    return { classifier, history, seconds, testAccuracy, steps };
  } finally {
    optimizer.dispose();
  }
}

const loaded = new Map<string, Promise<MnistClassifier>>();

/**
 * The trained classifier from its checkpoint (default: the shipped `data/checkpoints/mnist-classifier`),
 * loaded once per folder and shared.
 *
 * @throws Error naming the reproducing command when the checkpoint is missing.
 */
export function loadMnistClassifier(dir: string = checkpointDir(MNIST_CLASSIFIER_CHECKPOINT)): Promise<MnistClassifier> {
  let pending = loaded.get(dir);
  if (!pending) {
    if (!hasCheckpoint(dir)) {
      return Promise.reject(new Error(`no MNIST classifier checkpoint in ${dir}; make it with \`${MNIST_CLASSIFIER_COMMAND}\``));
    }
    pending = loadModel(dir).then((model) => new MnistClassifier(model, readMeta(dir)));
    pending.catch(() => loaded.delete(dir));
    loaded.set(dir, pending);
  }
  return pending;
}

export interface MakeCheckpointOptions {
  /** Default 0. */
  seed?: number;
  /** Where to save; default data/checkpoints/mnist-classifier (build/checkpoints/… in quick mode, so tests never overwrite the shipped one). */
  dir?: string;
  /** Quick mode: a few steps on a small subset. Default: GENBOOK_QUICK. */
  quick?: boolean;
  onProgress?: (progress: Progress) => void;
}

/**
 * What `npm run train -- mnist-classifier` does: train the classifier, save it with its meta data
 * and write its measured test accuracy to the results registry (`data/results/mnist-classifier.json`).
 */
export async function makeMnistClassifierCheckpoint(options: MakeCheckpointOptions = {}): Promise<{ dir: string; testAccuracy: number; seconds: number; steps: number }> {
  const seed = options.seed ?? 0;
  const quick = options.quick ?? quickModeEnv();
  const dir = options.dir ?? (quick ? projectPath('build', 'checkpoints', MNIST_CLASSIFIER_CHECKPOINT) : checkpointOutputDir(MNIST_CLASSIFIER_CHECKPOINT));
  const run = await trainMnistClassifier({
    seed,
    onProgress: options.onProgress,
    ...(quick ? { steps: 30, trainLimit: 2000, testLimit: 1000 } : {}),
  });
  const backendName = tf.getBackend();
  try {
    await saveModel(run.classifier.model, dir, {
      name: MNIST_CLASSIFIER_CHECKPOINT,
      command: MNIST_CLASSIFIER_COMMAND,
      seed,
      steps: run.steps,
      trainSeconds: run.seconds,
      backend: backendName,
      testAccuracy: run.testAccuracy,
      mode: quick ? 'quick' : 'full',
      architecture: 'conv5x5(16)-pool-conv5x5(32)-pool-dense128(features)-dropout0.3-dense10; Adam 1e-3 linear decay to 1e-4, batch 64',
    });
    writeResult({
      model: MNIST_CLASSIFIER_CHECKPOINT,
      family: 'Classifier',
      notebook: '11-evaluation',
      metrics: { testAccuracy: run.testAccuracy },
      trainSeconds: run.seconds,
      command: MNIST_CLASSIFIER_COMMAND,
      mode: quick ? 'quick' : 'full',
      notes: `feature network of MNIST-FID / MNIST-IS; ${run.steps} steps, backend ${backendName}`,
    });
  } finally {
    run.classifier.dispose();
  }
  loaded.delete(dir);
  return { dir, testAccuracy: run.testAccuracy, seconds: run.seconds, steps: run.steps };
}
