/**
 * Sampling speed, the third corner of the generative learning trilemma (Xiao, Kreis & Vahdat 2022,
 * "Tackling the Generative Learning Trilemma with Denoising Diffusion GANs"; lecture 000 "diffusion
 * trilemma"): quality, diversity (mode coverage) and fast sampling. GANs and flows draw a sample in
 * one network pass, PixelCNN needs one pass per pixel (784 for MNIST; lecture 004: PixelRNN needs
 * 2N − 1 sequential steps), DDPM one pass per timestep.
 *
 * Timings depend on the machine and the TensorFlow.js backend: report them with both, and never
 * assert on them in tests.
 *
 * @see notebooks/11-evaluation
 */
import * as tf from '@tensorflow/tfjs';

/** A sampler under test: draws `count` samples with a seed; may return tensors (they are awaited and disposed). */
export type Sampler = (count: number, seed: number) => unknown | Promise<unknown>;

export interface TimeSamplingOptions {
  /** Samples per timed call. Default 16. */
  count?: number;
  /** Timed calls; the median is reported. Default 3. */
  repeats?: number;
  /** Untimed calls first (kernel compilation, caches). Default 1. */
  warmup?: number;
  /** Seed of the first call; call k uses seed + k. Default 0. */
  seed?: number;
}

export interface SamplingTime {
  /** Median seconds per sample over the timed calls. */
  secondsPerSample: number;
  /** Median seconds per call of `count` samples. */
  secondsPerCall: number;
  /** Samples per second (1 / secondsPerSample). */
  samplesPerSecond: number;
  count: number;
  repeats: number;
  /** Seconds of every timed call, in order. */
  calls: number[];
  /** The tf backend that ran the sampler. */
  backend: string;
}

/** Waits for tensor results to be computed (data() downloads them), then frees them. */
async function settle(result: unknown): Promise<void> {
  const tensors: tf.Tensor[] = [];
  const visit = (v: unknown): void => {
    if (v instanceof tf.Tensor) tensors.push(v);
    else if (Array.isArray(v)) v.forEach(visit);
    else if (v && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) Object.values(v).forEach(visit);
  };
  visit(result);
  for (const t of tensors) if (!t.isDisposed) await t.data();
  tf.dispose(tensors);
}

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

/**
 * Times a sampler: `warmup` untimed calls, then `repeats` timed calls of `count` samples each;
 * reports the median seconds per sample. Tensor results are downloaded (so lazy backends finish the
 * work inside the timing) and disposed.
 */
export async function timeSampling(sampler: Sampler, options: TimeSamplingOptions = {}): Promise<SamplingTime> {
  const { count = 16, repeats = 3, warmup = 1, seed = 0 } = options;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer; got ${count}`);
  if (!Number.isInteger(repeats) || repeats < 1) throw new RangeError(`repeats must be a positive integer; got ${repeats}`);
  if (!Number.isInteger(warmup) || warmup < 0) throw new RangeError(`warmup must be an integer >= 0; got ${warmup}`);
  let call = 0;
  for (let i = 0; i < warmup; i++) await settle(await sampler(count, seed + call++));
  const calls: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const start = performance.now();
    await settle(await sampler(count, seed + call++));
    calls.push((performance.now() - start) / 1000);
  }
  const secondsPerCall = median(calls);
  const secondsPerSample = secondsPerCall / count;
  return { secondsPerSample, secondsPerCall, samplesPerSecond: 1 / secondsPerSample, count, repeats, calls, backend: tf.getBackend() };
}

/** Seconds per sample from a measured wall time: `seconds / count`. */
export function secondsPerSample(seconds: number, count: number): number {
  if (!(seconds >= 0)) throw new RangeError(`seconds must be >= 0; got ${seconds}`);
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer; got ${count}`);
  return seconds / count;
}
