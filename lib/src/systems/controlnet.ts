/**
 * ControlNet (Zhang, Rao & Agrawala 2023) at toy scale, on the course's MLP denoiser
 * (models/diffusion-mlp): the pretrained ε_θ is **frozen** (동결), a **trainable copy** of it reads the
 * condition c (here an edge map 엣지 맵 of the digit), and the copy's hidden states are added to the
 * frozen network's through **zero-initialised layers** 제로 컨볼루션 (zero convolutions; dense here,
 * because the denoiser is an MLP):
 *
 *   y_c = F(x; Θ) + Z(F(x + Z(c; Θ_z1); Θ_c); Θ_z2)        (ControlNet eq. 2)
 *
 * applied after every hidden layer. Z has weight = 0 and bias = 0 at initialisation, so the combined
 * network equals the frozen one exactly before training (eq. 3: y_c = y), and the gradient still
 * reaches Z's weights (∂L/∂W = hᵀ·∂L/∂y ≠ 0). Only Θ_c, Θ_z1, Θ_z2 are trained; Θ stays as it was.
 * Lecture: 006 (ControlNet, named in passing with SDXL and SD2).
 *
 * @see notebooks/12-systems-in-practice
 */
import * as tf from '@tensorflow/tfjs';
import { timestepEmbedding } from '../diffusion/time-embedding';
import { qSample } from '../diffusion/forward';
import { simpleLoss } from '../diffusion/losses';
import { NoiseSchedule } from '../diffusion/schedule';
import { DiffusionMlp } from '../models/diffusion-mlp';
import { ParameterStore, dense, silu, timeMlp } from '../models/diffusion-nn';
import { Rng } from '../random/rng';
import { Progress, trainLoop } from '../train/loop';

export interface ControlNetMlpConfig {
  /** Width of the condition vector c (e.g. 196 for a 14×14 edge map). */
  conditionDim: number;
  seed: number;
}

/** The frozen MLP denoiser's forward pass, with an optional residual added after each hidden layer. */
function mlpForward(
  p: ParameterStore,
  base: DiffusionMlp,
  xt: tf.Tensor,
  t: ArrayLike<number>,
  residual: ((i: number) => tf.Tensor) | null,
  hiddenOut?: tf.Tensor[],
): tf.Tensor {
  const c = base.config;
  const E = c.hiddenUnits;
  const emb = timeMlp(p, 'time', timestepEmbedding(t, c.timeEmbeddingDim), E);
  let h: tf.Tensor = xt;
  for (let i = 0; i < c.layers; i++) {
    h = silu(tf.add(dense(p, `hidden${i}`, h, E), dense(p, `emb${i}`, silu(emb), E)));
    if (hiddenOut) hiddenOut.push(h);
    if (residual) h = tf.add(h, residual(i));
  }
  return dense(p, 'out', h, c.dataDim);
}

/**
 * A frozen unconditional `DiffusionMlp` plus a trainable copy joined by zero-initialised dense
 * layers. `apply(x_t, t, c)` is ε(x_t, t, c); `variables()` lists only the trainable ones.
 */
export class ControlNetMlp {
  readonly base: DiffusionMlp;
  readonly conditionDim: number;
  /** Θ_c (a copy of the base's weights) and the zero layers Θ_z. */
  readonly control: ParameterStore;

  constructor(base: DiffusionMlp, config: ControlNetMlpConfig) {
    if (base.numClasses !== 0) throw new RangeError('base must be an unconditional DiffusionMlp (numClasses = 0)');
    if (!Number.isInteger(config.conditionDim) || config.conditionDim < 1) {
      throw new RangeError(`conditionDim must be a positive integer; got ${config.conditionDim}`);
    }
    this.base = base;
    this.conditionDim = config.conditionDim;
    this.control = new ParameterStore(config.seed);
    // the trainable copy: same names and values as the frozen network
    const record = base.params.record();
    for (const [name, v] of Object.entries(record)) this.control.get(name, v.shape, 'zeros');
    this.control.assign(record);
    tf.tidy(() => {
      this.apply(tf.zeros([1, base.config.dataDim]), [1], tf.zeros([1, this.conditionDim]));
    });
    this.control.freeze();
  }

  /** The trainable variables Θ_c, Θ_z1, Θ_z2 (the frozen base is not among them). */
  variables(): tf.Variable[] {
    return this.control.variables();
  }

  /** The zero layers' variables only (Θ_z1, Θ_z2). */
  zeroVariables(): tf.Variable[] {
    const names = this.control.names();
    const rec = this.control.record();
    return names.filter((n) => n.startsWith('zero')).map((n) => rec[n] as tf.Variable);
  }

  /** ε(x_t, t, c) for x_t [B, D], one t per example, c [B, conditionDim]. */
  apply(xt: tf.Tensor, t: ArrayLike<number>, condition: tf.Tensor): tf.Tensor {
    const D = this.base.config.dataDim;
    const E = this.base.config.hiddenUnits;
    if (xt.rank !== 2 || xt.shape[1] !== D) throw new RangeError(`xt must have shape [B, ${D}]; got [${xt.shape}]`);
    if (condition.rank !== 2 || condition.shape[0] !== xt.shape[0] || condition.shape[1] !== this.conditionDim) {
      throw new RangeError(`condition must have shape [${xt.shape[0]}, ${this.conditionDim}]; got [${condition.shape}]`);
    }
    if (t.length !== xt.shape[0]) throw new RangeError(`t must have one entry per example (${xt.shape[0]}); got ${t.length}`);
    return tf.tidy(() => {
      const p = this.control;
      // the trainable copy reads x_t + Z(c; Θ_z1)
      const controlInput = tf.add(xt, dense(p, 'zeroIn', condition, D, { zeroInit: true }));
      const hidden: tf.Tensor[] = [];
      mlpForward(p, this.base, controlInput, t, null, hidden);
      // the frozen network, with Z(h_c,i; Θ_z2,i) added after each hidden layer
      return mlpForward(this.base.params, this.base, xt, t, (i) => dense(p, `zero${i}`, hidden[i], E, { zeroInit: true }));
    });
  }

  dispose(): void {
    this.control.dispose();
  }
}

export interface TrainControlNetOptions {
  controlNet: ControlNetMlp;
  schedule: NoiseSchedule;
  /** x_0 rows [N·D] and the matching condition rows [N·conditionDim]. */
  x0: Float32Array;
  conditions: Float32Array;
  steps: number;
  batchSize: number;
  seed: number;
  /** Adam's learning rate. Default 1e-3. */
  learningRate?: number;
  onProgress?: (progress: Progress) => void;
}

/**
 * Train Θ_c and the zero layers with the diffusion loss ‖ε − ε(x_t, t, c)‖² (ControlNet eq. 5);
 * the frozen base's variables are not passed to the optimiser. Returns the loss per step.
 */
export async function trainControlNet(options: TrainControlNetOptions): Promise<{ losses: number[]; seconds: number }> {
  const { controlNet, schedule, x0, conditions, steps, batchSize, seed } = options;
  const D = controlNet.base.config.dataDim;
  const C = controlNet.conditionDim;
  const n = x0.length / D;
  if (!Number.isInteger(n) || conditions.length !== n * C) {
    throw new RangeError(`x0 must hold N rows of ${D} and conditions N rows of ${C}; got ${x0.length} and ${conditions.length} values`);
  }
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer; got ${batchSize}`);
  const rng = new Rng(seed);
  const optimizer = tf.train.adam(options.learningRate ?? 1e-3);
  const variables = controlNet.variables();
  const losses: number[] = [];
  try {
    const result = await trainLoop({
      steps,
      onProgress: options.onProgress,
      step: () => {
        const xb = new Float32Array(batchSize * D);
        const cb = new Float32Array(batchSize * C);
        for (let i = 0; i < batchSize; i++) {
          const k = rng.int(0, n);
          xb.set(x0.subarray(k * D, (k + 1) * D), i * D);
          cb.set(conditions.subarray(k * C, (k + 1) * C), i * C);
        }
        const t = Array.from({ length: batchSize }, () => rng.int(1, schedule.T + 1));
        const value = tf.tidy(() => {
          const x = tf.tensor2d(xb, [batchSize, D]);
          const c = tf.tensor2d(cb, [batchSize, C]);
          const eps = rng.normalTensor([batchSize, D]);
          const xt = qSample(schedule, x, t, eps);
          const { value: loss, grads } = tf.variableGrads(() => simpleLoss(eps, controlNet.apply(xt, t, c)), variables);
          optimizer.applyGradients(grads as Parameters<typeof optimizer.applyGradients>[0]);
          return loss.dataSync()[0];
        });
        losses.push(value);
        return { loss: value };
      },
    });
    return { losses, seconds: result.seconds };
  } finally {
    optimizer.dispose();
  }
}
