/**
 * The adversarial-autoencoder recipe of notebook 04 (`npm run train -- aae-mnist`): MNIST
 * (intensities in [0, 1]) → 2-D codes matched to a spherical Gaussian N(0, I), as in Makhzani et al.
 * (2016), Fig. 4a — the figure lecture 000 shows next to the VAE's codes ("Manifold of Adversarial
 * Autoencoder" vs "Variational Autoencoder").
 *
 * @see notebooks/04-vae-elbo
 */
import * as tf from '@tensorflow/tfjs';
import { mnist } from '../../data/mnist';
import { Progress, Losses } from '../../train/loop';
import { CheckpointMeta } from '../../train/checkpoint';
import { loadCheckpointParts, saveCheckpointParts } from '../../train/checkpoint-parts';
import { AdversarialAutoencoder, gaussianPrior, PriorSampler, trainAdversarialAutoencoder } from '../aae';

/** The recipe's prior: N(0, I) in two dimensions. */
export const AAE_MNIST_PRIOR: PriorSampler = gaussianPrior(2);
export const AAE_MNIST_STEPS = 2500;

export function aaeMnistModel(seed = 1): AdversarialAutoencoder {
  return new AdversarialAutoencoder({ inputDim: 784, hiddenUnits: [512, 256], latentDim: 2, discriminatorUnits: [256, 256], seed });
}

export async function trainAaeMnist(options: {
  steps?: number;
  trainLimit?: number;
  seed?: number;
  learningRate?: number;
  discriminatorLearningRate?: number;
  generatorLearningRate?: number;
  /** The prior to match (default AAE_MNIST_PRIOR). */
  prior?: PriorSampler;
  onProgress?: (p: Progress) => void;
} = {}): Promise<{
  aae: AdversarialAutoencoder;
  history: Losses[];
  trainSeconds: number;
  steps: number;
}> {
  const { steps = AAE_MNIST_STEPS, trainLimit = 60000, seed = 1, onProgress } = options;
  const set = mnist({ split: 'train', limit: trainLimit, seed });
  const aae = aaeMnistModel(seed);
  const { history, seconds } = await trainAdversarialAutoencoder(aae, { data: set.images, count: set.count }, {
    steps,
    prior: options.prior ?? AAE_MNIST_PRIOR,
    batchSize: 128,
    learningRate: options.learningRate ?? 1e-3,
    discriminatorLearningRate: options.discriminatorLearningRate ?? 2e-4,
    generatorLearningRate: options.generatorLearningRate ?? 1e-3,
    loss: 'bce',
    seed: seed + 1,
    onProgress,
  });
  return { aae, history, trainSeconds: seconds, steps };
}

/** Saves the encoder and decoder under <dir>/ (the discriminator is only needed for training). */
export async function saveAaeCheckpointIn(aae: AdversarialAutoencoder, dir: string, meta: CheckpointMeta): Promise<string> {
  return saveCheckpointParts(dir, { encoder: aae.encoder, decoder: aae.decoder }, meta);
}

/** Saves the encoder and decoder under data/checkpoints/<name>/. */
export async function saveAaeCheckpoint(aae: AdversarialAutoencoder, name: string, meta: { command: string; [key: string]: unknown }): Promise<string> {
  return saveCheckpointParts({ name }, { encoder: aae.encoder, decoder: aae.decoder }, meta);
}

/** The encoder and decoder of a saved AAE (the discriminator is not needed after training); undefined when absent. */
export async function loadAaeCheckpoint(name: string): Promise<{ encoder: tf.LayersModel; decoder: tf.LayersModel; meta: CheckpointMeta | undefined } | undefined> {
  const saved = await loadCheckpointParts({ name }, { encoder: 'model', decoder: 'model' });
  return saved && { encoder: saved.parts.encoder, decoder: saved.parts.decoder, meta: saved.meta };
}
