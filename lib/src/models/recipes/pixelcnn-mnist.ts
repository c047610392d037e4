/**
 * The PixelCNN's MNIST recipe (`npm run train -- pixelcnn`): the shipped checkpoint in
 * data/checkpoints/pixelcnn/, its continuation (`tools/scripts/train-pixelcnn-more.ts`) and loading
 * it back, with the exact test NLL on stochastically binarised MNIST recorded in meta.json and
 * data/results/pixelcnn.json. The network is `../pixelcnn.ts`.
 *
 * @see notebooks/07-autoregressive-and-flows
 */
import * as tf from '@tensorflow/tfjs';
import { Losses, Progress } from '../../train/loop';
import { mnist, MnistSet } from '../../data/mnist';
import { saveVariables, loadVariables, readMeta, hasCheckpoint, checkpointDir, checkpointOutputDir, CheckpointMeta } from '../../train/checkpoint';
import { writeResult } from '../../train/results';
import { ExponentialMovingAverage } from '../../train/ema';
import { quickModeEnv } from '../../train/mode';
import { projectPath } from '../../paths';
import { checkPositiveInt } from '../../util/validate';
import { PixelCnn, PixelCnnConfig, trainPixelCnn } from '../pixelcnn';

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
  const dir = options.dir ?? (quick ? projectPath('build', 'checkpoints', PIXELCNN_CHECKPOINT) : checkpointOutputDir(PIXELCNN_CHECKPOINT));
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
  checkPositiveInt(steps, 'steps');
  if (!(learningRate > 0)) throw new RangeError(`learningRate must be positive; got ${learningRate}`);
  if (!(emaDecay >= 0 && emaDecay < 1)) throw new RangeError(`emaDecay must be in [0, 1); got ${emaDecay}`);
  // read from $GENBOOK_CHECKPOINTS/pixelcnn when it is there, else the shipped one; write an
  // improvement to $GENBOOK_CHECKPOINTS/pixelcnn when that variable is set (never over the shipped one)
  const { model, meta } = loadPixelCnn(options.dir ?? checkpointDir(PIXELCNN_CHECKPOINT));
  const dir = options.dir ?? checkpointOutputDir(PIXELCNN_CHECKPOINT);
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
