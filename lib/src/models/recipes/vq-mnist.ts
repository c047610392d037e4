/**
 * The VQ-VAE recipe of notebook 04 (`npx tsx tools/scripts/train-autoencoders.ts vqvae-mnist`):
 * binarised MNIST, a dense encoder to 8 code vectors of dimension 8, a codebook of K = 64, β = 0.25.
 *
 * @see notebooks/04-vae-elbo
 */
import * as tf from '@tensorflow/tfjs';
import { mnist } from '../../data/mnist';
import { Progress, Losses } from '../../train/loop';
import { CheckpointMeta } from '../../train/checkpoint';
import { loadCheckpointParts, saveCheckpointParts } from '../../train/checkpoint-parts';
import { VqVae, trainVqVae } from '../vq';

export const VQVAE_MNIST_STEPS = 2500;

export function vqVaeMnistModel(seed = 1): VqVae {
  return new VqVae({ inputDim: 784, hiddenUnits: [512], latentVectors: 8, embeddingDim: 8, numEmbeddings: 64, beta: 0.25, seed });
}

export async function trainVqVaeMnist(options: { steps?: number; trainLimit?: number; seed?: number; onProgress?: (p: Progress) => void } = {}): Promise<{
  model: VqVae;
  history: Losses[];
  trainSeconds: number;
  steps: number;
}> {
  const { steps = VQVAE_MNIST_STEPS, trainLimit = 60000, seed = 1, onProgress } = options;
  const set = mnist({ split: 'train', limit: trainLimit, binarize: 'threshold', seed });
  const model = vqVaeMnistModel(seed);
  const { history, seconds } = await trainVqVae(model, { data: set.images, count: set.count }, { steps, batchSize: 128, learningRate: 1e-3, seed: seed + 1, onProgress });
  return { model, history, trainSeconds: seconds, steps };
}

/** The parts a VQ-VAE checkpoint holds: encoder, decoder and codebook. */
function vqVaeParts(model: VqVae) {
  return { encoder: model.encoder, decoder: model.decoder, codebook: { codebook: model.quantizer.codebook } };
}

/** Saves encoder, decoder and codebook under <dir>/. */
export async function saveVqVaeCheckpointIn(model: VqVae, dir: string, meta: CheckpointMeta): Promise<string> {
  return saveCheckpointParts(dir, vqVaeParts(model), meta);
}

/** Saves encoder, decoder and codebook under data/checkpoints/<name>/. */
export async function saveVqVaeCheckpoint(model: VqVae, name: string, meta: { command: string; [key: string]: unknown }): Promise<string> {
  return saveCheckpointParts({ name }, vqVaeParts(model), meta);
}

/** Rebuilds the recipe's VQ-VAE from a checkpoint; undefined when there is none. */
export async function loadVqVaeCheckpoint(name: string): Promise<{ model: VqVae; meta: CheckpointMeta | undefined } | undefined> {
  const saved = await loadCheckpointParts({ name }, { encoder: 'model', decoder: 'model', codebook: 'variables' });
  if (!saved) return undefined;
  const { encoder, decoder, codebook } = saved.parts;
  const model = vqVaeMnistModel(1);
  model.encoder.setWeights(encoder.getWeights());
  model.decoder.setWeights(decoder.getWeights());
  model.quantizer.codebook.assign(codebook.codebook);
  tf.dispose(Object.values(codebook));
  encoder.dispose();
  decoder.dispose();
  return { model, meta: saved.meta };
}
