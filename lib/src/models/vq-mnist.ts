/**
 * The VQ-VAE recipe of notebook 04 (`npx tsx tools/scripts/train-autoencoders.ts vqvae-mnist`):
 * binarised MNIST, a dense encoder to 8 code vectors of dimension 8, a codebook of K = 64, β = 0.25.
 *
 * @see notebooks/04-vae-elbo
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { mnist } from '../data/mnist';
import { Progress, Losses } from '../train/loop';
import { saveModel, loadModel, saveVariables, loadVariables, checkpointDir, hasCheckpoint, readMeta, CheckpointMeta } from '../train/checkpoint';
import { VqVae, trainVqVae } from './vq';

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

/** Saves encoder, decoder and codebook under <dir>/. */
export async function saveVqVaeCheckpointIn(model: VqVae, dir: string, meta: CheckpointMeta): Promise<string> {
  await saveModel(model.encoder, path.join(dir, 'encoder'), meta);
  await saveModel(model.decoder, path.join(dir, 'decoder'), meta);
  await saveVariables({ codebook: model.quantizer.codebook }, path.join(dir, 'codebook'), meta);
  return dir;
}

/** Saves encoder, decoder and codebook under data/checkpoints/<name>/. */
export async function saveVqVaeCheckpoint(model: VqVae, name: string, meta: { command: string; [key: string]: unknown }): Promise<string> {
  return saveVqVaeCheckpointIn(model, checkpointDir(name), { ...meta, name });
}

/** Rebuilds the recipe's VQ-VAE from a checkpoint; undefined when there is none. */
export async function loadVqVaeCheckpoint(name: string): Promise<{ model: VqVae; meta: CheckpointMeta | undefined } | undefined> {
  const dir = checkpointDir(name);
  if (!hasCheckpoint(path.join(dir, 'encoder')) || !hasCheckpoint(path.join(dir, 'codebook'))) return undefined;
  const model = vqVaeMnistModel(1);
  const encoder = await loadModel(path.join(dir, 'encoder'));
  const decoder = await loadModel(path.join(dir, 'decoder'));
  model.encoder.setWeights(encoder.getWeights());
  model.decoder.setWeights(decoder.getWeights());
  const { codebook } = loadVariables(path.join(dir, 'codebook'));
  model.quantizer.codebook.assign(codebook);
  tf.dispose([codebook]);
  encoder.dispose();
  decoder.dispose();
  return { model, meta: readMeta(path.join(dir, 'encoder')) };
}
