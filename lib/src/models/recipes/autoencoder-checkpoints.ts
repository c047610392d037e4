/**
 * One entry point that trains and saves every autoencoder-family checkpoint of notebooks 03 and 04:
 * `npm run train -- <name>` (tools/src/commands/train.ts) and `npx tsx
 * tools/scripts/train-autoencoders.ts <name> [--steps N] [--seed S]` both call it. Full mode writes
 * data/checkpoints/<name>/ and data/results/<name>.json; quick mode (`quick: true` or
 * GENBOOK_QUICK=1) trains a few steps on 2 000 images into build/checkpoints/<name>/ and
 * build/results/.
 *
 * @see notebooks/03-pca-vs-autoencoder
 * @see notebooks/04-vae-elbo
 */
import * as tf from '@tensorflow/tfjs';
import { mnist } from '../../data/mnist';
import { Losses, Progress } from '../../train/loop';
import { quickModeEnv } from '../../train/mode';
import { writeResult } from '../../train/results';
import { projectPath } from '../../paths';
import { AE_MNIST_VARIANTS, AeMnistVariant, saveAutoencoderCheckpointIn, trainAeMnist } from './autoencoder-mnist';
import { saveVaeCheckpointIn, smoothHistory, trainVaeMnist } from './vae-mnist';
import { saveAaeCheckpointIn, trainAaeMnist } from './aae-mnist';
import { saveVqVaeCheckpointIn, trainVqVaeMnist } from './vq-mnist';

export const AUTOENCODER_CHECKPOINTS = [...AE_MNIST_VARIANTS, 'vae-mnist', 'vae-mnist-2d', 'aae-mnist', 'vqvae-mnist'] as const;
export type AutoencoderCheckpointName = (typeof AUTOENCODER_CHECKPOINTS)[number];

/** Full-mode training steps of each checkpoint. */
export const AUTOENCODER_CHECKPOINT_STEPS: Record<AutoencoderCheckpointName, number> = {
  'ae-mnist-linear': 3000,
  'ae-mnist-dense': 3000,
  'ae-mnist-conv': 2000,
  'dae-mnist': 3000,
  'vae-mnist': 5000,
  'vae-mnist-2d': 3000,
  'aae-mnist': 2500,
  'vqvae-mnist': 2500,
};

export interface MakeAutoencoderCheckpointOptions {
  seed?: number;
  quick?: boolean;
  steps?: number;
  /** Where to save (default data/checkpoints/<name>, or build/checkpoints/<name> in quick mode). */
  dir?: string;
  /** The reproducing command recorded in meta.json (default `npm run train -- <name>`). */
  command?: string;
  onProgress?: (progress: Progress) => void;
}

/** At most ~200 points: window means of the per-step losses, rounded to 6 significant digits. */
function thin(history: Losses[]): Record<string, number>[] {
  const window = Math.max(1, Math.ceil(history.length / 200));
  return smoothHistory(history, window).map(({ step, losses }) => ({
    step,
    ...Object.fromEntries(Object.entries(losses).map(([k, v]) => [k, Number(v.toPrecision(6))])),
  }));
}

/** Trains checkpoint `name`, saves it, records its test numbers; returns a summary. */
export async function makeAutoencoderCheckpoint(name: AutoencoderCheckpointName, options: MakeAutoencoderCheckpointOptions = {}): Promise<Record<string, unknown>> {
  if (!(AUTOENCODER_CHECKPOINTS as readonly string[]).includes(name)) {
    throw new RangeError(`name must be one of ${AUTOENCODER_CHECKPOINTS.join(', ')}; got ${JSON.stringify(name)}`);
  }
  const quick = options.quick ?? quickModeEnv();
  const mode = quick ? 'quick' : 'full';
  const seed = options.seed ?? 1;
  const steps = options.steps ?? (quick ? 10 : AUTOENCODER_CHECKPOINT_STEPS[name]);
  const dir = options.dir ?? (quick ? projectPath('build', 'checkpoints', name) : projectPath('data', 'checkpoints', name));
  const command = options.command ?? `npm run train -- ${name}`;
  const trainLimit = quick ? 2000 : 60000;
  const testLimit = quick ? 500 : 10000;
  const common = { command, seed, backend: tf.getBackend(), mode };
  const { onProgress } = options;

  if ((AE_MNIST_VARIANTS as readonly string[]).includes(name)) {
    const variant = name as AeMnistVariant;
    const run = await trainAeMnist(variant, { steps, seed, trainLimit, testLimit, onProgress });
    await saveAutoencoderCheckpointIn(run.model, dir, { ...common, name, steps, trainSeconds: Math.round(run.trainSeconds), codeSize: run.model.codeSize, testMse: run.testMse, history: thin(run.history) });
    writeResult({
      model: name,
      family: 'AE',
      notebook: '03-pca-vs-autoencoder',
      metrics: { testMsePerPixel: run.testMse! },
      trainSeconds: Math.round(run.trainSeconds),
      command,
      mode,
      notes: `code size ${run.model.codeSize}, ${steps} steps of batch 128, ${testLimit} test images, backend ${tf.getBackend()}${variant === 'dae-mnist' ? '; MSE of denoised Gaussian-noise (σ 0.5) inputs against the clean images' : ''}`,
    });
    return { dir, steps, trainSeconds: Math.round(run.trainSeconds), testMse: run.testMse };
  }
  if (name === 'vae-mnist' || name === 'vae-mnist-2d') {
    const latentDim = name === 'vae-mnist' ? 20 : 2;
    const run = await trainVaeMnist({ latentDim, steps, seed, trainLimit, testLimit, onProgress });
    const test = run.test!;
    const iwaeImages = quick ? 100 : 1000;
    const x = mnist({ split: 'test', limit: iwaeImages, binarize: 'threshold' });
    const iwae = tf.tidy(() => tf.mean(run.vae.logLikelihoodEstimate(tf.tensor2d(x.images, [x.count, 784]), 100, 7)).dataSync()[0]);
    await saveVaeCheckpointIn(run.vae, dir, { ...common, name, ...run.config, trainSeconds: Math.round(run.trainSeconds), test, iwaeLogLikelihood: iwae, iwaeImages, binarize: 'threshold', history: thin(run.history) });
    writeResult({
      model: name,
      family: 'VAE',
      notebook: '04-vae-elbo',
      metrics: { testNegativeElboNats: test.negativeElbo, testReconstructionNats: test.reconstruction, testKlNats: test.kl, testNllIwae100Nats: -iwae },
      trainSeconds: Math.round(run.trainSeconds),
      command,
      mode,
      notes: `MNIST binarised at 0.5; latent ${latentDim}; ${steps} steps of batch 128; negative ELBO on ${testLimit} test images (one ε each); IWAE (K = 100) on the first ${iwaeImages}; backend ${tf.getBackend()}`,
    });
    return { dir, steps, trainSeconds: Math.round(run.trainSeconds), test, iwaeLogLikelihood: iwae };
  }
  if (name === 'aae-mnist') {
    const run = await trainAaeMnist({ steps, seed, trainLimit, onProgress });
    await saveAaeCheckpointIn(run.aae, dir, { ...common, name, steps, trainSeconds: Math.round(run.trainSeconds), history: thin(run.history) });
    return { dir, steps, trainSeconds: Math.round(run.trainSeconds), lastLosses: run.history.at(-1) };
  }
  const run = await trainVqVaeMnist({ steps, seed, trainLimit, onProgress });
  await saveVqVaeCheckpointIn(run.model, dir, { ...common, name, steps, trainSeconds: Math.round(run.trainSeconds), history: thin(run.history) });
  return { dir, steps, trainSeconds: Math.round(run.trainSeconds), lastLosses: run.history.at(-1) };
}
