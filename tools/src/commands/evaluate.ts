/**
 * `genbook evaluate <model> [--count N] [--seed S] [--batch B] [--jobs J] [--json] [--grid]`
 * (`npm run evaluate -- <model> …`): the one way the course measures a shipped generative checkpoint.
 *
 * It draws `count` seeded samples with the protocol of the notebook that presents the model
 * (latent seeds, label order, sampler and step count below), scores them with
 * `metrics.evaluateSamples` — MNIST-FID against the 10 000 MNIST test digits, MNIST-IS with its
 * factors S × D (lecture 004; Heusel et al. 2017, Salimans et al. 2016, with the course classifier
 * as feature network) and, where the model takes labels, conditional accuracy — adds a real-data
 * baseline (`count` training digits through the same metric, so the FID bias of a small set is
 * visible) and the wall time per sample, and writes `data/results/<result>.json` (quick mode,
 * GENBOOK_QUICK=1: `build/results/`), which notebooks 05–11 and the README read.
 *
 * `--json`: the last line printed is one JSON object (model, samples, mnistFid, mnistIs, …).
 * `--jobs J` (the pixel-space diffusion models, `parallel` below): their batches are drawn by J
 * worker threads, each with a single-threaded backend (evaluate-workers.ts): the same samples, on
 * J cores at once.
 * Those models also keep each batch they have drawn (evaluate-draws.ts; under build/evaluate-draws,
 * or `--draws DIR`) until the result is written: run the same command again after Ctrl+C, a crash or
 * the end of a session and it resumes, drawing only the missing batches (the same samples: batch b
 * is seeded seed + b). Seconds per sample then add up the runs' wall times.
 * `--checkpoints DIR`: read the checkpoints from DIR/<name> instead of data/checkpoints (your own
 * training, or one in progress: a consistent copy is measured, util/checkpoint-snapshot.ts); the
 * result then goes to DIR/results/<result>.json, never over the shipped numbers in data/results.
 * `--curve`: also add this measurement, at the checkpoint's iteration (meta.json `steps`), to
 * `<checkpoint>/fid-curve.json` (train/fid-curve.ts) — run it now and then on a training in
 * progress (with `--checkpoints`) to see whether FID still falls; notebooks 05 and 06 plot the curves.
 * `--grid`: instead of evaluating, draw 100 seeded samples (the protocol's first 100; conditional
 * models: column c is digit c) as a 10×10 PNG in docs/gallery/<model>.png; `--count` is refused with it.
 *
 * Metrics a result file holds that this command does not measure (PixelCNN's exact test NLL from
 * notebook 07) are carried over and named in the notes.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { snapshotCheckpoints } from '../util/checkpoint-snapshot';
import { DrawStore } from './evaluate-draws';
import { type BatchRequest, batchPlan, type DiffusionDrawJob, drawInWorkers, generatePixels, loadDrawNetworks } from './evaluate-workers';
import { parseFlags, UsageError } from '../util/flags';
import { onStopSignal, signalExitCode } from '../util/signals';

type Genbook = typeof import('genbook');
type Tensor = import('genbook').tf.Tensor;
// The library is loaded lazily: `genbook --help` must not pay for TensorFlow.js.
const lib = (): Genbook => require('genbook') as Genbook; // eslint-disable-line @typescript-eslint/no-require-imports

/** One set of samples, pixels in [0, 1], [n, 28, 28, 1]; `labels[i]` the class asked of sample i. */
interface Drawn {
  images: Tensor;
  labels?: number[];
  /** Wall seconds of the sampling (network passes and decoding, not the metrics), over every run that drew them. */
  seconds: number;
  /** Where the drawn batches are kept until the evaluation is written (evaluate-draws.ts). */
  store?: DrawStore;
  /** Batches an interrupted earlier run had drawn, of how many, and the runs the draw took. */
  resumed?: { batches: number; of: number; runs: number };
}

interface Configuration {
  /** Suffix of the per-configuration metric names ('w2', 's10'); '' for the headline. */
  key: string;
  /**
   * `jobs` > 1 only for a spec with `parallel` (its batches drawn by that many workers). With
   * `keep`, a `parallel` draw keeps its batches in a DrawStore under `keep.root` (folder name from
   * `keep.name`) and resumes from what an interrupted run kept there.
   */
  draw: (count: number, seed: number, batch: number, jobs: number, keep?: { root: string; name: string }) => Promise<Drawn>;
}

interface ModelSpec {
  help: string;
  /** data/results/<result>.json (the id the notebooks and the leaderboard use). */
  result: string;
  family: string;
  notebook: string;
  /** Checkpoints (data/checkpoints/<name>) whose training time adds up to trainSeconds. */
  checkpoints: string[];
  defaultCount: number;
  defaultSeed: number;
  conditional: boolean;
  /** One configuration, or a sweep (guidance weights) with the headline chosen by `headline`. */
  configurations: () => Configuration[];
  /** Index of the configuration whose FID, IS and speed are the headline numbers. */
  headline?: (perConfig: { conditionalAccuracy?: number; mnistFid: number }[]) => number;
  /** The configuration drawn by --grid (default the first). */
  gridConfiguration?: number;
  /** Settings recorded among the metrics (notebooks 08 and 09 show `steps`). */
  settings?: Record<string, number>;
  /** `--jobs N` draws its batches over N worker threads (evaluate-workers.ts): the pixel-space U-Nets. */
  parallel?: boolean;
  /** The real-data baseline's images (default: `count` training digits, seed 123, as notebook 05). */
  binarizedBaseline?: boolean;
  notes: (count: number, seed: number, batch: number) => string;
}

const classesInTurn = (count: number): number[] => Array.from({ length: count }, (_, i) => i % 10);

function ganSpec(name: 'dcgan' | 'wgan-gp' | 'cgan' | 'acgan'): ModelSpec {
  const conditional = name === 'cgan' || name === 'acgan';
  return {
    help: `${{ dcgan: 'DCGAN', 'wgan-gp': 'WGAN-GP', cgan: 'conditional DCGAN', acgan: 'AC-GAN' }[name]} generator (notebook ${conditional ? '06' : '05'}; z ~ N(0, I₆₄) from seed ${conditional ? 4 : 12}${conditional ? ', classes 0–9 in turn' : ''})`,
    result: name,
    family: 'GAN',
    notebook: conditional ? '06-conditional-gans' : '05-gan-minimax',
    checkpoints: [name],
    defaultCount: 5000,
    defaultSeed: conditional ? 4 : 12,
    conditional,
    configurations: () => {
      let generator: import('genbook').tf.LayersModel | undefined;
      return [{
        key: '',
        draw: async (count, seed, batch) => {
          const { models, random, tf, train } = lib();
          generator ??= await train.loadModel(train.checkpointDir(name));
          const g = generator;
          const labels = conditional ? classesInTurn(count) : undefined;
          const start = performance.now();
          // batch by batch (the batches g.predict(·, { batchSize }) would form), with a turn of the
          // event loop between them so Ctrl+C/SIGTERM stop a long draw (and remove the --checkpoints copy)
          const z = random.rng(seed).normalTensor([count, 64]);
          const parts: Tensor[] = [];
          for (let i = 0; i < count; i += batch) {
            const n = Math.min(batch, count - i);
            parts.push(tf.tidy(() => {
              const zi = z.slice([i, 0], [n, 64]);
              const input = labels ? [zi, tf.oneHot(tf.tensor1d(labels.slice(i, i + n), 'int32'), 10).toFloat()] : zi;
              return models.fromGanRange(g.predict(input, { batchSize: batch }) as Tensor);
            }));
            await parts[parts.length - 1].data();
            await train.yieldToEventLoop();
          }
          const images = tf.concat(parts);
          tf.dispose([z, ...parts]);
          return { images, labels, seconds: (performance.now() - start) / 1000 };
        },
      }];
    },
    notes: (count, seed, batch) => `${count} samples${conditional ? ' (classes 0–9 in turn)' : ''}, z from random.rng(${seed}), batch ${batch}`,
  };
}

type DiffusionNet = import('genbook').models.DiffusionUNet;

let lastProgress = 0;
/** A long draw (DDPM's 1000 steps take minutes per batch) says how far it is, at most every 10 s. */
function drawProgress(done: number, count: number): void {
  if (done >= count || Date.now() - lastProgress < 10_000) return;
  lastProgress = Date.now();
  console.log(`[${new Date().toISOString().slice(11, 19)}]   ${done}/${count} samples drawn`);
}

/**
 * The MNIST U-Nets: `ddpm-mnist-uncond` trained purely unconditionally (p_uncond 1) samples DDPM,
 * DDIM and classifier guidance; `ddpm-mnist`, trained with CFG's label dropping, samples CFG.
 */
type PixelUNet = 'ddpm-mnist-uncond' | 'ddpm-mnist';

function pixelDiffusion(checkpoint: PixelUNet, sampler: 'ddpm' | 'ddim', steps: number, extra: { guidanceWeight?: number; classifierScale?: number; labels?: boolean } = {}): Configuration['draw'] {
  return async (count, seed, batch, jobs, keep) => {
    const genbook = lib();
    const { diffusion, tf, train } = genbook;
    const labels = extra.labels ? classesInTurn(count) : undefined;
    const job: DiffusionDrawJob = {
      backend: tf.getBackend(), unetDir: train.checkpointDir(checkpoint), sampler, steps, guidanceWeight: extra.guidanceWeight,
      ...(extra.classifierScale !== undefined ? { classifierDir: train.checkpointDir('ddpm-noisy-classifier'), classifierScale: extra.classifierScale } : {}),
    };
    const PIXELS = 28 * 28;
    const plan = batchPlan(count, seed, batch, labels);
    const values = new Float32Array(count * PIXELS);
    const store = keep
      ? DrawStore.open(keep.root, keep.name, { checkpoint, sampler, steps, ...extra, count, seed, batch }, [job.unetDir, ...(job.classifierDir ? [job.classifierDir] : [])])
      : undefined;
    const missing = plan.filter((r) => {
      const saved = store?.load(r.b, r.n * PIXELS);
      if (saved) values.set(saved, r.b * batch * PIXELS);
      return !saved;
    });
    const earlier = store?.runs() ?? [];
    const kept = plan.length - missing.length;
    let done = plan.filter((r) => !missing.includes(r)).reduce((n, r) => n + r.n, 0);
    if (store && kept > 0) {
      console.log(`[${new Date().toISOString().slice(11, 19)}]   resuming an interrupted draw: ${kept} of ${plan.length} batches (${done} samples) kept in ${path.relative(process.cwd(), store.dir)}`);
    }
    const runIndex = earlier.length;
    let drawnNow = 0;
    const started = performance.now();
    const onBatch = (r: BatchRequest, v: Float32Array): void => {
      values.set(v, r.b * batch * PIXELS);
      store?.save(r.b, v);
      drawnNow++;
      store?.recordRun(runIndex, { batches: drawnNow, seconds: (performance.now() - started) / 1000 });
      done += r.n;
      drawProgress(done, count);
    };
    let seconds: number;
    if (jobs > 1 && missing.length > 1) {
      seconds = await drawInWorkers(job, { batches: missing, jobs, onBatch });
    } else {
      const nets = loadDrawNetworks(genbook, job);
      const start = performance.now();
      for (const r of missing) {
        const { samples } = await generatePixels(genbook, nets, job, { count: r.n, seed: r.seed, batchSize: r.n, labels: r.labels });
        const v = (await samples.data()) as Float32Array;
        samples.dispose();
        onBatch(r, v);
      }
      seconds = (performance.now() - start) / 1000;
    }
    if (store && missing.length > 0) store.recordRun(runIndex, { batches: missing.length, seconds });
    const images = tf.tidy(() => diffusion.toUnitRange(tf.tensor4d(values, [count, 28, 28, 1])));
    const runs = earlier.length + (missing.length > 0 ? 1 : 0);
    return {
      images, labels,
      seconds: seconds + earlier.reduce((t, r) => t + r.seconds, 0),
      ...(store ? { store } : {}),
      ...(kept > 0 ? { resumed: { batches: kept, of: plan.length, runs } } : {}),
    };
  };
}

function ddimSpec(steps: 50 | 20 | 10): ModelSpec {
  return {
    help: `the unconditional DDPM U-Net sampled with DDIM, ${steps} steps, η = 0 (notebook 09; seed 1)`,
    result: `ddpm-mnist-ddim${steps}`,
    family: 'Diffusion',
    notebook: '09-ddim-guidance',
    checkpoints: ['ddpm-mnist-uncond'],
    defaultCount: 1000,
    defaultSeed: 1,
    conditional: false,
    configurations: () => [{ key: '', draw: pixelDiffusion('ddpm-mnist-uncond', 'ddim', steps) }],
    parallel: true,
    settings: { steps },
    notes: (count, seed, batch) => `U-Net ε(x_t, t, ∅) of the unconditionally trained checkpoint (ddpm-mnist-uncond), DDIM η = 0, uniform spacing, ${steps} steps, linear β schedule T = 1000, no clipping, ${count} samples, seed ${seed}, batch ${batch}`,
  };
}

const bestByAccuracy = (rows: { conditionalAccuracy?: number }[]): number =>
  rows.reduce((best, r, i) => ((r.conditionalAccuracy ?? -1) > (rows[best].conditionalAccuracy ?? -1) ? i : best), 0);

const CFG_WEIGHTS = [0, 1, 2, 3, 5];
const LATENT_WEIGHTS = [0, 1, 2, 3];
const GUIDANCE_SCALES = [0, 1, 10];

export const evaluators: Record<string, ModelSpec> = {
  dcgan: ganSpec('dcgan'),
  'wgan-gp': ganSpec('wgan-gp'),
  cgan: ganSpec('cgan'),
  acgan: ganSpec('acgan'),
  pixelcnn: {
    help: 'PixelCNN on binarised MNIST, 784 sequential passes per sample (notebook 07; seed 11)',
    result: 'pixelcnn',
    family: 'Autoregressive',
    notebook: '07-autoregressive-and-flows',
    checkpoints: ['pixelcnn'],
    defaultCount: 200,
    defaultSeed: 11,
    conditional: false,
    binarizedBaseline: true,
    configurations: () => [{
      key: '',
      draw: async (count, seed) => {
        const { models } = lib();
        const { model } = models.loadPixelCnn();
        const start = performance.now();
        const images = await model.sample(count, seed);
        return { images, seconds: (performance.now() - start) / 1000 };
      },
    }],
    notes: (count, seed) => `${count} binary samples, pixelCnn.sample(${count}, ${seed}); real baseline: ${count} stochastically binarised training digits (seed 3)`,
  },
  ddpm: {
    help: 'the unconditional DDPM U-Net, Algorithm 2 (σ_t² = β_t), 1000 steps (notebook 08; seed 1)',
    result: 'ddpm-mnist',
    family: 'Diffusion',
    notebook: '08-diffusion-ddpm',
    checkpoints: ['ddpm-mnist-uncond'],
    defaultCount: 500,
    defaultSeed: 1,
    conditional: false,
    configurations: () => [{ key: '', draw: pixelDiffusion('ddpm-mnist-uncond', 'ddpm', 1000) }],
    parallel: true,
    settings: { steps: 1000 },
    notes: (count, seed, batch) => `U-Net ε(x_t, t, ∅) of the unconditionally trained checkpoint (ddpm-mnist-uncond), Algorithm 2, σ_t² = β_t, 1000 steps, linear β schedule, no clipping, ${count} samples, seed ${seed}, batch ${batch}`,
  },
  'ddpm-ddim50': ddimSpec(50),
  'ddpm-ddim20': ddimSpec(20),
  'ddpm-ddim10': ddimSpec(10),
  'ddpm-cfg': {
    help: `classifier-free guidance, DDIM 20 steps, sweep w = ${CFG_WEIGHTS.join(', ')} (notebook 09; seed 3)`,
    result: 'ddpm-mnist-cfg',
    family: 'Diffusion',
    notebook: '09-ddim-guidance',
    checkpoints: ['ddpm-mnist'],
    defaultCount: 1000,
    defaultSeed: 3,
    conditional: true,
    configurations: () => CFG_WEIGHTS.map((w) => ({ key: `w${w}`, draw: pixelDiffusion('ddpm-mnist', 'ddim', 20, { labels: true, guidanceWeight: w }) })),
    parallel: true,
    headline: bestByAccuracy,
    gridConfiguration: CFG_WEIGHTS.indexOf(2),
    notes: (count, seed, batch) => `classifier-free guidance, DDIM 20 steps (2 network passes per step), ${count} samples per w (classes 0–9 in turn), seed ${seed}, batch ${batch}; headline numbers (mnistFid, mnistIs, secondsPerSample) at bestW, the w of the highest conditional accuracy`,
  },
  'ddpm-guidance': {
    help: `classifier guidance (Dhariwal & Nichol Alg. 2) with the noisy classifier, DDIM 50, s = ${GUIDANCE_SCALES.join(', ')} (notebook 09; seed 5)`,
    result: 'ddpm-mnist-classifier-guidance',
    family: 'Diffusion',
    notebook: '09-ddim-guidance',
    checkpoints: ['ddpm-mnist-uncond', 'ddpm-noisy-classifier'],
    defaultCount: 1000,
    defaultSeed: 5,
    conditional: true,
    configurations: () => GUIDANCE_SCALES.map((s) => ({ key: `s${s}`, draw: pixelDiffusion('ddpm-mnist-uncond', 'ddim', 50, { labels: true, classifierScale: s }) })),
    parallel: true,
    headline: () => GUIDANCE_SCALES.indexOf(10),
    gridConfiguration: GUIDANCE_SCALES.indexOf(10),
    notes: (count, seed, batch) => `classifier guidance of the unconditional ε(x_t, t, ∅) (ddpm-mnist-uncond) with ddpm-noisy-classifier, DDIM 50 steps, ${count} samples per scale (classes 0–9 in turn), seed ${seed}, batch ${batch}; headline numbers at s = 10`,
  },
  'latent-cfg': {
    help: `latent diffusion (7×7×4 latents, cross-attention to label tokens), DDIM 20, CFG w = ${LATENT_WEIGHTS.join(', ')} (notebook 10; seed 7)`,
    result: 'ddpm-latent-cfg',
    family: 'Diffusion',
    notebook: '10-latent-diffusion',
    checkpoints: ['ddpm-latent-cfg', 'ddpm-latent-autoencoder'],
    defaultCount: 1000,
    defaultSeed: 7,
    conditional: true,
    configurations: () => LATENT_WEIGHTS.map((w) => ({
      key: `w${w}`,
      draw: async (count, seed, batch) => {
        const { diffusion, models, train } = lib();
        const ae = models.loadDiffusionCheckpoint(train.checkpointDir('ddpm-latent-autoencoder')).network as import('genbook').models.LatentAutoencoder;
        const net = models.loadDiffusionCheckpoint(train.checkpointDir('ddpm-latent-cfg')).network as DiffusionNet;
        const labels = classesInTurn(count);
        const { samples, seconds } = await diffusion.generate({
          network: net, schedule: diffusion.noiseSchedule('linear', 1000), sampleShape: [7, 7, ae.config.latentChannels], count, seed, batchSize: batch,
          sampler: 'ddim', steps: 20, labels, guidanceWeight: w,
        });
        const start = performance.now();
        const images = ae.decode(samples);
        await images.data();
        samples.dispose();
        return { images, labels, seconds: seconds + (performance.now() - start) / 1000 };
      },
    })),
    headline: bestByAccuracy,
    gridConfiguration: LATENT_WEIGHTS.indexOf(2),
    notes: (count, seed, batch) => `latent diffusion (7×7×4 latents decoded by ddpm-latent-autoencoder, cross-attention to label tokens), DDIM 20 steps, ${count} samples per w (classes 0–9 in turn), seed ${seed}, batch ${batch}; headline numbers at bestW, the w of the highest conditional accuracy; seconds include decoding`,
  },
};

function usage(): string {
  const width = Math.max(...Object.keys(evaluators).map((n) => n.length));
  return [
    'usage: genbook evaluate <model> [--count N] [--seed S] [--batch B] [--jobs J] [--draws DIR] [--json] [--checkpoints DIR] [--curve | --grid]',
    '',
    'models (default count; writes data/results/<result>.json):',
    ...Object.entries(evaluators).map(([n, s]) => `  ${n.padEnd(width)}  ${s.help}; ${s.defaultCount} samples → ${s.result}.json`),
  ].join('\n');
}

/** The name of a model given by its CLI name or by its result id (ddpm-mnist-ddim50 → ddpm-ddim50). */
function resolve(name: string): string | undefined {
  if (evaluators[name]) return name;
  return Object.keys(evaluators).find((k) => evaluators[k].result === name);
}

export async function evaluateCommand(args: string[]): Promise<number> {
  const flags = parseFlags(args, { count: 'number', seed: 'number', batch: 'number', jobs: 'number', json: 'boolean', grid: 'boolean', curve: 'boolean', checkpoints: 'string', draws: 'string', help: 'boolean' });
  const [given, ...extra] = flags._;
  if (flags.help || !given) {
    console.log(usage());
    return given || flags.help ? 0 : 2;
  }
  if (extra.length) throw new UsageError(`one model at a time; got ${flags._.join(' ')}`);
  if (flags.curve && flags.grid) throw new UsageError('--curve measures FID; --grid only draws a picture: give one of them');
  // The grid is always the protocol's first 100 samples; a count given with it would be ignored.
  if (flags.grid && flags.count !== undefined) throw new UsageError('--grid draws the first 100 samples and measures nothing; --count is for the FID evaluation: give one of them');
  const name = resolve(given);
  if (!name) throw new UsageError(`unknown model "${given}"; known models: ${Object.keys(evaluators).join(', ')}\n\n${usage()}`);
  const spec = evaluators[name];
  const count = (flags.count as number | undefined) ?? spec.defaultCount;
  const seed = (flags.seed as number | undefined) ?? spec.defaultSeed;
  const batch = (flags.batch as number | undefined) ?? (spec.family === 'GAN' ? 256 : 100);
  if (!Number.isInteger(count) || count < 2) throw new UsageError(`--count must be an integer >= 2; got ${count}`);
  if (spec.conditional && count % 10 !== 0) throw new UsageError(`--count must be a multiple of 10 for ${name} (classes 0–9 in turn); got ${count}`);
  if (!Number.isInteger(seed) || seed < 0) throw new UsageError(`--seed must be an integer >= 0; got ${seed}`);
  if (!Number.isInteger(batch) || batch < 1) throw new UsageError(`--batch must be a positive integer; got ${batch}`);
  const jobs = (flags.jobs as number | undefined) ?? 1;
  if (!Number.isInteger(jobs) || jobs < 1) throw new UsageError(`--jobs must be a positive integer; got ${jobs}`);
  if (jobs > 1 && !spec.parallel) {
    throw new UsageError(`--jobs: ${name} draws in one thread (only ${Object.keys(evaluators).filter((n) => evaluators[n].parallel).join(', ')} draw their batches over workers)`);
  }
  if (flags.draws !== undefined && !spec.parallel) {
    throw new UsageError(`--draws: ${name} draws in minutes and keeps no batches (only ${Object.keys(evaluators).filter((n) => evaluators[n].parallel).join(', ')} keep them)`);
  }
  if (flags.draws !== undefined && flags.grid) throw new UsageError('--draws keeps the batches of an FID evaluation; --grid draws 100 samples and keeps none');

  const candidates = flags.checkpoints as string | undefined;
  if (candidates !== undefined) {
    if (!fs.existsSync(candidates) || !fs.statSync(candidates).isDirectory()) throw new UsageError(`--checkpoints: no folder ${candidates}`);
    process.env.GENBOOK_CHECKPOINTS = path.resolve(candidates);
  }
  const { backend, data, metrics, projectPath, tf, train, viz } = lib();
  if (flags.curve && candidates === undefined && train.quickModeEnv()) {
    throw new UsageError('--curve in quick mode (GENBOOK_QUICK=1) needs --checkpoints DIR: it never writes into the shipped data/checkpoints');
  }
  const setup = await backend.setup(undefined, { log: null });
  const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);
  if (candidates !== undefined) {
    // The model's own checkpoint must be in DIR (a typo would otherwise evaluate, and with --curve
    // write into, the shipped one); the ones it only uses (a classifier, an autoencoder) may fall back.
    const own = path.join(path.resolve(candidates), spec.checkpoints[0]);
    if (!train.hasCheckpoint(own)) throw new UsageError(`--checkpoints: no checkpoint ${own} (DIR must hold ${spec.checkpoints[0]}/, as data/checkpoints does)`);
    for (const c of spec.checkpoints.slice(1)) {
      if (!train.hasCheckpoint(path.join(path.resolve(candidates), c))) log(`${name}: ${c} is not in ${candidates}; using ${path.relative(process.cwd(), train.checkpointDir(c))}`);
    }
    // A training may be saving into DIR: measure a consistent copy (weights and meta.json of one
    // save), taken now; the curve point and the results still go to DIR.
    const snapshot = await snapshotCheckpoints(path.resolve(candidates), spec.checkpoints);
    process.on('exit', () => fs.rmSync(snapshot, { recursive: true, force: true }));
    // Ctrl+C, kill: exit (128 + the signal) through 'exit', so the copy is removed
    onStopSignal((signal) => process.exit(signalExitCode(signal)));
    process.env.GENBOOK_CHECKPOINTS = snapshot;
  }
  for (const c of spec.checkpoints) {
    if (!train.hasCheckpoint(train.checkpointDir(c))) throw new Error(`${name}: no checkpoint ${path.relative(process.cwd(), train.checkpointDir(c)) || train.checkpointDir(c)} (train it first; see README "Shipped checkpoints")`);
  }
  // --curve: the point goes at the checkpoint's iteration; without one, say so before sampling
  let curveAt: { dir: string; steps: number; checkpoint: string } | undefined;
  if (flags.curve) {
    const checkpoint = spec.checkpoints[0];
    const steps = train.readMeta(train.checkpointDir(checkpoint))?.steps; // the snapshot's, with --checkpoints
    const dir = candidates !== undefined ? path.join(path.resolve(candidates), checkpoint) : train.checkpointDir(checkpoint);
    if (typeof steps !== 'number') throw new Error(`--curve: ${dir}/meta.json has no "steps" (the iteration to plot the point at)`);
    curveAt = { dir, steps, checkpoint };
  }
  const configurations = spec.configurations();

  if (flags.grid) {
    const configuration = configurations[spec.gridConfiguration ?? 0];
    log(`${name}: drawing 100 samples (seed ${seed}${configuration.key ? `, ${configuration.key}` : ''}) for a 10×10 grid`);
    const drawn = await configuration.draw(100, seed, batch, jobs);
    const file = candidates !== undefined ? path.join(path.resolve(candidates), 'gallery', `${name}.png`) : projectPath('docs', 'gallery', `${name}.png`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    viz.imageGrid(drawn.images, { columns: 10, range: [0, 1], scale: 2 }).save(file);
    tf.dispose(drawn.images);
    log(`${name}: wrote ${path.relative(projectPath(), file)} (${drawn.seconds.toFixed(1)} s of sampling)`);
    if (flags.json) console.log(JSON.stringify({ model: name, grid: path.relative(projectPath(), file), samples: 100, seed, configuration: configuration.key || undefined, samplingSeconds: drawn.seconds }));
    return 0;
  }

  const classifier = await metrics.loadMnistClassifier();
  const reference = await metrics.mnistTestStatistics({ classifier });
  const rows: (import('genbook').metrics.SampleEvaluation & { secondsPerSample: number; perDigit?: number[] })[] = [];
  // The diffusion models keep their drawn batches until the result is written (an interrupted run resumes).
  const drawsRoot = path.resolve((flags.draws as string | undefined) ?? projectPath('build', 'evaluate-draws'));
  const stores: DrawStore[] = [];
  const resumed: string[] = [];
  for (const configuration of configurations) {
    log(`${name}${configuration.key ? ` ${configuration.key}` : ''}: drawing ${count} samples (seed ${seed})`);
    const keep = spec.parallel ? { root: drawsRoot, name: `${spec.result}${configuration.key ? `-${configuration.key}` : ''}` } : undefined;
    const drawn = await configuration.draw(count, seed, batch, jobs, keep);
    if (drawn.store) stores.push(drawn.store);
    if (drawn.resumed) resumed.push(`${configuration.key ? `${configuration.key}: ` : ''}${drawn.resumed.batches} of ${drawn.resumed.of} batches from earlier runs, ${drawn.resumed.runs} run${drawn.resumed.runs > 1 ? 's' : ''} in all`);
    const evaluation = await metrics.evaluateSamples(drawn.images, { labels: drawn.labels, classifier, reference });
    const perDigit = drawn.labels ? metrics.perClassAccuracy(classifier.probabilities(drawn.images), drawn.labels).perClass : undefined;
    tf.dispose(drawn.images);
    rows.push({ ...evaluation, secondsPerSample: drawn.seconds / count, perDigit });
    log(`${name}${configuration.key ? ` ${configuration.key}` : ''}: MNIST-FID ${evaluation.mnistFid.toFixed(3)}, MNIST-IS ${evaluation.mnistIs.toFixed(3)}` +
      `${evaluation.conditionalAccuracy !== undefined ? `, conditional accuracy ${(100 * evaluation.conditionalAccuracy).toFixed(2)} %` : ''}, ${(drawn.seconds / count).toFixed(4)} s/sample`);
  }
  const h = spec.headline ? spec.headline(rows) : 0;
  const head = rows[h];
  const real = spec.binarizedBaseline
    ? data.mnist({ split: 'train', binarize: 'stochastic', seed: 3, limit: count })
    : data.mnist({ split: 'train', limit: count, seed: 123 });
  const baseline = await metrics.evaluateSamples(real, { classifier, reference });

  const measured: Record<string, number> = {
    mnistFid: head.mnistFid,
    mnistIs: head.mnistIs,
    mnistIsStd: head.mnistIsStd,
    mnistIsSharpness: head.mnistIsSharpness,
    mnistIsDiversity: head.mnistIsDiversity,
    fidSamples: head.fidSamples,
    ...(head.conditionalAccuracy !== undefined ? { conditionalAccuracy: head.conditionalAccuracy } : {}),
    [spec.binarizedBaseline ? 'binarizedRealFid' : 'mnistFidRealBaseline']: baseline.mnistFid,
    ...spec.settings,
  };
  if (configurations.length > 1) {
    const key = configurations[h].key;
    measured[key.startsWith('w') ? 'bestW' : 'headlineScale'] = Number(key.slice(1));
    configurations.forEach((c, i) => {
      measured[`mnistFid_${c.key}`] = rows[i].mnistFid;
      measured[`mnistIs_${c.key}`] = rows[i].mnistIs;
      if (rows[i].conditionalAccuracy !== undefined) measured[`conditionalAccuracy_${c.key}`] = rows[i].conditionalAccuracy!;
    });
  }

  const mode = train.quickModeEnv() ? 'quick' : 'full';
  const previousFile = path.join(train.resultsDir(mode), `${spec.result}.json`);
  const carried: Record<string, number> = {};
  if (fs.existsSync(previousFile)) {
    const previous = JSON.parse(fs.readFileSync(previousFile, 'utf8')) as { metrics?: Record<string, number> };
    // Only model properties that sampling does not measure (PixelCNN's exact NLL) survive a re-measurement.
    for (const k of ['nllNats', 'bitsPerDim']) if (typeof previous.metrics?.[k] === 'number') carried[k] = previous.metrics[k];
  }
  let trainSeconds: number | undefined;
  const trained: string[] = [];
  for (const c of spec.checkpoints) {
    const meta = train.readMeta(train.checkpointDir(c));
    if (typeof meta?.trainSeconds === 'number') trainSeconds = (trainSeconds ?? 0) + meta.trainSeconds;
    trained.push(`${c} ${meta?.steps ?? '?'} steps${meta?.batchSize ? ` of batch ${meta.batchSize}` : ''}`);
  }
  // Timings depend on what else runs: record the 1-minute load average next to them.
  const threads = backend.threadsInUse(); // wasm's pool; other backends thread as they do
  const drawnBy = jobs > 1 ? `${jobs} worker threads, 1 thread each` : threads === undefined ? 'its own threads' : `${threads} thread${threads > 1 ? 's' : ''}`;
  const load = os.loadavg()[0];
  const command = ['npm run evaluate --', name, '--count', String(count), '--seed', String(seed), ...(flags.batch !== undefined ? ['--batch', String(batch)] : [])].join(' ');
  const resultEntry: import('genbook').train.ModelResult = {
    model: spec.result,
    family: spec.family,
    notebook: spec.notebook,
    metrics: { ...carried, ...measured },
    secondsPerSample: head.secondsPerSample,
    trainSeconds,
    command,
    mode,
    notes: `checkpoint ${trained.join(', ')}; ${spec.notes(count, seed, batch)}; FID against the ${reference.count} MNIST test digits; seconds per sample = wall time of drawing all samples on ${setup.name} (${drawnBy}), ${os.cpus().length} CPUs, load average ${load.toFixed(1)}` +
      (resumed.length ? `; an interrupted draw resumed (${resumed.join('; ')}): seconds per sample add up the runs' wall times, the load average is the last run's` : '') +
      (Object.keys(carried).length ? `; ${Object.keys(carried).join(', ')} carried over from the previous result (not measured by this command)` : ''),
  };
  let file: string;
  if (candidates !== undefined) {
    file = path.join(path.resolve(candidates), 'results', `${spec.result}.json`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, `${JSON.stringify({ ...resultEntry, command: `${command} --checkpoints ${candidates}`, checkpoints: path.resolve(candidates), measuredAt: new Date().toISOString() }, null, 2)}\n`);
  } else {
    file = train.writeResult(resultEntry);
  }
  let curveFile: string | undefined;
  if (curveAt) {
    const { dir, steps, checkpoint } = curveAt;
    const curve = train.addFidCurvePoint(dir, {
      ...(name !== checkpoint ? { evaluation: name } : {}),
      iteration: steps,
      mnistFid: head.mnistFid,
      mnistIs: head.mnistIs,
      samples: count,
      seed,
      ...(head.conditionalAccuracy !== undefined ? { conditionalAccuracy: head.conditionalAccuracy } : {}),
      loadAverage: Number(load.toFixed(2)),
      measuredAt: new Date().toISOString(),
    }, {
      model: checkpoint,
      what: `MNIST-FID of the checkpoint by training iteration, measured with the evaluate protocol while or after it trained (points name their evaluation when it is not ${checkpoint})`,
      command: 'npm run evaluate -- <model> --curve [--count N] [--checkpoints DIR]',
    });
    curveFile = path.relative(projectPath(), path.join(dir, train.FID_CURVE_FILE)) || path.join(dir, train.FID_CURVE_FILE);
    log(`${name}: iteration ${steps} added to ${curveFile} (${curve.points.length} points)`);
  }
  for (const store of stores) store.remove(); // the result is written: nothing left to resume
  const summary = {
    model: name,
    result: spec.result,
    file: path.relative(projectPath(), file),
    samples: count,
    seed,
    mnistFid: head.mnistFid,
    mnistIs: head.mnistIs,
    mnistIsSharpness: head.mnistIsSharpness,
    mnistIsDiversity: head.mnistIsDiversity,
    ...(head.conditionalAccuracy !== undefined ? { conditionalAccuracy: head.conditionalAccuracy, perDigitAccuracy: head.perDigit } : {}),
    realBaselineFid: baseline.mnistFid,
    secondsPerSample: head.secondsPerSample,
    backend: setup.name,
    drawnBy,
    ...(resumed.length ? { resumed } : {}),
    loadAverage: load,
    ...(curveFile !== undefined ? { curve: curveFile } : {}),
    ...(configurations.length > 1 ? { sweep: Object.fromEntries(configurations.map((c, i) => [c.key, { mnistFid: rows[i].mnistFid, mnistIs: rows[i].mnistIs, conditionalAccuracy: rows[i].conditionalAccuracy }])), headline: configurations[h].key } : {}),
  };
  log(`${name}: wrote ${summary.file}`);
  if (head.perDigit) console.log(`${name}: conditional accuracy per digit 0–9: ${head.perDigit.map((a) => a.toFixed(3)).join(' ')}`);
  if (!flags.json) console.log(`${name}: ${count} samples, MNIST-FID ${head.mnistFid.toFixed(2)} (real ${count} digits: ${baseline.mnistFid.toFixed(2)}), MNIST-IS ${head.mnistIs.toFixed(2)}${head.conditionalAccuracy !== undefined ? `, conditional accuracy ${(100 * head.conditionalAccuracy).toFixed(2)} %` : ''}, ${head.secondsPerSample.toFixed(4)} s/sample`);
  if (flags.json) console.log(JSON.stringify(summary));
  return 0;
}
