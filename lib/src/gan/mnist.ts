/**
 * The course's MNIST GANs as ready-made trainers, so the notebooks and the training script
 * (`tools/scripts/train-gan.ts`) build exactly the same models with the same hyper-parameters:
 *
 * | variant   | game                          | k | optimizers                     | paper |
 * | --------- | ----------------------------- | - | ------------------------------ | ----- |
 * | `dcgan`   | non-saturating                | 1 | Adam 2e-4, β1 0.5              | Radford et al. 2016 |
 * | `cgan`    | non-saturating, G(z, y), D(x, y) | 1 | Adam 2e-4, β1 0.5           | Mirza & Osindero 2014 |
 * | `acgan`   | non-saturating + class loss L_C, G(z, y), D(x) → (S, C) | 1 | Adam 2e-4, β1 0.5 | Odena et al. 2017 |
 * | `wgan`    | critic, weight clipping 0.01  | 5 | RMSprop 5e-5                   | Arjovsky et al. 2017 |
 * | `wgan-gp` | critic + 10·gradient penalty  | 5 | Adam 1e-4, β1 0, β2 0.9        | Gulrajani et al. 2017 |
 *
 * All use the DCGAN architecture of `models.dcganGenerator` / `models.dcganDiscriminator` and
 * images scaled to [−1, 1].
 *
 * @see notebooks/05-gan-minimax
 * @see notebooks/06-conditional-gans
 */
import * as tf from '@tensorflow/tfjs';
import { mnist, MnistSet } from '../data/mnist';
import { gatherRows } from '../data/batches';
import { Rng } from '../random/rng';
import { dcganDiscriminator, dcganGenerator } from '../models/gan-dcgan';
import { GanObjective, GanTrainer, RealBatch } from './trainer';
import { Progress } from '../train/loop';
import { checkpointDir, saveModel } from '../train/checkpoint';
import { quickModeEnv } from '../train/mode';
import { projectPath } from '../paths';

export type MnistGanVariant = 'dcgan' | 'cgan' | 'acgan' | 'wgan' | 'wgan-gp';
export const MNIST_GAN_VARIANTS: readonly MnistGanVariant[] = ['dcgan', 'cgan', 'acgan', 'wgan', 'wgan-gp'];

export interface MnistGanOptions {
  variant: MnistGanVariant;
  seed: number;
  /** Training images to use (a seeded random subset). Default: all 60 000. */
  limit?: number;
  /** Default 64. */
  batchSize?: number;
  /** Discriminator steps per generator step; default per variant (see the table). */
  k?: number;
  /** Dimension of z. Default 64. */
  latentDim?: number;
  /** Width of the networks (filters of the 14×14 layers). Default 32. */
  baseFilters?: number;
  /** An already loaded training set (saves reloading it). */
  set?: MnistSet;
}

const OBJECTIVES: Record<MnistGanVariant, GanObjective> = {
  dcgan: 'non-saturating',
  cgan: 'non-saturating',
  acgan: 'non-saturating',
  wgan: 'wgan',
  'wgan-gp': 'wgan-gp',
};

/**
 * A sampler of real MNIST minibatches in [−1, 1], [m, 28, 28, 1], with their labels when
 * `withLabels` (for a conditional GAN). The pixels stay in a JavaScript array; each call builds
 * one minibatch tensor.
 */
export function mnistSampler(set: MnistSet, withLabels: boolean): (batchSize: number, rng: Rng) => RealBatch {
  const pixels = set.height * set.width;
  const scaled = Float32Array.from(set.images, (v) => 2 * v - 1);
  return (batchSize: number, rng: Rng) => {
    const indices = Int32Array.from({ length: batchSize }, () => rng.int(0, set.count));
    const x = tf.tensor4d(gatherRows(scaled, pixels, indices), [batchSize, set.height, set.width, 1]);
    if (!withLabels) return x;
    return { x, labels: Int32Array.from(indices, (i) => set.labels[i]) };
  };
}

/** A GanTrainer for one of the course's MNIST GANs (models built with seeds derived from `seed`). */
export function mnistGanTrainer(options: MnistGanOptions): GanTrainer {
  const { variant, seed, limit, batchSize = 64, latentDim = 64, baseFilters = 32 } = options;
  if (!MNIST_GAN_VARIANTS.includes(variant)) {
    throw new RangeError(`variant must be one of ${MNIST_GAN_VARIANTS.join(', ')}; got ${JSON.stringify(variant)}`);
  }
  const rng = new Rng(seed);
  const set = options.set ?? mnist({ split: 'train', limit, seed: rng.tfSeed() });
  const auxiliary = variant === 'acgan';
  const conditional = variant === 'cgan' || auxiliary;
  const numClasses = conditional ? 10 : undefined;
  return new GanTrainer({
    generator: dcganGenerator({ latentDim, baseFilters, numClasses, seed: rng.tfSeed() }),
    // AC-GAN: D sees x alone and predicts the class with a second head (Odena et al. 2017, Fig. 2)
    discriminator: auxiliary
      ? dcganDiscriminator({ baseFilters, auxiliaryClasses: 10, seed: rng.tfSeed() })
      : dcganDiscriminator({ baseFilters, numClasses, seed: rng.tfSeed() }),
    latentDim,
    numClasses,
    auxiliaryClassifierWeight: auxiliary ? 1 : undefined,
    sampleReal: mnistSampler(set, conditional),
    objective: OBJECTIVES[variant],
    k: options.k,
    batchSize,
    seed: rng.tfSeed(),
  });
}

/** Training iterations of the shipped checkpoints (`npm run train -- <variant>`). */
export const MNIST_GAN_ITERATIONS: Record<MnistGanVariant, number> = { dcgan: 3000, cgan: 2000, acgan: 8000, wgan: 1500, 'wgan-gp': 1000 };
/** Seed of the shipped checkpoints. */
export const MNIST_GAN_SEED = 2014;

export interface MakeMnistGanCheckpointOptions {
  seed?: number;
  /** Quick mode: 6 iterations on 2000 images, saved under build/checkpoints/. */
  quick?: boolean;
  /** Override the variant's iteration count. */
  iterations?: number;
  /** Override k. */
  k?: number;
  /** Where to save (default data/checkpoints/<variant>, or build/checkpoints/<variant> in quick mode). */
  dir?: string;
  /** The command recorded in meta.json. Default `npm run train -- <variant>`. */
  command?: string;
  /** Save every this many iterations (a long run stopped early still leaves a checkpoint). Default 250. */
  saveEvery?: number;
  onProgress?: (progress: Progress) => void;
}

/**
 * Train one of the MNIST GANs and save its generator with `train.saveModel` (meta.json: command,
 * seed, iterations, wall time, backend, hyper-parameters, the last losses and a loss history
 * thinned to every 10th iteration). Used by `npm run train -- <variant>` and
 * `tools/scripts/train-gan.ts`.
 */
export async function makeMnistGanCheckpoint(
  variant: MnistGanVariant,
  options: MakeMnistGanCheckpointOptions = {},
): Promise<{ dir: string; iterations: number; seconds: number; lastLosses: Record<string, number> }> {
  if (!MNIST_GAN_VARIANTS.includes(variant)) {
    throw new RangeError(`variant must be one of ${MNIST_GAN_VARIANTS.join(', ')}; got ${JSON.stringify(variant)}`);
  }
  const quick = options.quick ?? quickModeEnv();
  const seed = options.seed ?? MNIST_GAN_SEED;
  const iterations = options.iterations ?? (quick ? 6 : MNIST_GAN_ITERATIONS[variant]);
  const saveEvery = options.saveEvery ?? 250;
  const dir = options.dir ?? (quick ? projectPath('build', 'checkpoints', variant) : checkpointDir(variant));
  const command = options.command ?? `npm run train -- ${variant}`;
  const trainer = mnistGanTrainer({ variant, seed, k: options.k, limit: quick ? 2000 : undefined });
  const save = async () => {
    const history = trainer.history
      .map((h, i) => ({ iteration: i + 1, ...h }))
      .filter((h) => h.iteration % 10 === 0 || h.iteration === trainer.history.length);
    await saveModel(trainer.generator as tf.LayersModel, dir, {
      name: variant,
      command,
      seed,
      steps: trainer.iteration,
      trainSeconds: Math.round(trainer.seconds),
      backend: tf.getBackend(),
      mode: quick ? 'quick' : 'full',
      variant,
      objective: trainer.objective,
      k: trainer.k,
      batchSize: trainer.batchSize,
      latentDim: trainer.latentDim,
      numClasses: trainer.numClasses ?? null,
      lastLosses: trainer.history.at(-1) ?? {},
      history,
    });
  };
  try {
    while (trainer.iteration < iterations) {
      const offset = trainer.iteration;
      const n = Math.min(saveEvery, iterations - offset);
      await trainer.train(n, {
        reportEvery: Math.max(1, Math.min(50, n)),
        onProgress: options.onProgress
          ? (p) => options.onProgress!({ ...p, step: offset + p.step, steps: iterations, etaSeconds: (trainer.seconds + p.elapsedSeconds) / (offset + p.step) * (iterations - offset - p.step) })
          : undefined,
      });
      await save();
    }
    return { dir, iterations: trainer.iteration, seconds: trainer.seconds, lastLosses: trainer.history.at(-1) ?? {} };
  } finally {
    trainer.dispose();
  }
}
