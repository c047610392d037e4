/**
 * The course's MNIST autoencoder recipes: what `npx tsx tools/scripts/train-autoencoders.ts <name>`
 * trains for the checkpoints in data/checkpoints/, and what notebook 03 runs with a quick budget.
 * All four share the code size 16 so they can be compared with PCA at k = 16:
 *
 * | name | model |
 * | --- | --- |
 * | ae-mnist-linear | 784 → 16 → 784, no activations (can at best match PCA) |
 * | ae-mnist-dense | 784 → 512 → 128 → 16 → 128 → 512 → 784, ReLU, sigmoid output |
 * | ae-mnist-conv | two stride-2 3×3 convolutions (16, 32) → 16 → transposed convolutions |
 * | dae-mnist | the dense model trained to remove Gaussian noise (σ = 0.5, clipped) |
 *
 * Trained with Adam (1e-3, batch 128) on the MSE of MNIST pixel intensities in [0, 1].
 *
 * @see notebooks/03-pca-vs-autoencoder
 */
import { mnist } from '../../data/mnist';
import { Progress, Losses } from '../../train/loop';
import { CheckpointMeta } from '../../train/checkpoint';
import { loadCheckpointParts, saveCheckpointParts } from '../../train/checkpoint-parts';
import { Autoencoder, chain, convAutoencoder, denseAutoencoder, evaluateReconstruction, trainAutoencoder, NoiseKind } from '../autoencoder';

export const AE_MNIST_VARIANTS = ['ae-mnist-linear', 'ae-mnist-dense', 'ae-mnist-conv', 'dae-mnist'] as const;
export type AeMnistVariant = (typeof AE_MNIST_VARIANTS)[number];

/** The code size shared by the recipes (and the PCA they are compared with). */
export const AE_MNIST_CODE_SIZE = 16;

/** The denoising recipe's corruption. */
export const DAE_MNIST_NOISE: { kind: NoiseKind; level: number } = { kind: 'gaussian', level: 0.5 };

/** Default training steps of each recipe's checkpoint. */
export const AE_MNIST_STEPS: Record<AeMnistVariant, number> = {
  'ae-mnist-linear': 3000,
  'ae-mnist-dense': 3000,
  'ae-mnist-conv': 2000,
  'dae-mnist': 3000,
};

function checkVariant(variant: string): asserts variant is AeMnistVariant {
  if (!(AE_MNIST_VARIANTS as readonly string[]).includes(variant)) {
    throw new RangeError(`variant must be one of ${AE_MNIST_VARIANTS.join(', ')}; got ${JSON.stringify(variant)}`);
  }
}

/** A fresh (untrained) model of the recipe. */
export function aeMnistModel(variant: AeMnistVariant, seed = 1): Autoencoder {
  checkVariant(variant);
  switch (variant) {
    case 'ae-mnist-linear':
      return denseAutoencoder({ inputDim: 784, hiddenUnits: [], codeSize: AE_MNIST_CODE_SIZE, activation: 'linear', outputActivation: 'linear', seed });
    case 'ae-mnist-conv':
      return convAutoencoder({ height: 28, width: 28, channels: 1, filters: [16, 32], codeSize: AE_MNIST_CODE_SIZE, seed });
    default:
      return denseAutoencoder({ inputDim: 784, hiddenUnits: [512, 128], codeSize: AE_MNIST_CODE_SIZE, seed });
  }
}

export interface AeMnistOptions {
  steps?: number;
  batchSize?: number;
  learningRate?: number;
  trainLimit?: number;
  /** Test images for the final MSE (default all 10 000; 0 skips it). */
  testLimit?: number;
  seed?: number;
  onProgress?: (progress: Progress) => void;
}

export interface AeMnistRun {
  model: Autoencoder;
  history: Losses[];
  trainSeconds: number;
  /** Test reconstruction MSE per pixel (for dae-mnist: of noisy inputs against clean images). */
  testMse?: number;
  steps: number;
}

/** Trains one recipe on MNIST and measures its test MSE. */
export async function trainAeMnist(variant: AeMnistVariant, options: AeMnistOptions = {}): Promise<AeMnistRun> {
  checkVariant(variant);
  const { steps = AE_MNIST_STEPS[variant], batchSize = 128, learningRate = 1e-3, trainLimit = 60000, testLimit = 10000, seed = 1, onProgress } = options;
  const trainSet = mnist({ split: 'train', limit: trainLimit, seed });
  const model = aeMnistModel(variant, seed);
  const noise = variant === 'dae-mnist' ? DAE_MNIST_NOISE : undefined;
  const { history, seconds } = await trainAutoencoder(model, { data: trainSet.images, count: trainSet.count }, {
    steps,
    batchSize,
    learningRate,
    loss: 'mse',
    noise,
    seed: seed + 1,
    onProgress,
  });
  let testMse: number | undefined;
  if (testLimit > 0) {
    const testSet = mnist({ split: 'test', limit: testLimit });
    testMse = evaluateReconstruction(model, { data: testSet.images, count: testSet.count }, { noise: noise && { ...noise, seed: 777 } });
  }
  return { model, history, trainSeconds: seconds, testMse, steps };
}

/** Saves an autoencoder as <dir>/{encoder,decoder}, each with meta.json. */
export async function saveAutoencoderCheckpointIn(model: Autoencoder, dir: string, meta: CheckpointMeta): Promise<string> {
  return saveCheckpointParts(dir, { encoder: model.encoder, decoder: model.decoder }, meta);
}

/** Saves an autoencoder as data/checkpoints/<name>/{encoder,decoder} with meta.json. */
export async function saveAutoencoderCheckpoint(model: Autoencoder, name: string, meta: { command: string; [key: string]: unknown }): Promise<string> {
  return saveCheckpointParts({ name }, { encoder: model.encoder, decoder: model.decoder }, meta);
}

/** Loads an autoencoder saved by saveAutoencoderCheckpoint; undefined when there is none. */
export async function loadAutoencoderCheckpoint(name: string): Promise<{ model: Autoencoder; meta: CheckpointMeta | undefined } | undefined> {
  const saved = await loadCheckpointParts({ name }, { encoder: 'model', decoder: 'model' });
  if (!saved) return undefined;
  const { encoder, decoder } = saved.parts;
  const inputShape = encoder.inputs[0].shape.slice(1) as number[];
  const codeSize = decoder.inputs[0].shape[1] as number;
  return { model: { encoder, decoder, autoencoder: chain(encoder, decoder), codeSize, inputShape }, meta: saved.meta };
}
