/**
 * Drawing many samples in batches with one of the samplers — DDPM (Algorithm 2), DDIM, classifier
 * guidance or classifier-free guidance — for evaluation tables (FID, conditional accuracy, time per
 * sample). Returns one tensor [N, …] and the seconds spent sampling.
 *
 * @see notebooks/09-ddim-guidance
 */
import * as tf from '@tensorflow/tfjs';
import { classifierFreeGuidance } from './cfg';
import { ClassifierGradient, classifierGuidedSample } from './classifier-guidance';
import { TimestepSpacing, ddimSample } from './ddim';
import { ddpmSample } from './ddpm';
import { DiffusionNetwork, conditionalEpsilonOf, epsilonOf } from './network';
import { ReverseVariance } from './reverse';
import { NoiseSchedule } from './schedule';
import { EpsilonPredictor } from './types';

export interface GenerateOptions {
  network: DiffusionNetwork;
  schedule: NoiseSchedule;
  /** Shape of one sample, e.g. [28, 28, 1]. */
  sampleShape: number[];
  count: number;
  seed: number;
  /** Default 64. */
  batchSize?: number;
  /** `'ddpm'`: Algorithm 2 over all T steps; `'ddim'`: DDIM over `steps` with `eta`. Default 'ddim'. */
  sampler?: 'ddpm' | 'ddim';
  /** DDIM steps S (default 50) and spacing. */
  steps?: number;
  spacing?: TimestepSpacing;
  /** DDIM η (default 0). */
  eta?: number;
  /** DDPM σ_t² (default β_t). */
  variance?: ReverseVariance;
  /**
   * One class per sample: the condition of a conditional network, or the classifier's target with
   * `classifierGuidance` (then the network runs unconditionally, with its null label). Without
   * labels a conditional network is sampled with the null label.
   */
  labels?: ArrayLike<number>;
  /** Classifier-free guidance weight w (needs labels). Default 0. */
  guidanceWeight?: number;
  /** Classifier guidance: the gradient of log p_φ(y | x_t) for the batch's labels, and the scale s. */
  classifierGuidance?: { gradientFor: (labels: number[]) => ClassifierGradient; scale: number };
  clipX0?: [number, number] | null;
  /** Called after each batch with the number of samples done. */
  onBatch?: (done: number, count: number) => void;
}

/** Draw `count` samples in batches; the samples of batch b use seed + b. */
export async function generate(options: GenerateOptions): Promise<{ samples: tf.Tensor; seconds: number }> {
  const { network, schedule, sampleShape, count, seed } = options;
  if (!Number.isInteger(count) || count < 1) throw new RangeError(`count must be a positive integer; got ${count}`);
  const batchSize = options.batchSize ?? 64;
  const sampler = options.sampler ?? 'ddim';
  const w = options.guidanceWeight ?? 0;
  if (options.labels && options.labels.length !== count) throw new RangeError(`labels must have one entry per sample (${count}); got ${options.labels.length}`);
  if (w !== 0 && !options.labels) throw new RangeError('guidanceWeight needs labels');
  const parts: tf.Tensor[] = [];
  const start = performance.now();
  for (let b = 0, done = 0; done < count; b++) {
    const n = Math.min(batchSize, count - done);
    const ys = options.labels ? Array.from(options.labels).slice(done, done + n) : null;
    let epsilon: EpsilonPredictor;
    if (network.numClasses > 0) {
      // classifier guidance steers the unconditional model ε(x_t, t, ∅); the labels are the classifier's targets
      epsilon = ys && !options.classifierGuidance
        ? w !== 0
          ? classifierFreeGuidance(conditionalEpsilonOf(network), ys, network.nullLabel, w)
          : epsilonOf(network, ys)
        : epsilonOf(network, new Array<number>(n).fill(network.nullLabel));
    } else {
      epsilon = epsilonOf(network);
    }
    const common = { shape: [n, ...sampleShape], seed: seed + b, clipX0: options.clipX0 ?? null };
    let x: tf.Tensor;
    if (options.classifierGuidance) {
      const labels = Array.from(options.labels ?? []).slice(done, done + n);
      if (labels.length !== n) throw new RangeError('classifier guidance needs labels (the target classes)');
      const gradient = options.classifierGuidance.gradientFor(labels);
      x =
        sampler === 'ddpm'
          ? await classifierGuidedSample(schedule, epsilon, { sampler: 'ddpm', gradient, scale: options.classifierGuidance.scale, ...common, variance: options.variance })
          : await classifierGuidedSample(schedule, epsilon, { sampler: 'ddim', gradient, scale: options.classifierGuidance.scale, ...common, steps: options.steps ?? 50, spacing: options.spacing, eta: options.eta });
    } else if (sampler === 'ddpm') {
      x = await ddpmSample(schedule, epsilon, { ...common, variance: options.variance });
    } else {
      x = await ddimSample(schedule, epsilon, { ...common, steps: options.steps ?? 50, spacing: options.spacing, eta: options.eta });
    }
    parts.push(x);
    done += n;
    options.onBatch?.(done, count);
  }
  const seconds = (performance.now() - start) / 1000;
  const samples = parts.length === 1 ? parts[0] : tf.concat(parts, 0);
  if (parts.length > 1) tf.dispose(parts);
  return { samples, seconds };
}

/** Images in [−1, 1] → pixel intensities in [0, 1] (clipped), as the MNIST metrics expect. */
export function toUnitRange(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.clipByValue(tf.div(tf.add(x, 1), 2), 0, 1));
}
