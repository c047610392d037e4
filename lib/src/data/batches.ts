/**
 * Mini-batches of example indices: one shuffled pass over 0..n−1 per epoch, seeded.
 */
import { Rng } from '../random/rng';

/** Index batches for one epoch; the last batch is dropped when `dropLast` (default) and short. */
export function indexBatches(n: number, batchSize: number, rng: Rng, dropLast = true): Int32Array[] {
  if (!Number.isInteger(n) || n <= 0) throw new RangeError(`indexBatches: n must be a positive integer; got ${n}`);
  if (!Number.isInteger(batchSize) || batchSize <= 0) {
    throw new RangeError(`indexBatches: batchSize must be a positive integer; got ${batchSize}`);
  }
  const order = rng.permutation(n);
  const out: Int32Array[] = [];
  for (let start = 0; start < n; start += batchSize) {
    if (dropLast && start + batchSize > n) break;
    out.push(Int32Array.from(order.slice(start, start + batchSize)));
  }
  return out;
}

/** Rows `indices` of a row-major array with `rowSize` values per row. */
export function gatherRows(values: Float32Array, rowSize: number, indices: ArrayLike<number>): Float32Array {
  const out = new Float32Array(indices.length * rowSize);
  for (let i = 0; i < indices.length; i++) {
    const src = indices[i] * rowSize;
    if (src < 0 || src + rowSize > values.length) throw new RangeError(`gatherRows: index ${indices[i]} is out of range`);
    out.set(values.subarray(src, src + rowSize), i * rowSize);
  }
  return out;
}
