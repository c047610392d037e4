/**
 * The course's MNIST VAE recipe: what `npm run train -- vae-mnist` (20-D latent, the ELBO target)
 * and `npm run train -- vae-mnist-2d` (2-D latent, for the latent map) run, and what notebook
 * 04 loads. Binarised MNIST (pixels thresholded at 0.5: a Bernoulli decoder needs binary data),
 * a dense 784-400-(2·latent) encoder and latent-400-784 decoder, Adam.
 *
 * @see notebooks/04-vae-elbo
 */
import { mnist } from '../../data/mnist';
import { Progress, Losses } from '../../train/loop';
import { CheckpointMeta } from '../../train/checkpoint';
import { loadCheckpointParts, saveCheckpointParts } from '../../train/checkpoint-parts';
import { Vae, trainVae } from '../vae';

export interface VaeMnistOptions {
  /** Latent dimension. Default 20. */
  latentDim?: number;
  hiddenUnits?: readonly number[];
  steps: number;
  batchSize?: number;
  learningRate?: number;
  /** Training images (default all 60 000). */
  trainLimit?: number;
  /** Test images for the final evaluation (default all 10 000; 0 skips it). */
  testLimit?: number;
  seed?: number;
  onProgress?: (progress: Progress) => void;
}

export interface VaeMnistRun {
  vae: Vae;
  history: Losses[];
  trainSeconds: number;
  /** Test-set negative ELBO and its terms, nats per image (one ε per image). */
  test?: { negativeElbo: number; reconstruction: number; kl: number };
  config: Required<Omit<VaeMnistOptions, 'onProgress'>>;
}

/** Binarised MNIST as the VAE trains on it (threshold 0.5). */
export function binarizedMnist(split: 'train' | 'test', limit?: number, seed?: number) {
  return mnist({ split, limit, binarize: 'threshold', seed });
}

/** Trains the recipe's VAE and evaluates it on the test set. */
export async function trainVaeMnist(options: VaeMnistOptions): Promise<VaeMnistRun> {
  const config = {
    latentDim: options.latentDim ?? 20,
    hiddenUnits: options.hiddenUnits ?? [400],
    steps: options.steps,
    batchSize: options.batchSize ?? 128,
    learningRate: options.learningRate ?? 1e-3,
    trainLimit: options.trainLimit ?? 60000,
    testLimit: options.testLimit ?? 10000,
    seed: options.seed ?? 1,
  };
  const trainSet = binarizedMnist('train', config.trainLimit, config.seed);
  const vae = Vae.dense({ inputDim: 784, hiddenUnits: config.hiddenUnits, latentDim: config.latentDim, seed: config.seed });
  const { history, seconds } = await trainVae(vae, { data: trainSet.images, count: trainSet.count }, {
    steps: config.steps,
    batchSize: config.batchSize,
    learningRate: config.learningRate,
    seed: config.seed + 1,
    onProgress: options.onProgress,
  });
  let test: VaeMnistRun['test'];
  if (config.testLimit > 0) {
    const testSet = binarizedMnist('test', config.testLimit);
    test = vae.evaluate({ data: testSet.images, count: testSet.count }, { seed: 12345 });
  }
  return { vae, history, trainSeconds: seconds, test, config };
}

/** Saves a VAE as <dir>/{encoder,decoder}, each with meta.json. */
export async function saveVaeCheckpointIn(vae: Vae, dir: string, meta: CheckpointMeta): Promise<string> {
  return saveCheckpointParts(dir, { encoder: vae.encoder, decoder: vae.decoder }, meta);
}

/** Saves a VAE as `data/checkpoints/<name>/{encoder,decoder}` plus meta.json in each folder. */
export async function saveVaeCheckpoint(vae: Vae, name: string, meta: { command: string; [key: string]: unknown }): Promise<string> {
  return saveCheckpointParts({ name }, { encoder: vae.encoder, decoder: vae.decoder }, meta);
}

/** Loads a VAE saved by saveVaeCheckpoint, with its meta data; undefined when absent. */
export async function loadVaeCheckpoint(name: string): Promise<{ vae: Vae; meta: CheckpointMeta | undefined } | undefined> {
  const saved = await loadCheckpointParts({ name }, { encoder: 'model', decoder: 'model' });
  return saved && { vae: new Vae(saved.parts.encoder, saved.parts.decoder), meta: saved.meta };
}

/** History entries averaged over windows of `window` steps (for loss curves). */
export function smoothHistory(history: Losses[], window: number): { step: number; losses: Losses }[] {
  const out: { step: number; losses: Losses }[] = [];
  for (let start = 0; start < history.length; start += window) {
    const chunk = history.slice(start, start + window);
    const losses: Losses = {};
    for (const key of Object.keys(chunk[0])) losses[key] = chunk.reduce((s, h) => s + h[key], 0) / chunk.length;
    out.push({ step: start + chunk.length, losses });
  }
  return out;
}

