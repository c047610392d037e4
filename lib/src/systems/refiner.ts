/**
 * Base + refiner (SDXL, Podell et al. 2023, §2.5): one reverse chain whose first, high-noise steps
 * t = T … s+1 are denoised by the base model and whose last, low-noise steps t = s … 1 by a second
 * model, the refiner 리파이너, trained only on those noise levels (SDXL's refiner: the first 200 of
 * 1000 discrete noise scales). The refiner spends its capacity on the fine detail that the last steps
 * decide. Lecture 006 (SDXL, named in passing).
 *
 * @see notebooks/12-systems-in-practice
 */
import * as tf from '@tensorflow/tfjs';
import { ddpmSample } from '../diffusion/ddpm';
import { qSample } from '../diffusion/forward';
import { simpleLoss } from '../diffusion/losses';
import { DiffusionNetwork } from '../diffusion/network';
import { NoiseSchedule } from '../diffusion/schedule';
import { EpsilonPredictor } from '../diffusion/types';
import { Rng } from '../random/rng';
import { Progress, trainLoop } from '../train/loop';

/** The time steps each model denoises: base T … s+1, refiner s … 1 (both in sampling order). */
export function refinerSplit(T: number, switchStep: number): { base: number[]; refiner: number[] } {
  if (!Number.isInteger(T) || T < 1) throw new RangeError(`T must be a positive integer; got ${T}`);
  if (!Number.isInteger(switchStep) || switchStep < 0 || switchStep > T) throw new RangeError(`switchStep must be an integer in [0, ${T}]; got ${switchStep}`);
  const base: number[] = [];
  const refiner: number[] = [];
  for (let t = T; t >= 1; t--) (t > switchStep ? base : refiner).push(t);
  return { base, refiner };
}

/** ε(x_t, t) that routes t > switchStep to the base and t ≤ switchStep to the refiner. */
export function baseRefinerEpsilon(base: EpsilonPredictor, refiner: EpsilonPredictor, switchStep: number): EpsilonPredictor {
  if (!Number.isInteger(switchStep) || switchStep < 0) throw new RangeError(`switchStep must be a non-negative integer; got ${switchStep}`);
  return (xt, t) => (t > switchStep ? base(xt, t) : refiner(xt, t));
}

/** DDPM ancestral sampling (Algorithm 2) with the base for t > s and the refiner for t ≤ s. */
export function sampleBaseRefiner(
  schedule: NoiseSchedule,
  base: EpsilonPredictor,
  refiner: EpsilonPredictor,
  options: { shape: number[]; seed: number; switchStep: number; clipX0?: [number, number] | null },
): Promise<tf.Tensor> {
  refinerSplit(schedule.T, options.switchStep);
  return ddpmSample(schedule, baseRefinerEpsilon(base, refiner, options.switchStep), { shape: options.shape, seed: options.seed, clipX0: options.clipX0 });
}

/**
 * Train a refiner with L_simple on t ~ Uniform{1, …, maxStep} only (Algorithm 1 with a truncated
 * t range). Rows `x0` [N·D] of an unconditional D-dimensional network.
 */
export async function trainRefiner(options: {
  network: DiffusionNetwork;
  schedule: NoiseSchedule;
  /** Rows of D values, D = dataDim. */
  x0: Float32Array;
  dataDim: number;
  maxStep: number;
  steps: number;
  batchSize: number;
  seed: number;
  learningRate?: number;
  onProgress?: (p: Progress) => void;
}): Promise<{ losses: number[]; seconds: number }> {
  const { network, schedule, x0, maxStep, steps, batchSize, seed } = options;
  if (!Number.isInteger(maxStep) || maxStep < 1 || maxStep > schedule.T) throw new RangeError(`maxStep must be an integer in [1, ${schedule.T}]; got ${maxStep}`);
  const D = options.dataDim;
  const n = x0.length / D;
  if (!Number.isInteger(D) || D < 1 || !Number.isInteger(n) || n < 1) throw new RangeError(`x0 must hold whole rows of dataDim = ${D}; got ${x0.length} values`);
  const variables = network.variables();
  const rng = new Rng(seed);
  const optimizer = tf.train.adam(options.learningRate ?? 1e-3);
  const losses: number[] = [];
  try {
    const r = await trainLoop({
      steps,
      onProgress: options.onProgress,
      step: () => {
        const rows = new Float32Array(batchSize * D);
        for (let i = 0; i < batchSize; i++) {
          const k = rng.int(0, n);
          rows.set(x0.subarray(k * D, (k + 1) * D), i * D);
        }
        const t = Array.from({ length: batchSize }, () => rng.int(1, maxStep + 1));
        const value = tf.tidy(() => {
          const x = tf.tensor2d(rows, [batchSize, D]);
          const eps = rng.normalTensor([batchSize, D]);
          const xt = qSample(schedule, x, t, eps);
          const { value: loss, grads } = tf.variableGrads(() => simpleLoss(eps, network.apply(xt, t)), variables);
          optimizer.applyGradients(grads as Parameters<typeof optimizer.applyGradients>[0]);
          return loss.dataSync()[0];
        });
        losses.push(value);
        return { loss: value };
      },
    });
    return { losses, seconds: r.seconds };
  } finally {
    optimizer.dispose();
  }
}
