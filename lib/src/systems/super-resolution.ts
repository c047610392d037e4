/**
 * Super-resolution diffusion 초해상도 (SR3, Saharia et al. 2022; Stable Diffusion 2's ×4 upscaler,
 * lecture 002 "Super-resolution Upscaler Diffusion Model"): a denoiser for the high-resolution image
 * conditioned on the low-resolution one, ε_θ(x_t, t, x_low). Here 14×14 → 28×28 MNIST with an MLP:
 *
 *   h₀ = x_t [B, 784];  h_{i+1} = SiLU(Dense(h_i) + Dense(x_low) + Dense(SiLU(emb(t))))
 *   ε̂ = Dense(h_L) [B, 784]
 *
 * The condition x_low [B, 196] enters every layer, as the time embedding does. Sampling is plain
 * DDPM with the condition held fixed; `lowResConsistency` measures how well the 2×2 average of a
 * sample reproduces x_low.
 *
 * @see notebooks/12-systems-in-practice
 */
import * as tf from '@tensorflow/tfjs';
import { qSample } from '../diffusion/forward';
import { simpleLoss } from '../diffusion/losses';
import { NoiseSchedule } from '../diffusion/schedule';
import { timestepEmbedding } from '../diffusion/time-embedding';
import { ParameterStore, dense, silu, timeMlp } from '../models/diffusion-nn';
import { Rng } from '../random/rng';
import { Progress, trainLoop } from '../train/loop';
import { averagePool2 } from './images';

export interface SuperResolutionMlpConfig {
  /** High-resolution side (the low-resolution side is half). Default 28. */
  size?: number;
  hiddenUnits?: number;
  layers?: number;
  timeEmbeddingDim?: number;
  seed: number;
}

export class SuperResolutionMlp {
  readonly config: Required<SuperResolutionMlpConfig>;
  readonly params: ParameterStore;

  constructor(config: SuperResolutionMlpConfig) {
    this.config = { size: 28, hiddenUnits: 256, layers: 3, timeEmbeddingDim: 32, ...config };
    const c = this.config;
    if (!Number.isInteger(c.size) || c.size < 2 || c.size % 2 !== 0) throw new RangeError(`size must be an even integer >= 2; got ${c.size}`);
    for (const [k, v] of [['hiddenUnits', c.hiddenUnits], ['layers', c.layers]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`${k} must be a positive integer; got ${v}`);
    }
    this.params = new ParameterStore(config.seed);
    tf.tidy(() => {
      this.apply(tf.zeros([1, this.highDim]), [1], tf.zeros([1, this.lowDim]));
    });
    this.params.freeze();
  }

  get highDim(): number {
    return this.config.size * this.config.size;
  }

  get lowDim(): number {
    return (this.config.size / 2) ** 2;
  }

  variables(): tf.Variable[] {
    return this.params.variables();
  }

  /** ε_θ(x_t, t, x_low) for x_t [B, size²], x_low [B, (size/2)²] in [−1, 1]. */
  apply(xt: tf.Tensor, t: ArrayLike<number>, low: tf.Tensor): tf.Tensor {
    const c = this.config;
    const b = xt.shape[0];
    if (xt.rank !== 2 || xt.shape[1] !== this.highDim) throw new RangeError(`xt must have shape [B, ${this.highDim}]; got [${xt.shape}]`);
    if (low.rank !== 2 || low.shape[0] !== b || low.shape[1] !== this.lowDim) throw new RangeError(`low must have shape [${b}, ${this.lowDim}]; got [${low.shape}]`);
    if (t.length !== b) throw new RangeError(`t must have one entry per example (${b}); got ${t.length}`);
    return tf.tidy(() => {
      const p = this.params;
      const E = c.hiddenUnits;
      const emb = silu(timeMlp(p, 'time', timestepEmbedding(t, c.timeEmbeddingDim), E));
      let h: tf.Tensor = xt;
      for (let i = 0; i < c.layers; i++) {
        h = silu(tf.addN([dense(p, `hidden${i}`, h, E), dense(p, `low${i}`, low, E), dense(p, `emb${i}`, emb, E)]));
      }
      return dense(p, 'out', h, this.highDim);
    });
  }

  dispose(): void {
    this.params.dispose();
  }
}

/** Train on high-resolution rows `x0` [N·size²] in [−1, 1]; x_low is their 2×2 average. */
export async function trainSuperResolution(options: {
  /** `SuperResolutionMlp` or `SuperResolutionUNet` (anything with this shape). */
  network: Pick<SuperResolutionMlp, 'highDim' | 'lowDim' | 'variables' | 'apply'> & { config: { size: number } };
  schedule: NoiseSchedule;
  x0: Float32Array;
  steps: number;
  batchSize: number;
  seed: number;
  learningRate?: number;
  onProgress?: (p: Progress) => void;
}): Promise<{ losses: number[]; seconds: number }> {
  const { network, schedule, x0, steps, batchSize, seed } = options;
  const D = network.highDim;
  const d = network.lowDim;
  const n = x0.length / D;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`x0 must hold whole rows of ${D}; got ${x0.length} values`);
  const size = network.config.size;
  const low = averagePool2(x0, size, size);
  const rng = new Rng(seed);
  const optimizer = tf.train.adam(options.learningRate ?? 1e-3);
  const variables = network.variables();
  const losses: number[] = [];
  try {
    const r = await trainLoop({
      steps,
      onProgress: options.onProgress,
      step: () => {
        const hi = new Float32Array(batchSize * D);
        const lo = new Float32Array(batchSize * d);
        for (let i = 0; i < batchSize; i++) {
          const k = rng.int(0, n);
          hi.set(x0.subarray(k * D, (k + 1) * D), i * D);
          lo.set(low.subarray(k * d, (k + 1) * d), i * d);
        }
        const t = Array.from({ length: batchSize }, () => rng.int(1, schedule.T + 1));
        const value = tf.tidy(() => {
          const x = tf.tensor2d(hi, [batchSize, D]);
          const c = tf.tensor2d(lo, [batchSize, d]);
          const eps = rng.normalTensor([batchSize, D]);
          const xt = qSample(schedule, x, t, eps);
          const { value: loss, grads } = tf.variableGrads(() => simpleLoss(eps, network.apply(xt, t, c)), variables);
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

/** Mean absolute difference between the 2×2 average of each sample and its x_low (same scale). */
export function lowResConsistency(samples: Float32Array, low: Float32Array, size = 28): number {
  const pooled = averagePool2(samples, size, size);
  if (pooled.length !== low.length) throw new RangeError(`low must hold ${pooled.length} values; got ${low.length}`);
  let s = 0;
  for (let i = 0; i < low.length; i++) s += Math.abs(pooled[i] - low[i]);
  return s / low.length;
}
