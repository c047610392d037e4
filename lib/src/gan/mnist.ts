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
import { GanObjective, GanTrainer, GanTrainerState, RealBatch, ganLearningRate } from './trainer';
import { Losses, Progress } from '../train/loop';
import { checkpointDir, checkpointOutputDir, hasCheckpoint, loadModel, loadVariables, readMeta, saveModel, saveVariables } from '../train/checkpoint';
import * as fs from 'fs';
import * as path from 'path';
import { quickModeEnv } from '../train/mode';
import { type LearningRateStep, planLearningRates } from '../train/learning-rates';
import { planThreadCounts } from '../train/thread-counts';
import { projectPath } from '../paths';
import { threadsInUse } from '../backend/setup';

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
  /** EMA decay of G's weights (`GanTrainerOptions.generatorEmaDecay`). Default per variant: `MNIST_GAN_EMA_DECAY`. */
  generatorEmaDecay?: number;
  /** Learning rate α of both players' optimizers. Default: the paper's (`ganLearningRate`, the table above). */
  learningRate?: number;
  /** D's own rate (TTUR, `GanTrainerOptions.discriminatorLearningRate`). Default: `learningRate`. */
  discriminatorLearningRate?: number;
  /** R1 weight γ on D (`GanTrainerOptions.r1Weight`; not for 'wgan', 'wgan-gp', 'acgan'). Default 0. */
  r1Weight?: number;
  /** An already loaded training set (saves reloading it). */
  set?: MnistSet;
}

/**
 * EMA of G's weights per variant. DCGAN, the conditional DCGAN and WGAN-GP sample from the average
 * (Yazıcı et al. 2019); the AC-GAN and WGAN were trained, and ship, without it.
 */
export const MNIST_GAN_EMA_DECAY: Record<MnistGanVariant, number> = { dcgan: 0.999, cgan: 0.999, acgan: 0, wgan: 0, 'wgan-gp': 0.999 };

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
  // .map, not Float32Array.from(images, f): that one goes through the iterator protocol, seconds for 47 M pixels
  const scaled = set.images.map((v) => 2 * v - 1);
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
    generatorEmaDecay: options.generatorEmaDecay ?? MNIST_GAN_EMA_DECAY[variant],
    learningRate: options.learningRate,
    discriminatorLearningRate: options.discriminatorLearningRate,
    r1Weight: options.r1Weight,
    seed: rng.tfSeed(),
  });
}

/** Training iterations of the shipped checkpoints (`npm run train -- <variant>`). */
export const MNIST_GAN_ITERATIONS: Record<MnistGanVariant, number> = { dcgan: 28000, cgan: 8000, acgan: 8000, wgan: 1500, 'wgan-gp': 11500 };

/**
 * The R1 weight γ by iteration of the shipped checkpoints (Mescheder et al. 2018, eq. 9;
 * `npm run train -- <variant>`); none: 0 throughout. The shipped DCGAN's FID had levelled off near
 * 18 without R1 (17.5 at 19 000 iterations, 18.3 at 23 000, 2000 samples); with γ = 1 from 23 250
 * on it fell to 14.7 at 28 000 (its fid-curve.json).
 */
export const MNIST_GAN_R1_SCHEDULE: Partial<Record<MnistGanVariant, readonly R1WeightStep[]>> = {
  dcgan: [{ fromStep: 0, weight: 0 }, { fromStep: 23250, weight: 1 }],
};
/**
 * Width (`baseFilters`) of the shipped checkpoints' G and D: `makeMnistGanCheckpoint`'s default, so
 * `npm run train -- <variant>` trains the shipped network. The DCGAN is twice as wide as the others:
 * at 32 its FID stalled near 22 whatever the learning rates (see data/training/README.md).
 * `mnistGanTrainer` alone keeps 32 for every variant (the small live trainings of notebooks 05, 06).
 */
export const MNIST_GAN_BASE_FILTERS: Record<MnistGanVariant, number> = { dcgan: 64, cgan: 32, acgan: 32, wgan: 32, 'wgan-gp': 32 };
/** Width of the trainings saved before meta.json recorded it. */
const WIDTH_BEFORE_RECORDED = 32;
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
  /**
   * Width of G and D (filters of their 14×14 layers, twice that at 7×7). Default: the shipped
   * checkpoint's (`MNIST_GAN_BASE_FILTERS`: 64 for the DCGAN, 32 for the others); doubling it
   * quadruples the convolutions' multiply-adds. Recorded in meta.json; a resume keeps the saved
   * width and refuses another.
   */
  baseFilters?: number;
  /** Where to save (default data/checkpoints/<variant>, or build/checkpoints/<variant> in quick mode). */
  dir?: string;
  /** The command recorded in meta.json. Default `npm run train -- <variant>`. */
  command?: string;
  /** Save every this many iterations (a long run stopped early still leaves a checkpoint). Default 250. */
  saveEvery?: number;
  /**
   * Continue the training saved in `<dir>/resume/` (the raw G, D, the optimizers' moments, the
   * EMA, the random generator's position and the loss history) up to `iterations` in total; the
   * continued run matches an uninterrupted one. Without a saved state: an error.
   */
  resume?: boolean;
  /**
   * Learning rate α of both players from here on. Default: the paper's for a new training, and the
   * saved training's last rate on a resume. A different rate on a resume is a step decay:
   * meta.json's `learningRates` lists every rate with the iteration it started at.
   */
  learningRate?: number;
  /**
   * D's own rate from here on (the two time-scale update rule, Heusel et al. 2017). Default:
   * `learningRate` when that is given, else the saved training's last D rate on a resume, else
   * the same as G's.
   */
  discriminatorLearningRate?: number;
  /**
   * R1 weight γ on D from here on (Mescheder et al. 2018; `GanTrainerOptions.r1Weight`). Default:
   * the variant's `MNIST_GAN_R1_SCHEDULE` for a new training (0 for those without one), the saved
   * training's weight on a resume; recorded in meta.json (`r1Weight`, and `r1Weights` by iteration).
   */
  r1Weight?: number;
  /** For a new training without `r1Weight`: γ by iteration in place of `MNIST_GAN_R1_SCHEDULE`. */
  r1Schedule?: readonly R1WeightStep[];
  onProgress?: (progress: Progress) => void;
}

/** The R1 weight γ from iteration `fromStep` on (meta.json's `r1Weights`, as `learningRates`). */
export interface R1WeightStep {
  fromStep: number;
  weight: number;
}

/** A schedule's steps start at 0 and increase, with weights >= 0. */
function checkR1Schedule(schedule: readonly R1WeightStep[]): readonly R1WeightStep[] {
  schedule.forEach((s, i) => {
    const previous = i > 0 ? schedule[i - 1].fromStep : -1;
    if (!Number.isInteger(s.fromStep) || s.fromStep <= previous || (i === 0 && s.fromStep !== 0) || !(s.weight >= 0 && Number.isFinite(s.weight))) {
      throw new RangeError(`r1Schedule: steps from iteration 0, in increasing order, with weights >= 0; got ${JSON.stringify(schedule)}`);
    }
  });
  return schedule;
}

/**
 * The R1 weights of a training so far: the saved ones (a state saved before they were recorded had
 * its `r1Weight`, or none, from the start), and `weight` from `step` on when it differs from the last.
 */
function planR1Weights(saved: Record<string, unknown> | null | undefined, step: number, weight: number): R1WeightStep[] {
  const steps = saved ? ((saved.r1Weights as R1WeightStep[] | undefined) ?? [{ fromStep: 0, weight: (saved.r1Weight as number | undefined) ?? 0 }]) : [];
  return steps.at(-1)?.weight === weight ? steps : [...steps, { fromStep: step, weight }];
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
  const dir = options.dir ?? (quick ? projectPath('build', 'checkpoints', variant) : checkpointOutputDir(variant));
  const command = options.command ?? `npm run train -- ${variant}`;
  const stateDir = path.join(dir, 'resume');
  // A resume goes on at the saved training's last rates and width unless told otherwise (read before building the optimizers).
  const savedTrainer = options.resume ? readMeta(path.join(stateDir, 'trainer')) : null;
  const savedWidth = savedTrainer ? ((savedTrainer.baseFilters as number | undefined) ?? WIDTH_BEFORE_RECORDED) : undefined;
  const baseFilters = options.baseFilters ?? savedWidth ?? MNIST_GAN_BASE_FILTERS[variant];
  const paperRate = ganLearningRate(OBJECTIVES[variant]);
  const savedRates = savedTrainer ? ((savedTrainer.learningRates as LearningRateStep[] | undefined) ?? [{ fromStep: 0, lr: paperRate }]) : [];
  const savedIteration = (savedTrainer?.state as { iteration?: number } | undefined)?.iteration ?? 0;
  const plan = planLearningRates(savedRates, savedIteration, { lr: options.learningRate, discriminatorLr: options.discriminatorLearningRate }, paperRate);
  // R1: a weight given (or the saved one on a resume) holds from here on; a new training without
  // one follows the schedule, switching γ at its iterations.
  const schedule = options.r1Weight === undefined && !options.resume ? checkR1Schedule(options.r1Schedule ?? MNIST_GAN_R1_SCHEDULE[variant] ?? []) : [];
  const r1At = (iteration: number): number => schedule.filter((s) => s.fromStep <= iteration).at(-1)?.weight ?? 0;
  const r1Weight = options.r1Weight ?? (savedTrainer?.r1Weight as number | undefined) ?? r1At(0);
  let r1Weights = planR1Weights(savedTrainer, savedIteration, r1Weight);
  // the threads of each part of the run (meta.json's `threadCounts`; the saved one is in meta.json)
  const threadCounts = planThreadCounts(options.resume && savedTrainer ? (readMeta(dir) ?? undefined) : undefined, savedIteration, threadsInUse() ?? null);
  const trainer = mnistGanTrainer({ variant, seed, k: options.k, baseFilters, learningRate: plan.lr, discriminatorLearningRate: plan.discriminatorLr, r1Weight, limit: quick ? 2000 : undefined });
  const disposeAll = () => {
    trainer.dispose();
    (trainer.generator as tf.LayersModel).dispose();
    (trainer.discriminator as tf.LayersModel).dispose();
  };
  let firstCommand = command;
  let resumedWith: string[] = [];
  const learningRates = plan.learningRates;
  if (options.resume) {
    const previous = savedTrainer;
    if (!previous || !hasCheckpoint(path.join(stateDir, 'generator')) || !hasCheckpoint(path.join(stateDir, 'discriminator'))) {
      disposeAll();
      throw new Error(`nothing to resume: ${stateDir} holds no saved training state (train without --resume first)`);
    }
    // States saved before the width was recorded were trained at 32 (WIDTH_BEFORE_RECORDED).
    const saved: Record<string, unknown> = { ...previous, baseFilters: savedWidth };
    for (const [key, value] of [['variant', variant], ['seed', seed], ['k', trainer.k], ['baseFilters', baseFilters]] as const) {
      if (saved[key] !== value) {
        disposeAll();
        throw new Error(`cannot resume: the saved training has ${key} ${JSON.stringify(saved[key])}, this one ${JSON.stringify(value)}`);
      }
    }
    for (const [name, network] of [['generator', trainer.generator], ['discriminator', trainer.discriminator]] as const) {
      const saved = await loadModel(path.join(stateDir, name));
      (network as tf.LayersModel).setWeights(saved.getWeights());
      saved.dispose();
    }
    const tensors = loadVariables(path.join(stateDir, 'trainer'));
    const history = JSON.parse(fs.readFileSync(path.join(stateDir, 'trainer', 'history.json'), 'utf8')) as Losses[];
    await trainer.importState({ ...(previous.state as Omit<GanTrainerState, 'tensors'>), history, tensors });
    tf.dispose(Object.values(tensors));
    firstCommand = String(previous.command);
    resumedWith = [...((previous.resumedWith as string[] | undefined) ?? []), command];
  }
  const save = async () => {
    const history = trainer.history
      .map((h, i) => ({ iteration: i + 1, ...h }))
      .filter((h) => h.iteration % 10 === 0 || h.iteration === trainer.history.length);
    const meta = {
      name: variant,
      command: firstCommand,
      ...(resumedWith.length ? { resumedWith } : {}),
      seed,
      steps: trainer.iteration,
      trainSeconds: Math.round(trainer.seconds),
      backend: tf.getBackend(),
      threads: threadsInUse() ?? null,
      threadCounts,
      mode: quick ? 'quick' : 'full',
      variant,
      objective: trainer.objective,
      k: trainer.k,
      baseFilters,
      learningRates,
      r1Weight: trainer.r1Weight,
      r1Weights,
      batchSize: trainer.batchSize,
      latentDim: trainer.latentDim,
      numClasses: trainer.numClasses ?? null,
      generatorWeights: trainer.generatorEma ? `EMA of G's weights, decay ${trainer.generatorEma.decay}` : 'raw',
      lastLosses: trainer.history.at(-1) ?? {},
      history,
    };
    // The checkpoint proper: the generator samples are drawn from (the EMA when kept).
    await trainer.withAveragedGenerator(() => saveModel(trainer.generator as tf.LayersModel, dir, meta));
    // What `resume` needs; small next to the data (a few MB).
    await saveModel(trainer.generator as tf.LayersModel, path.join(stateDir, 'generator'), { name: `${variant}-raw-generator`, command: firstCommand });
    await saveModel(trainer.discriminator as tf.LayersModel, path.join(stateDir, 'discriminator'), { name: `${variant}-discriminator`, command: firstCommand });
    const { tensors, ...state } = await trainer.exportState();
    await saveVariables(tensors, path.join(stateDir, 'trainer'), {
      name: `${variant}-trainer-state`,
      command: firstCommand,
      ...(resumedWith.length ? { resumedWith } : {}),
      variant,
      seed,
      k: trainer.k,
      baseFilters,
      learningRates,
      r1Weight: trainer.r1Weight,
      r1Weights,
      state: { ...state, history: [] as Losses[] },
    });
    tf.dispose(Object.values(tensors));
    // The full history is kept once, beside the state (meta.json keeps every 10th iteration).
    const historyFile = path.join(stateDir, 'trainer', 'history.json');
    fs.writeFileSync(`${historyFile}.tmp`, JSON.stringify(state.history));
    fs.renameSync(`${historyFile}.tmp`, historyFile);
  };
  try {
    while (trainer.iteration < iterations) {
      const offset = trainer.iteration;
      if (schedule.length > 0 && r1At(offset) !== trainer.r1Weight) {
        trainer.setR1Weight(r1At(offset));
        r1Weights = planR1Weights({ r1Weights }, offset, trainer.r1Weight);
      }
      // a chunk ends at the next save, and at the schedule's next switch
      const nextSwitch = schedule.find((s) => s.fromStep > offset)?.fromStep ?? Infinity;
      const n = Math.min(saveEvery, iterations - offset, nextSwitch - offset);
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
    // The networks were made here for this training: free them with the trainer.
    disposeAll();
  }
}
