/**
 * Exponential moving average of the weights 지수 이동 평균 (DDPM §4 and Appendix B: "We used EMA on
 * model parameters with a decay factor of 0.9999"): θ̄ ← d·θ̄ + (1 − d)·θ after every step, with the
 * warm-up d_n = min(d, (1 + n)/(10 + n)) of the TensorFlow EMA so early averages are not dominated
 * by the random initialisation. Samples are drawn with θ̄. Shared by the diffusion trainer and the
 * PixelCNN continuation (Polyak averaging).
 *
 * @see notebooks/08-diffusion-ddpm
 */
import * as tf from '@tensorflow/tfjs';
import { numberTensors, numberedTensors } from './numbered-tensors';

export class ExponentialMovingAverage {
  readonly decay: number;
  private readonly variables: tf.Variable[];
  private readonly shadow: tf.Variable[];
  private updates = 0;

  constructor(variables: tf.Variable[], decay = 0.999) {
    if (!(decay >= 0 && decay < 1)) throw new RangeError(`decay must be in [0, 1); got ${decay}`);
    this.decay = decay;
    this.variables = variables;
    this.shadow = variables.map((v) => {
      const copy = tf.clone(v);
      const s = tf.variable(copy, false);
      copy.dispose();
      return s;
    });
  }

  /** The decay used at the next update (with warm-up). */
  currentDecay(): number {
    return Math.min(this.decay, (1 + this.updates) / (10 + this.updates));
  }

  /** θ̄ ← d·θ̄ + (1 − d)·θ. */
  update(): void {
    const d = this.currentDecay();
    tf.tidy(() => {
      this.variables.forEach((v, i) => {
        this.shadow[i].assign(tf.add(tf.mul(this.shadow[i], d), tf.mul(v, 1 - d)));
      });
    });
    this.updates++;
  }

  /** Number of updates so far. */
  get count(): number {
    return this.updates;
  }

  /** The averaged values (owned by the EMA; do not dispose). */
  values(): tf.Tensor[] {
    return this.shadow;
  }

  /** Replace the averages and the update count (resuming a training from `values()` and `count`). */
  restore(values: readonly tf.Tensor[], count: number): void {
    if (values.length !== this.shadow.length) throw new RangeError(`restore: expected ${this.shadow.length} tensors; got ${values.length}`);
    if (!Number.isInteger(count) || count < 0) throw new RangeError(`restore: count must be a non-negative integer; got ${count}`);
    values.forEach((v, i) => {
      if (!tf.util.arraysEqual(v.shape, this.shadow[i].shape)) {
        throw new RangeError(`restore: tensor ${i} has shape [${v.shape}]; the variable has [${this.shadow[i].shape}]`);
      }
      this.shadow[i].assign(v);
    });
    this.updates = count;
  }

  /** Copies of the averages as `<prefix>/<i>` tensors, for a resume state (the caller disposes them). */
  stateTensors(prefix: string): Record<string, tf.Tensor> {
    return numberTensors(this.shadow.map((s) => tf.clone(s)), prefix);
  }

  /** `restore` from the `<prefix>/<i>` tensors `stateTensors` made (they stay the caller's). */
  restoreFrom(tensors: Readonly<Record<string, tf.Tensor>>, prefix: string, count: number): void {
    this.restore(numberedTensors(tensors, prefix), count);
  }

  /** Write the averages into the model's variables (overwrites the raw weights). */
  copyToVariables(): void {
    this.variables.forEach((v, i) => v.assign(this.shadow[i]));
  }

  /** Run `fn` with the averaged weights in the model, then put the raw weights back. */
  async withAveraged<T>(fn: () => T | Promise<T>): Promise<T> {
    const saved = this.variables.map((v) => tf.clone(v));
    this.copyToVariables();
    try {
      return await fn();
    } finally {
      this.variables.forEach((v, i) => v.assign(saved[i]));
      tf.dispose(saved);
    }
  }

  dispose(): void {
    tf.dispose(this.shadow);
  }
}
