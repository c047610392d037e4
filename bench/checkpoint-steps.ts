/**
 * Wall-clock time of one training step of the trainer behind each shipped checkpoint
 * (data/checkpoints/<name>/), built with the library code and settings that made it — network
 * size, batch size, k critic steps, optimiser — on real MNIST batches (issue 18, part 5: "each
 * shipped checkpoint's training time per step, before and after"):
 *
 *   npx tsx bench/checkpoint-steps.ts [names…] [--steps N] [--warmup W] [--threads 1,2] [--rounds R] [--json FILE]
 *
 * names: the checkpoints to time (default all, `CHECKPOINT_STEPS` below); an unknown name is
 * refused with the list of known ones. --steps N timed steps per process (default 5), after W
 * warm-up steps (default 1; W + N < 200, see "How a step is timed"). --threads: the wasm thread
 * counts (default 1 and every core, at most 8). --rounds R: processes per checkpoint and thread
 * count (default 1). --json FILE writes every number (each step's time, the load, what each
 * process built).
 *
 * Threads are fixed per process (GENBOOK_THREADS), so this script starts one child process
 * (itself, with `--child <name>`) per checkpoint, thread count and round; the thread counts take
 * turns, their order alternating from one checkpoint (and round) to the next, so a change in load
 * falls on both. It prints the load average at the start and the end, the cores' worth of CPU
 * that *other* processes used meanwhile (bench/cpu-accounting.ts), and a table: checkpoint, batch,
 * ms per step at each thread count (median, min–max over the timed steps of all rounds), the
 * speed-up from the first to the last thread count, and the time per step implied by the
 * checkpoint's meta.json — trainSeconds / steps, with the threads it records (where it does not:
 * "?" and the date it was saved): measured under whatever load the training had, and for the
 * diffusion script's checkpoints with the saves every 500 steps included.
 *
 * How a step is timed. A GAN iteration (k discriminator steps, then one generator step and G's EMA
 * update) is `GanTrainer.step()`, timed directly. Every other trainer is a library function that
 * trains N steps through `train.trainLoop`; it is called for W + N steps and reports progress
 * after every step (trainLoop reports every ⌊steps / 100⌋ steps, so every step below 200), whose
 * `elapsedSeconds` differences are the step times. Loading MNIST and building the networks happen
 * before the loop and are not timed; a step includes drawing its batch, as in the training.
 *
 * Same network as shipped: every child counts the parameters of the networks the checkpoint
 * saves (a GAN's G, and its D where resume/ holds it; an autoencoder's encoder and decoder; …) and the table
 * flags any that differ from the shipped weights (model.json), and any setting that differs from
 * what meta.json records (k, batch size, width, p_uncond, …).
 *
 * Run it on an idle machine for numbers to quote; on a busy one, compare within one run only.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { machineBusySeconds, ownTreeSeconds } from './cpu-accounting';

// The library is loaded in the child processes only: the parent (and the tests, which import the
// list) must not pay for TensorFlow.js.
type Genbook = typeof import('genbook');
const loadGenbook = (): Genbook => require('genbook') as Genbook; // eslint-disable-line @typescript-eslint/no-require-imports

const ROOT = path.join(__dirname, '..');
export const CHECKPOINTS_DIR = path.join(ROOT, 'data', 'checkpoints');

/** What a child measured and built. */
export interface ChildResult {
  checkpoint: string;
  threads: number;
  backend: string;
  batch: number;
  /** Wall ms of each timed step (warm-up dropped). */
  ms: number[];
  /** Parameters (all weights, as saved) of each part the checkpoint saves, as built here. */
  parameters: Record<string, number>;
  /** Settings compared with meta.json, where it records them: [what, built here, meta.json]. */
  checks: [string, unknown, unknown][];
  /** Seconds from the child's start to its first timed step's start (backend, data, networks, warm-up). */
  setupSeconds: number;
}

interface StepContext {
  lib: Genbook;
  /** Steps to run: warm-up + timed. */
  total: number;
  /** The checkpoint's folder (data/checkpoints/<name>, or its training folder while not shipped). */
  dir: string;
  meta: Record<string, unknown>;
  /** Pass as a library trainer's `onProgress`: it must report after every step. */
  onProgress: (p: { step: number; elapsedSeconds: number }) => void;
  /** Time one step run here (a trainer that exposes its step). */
  timeStep: (step: () => unknown) => void;
}

interface StepRun {
  batch: number;
  parameters: Record<string, number>;
  checks?: [string, unknown, unknown][];
}

export interface CheckpointStep {
  name: string;
  /** How the checkpoint was trained and which library function this benchmark steps. */
  trainer: string;
  /**
   * The parts the checkpoint saves, as folders under its directory ('.' for the top), each holding
   * a model.json: the benchmark compares their parameter counts with the networks it builds.
   */
  parts: Record<string, string>;
  /**
   * Parts saved with the state an exact resume needs (`<dir>/resume/…`), compared when present: a
   * checkpoint trained before that state was kept has none.
   */
  resumeParts?: Record<string, string>;
  /** Not yet in data/checkpoints: the folder (from the project root) where it is being trained. */
  trainingDir?: string;
  run(context: StepContext): Promise<StepRun>;
}

/** All weights of a layers model (BN statistics too: model.json saves them). */
export function layersParameters(model: unknown): number {
  return (model as { weights: { shape: (number | null)[] }[] }).weights.reduce((n, w) => n + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0);
}

function check(what: string, built: unknown, meta: unknown): [string, unknown, unknown] {
  return [what, built, meta];
}

/** MNIST training images in [−1, 1] with labels (DDPM §4), as tools/scripts/train-diffusion.ts loads them. */
function mnistMinusOneOne(lib: Genbook): { images: Float32Array; labels: Uint8Array } {
  const set = lib.data.mnist({ split: 'train' });
  return { images: set.images.map((v) => 2 * v - 1), labels: set.labels };
}

// ---- the trainers ---------------------------------------------------------------------------------

type AeName = 'ae-mnist-linear' | 'ae-mnist-dense' | 'ae-mnist-conv' | 'dae-mnist';

function autoencoder(name: AeName, model: string): CheckpointStep {
  return {
    name,
    trainer: `train-autoencoders.ts ${name}: models.trainAeMnist('${name}') (${model}; Adam 1e-3, batch 128, MSE${name === 'dae-mnist' ? ', Gaussian noise σ 0.5' : ''})`,
    parts: { encoder: 'encoder', decoder: 'decoder' },
    run: async ({ lib, total, meta, onProgress }) => {
      // testLimit 0: no test evaluation after the loop (it is not part of a step)
      const run = await lib.models.trainAeMnist(name, { steps: total, seed: 1, testLimit: 0, onProgress });
      return {
        batch: 128, // trainAeMnist's default, what makeAutoencoderCheckpoint uses
        parameters: { encoder: layersParameters(run.model.encoder), decoder: layersParameters(run.model.decoder) },
        checks: [check('codeSize', run.model.codeSize, meta.codeSize)],
      };
    },
  };
}

function vae(name: 'vae-mnist' | 'vae-mnist-2d', latentDim: number): CheckpointStep {
  return {
    name,
    trainer: `train-autoencoders.ts ${name}: models.trainVaeMnist({ latentDim: ${latentDim} }) (dense 784-400-${latentDim}, Adam 1e-3, batch 128, negative ELBO)`,
    parts: { encoder: 'encoder', decoder: 'decoder' },
    run: async ({ lib, total, meta, onProgress }) => {
      const run = await lib.models.trainVaeMnist({ latentDim, steps: total, seed: 1, testLimit: 0, onProgress });
      const c = run.config;
      return {
        batch: c.batchSize,
        parameters: { encoder: layersParameters(run.vae.encoder), decoder: layersParameters(run.vae.decoder) },
        checks: [
          check('latentDim', c.latentDim, meta.latentDim),
          check('hiddenUnits', c.hiddenUnits, meta.hiddenUnits),
          check('batchSize', c.batchSize, meta.batchSize),
          check('learningRate', c.learningRate, meta.learningRate),
          check('trainLimit', c.trainLimit, meta.trainLimit),
        ],
      };
    },
  };
}

function mnistGan(variant: 'dcgan' | 'cgan' | 'acgan' | 'wgan-gp'): CheckpointStep {
  return {
    name: variant,
    trainer: `train-gan.ts ${variant}: gan.mnistGanTrainer({ variant: '${variant}', baseFilters: gan.MNIST_GAN_BASE_FILTERS }) as makeMnistGanCheckpoint builds it, GanTrainer.step() (k D steps + 1 G step + G's EMA)`,
    parts: { generator: '.' },
    resumeParts: { discriminator: 'resume/discriminator' },
    run: async ({ lib, total, meta, timeStep }) => {
      const { gan } = lib;
      // What makeMnistGanCheckpoint builds for a new training: the shipped width, the paper's
      // learning rates and k, no R1, all 60 000 images, the variant's EMA of G.
      const baseFilters = gan.MNIST_GAN_BASE_FILTERS[variant];
      const trainer = gan.mnistGanTrainer({ variant, seed: gan.MNIST_GAN_SEED, baseFilters });
      for (let i = 0; i < total; i++) timeStep(() => trainer.step());
      const rates = meta.learningRates as { lr: number }[] | undefined;
      return {
        batch: trainer.batchSize,
        parameters: { generator: layersParameters(trainer.generator), discriminator: layersParameters(trainer.discriminator) },
        checks: [
          check('k', trainer.k, meta.k),
          check('batchSize', trainer.batchSize, meta.batchSize),
          check('latentDim', trainer.latentDim, meta.latentDim),
          check('objective', trainer.objective, meta.objective),
          check('numClasses', trainer.numClasses ?? null, meta.numClasses),
          // meta.json records the width since the width-64 DCGAN; older trainings were 32
          check('baseFilters', baseFilters, meta.baseFilters ?? 32),
          check('generatorWeights', trainer.generatorEma ? `EMA of G's weights, decay ${trainer.generatorEma.decay}` : 'raw', meta.generatorWeights ?? 'raw'),
          check('learningRate', gan.ganLearningRate(trainer.objective), rates?.at(-1)?.lr),
        ],
      };
    },
  };
}

/**
 * `total` steps of Algorithm 1 on `net` with the settings its meta.json records (batch, seed,
 * learning rate, p_uncond, EMA), reporting every step; returns the batch size.
 */
async function trainLikeMeta(
  lib: Genbook,
  net: InstanceType<Genbook['models']['DiffusionUNet']>,
  data: ReturnType<Genbook['diffusion']['arrayBatches']>,
  total: number,
  meta: Record<string, unknown>,
  onProgress: StepContext['onProgress'],
): Promise<number> {
  const batchSize = meta.batchSize as number;
  await lib.diffusion.trainDiffusion({
    network: net,
    schedule: lib.diffusion.noiseSchedule('linear', 1000),
    data,
    steps: total,
    batchSize,
    seed: (meta.seed as number) + 1,
    learningRate: meta.learningRate as number,
    pUncond: meta.pUncond as number,
    emaDecay: meta.emaDecay as number,
    reportEvery: 1,
    onProgress,
  });
  return batchSize;
}

function pixelDdpm(name: 'ddpm-mnist' | 'ddpm-mnist-uncond', trainingDir?: string): CheckpointStep {
  return {
    name,
    trainer: `train-diffusion.ts ${name}: the U-Net of meta.json's config (models.loadDiffusionCheckpoint), diffusion.trainDiffusion (Algorithm 1, batch and p_uncond from meta.json, Adam, clip 1, EMA 0.999)`,
    parts: { unet: '.' },
    trainingDir,
    run: async ({ lib, total, dir, meta, onProgress }) => {
      const { images, labels } = mnistMinusOneOne(lib);
      const net = lib.models.loadDiffusionCheckpoint(dir).network as InstanceType<Genbook['models']['DiffusionUNet']>;
      const batchSize = await trainLikeMeta(lib, net, lib.diffusion.arrayBatches(images, [28, 28, 1], labels), total, meta, onProgress);
      return {
        batch: batchSize,
        parameters: { unet: net.params.count() },
        checks: [check('schedule', 'linear, T 1000', `${(meta.schedule as { kind: string }).kind}, T ${(meta.schedule as { T: number }).T}`)],
      };
    },
  };
}

/** The benchmarked checkpoints: every folder of data/checkpoints, and those still training. */
export const CHECKPOINT_STEPS: readonly CheckpointStep[] = [
  {
    name: 'aae-mnist',
    trainer: 'train-autoencoders.ts aae-mnist: models.trainAaeMnist (dense 784-512-256-2, D 256-256; reconstruction, D and encoder steps; batch 128)',
    parts: { encoder: 'encoder', decoder: 'decoder' },
    run: async ({ lib, total, onProgress }) => {
      const run = await lib.models.trainAaeMnist({ steps: total, seed: 1, onProgress });
      return { batch: 128, parameters: { encoder: layersParameters(run.aae.encoder), decoder: layersParameters(run.aae.decoder) } };
    },
  },
  mnistGan('acgan'),
  autoencoder('ae-mnist-conv', 'conv 16, 32 → 16'),
  autoencoder('ae-mnist-dense', 'dense 784-512-128-16'),
  autoencoder('ae-mnist-linear', 'linear 784-16'),
  mnistGan('cgan'),
  autoencoder('dae-mnist', 'dense 784-512-128-16'),
  mnistGan('dcgan'),
  {
    name: 'ddpm-latent-autoencoder',
    trainer: 'train-diffusion.ts ddpm-latent-autoencoder: models.LatentAutoencoder of meta.json\'s config (models.loadDiffusionCheckpoint), models.trainLatentAutoencoder (batch 64, Adam 2e-3)',
    parts: { autoencoder: '.' },
    run: async ({ lib, total, dir, onProgress }) => {
      const set = lib.data.mnist({ split: 'train' });
      const autoencoder = lib.models.loadDiffusionCheckpoint(dir).network as InstanceType<Genbook['models']['LatentAutoencoder']>;
      // batch 64 and Adam 2e-3: tools/scripts/train-diffusion.ts (meta.json does not record them)
      await lib.models.trainLatentAutoencoder({ autoencoder, images: set.images, steps: total, batchSize: 64, learningRate: 2e-3, seed: 2021, onProgress });
      return { batch: 64, parameters: { autoencoder: autoencoder.params.count() } };
    },
  },
  {
    name: 'ddpm-latent-cfg',
    trainer: 'train-diffusion.ts ddpm-latent-cfg: the cross-attention U-Net of meta.json\'s config (models.loadDiffusionCheckpoint) on 7×7×4 latents of the shipped ddpm-latent-autoencoder, diffusion.trainDiffusion (batch 64, p_uncond 0.2)',
    parts: { unet: '.' },
    run: async ({ lib, total, dir, meta, onProgress }) => {
      const encoder = lib.models.loadDiffusionCheckpoint(path.join(CHECKPOINTS_DIR, meta.autoencoder as string)).network as InstanceType<Genbook['models']['LatentAutoencoder']>;
      // The training encodes all 60 000 images once before its loop; the step time does not depend
      // on how many there are, so 2 000 (in batches of 1 000, as the script) save start-up time.
      const set = lib.data.mnist({ split: 'train', limit: 2000, seed: 0 });
      const latents = encoder.encodeAll(set.images);
      encoder.dispose();
      const net = lib.models.loadDiffusionCheckpoint(dir).network as InstanceType<Genbook['models']['DiffusionUNet']>;
      const batchSize = await trainLikeMeta(lib, net, lib.diffusion.arrayBatches(latents, [7, 7, encoder.config.latentChannels], set.labels), total, meta, onProgress);
      return { batch: batchSize, parameters: { unet: net.params.count() } };
    },
  },
  pixelDdpm('ddpm-mnist'),
  // Same U-Net and step as ddpm-mnist, with p_uncond 1.
  pixelDdpm('ddpm-mnist-uncond'),
  {
    name: 'ddpm-noisy-classifier',
    trainer: 'train-diffusion.ts ddpm-noisy-classifier: models.NoisyClassifier of meta.json\'s config (models.loadDiffusionCheckpoint), models.trainNoisyClassifier (batch 64, Adam 1e-3)',
    parts: { classifier: '.' },
    run: async ({ lib, total, dir, meta, onProgress }) => {
      const { images, labels } = mnistMinusOneOne(lib);
      const classifier = lib.models.loadDiffusionCheckpoint(dir).network as InstanceType<Genbook['models']['NoisyClassifier']>;
      const schedule = lib.diffusion.noiseSchedule('linear', 1000);
      // batch 64 and Adam 1e-3: tools/scripts/train-diffusion.ts (meta.json does not record them)
      await lib.models.trainNoisyClassifier({ classifier, schedule, images, labels, steps: total, batchSize: 64, learningRate: 1e-3, seed: (meta.seed as number) + 1, onProgress });
      return { batch: 64, parameters: { classifier: classifier.params.count() } };
    },
  },
  {
    name: 'mnist-classifier',
    trainer: 'npm run train -- mnist-classifier: metrics.trainMnistClassifier (conv 5×5 16, 32, dense 128, dropout 0.3; batch 64, Adam)',
    parts: { classifier: '.' },
    run: async ({ lib, total, onProgress }) => {
      // testLimit 1: its test accuracy, after the loop, on one image instead of 10 000
      const run = await lib.metrics.trainMnistClassifier({ seed: 0, steps: total, testLimit: 1, onProgress });
      return { batch: 64, parameters: { classifier: layersParameters(run.classifier.model) } };
    },
  },
  {
    name: 'pixelcnn',
    trainer: 'npm run train -- pixelcnn, then train-pixelcnn-more.ts: the shipped PixelCNN (models.loadPixelCnn), models.trainPixelCnn (batch from meta.json, dynamic binarisation, Adam)',
    parts: { pixelcnn: '.' },
    run: async ({ lib, total, dir, meta, onProgress }) => {
      const { model } = lib.models.loadPixelCnn(dir);
      const train = lib.data.mnist({ split: 'train', seed: (meta.seed as number | undefined) ?? 0 });
      const batchSize = meta.batchSize as number;
      // as continuePixelCnnCheckpoint (10 000 of the 16 000 steps); without its optional EMA
      await lib.models.trainPixelCnn(model, { images: train.images, steps: total, batchSize, learningRate: 1e-3, dynamicBinarization: true, seed: 7, onProgress });
      const recipe = lib.models.PIXELCNN_RECIPE.full;
      return {
        batch: batchSize,
        parameters: { pixelcnn: model.parameterCount },
        checks: [check('batchSize', recipe.batchSize, meta.batchSize), check('layers', recipe.config.layers, (meta.config as { layers: number }).layers), check('channels', recipe.config.channels, (meta.config as { channels: number }).channels)],
      };
    },
  },
  {
    name: 'systems-mnist14-ddpm',
    trainer: 'train-systems.ts mnist14-ddpm: systems.trainMnist14Denoiser (the 14×14 MLP denoiser, batch 64, Adam 1e-3, no EMA)',
    parts: { denoiser: '.' },
    run: async ({ lib, total, meta, onProgress }) => {
      const run = await lib.systems.trainMnist14Denoiser({ steps: total, seed: meta.seed as number, onProgress });
      return { batch: 64, parameters: { denoiser: run.network.params.count() } };
    },
  },
  vae('vae-mnist', 20),
  vae('vae-mnist-2d', 2),
  {
    name: 'vqvae-mnist',
    trainer: 'train-autoencoders.ts vqvae-mnist: models.trainVqVaeMnist (dense 784-512 → 8 × 8-D codes, K 64; batch 128, Adam 1e-3; its first step also initialises the codebook)',
    parts: { encoder: 'encoder', decoder: 'decoder', codebook: 'codebook' },
    run: async ({ lib, total, onProgress }) => {
      const run = await lib.models.trainVqVaeMnist({ steps: total, seed: 1, onProgress });
      return {
        batch: 128,
        parameters: { encoder: layersParameters(run.model.encoder), decoder: layersParameters(run.model.decoder), codebook: run.model.quantizer.codebook.size },
      };
    },
  },
  mnistGan('wgan-gp'),
];

export const CHECKPOINT_NAMES: readonly string[] = CHECKPOINT_STEPS.map((c) => c.name);

// ---- the checkpoints' own numbers -------------------------------------------------------------------

/** The folder holding the checkpoint: data/checkpoints/<name>, or its training folder while it is not shipped. */
export function checkpointDirOf(entry: CheckpointStep): string {
  const shipped = path.join(CHECKPOINTS_DIR, entry.name);
  if (fs.existsSync(shipped) || !entry.trainingDir) return shipped;
  return path.join(ROOT, entry.trainingDir);
}

/** The checkpoint's meta.json (the top one, or the first part's for checkpoints saved in parts). */
export function readCheckpointMeta(entry: CheckpointStep): { file: string; meta: Record<string, unknown> } {
  const dir = checkpointDirOf(entry);
  for (const sub of ['.', ...Object.values(entry.parts)]) {
    const file = path.join(dir, sub, 'meta.json');
    if (fs.existsSync(file)) return { file, meta: JSON.parse(fs.readFileSync(file, 'utf8')) as Record<string, unknown> };
  }
  throw new Error(`${entry.name}: no meta.json in ${path.relative(ROOT, dir)}`);
}

/** The time per step meta.json implies: trainSeconds / steps (all runs and resumes together). */
export function metaStepTime(meta: Record<string, unknown>): { msPerStep: number; trainSeconds: number; steps: number; threads: number | null; savedAt: string | null } | undefined {
  const { trainSeconds, steps } = meta;
  if (typeof trainSeconds !== 'number' || typeof steps !== 'number' || steps <= 0) return undefined;
  return {
    msPerStep: (trainSeconds * 1000) / steps,
    trainSeconds,
    steps,
    threads: typeof meta.threads === 'number' ? meta.threads : null,
    savedAt: typeof meta.savedAt === 'string' ? meta.savedAt : null,
  };
}

/** Parameters of each saved part (and resume part present): the sizes in its model.json's weights manifest. */
export function shippedParameters(entry: CheckpointStep): Record<string, number> {
  const dir = checkpointDirOf(entry);
  const out: Record<string, number> = {};
  const present = Object.entries(entry.resumeParts ?? {}).filter(([, sub]) => fs.existsSync(path.join(dir, sub, 'model.json')));
  for (const [part, sub] of [...Object.entries(entry.parts), ...present]) {
    const json = JSON.parse(fs.readFileSync(path.join(dir, sub, 'model.json'), 'utf8')) as { weightsManifest: { weights: { shape: number[] }[] }[] };
    out[part] = json.weightsManifest.flatMap((g) => g.weights).reduce((n, w) => n + w.shape.reduce((a, b) => a * b, 1), 0);
  }
  return out;
}

// ---- the child: one checkpoint, one thread count -----------------------------------------------------

async function child(name: string, steps: number, warmup: number): Promise<ChildResult> {
  const started = performance.now();
  const entry = CHECKPOINT_STEPS.find((c) => c.name === name);
  if (!entry) throw new Error(`unknown checkpoint ${name}`);
  const lib = loadGenbook();
  const setup = await lib.backend.setup('wasm', { log: null });
  const total = warmup + steps;
  // Ends of steps, [step, seconds], from the trainer's progress or from timeStep.
  const ends: [number, number][] = [];
  let firstTimed = 0;
  let loopStart = 0;
  let direct = 0;
  const stepMs: number[] = [];
  const run = await entry.run({
    lib,
    total,
    dir: checkpointDirOf(entry),
    meta: readCheckpointMeta(entry).meta,
    onProgress: (p) => {
      if (ends.length === 0) loopStart = performance.now() - p.elapsedSeconds * 1000;
      ends.push([p.step, p.elapsedSeconds]);
    },
    timeStep: (step) => {
      const t = performance.now();
      if (direct === warmup) firstTimed = t;
      step();
      stepMs.push(performance.now() - t);
      direct += 1;
    },
  });
  let ms: number[];
  if (stepMs.length > 0) {
    ms = stepMs.slice(warmup);
  } else {
    ms = [];
    let previous: [number, number] = [0, 0];
    for (const [step, seconds] of ends) {
      if (step - previous[0] !== 1) throw new Error(`${name}: the trainer reported after step ${step}, not every step`);
      if (step > warmup) ms.push((seconds - previous[1]) * 1000);
      if (step === warmup) firstTimed = loopStart + seconds * 1000;
      previous = [step, seconds];
    }
    if (warmup === 0) firstTimed = loopStart;
  }
  if (ms.length !== steps) throw new Error(`${name}: timed ${ms.length} steps, expected ${steps}`);
  return {
    checkpoint: name,
    threads: setup.threads ?? 1,
    backend: setup.name,
    batch: run.batch,
    ms,
    parameters: run.parameters,
    // only what meta.json records (an undefined would arrive as null in JSON)
    checks: (run.checks ?? []).filter(([, , saved]) => saved !== undefined),
    setupSeconds: (firstTimed - started) / 1000,
  };
}

// ---- the parent ------------------------------------------------------------------------------------

export const USAGE = 'usage: npx tsx bench/checkpoint-steps.ts [names…] [--steps N] [--warmup W] [--threads 1,2] [--rounds R] [--json FILE]';

export interface Options {
  names: string[];
  steps: number;
  warmup: number;
  threads: number[];
  rounds: number;
  json?: string;
}

export class UsageError extends Error {}

/** Parse the command line; unknown checkpoints and bad numbers are a UsageError naming what is allowed. */
export function parseOptions(argv: readonly string[], cores = os.cpus().length): Options {
  const names: string[] = [];
  const values: Record<string, string> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a.startsWith('--')) {
      if (!['--steps', '--warmup', '--threads', '--rounds', '--json'].includes(a)) throw new UsageError(`unknown option ${a}\n${USAGE}`);
      if (i + 1 >= argv.length) throw new UsageError(`${a} needs a value\n${USAGE}`);
      values[a] = argv[++i];
    } else names.push(a);
  }
  const unknown = names.filter((n) => !CHECKPOINT_NAMES.includes(n));
  if (unknown.length > 0) {
    throw new UsageError(`unknown checkpoint${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}\nknown checkpoints: ${CHECKPOINT_NAMES.join(', ')}`);
  }
  const integer = (flag: string, fallback: number, min: number): number => {
    const raw = values[flag];
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < min) throw new UsageError(`${flag} must be an integer >= ${min}; got ${raw}`);
    return n;
  };
  const steps = integer('--steps', 5, 1);
  const warmup = integer('--warmup', 1, 0);
  if (warmup + steps >= 200) throw new UsageError(`--warmup + --steps must be below 200 (train.trainLoop reports every step only then); got ${warmup + steps}`);
  // wasm runs at most 8 threads (backend.MAX_WASM_THREADS, tfjs's limit)
  const threads = values['--threads'] === undefined ? [...new Set([1, Math.min(8, cores)])] : values['--threads'].split(',').map((s) => Number(s.trim()));
  if (threads.length === 0 || threads.some((t) => !Number.isInteger(t) || t < 1 || t > 8) || new Set(threads).size !== threads.length) {
    throw new UsageError(`--threads: distinct thread counts from 1 to 8, separated by commas; got ${values['--threads']}`);
  }
  return { names: names.length ? [...new Set(names)] : [...CHECKPOINT_NAMES], steps, warmup, threads, rounds: integer('--rounds', 1, 1), json: values['--json'] };
}

interface Run {
  threads: number;
  round: number;
  /** Wall seconds of the whole child process. */
  seconds: number;
  result?: ChildResult;
  error?: string;
}

/** Run one child to its exit (so its CPU time is reaped into ours before we read it). */
function runChild(name: string, threads: number, options: Options): Promise<{ result?: ChildResult; error?: string }> {
  return new Promise((resolve) => {
    const args = [...process.execArgv, __filename, '--child', name, '--steps', String(options.steps), '--warmup', String(options.warmup)];
    const proc = spawn(process.execPath, args, { cwd: ROOT, env: { ...process.env, GENBOOK_THREADS: String(threads) }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    proc.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    proc.stderr.on('data', (d: Buffer) => (stderr = (stderr + d.toString()).slice(-4000)));
    proc.on('error', (e) => resolve({ error: String(e) }));
    proc.on('close', (code, signal) => {
      const line = stdout.split('\n').reverse().find((l) => l.startsWith('{'));
      if (code === 0 && line) {
        resolve({ result: JSON.parse(line) as ChildResult });
        return;
      }
      const last = stderr.trim().split('\n').filter(Boolean).slice(-3).join(' | ');
      resolve({ error: `exit ${code ?? signal}: ${last || '(no output)'}` });
    });
  });
}

interface Stats {
  median: number;
  min: number;
  max: number;
  n: number;
}

function stats(samples: number[]): Stats | undefined {
  if (samples.length === 0) return undefined;
  const s = samples.slice().sort((a, b) => a - b);
  const mid = s.length >> 1;
  return { median: s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2, min: s[0], max: s[s.length - 1], n: s.length };
}

const formatMs = (ms: number): string => (ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2));

interface Report {
  checkpoint: string;
  trainer: string;
  batch?: number;
  runs: Run[];
  byThreads: Record<string, Stats | undefined>;
  speedup?: number;
  meta: { file: string; msPerStep: number; trainSeconds: number; steps: number; threads: number | null; savedAt: string | null; backend?: string } | { file: string; error: string };
  shippedParameters: Record<string, number>;
  builtParameters?: Record<string, number>;
  /** Differences from the shipped checkpoint (parameters, settings): empty when it matches. */
  mismatches: string[];
}

/** How what a child built differs from the shipped checkpoint: parameters per part, then settings. */
export function differences(shipped: Record<string, number>, built: Pick<ChildResult, 'parameters' | 'checks'>): string[] {
  const out: string[] = [];
  for (const [part, n] of Object.entries(shipped)) {
    if (built.parameters[part] !== n) out.push(`${part}: ${built.parameters[part]} parameters built, ${n} shipped`);
  }
  for (const [what, here, saved] of built.checks) {
    if (JSON.stringify(here) !== JSON.stringify(saved)) out.push(`${what}: ${JSON.stringify(here)} here, ${JSON.stringify(saved)} in meta.json`);
  }
  return out;
}

function summarize(entry: CheckpointStep, runs: Run[], options: Options): Report {
  const byThreads: Record<string, Stats | undefined> = {};
  for (const t of options.threads) byThreads[t] = stats(runs.filter((r) => r.threads === t).flatMap((r) => r.result?.ms ?? []));
  const first = byThreads[options.threads[0]];
  const last = byThreads[options.threads[options.threads.length - 1]];
  const mismatches: string[] = [];
  // A checkpoint whose files cannot be read is reported as such, without stopping the run.
  const attempt = <T>(what: string, read: () => T, fallback: T): T => {
    try {
      return read();
    } catch (e) {
      mismatches.push(`cannot read ${what}: ${e instanceof Error ? e.message : String(e)}`);
      return fallback;
    }
  };
  const { file, meta } = attempt('meta.json', () => readCheckpointMeta(entry), { file: checkpointDirOf(entry), meta: {} as Record<string, unknown> });
  const reference = metaStepTime(meta);
  const shipped = attempt('the shipped weights', () => shippedParameters(entry), {} as Record<string, number>);
  const built = runs.find((r) => r.result)?.result;
  if (built) mismatches.push(...differences(shipped, built));
  return {
    checkpoint: entry.name,
    trainer: entry.trainer,
    batch: built?.batch,
    runs,
    byThreads,
    speedup: first && last && options.threads.length > 1 ? first.median / last.median : undefined,
    meta: reference ? { file: path.relative(ROOT, file), ...reference, backend: meta.backend as string | undefined } : { file: path.relative(ROOT, file), error: 'no trainSeconds / steps' },
    shippedParameters: shipped,
    builtParameters: built?.parameters,
    mismatches,
  };
}

function table(reports: Report[], options: Options): string {
  const header = [
    'checkpoint',
    'batch',
    ...options.threads.map((t) => `ms/step, ${t} thread${t > 1 ? 's' : ''}`),
    ...(options.threads.length > 1 ? [`speed-up ${options.threads[0]} → ${options.threads[options.threads.length - 1]}`] : []),
    'meta.json: ms/step (threads)',
    'same network and settings as shipped',
  ];
  const rows = reports.map((r) => {
    const cells = options.threads.map((t) => {
      const s = r.byThreads[t];
      if (!s) return r.runs.some((x) => x.threads === t && x.error) ? 'failed' : '—';
      return `${formatMs(s.median)} (${formatMs(s.min)}–${formatMs(s.max)})`;
    });
    const m = r.meta;
    const reference = 'error' in m ? m.error : `${formatMs(m.msPerStep)} (${m.threads ?? `?, saved ${m.savedAt?.slice(0, 10) ?? '?'}`})`;
    const same = r.builtParameters ? (r.mismatches.length ? `NO: ${r.mismatches.join('; ')}` : 'yes') : '—';
    return [r.checkpoint, String(r.batch ?? '—'), ...cells, ...(options.threads.length > 1 ? [r.speedup ? `${r.speedup.toFixed(2)}×` : '—'] : []), reference, same];
  });
  return [header, header.map(() => '---'), ...rows].map((row) => `| ${row.join(' | ')} |`).join('\n');
}

async function parent(options: Options, argv: readonly string[]): Promise<void> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const started = new Date();
  const load0 = os.loadavg();
  const cpu0 = { machine: machineBusySeconds(), own: ownTreeSeconds(), wall: Date.now() };
  const command = `npx tsx bench/checkpoint-steps.ts ${argv.join(' ')}`.trim();
  log(`${command}`);
  log(`load average at start: ${load0.map((l) => l.toFixed(2)).join(', ')} (${os.cpus().length} cores)`);
  const reports: Report[] = [];
  for (const [i, name] of options.names.entries()) {
    const entry = CHECKPOINT_STEPS.find((c) => c.name === name) as CheckpointStep;
    const runs: Run[] = [];
    for (let round = 0; round < options.rounds; round++) {
      // the thread counts take turns; their order alternates from one checkpoint (and round) to the next
      const order = (i + round) % 2 === 0 ? options.threads : [...options.threads].reverse();
      for (const threads of order) {
        const t0 = Date.now();
        const { result, error } = await runChild(name, threads, options);
        const run: Run = { threads, round, seconds: (Date.now() - t0) / 1000, result, error };
        runs.push(run);
        const s = result && stats(result.ms);
        log(
          `  ${name}, ${threads} thread(s)${options.rounds > 1 ? `, round ${round + 1}` : ''}: ` +
            (s ? `${formatMs(s.median)} ms/step (${formatMs(s.min)}–${formatMs(s.max)}), batch ${result!.batch}; process ${run.seconds.toFixed(1)} s` : `FAILED ${error}`) +
            `; load ${os.loadavg()[0].toFixed(2)}`,
        );
      }
    }
    reports.push(summarize(entry, runs, options));
  }
  const load1 = os.loadavg();
  const machine = machineBusySeconds();
  const own = ownTreeSeconds();
  const wall = (Date.now() - cpu0.wall) / 1000;
  const otherCores = machine !== undefined && own !== undefined && cpu0.machine !== undefined && cpu0.own !== undefined ? Math.max(0, (machine - cpu0.machine - (own - cpu0.own)) / wall) : undefined;
  console.log(`\nTraining step of each shipped checkpoint's trainer, wall-clock ms, median (min–max) over ${options.steps} step(s) after ${options.warmup} warm-up per process, ${options.rounds} process(es) per thread count`);
  console.log(`${os.cpus()[0]?.model ?? 'unknown CPU'}, ${os.cpus().length} cores, Node ${process.version}; ${command}`);
  console.log(`load average (1, 5, 15 min): ${load0.map((l) => l.toFixed(2)).join(', ')} at the start, ${load1.map((l) => l.toFixed(2)).join(', ')} at the end; ` + (otherCores !== undefined ? `other processes used ${otherCores.toFixed(2)} cores on average` : 'other processes\' CPU unknown (not Linux)') + `; ${wall.toFixed(0)} s in all\n`);
  console.log(table(reports, options));
  console.log('\nmeta.json: trainSeconds / steps of the shipped training (all its runs), under whatever load it had; (threads) as recorded; where meta.json does not record them, ? and the date it was saved.');
  const failed = reports.flatMap((r) => r.runs.filter((x) => x.error).map((x) => `${r.checkpoint}, ${x.threads} thread(s): ${x.error}`));
  if (failed.length) console.log(`\nfailed:\n${failed.map((f) => `  ${f}`).join('\n')}`);
  if (options.json) {
    const out = {
      command,
      started: started.toISOString(),
      seconds: wall,
      machine: { cpu: os.cpus()[0]?.model ?? 'unknown', cores: os.cpus().length, node: process.version },
      loadAverage: { start: load0, end: load1 },
      otherProcessesCores: otherCores ?? null,
      options: { ...options, json: undefined },
      note: 'wall-clock ms per training step; byThreads: median, min, max over the timed steps of all processes; meta: trainSeconds / steps of the shipped training',
      results: reports,
    };
    fs.mkdirSync(path.dirname(path.resolve(options.json)), { recursive: true });
    fs.writeFileSync(options.json, `${JSON.stringify(out, null, 1)}\n`);
    console.log(`\nwritten: ${options.json}`);
  }
  if (failed.length) process.exitCode = 1;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv[0] === '--child') {
    const flag = (f: string) => Number(argv[argv.indexOf(f) + 1]);
    const result = await child(argv[1], flag('--steps'), flag('--warmup'));
    // then exit without waiting for the wasm thread pool
    process.stdout.write(`${JSON.stringify(result)}\n`, () => process.exit(0));
    return;
  }
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(`${USAGE}\n\ncheckpoints: ${CHECKPOINT_NAMES.join(', ')}`);
    return;
  }
  await parent(parseOptions(argv), argv);
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e instanceof UsageError ? e.message : e);
    process.exit(e instanceof UsageError ? 2 : 1);
  });
}
