/**
 * The mean of saved weights 가중치 평균: θ̂ = (1/K)·Σ_k θ_k over K snapshots of one network taken along
 * a training (Polyak & Juditsky 1992; stochastic weight averaging, Izmailov et al. 2018, eq. 2).
 * Averaging snapshots of an EMA lengthens the EMA after the fact: EDM2 (Karras et al. 2024, §3.1)
 * finds the averaging length matters to FID as much as the training itself, and rebuilds other
 * lengths from stored snapshots. The uniform mean over a window of W steps of EMA snapshots is the
 * simplest such profile (the EMA's exponential window convolved with a box of width W).
 *
 * Sums run in float64 (K float32 values of one weight add up exactly enough), the result is float32.
 *
 * @see tools/scripts/average-checkpoints.ts, which averages checkpoint folders with it
 */
import * as tf from '@tensorflow/tfjs';

/**
 * The element-wise mean of `sets` (each a map name → tensor, as `loadVariables` returns), name by
 * name. Every set must have the same names, shapes and float32 dtype; the caller owns the result.
 */
export function averageVariables(sets: readonly Readonly<Record<string, tf.Tensor>>[]): Record<string, tf.Tensor> {
  if (sets.length === 0) throw new RangeError('averageVariables: no weight sets to average');
  const names = Object.keys(sets[0]); // the saved order, kept in the result
  sets.forEach((set, k) => {
    const missing = names.filter((n) => !(n in set));
    const extra = Object.keys(set).filter((n) => !(n in sets[0]));
    if (missing.length > 0 || extra.length > 0) {
      throw new RangeError(
        `averageVariables: set ${k} has other weights than set 0` +
          (missing.length > 0 ? `; missing ${missing.slice(0, 3).join(', ')}` : '') +
          (extra.length > 0 ? `; extra ${extra.slice(0, 3).join(', ')}` : ''),
      );
    }
  });
  const out: Record<string, tf.Tensor> = {};
  for (const name of names) {
    const first = sets[0][name];
    const sum = new Float64Array(first.size);
    sets.forEach((set, k) => {
      const t = set[name];
      if (t.dtype !== 'float32') throw new RangeError(`averageVariables: ${name} in set ${k} is ${t.dtype}; only float32 weights are averaged`);
      if (!tf.util.arraysEqual(t.shape, first.shape)) {
        throw new RangeError(`averageVariables: ${name} has shape [${t.shape}] in set ${k} and [${first.shape}] in set 0`);
      }
      const values = t.dataSync();
      for (let i = 0; i < values.length; i++) sum[i] += values[i];
    });
    const mean = new Float32Array(sum.length);
    for (let i = 0; i < sum.length; i++) mean[i] = sum[i] / sets.length;
    out[name] = tf.tensor(mean, first.shape, 'float32');
  }
  return out;
}
