/**
 * Per-example time steps: a helper the forward process, the posterior and the losses share.
 * A time step argument is either one integer t (the same for the whole batch) or one per example.
 *
 * @see notebooks/08-diffusion-ddpm
 */
import * as tf from '@tensorflow/tfjs';

/** One t for the whole batch, or one t per example (length = batch size). */
export type Timesteps = number | readonly number[] | Int32Array;

/** The list of t values, one per example of a batch of `batch`; each checked in [low, T]. */
export function timestepList(t: Timesteps, batch: number, T: number, low = 1, argName = 't'): number[] {
  const list = typeof t === 'number' ? new Array<number>(batch).fill(t) : Array.from(t);
  if (list.length !== batch) {
    throw new RangeError(`${argName} must be one integer or one per example (${batch}); got ${list.length} values`);
  }
  for (const [i, v] of list.entries()) {
    if (!Number.isInteger(v) || v < low || v > T) {
      throw new RangeError(`${argName}[${i}] must be an integer in [${low}, ${T}]; got ${v}`);
    }
  }
  return list;
}

/**
 * A coefficient per example shaped to broadcast against x ([B, 1, …, 1]): `values[i]` for row i.
 */
export function perExample(values: readonly number[], x: tf.Tensor): tf.Tensor {
  const shape = [values.length, ...new Array<number>(x.rank - 1).fill(1)];
  return tf.tensor(values, shape, 'float32');
}

/** Check that x has a batch dimension. */
export function checkBatched(x: tf.Tensor, name: string): number {
  if (x.rank < 1) throw new RangeError(`${name} must have a batch dimension; got a scalar`);
  return x.shape[0];
}
