/**
 * Training ε_θ: DDPM Algorithm 1 and, for a conditional network, classifier-free guidance's
 * Algorithm 1 (joint training with p_uncond), both printed in lecture 004:
 *
 *   1: repeat
 *   2:   (x_0, c) ~ q(x_0, c)                        a mini-batch (labels only when conditional)
 *   3:   c ← ∅ with probability p_uncond             CFG only: the null label
 *   4:   t ~ Uniform({1, …, T})                       (CFG samples a log-SNR λ; here λ = log SNR(t))
 *   5:   ε ~ N(0, I)
 *   6:   take a gradient step on ∇_θ ‖ε − ε_θ(√ᾱ_t·x_0 + √(1−ᾱ_t)·ε, t, c)‖²
 *   7: until converged
 *
 * With Adam, the mean over the batch and the dimensions (L_simple, `'mean'`), optional gradient
 * clipping by global norm (the DDPM code clips at 1) and an EMA of the weights. With
 * `inputPerturbation` γ > 0, line 6 feeds the network y_t = √ᾱ_t·x_0 + √(1−ᾱ_t)·(ε + γ·ξ), ξ ~ N(0, I),
 * against the same target ε (DDPM-IP, Ning et al. 2023, Algorithm 1; forward.ts `qSamplePerturbed`):
 * the network learns to denoise inputs a little off the training distribution, as its own samples
 * are during sampling (exposure bias). With `minSnrGamma` γ > 0, line 6 weighs each example's error by
 * min(SNR(t), γ)/SNR(t) (Min-SNR-γ, Hang et al. 2023). Progress goes
 * through `train.trainLoop` (its progress callback and tensor-leak check).
 *
 * @see notebooks/08-diffusion-ddpm
 * @see notebooks/09-ddim-guidance
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random';
import type { RngState } from '../random/rng';
import { optimizerState, restoreOptimizerState } from '../train/optimizer-state';
import { Progress, trainLoop } from '../train/loop';
import { ExponentialMovingAverage } from '../train/ema';
import { DataParallelGradients } from './data-parallel';
import { qSample, qSamplePerturbed } from './forward';
import { minSnrWeights, simpleLoss, weightedSimpleLoss } from './losses';
import { DiffusionNetwork } from './network';
import { NoiseSchedule } from './schedule';

/** One mini-batch of data: x_0 [B, …] and (for a conditional network) one label per example. */
export interface DiffusionBatch {
  x0: tf.Tensor;
  labels?: ArrayLike<number>;
}

/** Draws a mini-batch; the trainer disposes `x0`. */
export type DiffusionBatchSource = (rng: Rng, batchSize: number) => DiffusionBatch;

/**
 * A batch source over row-major examples (e.g. MNIST pixels): `rowShape` is one example's shape,
 * `transform` maps the values (e.g. [0, 1] → [−1, 1]). Sampling is with replacement.
 */
export function arrayBatches(
  rows: Float32Array,
  rowShape: readonly number[],
  labels?: ArrayLike<number>,
  transform?: (x: tf.Tensor) => tf.Tensor,
): DiffusionBatchSource {
  const rowSize = rowShape.reduce((a, b) => a * b, 1);
  if (rows.length % rowSize !== 0) throw new RangeError(`rows.length (${rows.length}) must be a multiple of the row size ${rowSize}`);
  const count = rows.length / rowSize;
  if (labels && labels.length !== count) throw new RangeError(`labels must have one entry per row (${count}); got ${labels.length}`);
  return (rng, batchSize) => {
    const batch = new Float32Array(batchSize * rowSize);
    const ys = labels ? new Int32Array(batchSize) : undefined;
    for (let i = 0; i < batchSize; i++) {
      const k = rng.int(0, count);
      batch.set(rows.subarray(k * rowSize, (k + 1) * rowSize), i * rowSize);
      if (ys && labels) ys[i] = labels[k];
    }
    const x = tf.tensor(batch, [batchSize, ...rowShape]);
    if (!transform) return { x0: x, labels: ys };
    const y = tf.tidy(() => transform(x));
    x.dispose();
    return { x0: y, labels: ys };
  };
}

export interface TrainDiffusionOptions {
  network: DiffusionNetwork;
  schedule: NoiseSchedule;
  data: DiffusionBatchSource;
  steps: number;
  batchSize: number;
  seed: number;
  /** Adam's learning rate. Default 2e-4 (DDPM CIFAR-10). */
  learningRate?: number;
  /** CFG Algorithm 1's p_uncond: the probability that a label is replaced by ∅. Default 0.1 for a conditional network (0 otherwise). */
  pUncond?: number;
  /** EMA decay (0 turns it off). Default 0.999. */
  emaDecay?: number;
  /**
   * DDPM-IP's γ (Ning et al. 2023, Algorithm 1): line 6's input is √ᾱ_t·x_0 + √(1−ᾱ_t)·(ε + γ·ξ)
   * with a second ξ ~ N(0, I), the target still ε. Default 0 (DDPM's Algorithm 1); the paper uses 0.1.
   */
  inputPerturbation?: number;
  /**
   * Min-SNR-γ (Hang et al. 2023): weigh example i's squared error by min(SNR(t_i), γ)/SNR(t_i)
   * (losses.ts `minSnrWeights`; the paper's γ is 5). Default 0: off, L_simple as in Algorithm 1.
   */
  minSnrGamma?: number;
  /** Clip gradients to this global norm (0 = off). Default 1, as the DDPM code. */
  gradClipNorm?: number;
  /** Reported every `reportEvery` steps (progress bars in notebooks). */
  onProgress?: (progress: Progress) => void;
  reportEvery?: number;
  /**
   * Called every `checkpointEvery` steps and at the end with the losses so far (e.g. save the EMA
   * weights). `state()` gives what `resume` needs to continue exactly from here (save it beside
   * the network's raw weights; dispose its tensors).
   */
  onCheckpoint?: (step: number, ema: ExponentialMovingAverage | null, losses: readonly number[], state: () => Promise<DiffusionTrainerState>) => void | Promise<void>;
  checkpointEvery?: number;
  /**
   * Data-parallel training over J shards (data-parallel.ts): each batch is cut into J shards, shard
   * 0's gradient computed here and the others' by J − 1 worker threads with single-threaded
   * backends; the same steps as J = 1 up to float32 rounding. Default 1. The network must be a
   * checkpointable kind (DiffusionUNet, DiffusionMlp); run with GENBOOK_THREADS=1.
   */
  dataParallel?: number;
  /**
   * Continue a training exactly: the `state()` of an earlier run with the same options, its
   * network's raw weights already in `network`. `steps` are the steps still to do; `seed` is not
   * used (the random generator continues from the state). The tensors stay the caller's.
   */
  resume?: DiffusionTrainerState;
}

/** Where a diffusion training stands, beyond the network's weights (see `onCheckpoint`, `resume`). */
export interface DiffusionTrainerState {
  rng: RngState;
  emaUpdates: number | null;
  /** `optimizer/<i>`, `optimizer.accBeta1|2` (train/optimizer-state.ts) and `ema/<i>`. */
  tensors: Record<string, tf.Tensor>;
}

export interface TrainDiffusionResult {
  /** L_simple per step. */
  losses: number[];
  seconds: number;
  /** The EMA of the weights (null when off); the caller disposes it. */
  ema: ExponentialMovingAverage | null;
}

function clipByGlobalNorm(grads: tf.NamedTensorMap, maxNorm: number): tf.NamedTensorMap {
  return tf.tidy(() => {
    const names = Object.keys(grads);
    const total = tf.sqrt(tf.addN(names.map((n) => tf.sum(tf.square(grads[n])))));
    const scale = tf.minimum(1, tf.div(maxNorm, tf.maximum(total, 1e-12)));
    const out: tf.NamedTensorMap = {};
    for (const n of names) out[n] = tf.mul(grads[n], scale);
    return out;
  });
}

/** Train ε_θ with L_simple (Algorithm 1; CFG Algorithm 1 when the network is conditional). */
export async function trainDiffusion(options: TrainDiffusionOptions): Promise<TrainDiffusionResult> {
  const { network, schedule, data, steps, batchSize, seed } = options;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer; got ${batchSize}`);
  const conditional = network.numClasses > 0;
  const pUncond = options.pUncond ?? (conditional ? 0.1 : 0);
  if (!(pUncond >= 0 && pUncond <= 1)) throw new RangeError(`pUncond must be in [0, 1]; got ${pUncond}`);
  if (pUncond > 0 && !conditional) throw new RangeError('pUncond > 0 needs a conditional network (numClasses > 0)');
  const emaDecay = options.emaDecay ?? 0.999;
  const clip = options.gradClipNorm ?? 1;
  const gamma = options.inputPerturbation ?? 0;
  if (!(gamma >= 0 && Number.isFinite(gamma))) throw new RangeError(`inputPerturbation must be a finite number >= 0; got ${gamma}`);
  const minSnr = options.minSnrGamma ?? 0;
  if (!(minSnr >= 0 && Number.isFinite(minSnr))) throw new RangeError(`minSnrGamma must be a finite number >= 0 (0 = off); got ${minSnr}`);
  /** Min-SNR-γ's weight of each example's error, or null for L_simple (the same for one thread and over shards). */
  const lossWeights = (t: number[]): number[] | null => (minSnr > 0 ? minSnrWeights(schedule, t, minSnr) : null);
  /** Line 6's loss: L_simple, or with Min-SNR-γ weights per example. */
  const loss = (eps: tf.Tensor, epsPred: tf.Tensor, t: number[]): tf.Scalar => {
    const weights = lossWeights(t);
    return weights ? weightedSimpleLoss(eps, epsPred, weights) : simpleLoss(eps, epsPred);
  };
  let rng = new Rng(seed);
  const optimizer = tf.train.adam(options.learningRate ?? 2e-4);
  const variables = network.variables();
  const ema = emaDecay > 0 ? new ExponentialMovingAverage(variables, emaDecay) : null;
  if (options.resume) {
    const saved = options.resume;
    if ((saved.emaUpdates === null) !== (ema === null)) {
      ema?.dispose();
      optimizer.dispose();
      throw new Error(`resume: the saved state ${saved.emaUpdates === null ? 'has no' : 'has an'} EMA; this training ${ema ? 'keeps' : 'keeps no'} EMA`);
    }
    await restoreOptimizerState(optimizer, saved.tensors, 'optimizer');
    ema?.restoreFrom(saved.tensors, 'ema', saved.emaUpdates!);
    rng = Rng.fromState(saved.rng);
  }
  const state = async (): Promise<DiffusionTrainerState> => {
    const tensors = await optimizerState(optimizer, 'optimizer');
    if (ema) Object.assign(tensors, ema.stateTensors('ema'));
    return { rng: rng.state(), emaUpdates: ema ? ema.count : null, tensors };
  };
  const checkpointEvery = options.checkpointEvery ?? 0;
  const losses: number[] = [];
  const shards = options.dataParallel ?? 1;
  if (!Number.isInteger(shards) || shards < 1) throw new RangeError(`dataParallel must be a positive integer; got ${shards}`);
  if (shards > batchSize) throw new RangeError(`dataParallel (${shards}) must not exceed the batch size (${batchSize})`);
  let parallel: DataParallelGradients | undefined;
  /** Adam's step on the whole batch's gradient, clipped by its global norm when `clip` > 0. */
  const applyClipped = (grads: tf.NamedTensorMap): void => {
    optimizer.applyGradients((clip > 0 ? clipByGlobalNorm(grads, clip) : grads) as Parameters<typeof optimizer.applyGradients>[0]);
  };
  /** Line 5 and the network's input: ε and x_t (with γ > 0, DDPM-IP's y_t, a second draw ξ after ε). */
  const noised = (x0: tf.Tensor, t: number[]): [tf.Tensor, tf.Tensor] =>
    tf.tidy(() => {
      const eps = rng.normalTensor(x0.shape); // line 5
      if (gamma === 0) return [eps, qSample(schedule, x0, t, eps)];
      return [eps, qSamplePerturbed(schedule, x0, t, eps, rng.normalTensor(x0.shape), gamma)];
    });
  /** Line 6's gradient step, with the gradient of the whole batch (computed here, or over shards). */
  const gradientStep = async (x0: tf.Tensor, t: number[], labels: number[] | null): Promise<number> => {
    if (!parallel) {
      return tf.tidy(() => {
        const [eps, xt] = noised(x0, t);
        const { value, grads } = tf.variableGrads(() => loss(eps, network.apply(xt, t, labels), t), variables); // line 6
        applyClipped(grads);
        return value.dataSync()[0];
      });
    }
    const [eps, xt] = noised(x0, t);
    try {
      const { loss: value, grads } = await parallel.gradients(variables, xt, eps, t, labels, lossWeights(t)); // line 6, over the shards
      const named: tf.NamedTensorMap = Object.fromEntries(variables.map((v, k) => [v.name, grads[k]]));
      tf.tidy(() => applyClipped(named));
      tf.dispose(grads);
      return value;
    } finally {
      tf.dispose([eps, xt]);
    }
  };
  try {
    if (shards > 1) parallel = await DataParallelGradients.start(network, shards);
    const result = await trainLoop({
      steps,
      onProgress: options.onProgress,
      reportEvery: options.reportEvery,
      step: async (index) => {
        const batch = data(rng, batchSize); // line 2
        const b = batch.x0.shape[0];
        let labels: number[] | null = null;
        if (conditional) {
          if (!batch.labels || batch.labels.length !== b) throw new RangeError(`a conditional network needs one label per example (${b})`);
          labels = Array.from(batch.labels, (y) => (rng.uniform() < pUncond ? network.nullLabel : y)); // line 3
        }
        const t = Array.from({ length: b }, () => rng.int(1, schedule.T + 1)); // line 4
        let value: number;
        try {
          value = await gradientStep(batch.x0, t, labels); // lines 5–6
        } finally {
          batch.x0.dispose();
        }
        ema?.update();
        losses.push(value);
        if (options.onCheckpoint && checkpointEvery > 0 && (index + 1) % checkpointEvery === 0 && index + 1 < steps) {
          await options.onCheckpoint(index + 1, ema, losses, state);
        }
        return { loss: value };
      },
    });
    if (options.onCheckpoint) await options.onCheckpoint(steps, ema, losses, state);
    return { losses, seconds: result.seconds, ema };
  } catch (e) {
    ema?.dispose();
    throw e;
  } finally {
    optimizer.dispose();
    await parallel?.dispose();
  }
}
