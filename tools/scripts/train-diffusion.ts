/**
 * Train the course's diffusion checkpoints (notebooks 08–10 load them in full mode):
 *
 *   npx tsx tools/scripts/train-diffusion.ts ddpm-mnist        [--steps N] [--seed S] [--channels C0,C1] [--middle-blocks M] [--self-attention]
 *                                                                                       U-Net ε_θ(x_t, t, c), CFG-trained (p_uncond 0.2)
 *   npx tsx tools/scripts/train-diffusion.ts ddpm-mnist-uncond [--steps N] [--seed S] [--channels C0,C1] [--middle-blocks M] [--self-attention]
 *                                                                                       the same U-Net, purely unconditional (p_uncond 1)
 *   npx tsx tools/scripts/train-diffusion.ts ddpm-noisy-classifier [--steps N]          p_φ(y | x_t, t) for classifier guidance
 *   npx tsx tools/scripts/train-diffusion.ts ddpm-latent-autoencoder [--steps N]        E, D of latent diffusion (7×7×4)
 *   npx tsx tools/scripts/train-diffusion.ts ddpm-latent-cfg   [--steps N]              U-Net with cross-attention on the latents
 *
 * Everything is seeded. `ddpm-mnist` is trained with classifier-free guidance's Algorithm 1 (labels
 * dropped with p_uncond = 0.2): ε_θ(x_t, t, c) is the conditional model of CFG (notebook 09).
 * `ddpm-mnist-uncond` is the same U-Net with every label dropped (p_uncond = 1; it keeps the class
 * embedding's shape but only ever sees ∅), so all its training goes to ε_θ(x_t, t, ∅): the
 * unconditional DDPM of notebook 08, of DDIM and of classifier guidance (notebook 09). With the
 * same seed it is bit for bit `ddpm-mnist --p-uncond 1`, written to its own checkpoint. Checkpoints
 * hold the EMA weights and are saved every 500 steps (a long
 * run can be stopped and still leaves one); meta.json records the command, seed, steps, seconds,
 * backend and the loss curve. `--resume` continues up to `--steps` in total: exactly (raw weights,
 * Adam's moments, EMA, random state, saved in <checkpoint>/resume/ at every save) when that state is
 * there, otherwise from the checkpoint's EMA weights with a fresh Adam state (checkpoints made
 * before the state was kept). GENBOOK_CHECKPOINTS=DIR trains into DIR/<variant> (created if need be;
 * never into the shipped data/checkpoints then).
 * `--lr` on a resume changes the learning rate from there on (a step decay); meta.json's
 * `learningRates` lists every rate with the step it started at. A resume without `--lr` goes on at
 * the last recorded rate.
 * `--channels`, `--middle-blocks` and `--self-attention` size the MNIST U-Net (default 24,48, 1 and
 * none, the shipped one: `models.DDPM_UNET_CONFIG`; `--self-attention` adds DDPM's attention block
 * after the first middle block); a resume rebuilds the saved network and refuses other sizes.
 * `--res-blocks R` (default 1) is the residual blocks per level, down and up (DDPM's U-Net has 2). On a
 * resume it may ask for more than the saved network has: the U-Net grows (Net2Net's deeper network,
 * Chen et al. 2016). The new blocks start as the identity (their last conv is zero-initialized), so
 * the grown network computes the saved ε_θ; training goes on from the saved EMA weights with a fresh
 * Adam state and EMA. meta.json's `growths` records the step and the sizes.
 * `--ema-decay D` (in (0, 1); default 0.999) is the decay of the EMA of the weights the checkpoint
 * holds; on a resume it changes the decay from there on (meta.json's `emaDecays` lists each with
 * the step it started at), and a resume without it goes on with the last one.
 * `--input-perturbation γ` (the U-Net variants; default 0) trains with DDPM-IP's perturbed input
 * √ᾱ_t·x_0 + √(1−ᾱ_t)·(ε + γ·ξ) against the target ε (Ning et al. 2023, Algorithm 1; the paper's γ is
 * 0.1); on a resume it changes γ from there on (meta.json's `inputPerturbations` lists each with the
 * step it started at) and a resume without it goes on with the last one.
 * `--min-snr γ` (the U-Net variants; default 0, off) weighs each example's error by
 * min(SNR(t), γ)/SNR(t) (Min-SNR-γ, Hang et al. 2023; the paper's γ is 5); on a resume it changes γ
 * from there on (meta.json's `minSnrGammas`), and a resume without it goes on with the last one.
 * `--data-parallel J` (the U-Net variants) cuts each batch into J shards computed at once by the
 * main thread and J − 1 worker threads, each with a single-threaded backend (diffusion
 * data-parallel.ts; run it with GENBOOK_THREADS=1): the same steps, on J cores
 * (`npx tsx bench/data-parallel.ts` measures the gain).
 * `--snapshots` (the U-Net variants) also keeps each save's EMA checkpoint in
 * <checkpoint>/snapshots/step-NNNNNNN/ (2.7 MB each for the 669 572-parameter U-Net), so that
 * tools/scripts/average-checkpoints.ts can average a window of them afterwards (a longer EMA).
 * `--p-uncond P` is the label-drop probability (default 0.2; 1 drops every label: a purely
 * unconditional DDPM, all its training spent on ε_θ(x_t, t, ∅)); a resume keeps the saved one and
 * refuses another.
 */
import * as fs from 'fs';
import * as path from 'path';
import { backend, data, diffusion, models, tf, train } from 'genbook';
import { parseFlags, UsageError } from '../src/util/flags';

const VARIANTS = ['ddpm-mnist', 'ddpm-mnist-uncond', 'ddpm-noisy-classifier', 'ddpm-latent-autoencoder', 'ddpm-latent-cfg'] as const;
type Variant = (typeof VARIANTS)[number];
/** The variants that train a U-Net ε_θ: only they take --data-parallel, --input-perturbation, --min-snr and --snapshots. */
const UNET_VARIANTS: readonly Variant[] = ['ddpm-mnist', 'ddpm-mnist-uncond', 'ddpm-latent-cfg'];

/** Thin a loss curve to ~200 points (means over windows) for meta.json. */
function thin(losses: number[], points = 200): { step: number; loss: number }[] {
  const w = Math.max(1, Math.floor(losses.length / points));
  const out: { step: number; loss: number }[] = [];
  for (let i = 0; i + w <= losses.length; i += w) {
    out.push({ step: i + w, loss: losses.slice(i, i + w).reduce((s, v) => s + v, 0) / w });
  }
  return out;
}

/** MNIST training images scaled to [−1, 1] (DDPM §4: "data scaled linearly to [−1, 1]"). */
function mnistMinusOneOne(limit?: number): { images: Float32Array; labels: Uint8Array } {
  const set = data.mnist({ split: 'train', limit, seed: limit ? 0 : undefined });
  return { images: set.images.map((v) => 2 * v - 1), labels: set.labels };
}

/** meta.json `growths`: the step at which `--res-blocks` grew the U-Net, the blocks per level and parameters before and after. */
type Growth = { atStep: number; resBlocks: [number, number]; parameters: [number, number] };

/** A training setting's value from `fromStep` on (meta.json `inputPerturbations`, `minSnrGammas`). */
type SettingStep = { fromStep: number; gamma: number };

/**
 * The value of a setting that is off (0) unless asked for, from `step` on, and its history to save:
 * the requested value, else the saved training's last, else 0. The history stays empty while the
 * setting was never on; a training saved before the setting existed counts as 0 from step 0.
 */
function planSetting(saved: SettingStep[] | undefined, step: number, requested: number | undefined): { value: number; history: SettingStep[] } {
  const history = saved ?? [];
  const last = history.at(-1)?.gamma ?? 0;
  const value = requested ?? last;
  if (value === last) return { value, history };
  return { value, history: [...(history.length || step === 0 ? history : [{ fromStep: 0, gamma: 0 }]), { fromStep: step, gamma: value }] };
}

type UNetSize = { levelChannels?: number[]; middleBlocks?: number; resBlocks?: number; selfAttention?: boolean };

/**
 * The MNIST U-Net's size from `--channels C0,C1`, `--middle-blocks M`, `--res-blocks R` and `--self-attention`; on
 * `--resume` the saved network's size (flags that disagree are refused), except that `--res-blocks` may ask for more
 * blocks per level than the saved network has: the network grows (`grownFrom`, the saved count). Empty: the defaults
 * (DDPM_UNET_CONFIG).
 */
function unetSize(flags: Record<string, unknown>, dir: string): { size: UNetSize; grownFrom?: number } {
  const size: UNetSize = {};
  if (flags.channels !== undefined) {
    const channels = String(flags.channels).split(',').map(Number);
    if (channels.length < 1 || channels.some((c) => !Number.isInteger(c) || c < 1)) throw new UsageError(`--channels: positive integers separated by commas (e.g. 32,64); got ${flags.channels}`);
    size.levelChannels = channels;
  }
  if (flags['middle-blocks'] !== undefined) {
    const m = flags['middle-blocks'] as number;
    if (!Number.isInteger(m) || m < 1) throw new UsageError(`--middle-blocks: a positive integer; got ${m}`);
    size.middleBlocks = m;
  }
  if (flags['res-blocks'] !== undefined) {
    const r = flags['res-blocks'] as number;
    if (!Number.isInteger(r) || r < 1) throw new UsageError(`--res-blocks: a positive integer (residual blocks per level); got ${r}`);
    size.resBlocks = r;
  }
  if (flags['self-attention'] === true) size.selfAttention = true;
  const saved = flags.resume ? (train.readMeta(dir)?.config as UNetSize | undefined) : undefined;
  if (!saved) return { size };
  // a U-Net saved before an option existed has no self-attention and one residual block per level
  const savedSize: UNetSize = { levelChannels: saved.levelChannels, middleBlocks: saved.middleBlocks, resBlocks: saved.resBlocks ?? 1, selfAttention: saved.selfAttention ?? false };
  const grows = size.resBlocks !== undefined && size.resBlocks > savedSize.resBlocks!;
  for (const [key, value] of Object.entries(size) as [keyof UNetSize, unknown][]) {
    if (key === 'resBlocks' && grows) continue;
    if (JSON.stringify(savedSize[key]) !== JSON.stringify(value)) {
      throw new UsageError(`--resume: the saved U-Net has ${key} ${JSON.stringify(savedSize[key])}; the flags ask for ${JSON.stringify(value)}${key === 'resBlocks' ? ' (a resume can add residual blocks, not remove them)' : ''}`);
    }
  }
  return grows ? { size: { ...savedSize, resBlocks: size.resBlocks }, grownFrom: savedSize.resBlocks } : { size: savedSize };
}

/**
 * CFG's label-drop probability p_uncond (Ho & Salimans 2022, Algorithm 1) from `--p-uncond P`
 * (default 0.2); on `--resume` the saved one, and a flag that disagrees is refused.
 */
function labelDropProbability(flags: Record<string, unknown>, dir: string, variant: Variant): number {
  const given = flags['p-uncond'] as number | undefined;
  if (given !== undefined && !(given >= 0 && given <= 1)) throw new UsageError(`--p-uncond: a probability in [0, 1]; got ${flags['p-uncond']}`);
  if (variant === 'ddpm-mnist-uncond') {
    if (given !== undefined && given !== 1) throw new UsageError(`--p-uncond: ddpm-mnist-uncond is trained with p_uncond 1 (every label dropped); for another value train ddpm-mnist --p-uncond ${given}`);
    return 1;
  }
  const saved = flags.resume ? (train.readMeta(dir)?.pUncond as number | undefined) : undefined;
  if (saved !== undefined && given !== undefined && saved !== given) {
    throw new UsageError(`--resume: the saved training drops labels with p_uncond ${saved}; the flags ask for ${given}`);
  }
  return saved ?? given ?? 0.2;
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), { steps: 'number', seed: 'number', batch: 'number', lr: 'number', resume: 'boolean', channels: 'string', 'middle-blocks': 'number', 'self-attention': 'boolean', 'p-uncond': 'number', 'ema-decay': 'number', 'data-parallel': 'number', 'input-perturbation': 'number', 'min-snr': 'number', 'res-blocks': 'number', snapshots: 'boolean' });
  const flag = (name: string, fallback: number): number => (flags[name] as number | undefined) ?? fallback;
  const variant = flags._[0] as Variant;
  if (flags._.length !== 1 || !VARIANTS.includes(variant)) {
    throw new UsageError(`usage: npx tsx tools/scripts/train-diffusion.ts <${VARIANTS.join('|')}> [--steps N] [--seed S] [--batch B] [--lr L] [--resume] [--channels C0,C1] [--middle-blocks M] [--res-blocks R] [--self-attention] [--p-uncond P] [--ema-decay D] [--input-perturbation γ] [--min-snr γ] [--data-parallel J] [--snapshots]`);
  }
  const dataParallel = (flags['data-parallel'] as number | undefined) ?? 1;
  if (!Number.isInteger(dataParallel) || dataParallel < 1) throw new UsageError(`--data-parallel: a positive integer (shards of each batch, one per core); got ${flags['data-parallel']}`);
  if (dataParallel > 1 && !UNET_VARIANTS.includes(variant)) throw new UsageError(`--data-parallel: only the U-Nets (ddpm-mnist, ddpm-mnist-uncond, ddpm-latent-cfg) train over shards; got ${variant}`);
  const emaFlag = flags['ema-decay'] as number | undefined;
  if (emaFlag !== undefined && !(emaFlag > 0 && emaFlag < 1)) throw new UsageError(`--ema-decay: a number in (0, 1), e.g. 0.9999; got ${flags['ema-decay']}`);
  const gammaFlag = flags['input-perturbation'] as number | undefined;
  if (gammaFlag !== undefined && !(gammaFlag >= 0 && gammaFlag < 1)) throw new UsageError(`--input-perturbation: DDPM-IP's γ, a number in [0, 1) (the paper's is 0.1); got ${flags['input-perturbation']}`);
  if (gammaFlag !== undefined && !UNET_VARIANTS.includes(variant)) throw new UsageError(`--input-perturbation: only the U-Nets (ddpm-mnist, ddpm-mnist-uncond, ddpm-latent-cfg) take it; got ${variant}`);
  const minSnrFlag = flags['min-snr'] as number | undefined;
  if (minSnrFlag !== undefined && !(minSnrFlag >= 0 && Number.isFinite(minSnrFlag))) throw new UsageError(`--min-snr: Min-SNR-γ's γ, a number >= 0 (0 = off; the paper's is 5); got ${flags['min-snr']}`);
  if (minSnrFlag !== undefined && !UNET_VARIANTS.includes(variant)) throw new UsageError(`--min-snr: only the U-Nets (ddpm-mnist, ddpm-mnist-uncond, ddpm-latent-cfg) take it; got ${variant}`);
  if (flags.snapshots && !UNET_VARIANTS.includes(variant)) throw new UsageError(`--snapshots: only the U-Nets (ddpm-mnist, ddpm-mnist-uncond, ddpm-latent-cfg) keep EMA snapshots; got ${variant}`);
  const seed = flag('seed', 2020);
  const setup = await backend.setup(undefined, { log: null });
  const dir = train.checkpointOutputDir(variant); // $GENBOOK_CHECKPOINTS/<variant> when set, never the shipped one then
  const command = `npx tsx tools/scripts/train-diffusion.ts ${process.argv.slice(2).join(' ')}`.trim();
  const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);
  const progress = (p: train.Progress) =>
    log(`${variant} ${p.step}/${p.steps} ${Object.entries(p.losses).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(' ')} elapsed ${p.elapsedSeconds.toFixed(0)} s eta ${p.etaSeconds.toFixed(0)} s`);
  const schedule = diffusion.noiseSchedule('linear', 1000);

  if (variant === 'ddpm-mnist' || variant === 'ddpm-mnist-uncond' || variant === 'ddpm-latent-cfg') {
    const steps = flag('steps', 4000);
    const batchSize = flag('batch', 64);
    const pixels = variant !== 'ddpm-latent-cfg';
    const defaultLearningRate = pixels ? 5e-4 : 1e-3;
    const pUncond = labelDropProbability(flags, dir, variant);
    let net: models.DiffusionUNet;
    let grownFrom: number | undefined;
    let source: diffusion.DiffusionBatchSource;
    let extra: Record<string, unknown> = {};
    if (pixels) {
      const { images, labels } = mnistMinusOneOne();
      const sized = unetSize(flags, dir);
      grownFrom = sized.grownFrom;
      net = new models.DiffusionUNet({ seed, numClasses: 10, ...sized.size });
      source = diffusion.arrayBatches(images, [28, 28, 1], labels);
    } else {
      const { network: ae } = models.loadDiffusionCheckpoint(train.checkpointDir('ddpm-latent-autoencoder'));
      const autoencoder = ae as models.LatentAutoencoder;
      const set = data.mnist({ split: 'train' });
      log(`encoding ${set.count} images to latents [7, 7, ${autoencoder.config.latentChannels}] (scale ${autoencoder.config.latentScale.toFixed(4)})`);
      const latents = autoencoder.encodeAll(set.images);
      autoencoder.dispose();
      net = new models.DiffusionUNet({
        seed,
        imageSize: 7,
        channels: autoencoder.config.latentChannels,
        patchSize: 1,
        levelChannels: [32],
        middleBlocks: 1,
        numClasses: 10,
        crossAttention: { dim: 32, contextTokens: 2 },
      });
      source = diffusion.arrayBatches(latents, [7, 7, autoencoder.config.latentChannels], set.labels);
      extra = { autoencoder: 'ddpm-latent-autoencoder' };
    }
    // --resume: continue up to `steps` in total. Exactly, from <dir>/resume/ (the raw weights, Adam's
    // moments, the EMA and the random generator's position) when a run saved it; otherwise (an older
    // checkpoint) from the checkpoint's EMA weights with a fresh Adam state.
    let previous = { steps: 0, seconds: 0, history: [] as { step: number; loss: number }[], command, resumes: [] as string[], learningRates: [] as { fromStep: number; lr: number }[], emaDecays: undefined as train.EmaDecayStep[] | undefined, emaDecay: undefined as number | undefined, growths: [] as Growth[] };
    let state: diffusion.DiffusionTrainerState | undefined;
    const stateDir = path.join(dir, 'resume');
    let resumedMeta: train.CheckpointMeta | undefined;
    if (flags.resume && train.hasCheckpoint(dir)) {
      const loaded = models.loadDiffusionCheckpoint(dir);
      resumedMeta = loaded.meta;
      const m = loaded.meta as train.CheckpointMeta & { lossHistory?: { step: number; loss: number }[]; resumedWith?: string[]; learningRate?: number; learningRates?: { fromStep: number; lr: number }[]; emaDecay?: number; emaDecays?: train.EmaDecayStep[] };
      previous = {
        steps: m.steps ?? 0,
        seconds: m.trainSeconds ?? 0,
        history: m.lossHistory ?? [],
        command: m.command,
        resumes: [...(m.resumedWith ?? []), command],
        // a resume may lower the learning rate (a step decay): meta.json keeps every rate and where it started
        learningRates: m.learningRates ?? (typeof m.learningRate === 'number' ? [{ fromStep: 0, lr: m.learningRate }] : []),
        // a resume may average with another EMA decay from there on: meta.json keeps each and where it started
        emaDecays: m.emaDecays,
        emaDecay: m.emaDecay,
        growths: (m as { growths?: Growth[] }).growths ?? [],
      };
      const savedMeta = train.readMeta(path.join(stateDir, 'trainer'));
      if (grownFrom !== undefined) {
        // a grown U-Net: the saved EMA weights, the new blocks at their initial values (the identity), a fresh Adam and EMA
        const fresh = net.params.assignGrowing(loaded.network.params.record());
        previous.growths = [...previous.growths, { atStep: previous.steps, resBlocks: [grownFrom, net.config.resBlocks], parameters: [loaded.network.parameterCount(), net.parameterCount()] }];
        log(`growing the U-Net at step ${previous.steps} from ${grownFrom} to ${net.config.resBlocks} residual blocks per level (${fresh.length} new parameter tensors, ${loaded.network.parameterCount()} → ${net.parameterCount()} parameters; the new blocks start as the identity): from the EMA weights with a fresh Adam state`);
      } else if (savedMeta && savedMeta.steps === previous.steps && train.hasCheckpoint(path.join(stateDir, 'weights'))) {
        const raw = train.loadVariables(path.join(stateDir, 'weights'));
        net.params.assign(raw);
        tf.dispose(Object.values(raw));
        state = { ...(savedMeta.state as Omit<diffusion.DiffusionTrainerState, 'tensors'>), tensors: train.loadVariables(path.join(stateDir, 'trainer')) };
        log(`resuming exactly from step ${previous.steps} (${previous.seconds} s so far; raw weights, Adam state, EMA and random state from ${stateDir})`);
      } else {
        net.params.assign(loaded.network.params.record());
        log(`resuming from step ${previous.steps} (${previous.seconds} s so far) from the EMA weights with a fresh Adam state (no saved training state)`);
      }
      loaded.network.dispose();
    }
    const remaining = steps - previous.steps;
    if (remaining <= 0) {
      log(`nothing to do: the checkpoint has ${previous.steps} >= ${steps} steps`);
      return;
    }
    // a resume without --lr goes on at the last recorded rate (not the default: that would undo a decay)
    const { lr: learningRate, learningRates } = train.planLearningRates(previous.learningRates, previous.steps, { lr: flags.lr as number | undefined }, defaultLearningRate);
    // the threads of each part of the run, as the rates (meta.json's `threads` keeps the last count)
    const threadCounts = train.planThreadCounts(resumedMeta, previous.steps, backend.threadsInUse() ?? null);
    // a resume without --ema-decay goes on with the last recorded decay
    const { decay: emaDecay, emaDecays } = train.planEmaDecays(previous.emaDecays, previous.emaDecay, previous.steps, flags['ema-decay'] as number | undefined, 0.999);
    // DDPM-IP's γ and Min-SNR's γ: a resume without the flag goes on with the last one (0 for a training saved before it existed)
    const saved = resumedMeta as { inputPerturbations?: SettingStep[]; minSnrGammas?: SettingStep[] } | undefined;
    const { value: gamma, history: inputPerturbations } = planSetting(saved?.inputPerturbations, previous.steps, gammaFlag);
    const { value: minSnr, history: minSnrGammas } = planSetting(saved?.minSnrGammas, previous.steps, minSnrFlag);
    log(`${variant}: ${net.parameterCount()} parameters, ${remaining} steps (to ${steps}), batch ${batchSize}, lr ${learningRate}, EMA decay ${emaDecay}, p_uncond ${pUncond}${gamma > 0 ? `, input perturbation γ ${gamma}` : ''}${minSnr > 0 ? `, Min-SNR γ ${minSnr}` : ''}, backend ${setup.name}${dataParallel > 1 ? `, ${dataParallel} data-parallel shards` : ''} → ${dir}`);
    const start = performance.now();
    const result = await diffusion.trainDiffusion({
      network: net,
      schedule,
      data: source,
      steps: remaining,
      batchSize,
      seed: seed + 1 + previous.steps,
      resume: state,
      learningRate,
      pUncond,
      emaDecay,
      inputPerturbation: gamma,
      minSnrGamma: minSnr,
      dataParallel,
      reportEvery: 50,
      onProgress: progress,
      checkpointEvery: 500,
      onCheckpoint: async (step, ema, losses, trainerState) => {
        const save = () =>
          models.saveDiffusionCheckpoint(net, dir, {
            name: variant,
            command: previous.command,
            ...(previous.resumes.length ? { resumedWith: previous.resumes } : {}),
            seed,
            steps: previous.steps + step,
            trainSeconds: previous.seconds + Math.round((performance.now() - start) / 1000),
            backend: setup.name, threads: backend.threadsInUse() ?? null, threadCounts,
            ...(dataParallel > 1 ? { dataParallel } : {}),
            schedule: { kind: 'linear', T: 1000 },
            batchSize,
            learningRate,
            learningRates,
            pUncond,
            emaDecay,
            emaDecays,
            ...(inputPerturbations.length ? { inputPerturbation: gamma, inputPerturbations } : {}),
            ...(minSnrGammas.length ? { minSnrGamma: minSnr, minSnrGammas } : {}),
            ...(previous.growths.length ? { growths: previous.growths } : {}),
            weights: 'EMA',
            lossHistory: [...previous.history, ...thin([...losses]).map((p) => ({ step: previous.steps + p.step, loss: p.loss }))],
            ...extra,
          });
        if (ema) await ema.withAveraged(save);
        else await save();
        if (flags.snapshots) {
          // a copy of this save for tools/scripts/average-checkpoints.ts (snapshots/step-0070000 sorts by step)
          const snapshot = path.join(dir, 'snapshots', `step-${String(previous.steps + step).padStart(7, '0')}`);
          fs.mkdirSync(snapshot, { recursive: true });
          for (const file of ['model.json', 'weights.bin', 'meta.json']) fs.copyFileSync(path.join(dir, file), path.join(snapshot, file));
        }
        // what an exact --resume needs (raw weights, Adam's moments, the EMA, the random state)
        await train.saveVariables(net.params.record(), path.join(stateDir, 'weights'), { name: `${variant}-raw-weights`, command: previous.command, steps: previous.steps + step });
        const { tensors, ...rest } = await trainerState();
        await train.saveVariables(tensors, path.join(stateDir, 'trainer'), { name: `${variant}-trainer-state`, command: previous.command, steps: previous.steps + step, state: rest });
        tf.dispose(Object.values(tensors));
        log(`saved ${dir} at step ${previous.steps + step} (${step} of this run)`);
      },
    });
    result.ema?.dispose();
    if (state) tf.dispose(Object.values(state.tensors));
    net.dispose();
    return;
  }

  if (variant === 'ddpm-noisy-classifier') {
    const steps = flag('steps', 1500);
    const { images, labels } = mnistMinusOneOne();
    const classifier = new models.NoisyClassifier({ seed });
    log(`${variant}: ${classifier.parameterCount()} parameters, ${steps} steps, backend ${setup.name} → ${dir}`);
    const res = await models.trainNoisyClassifier({ classifier, schedule, images, labels, steps, batchSize: 64, learningRate: 1e-3, seed: seed + 1, onProgress: progress });
    // accuracy on held-out test images at a few noise levels
    const test = data.mnist({ split: 'test', limit: 1000, seed: 1 });
    const testImages = test.images.map((v) => 2 * v - 1);
    const accuracyAt: Record<string, number> = {};
    for (const t of [1, 250, 500, 750, 1000]) {
      accuracyAt[`t${t}`] = tf.tidy(() => {
        const x0 = tf.tensor4d(testImages, [test.count, 28, 28, 1]);
        const xt = diffusion.qSample(schedule, x0, t, tf.randomNormal(x0.shape, 0, 1, 'float32', t));
        const pred = tf.argMax(classifier.logits(xt, new Array<number>(test.count).fill(t)), 1);
        return tf.mean(tf.equal(pred, tf.tensor1d(Array.from(test.labels), 'int32')).toFloat()).dataSync()[0];
      });
    }
    log(`test accuracy by t: ${JSON.stringify(accuracyAt)}`);
    await models.saveDiffusionCheckpoint(classifier, dir, {
      name: variant, command, seed, steps, trainSeconds: Math.round(res.seconds), backend: setup.name, threads: backend.threadsInUse() ?? null,
      schedule: { kind: 'linear', T: 1000 }, testAccuracyByT: accuracyAt, lossHistory: thin(res.losses),
    });
    log(`saved ${dir}`);
    classifier.dispose();
    return;
  }

  if (variant === 'ddpm-latent-autoencoder') {
    const steps = flag('steps', 1500);
    const set = data.mnist({ split: 'train' });
    const autoencoder = new models.LatentAutoencoder({ seed });
    log(`${variant}: ${autoencoder.parameterCount()} parameters, ${steps} steps, backend ${setup.name} → ${dir}`);
    const res = await models.trainLatentAutoencoder({ autoencoder, images: set.images, steps, batchSize: 64, learningRate: 2e-3, seed: seed + 1, onProgress: progress });
    const scale = tf.tidy(() => autoencoder.fitLatentScale(tf.tensor4d(set.images.subarray(0, 2000 * 784), [2000, 28, 28, 1])));
    const test = data.mnist({ split: 'test', limit: 1000, seed: 1 });
    const testMse = tf.tidy(() => {
      const x = tf.tensor4d(test.images, [test.count, 28, 28, 1]);
      return tf.mean(tf.squaredDifference(autoencoder.decode(autoencoder.encode(x)), x)).dataSync()[0];
    });
    log(`latent scale ${scale.toFixed(4)}, test reconstruction MSE ${testMse.toFixed(5)}`);
    await models.saveDiffusionCheckpoint(autoencoder, dir, {
      name: variant, command, seed, steps, trainSeconds: Math.round(res.seconds), backend: setup.name, threads: backend.threadsInUse() ?? null,
      latentScale: scale, testMse, lossHistory: thin(res.losses),
    });
    log(`saved ${dir}`);
    autoencoder.dispose();
  }
}

main().catch((e) => {
  console.error(e instanceof UsageError ? e.message : e);
  process.exit(e instanceof UsageError ? 2 : 1);
});
