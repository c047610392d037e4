/**
 * The pretrained diffusion model the systems notebook builds on: an unconditional MLP denoiser
 * (models/diffusion-mlp) for 14×14 MNIST digits (28×28 average-pooled 2×2, scaled to [−1, 1]), with a
 * cosine schedule of T = 100 steps. ControlNet freezes it; the refiner is compared against it.
 * Its checkpoint lives in data/checkpoints/systems-mnist14-ddpm (`tools/scripts/train-systems.ts`).
 *
 * @see notebooks/12-systems-in-practice
 */
import * as tf from '@tensorflow/tfjs';
import { mnist } from '../data/mnist';
import { arrayBatches, trainDiffusion } from '../diffusion/trainer';
import { NoiseSchedule, noiseSchedule } from '../diffusion/schedule';
import { DiffusionMlp } from '../models/diffusion-mlp';
import { Progress } from '../train/loop';
import { checkpointDir, checkpointOutputDir, hasCheckpoint, loadVariables, saveVariables } from '../train/checkpoint';
import { averagePool2, edgeMaps } from './images';

export const MNIST14_CHECKPOINT = 'systems-mnist14-ddpm';
export const MNIST14_COMMAND = 'npx tsx tools/scripts/train-systems.ts mnist14-ddpm';
/** The denoiser's shape: 196 → 3 × 256 → 196. */
export const MNIST14_CONFIG = { dataDim: 196, hiddenUnits: 256, layers: 3 } as const;
export const MNIST14_T = 100;

/** The cosine schedule with T = 100 the 14×14 models share. */
export function mnist14Schedule(): NoiseSchedule {
  return noiseSchedule('cosine', MNIST14_T);
}

/** 14×14 digits in [−1, 1] ([N·196]), their [0, 1] pixels, edge maps and labels. */
export function mnist14(options: { split: 'train' | 'test'; limit: number; seed?: number }): {
  x0: Float32Array;
  pixels: Float32Array;
  edges: Float32Array;
  labels: Uint8Array;
  count: number;
} {
  const set = mnist({ split: options.split, limit: options.limit, seed: options.seed ?? 0 });
  const pixels = averagePool2(set.images);
  return { x0: pixels.map((v) => 2 * v - 1), pixels, edges: edgeMaps(pixels), labels: set.labels, count: set.count };
}

/** Train the 14×14 denoiser with L_simple (DDPM Algorithm 1); no EMA (short runs). */
export async function trainMnist14Denoiser(options: {
  steps: number;
  seed: number;
  limit?: number;
  batchSize?: number;
  learningRate?: number;
  onProgress?: (p: Progress) => void;
}): Promise<{ network: DiffusionMlp; losses: number[]; seconds: number }> {
  const network = new DiffusionMlp({ ...MNIST14_CONFIG, seed: options.seed });
  const set = mnist14({ split: 'train', limit: options.limit ?? 10000 });
  const r = await trainDiffusion({
    network,
    schedule: mnist14Schedule(),
    data: arrayBatches(set.x0, [196]),
    steps: options.steps,
    batchSize: options.batchSize ?? 64,
    seed: options.seed + 1,
    learningRate: options.learningRate ?? 1e-3,
    emaDecay: 0,
    onProgress: options.onProgress,
  });
  return { network, losses: r.losses, seconds: r.seconds };
}

export async function saveMnist14Denoiser(network: DiffusionMlp, meta: { steps: number; seed: number; trainSeconds: number; finalLoss: number }): Promise<string> {
  const dir = checkpointOutputDir(MNIST14_CHECKPOINT);
  await saveVariables(network.params.record(), dir, { name: MNIST14_CHECKPOINT, command: MNIST14_COMMAND, backend: tf.getBackend(), ...meta });
  return dir;
}

/** The checkpointed denoiser, or null when there is none. */
export function loadMnist14Denoiser(): DiffusionMlp | null {
  const dir = checkpointDir(MNIST14_CHECKPOINT);
  if (!hasCheckpoint(dir)) return null;
  const network = new DiffusionMlp({ ...MNIST14_CONFIG, seed: 0 });
  const values = loadVariables(dir);
  network.params.assign(values);
  tf.dispose(Object.values(values));
  return network;
}
