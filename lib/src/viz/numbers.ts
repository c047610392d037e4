/**
 * Converting the course's number containers (arrays, typed arrays, tf.Tensors) to plain JSON
 * arrays for plotly, rounding float32 data to 7 significant digits so the JSON stays short
 * (0.1f is 0.1, not 0.10000000149011612).
 */
import * as tf from '@tensorflow/tfjs';

/** A 1-D series of numbers: an array, a typed array or a tf.Tensor (flattened). */
export type NumberSeries = readonly number[] | ArrayLike<number> | tf.Tensor;

/** A 2-D grid of numbers: rows of numbers, or a rank-2 tf.Tensor. */
export type NumberGrid = readonly (readonly number[])[] | readonly ArrayLike<number>[] | tf.Tensor;

function round7(v: number): number {
  return Number.isFinite(v) ? Number(v.toPrecision(7)) : v;
}

/** True for a series-like value (array of numbers, typed array, tensor). */
export function isNumberSeries(value: unknown): value is NumberSeries {
  if (value instanceof tf.Tensor) return true;
  if (ArrayBuffer.isView(value) && !(value instanceof DataView)) return true;
  return Array.isArray(value) && value.every((v) => typeof v === 'number');
}

/** A plain number[] (tensors flattened; float32 sources rounded to 7 significant digits). */
export function toNumbers(values: NumberSeries, argName = 'values'): number[] {
  if (values instanceof tf.Tensor) {
    const data = values.dataSync();
    return values.dtype === 'float32' ? Array.from(data as Float32Array, round7) : Array.from(data as ArrayLike<number>);
  }
  if (values instanceof Float32Array) return Array.from(values, round7);
  if (Array.isArray(values) || ArrayBuffer.isView(values)) {
    const out = Array.from(values as ArrayLike<number>);
    for (let i = 0; i < out.length; i++) {
      if (typeof out[i] !== 'number') throw new RangeError(`${argName}[${i}] must be a number; got ${typeof out[i]}`);
    }
    return out;
  }
  throw new RangeError(`${argName} must be an array of numbers, a typed array or a tf.Tensor`);
}

/** Rows of numbers from a 2-D grid (rank-2 tensor or array of rows of equal length). */
export function toGrid(values: NumberGrid, argName = 'z'): number[][] {
  if (values instanceof tf.Tensor) {
    if (values.rank !== 2) throw new RangeError(`${argName} must be a rank-2 tensor; got shape [${values.shape.join(', ')}]`);
    const [rows, cols] = values.shape as [number, number];
    const flat = toNumbers(values, argName);
    return Array.from({ length: rows }, (_, r) => flat.slice(r * cols, (r + 1) * cols));
  }
  if (!Array.isArray(values) || values.length === 0) throw new RangeError(`${argName} must be a non-empty array of rows or a rank-2 tensor`);
  const grid = values.map((row, r) => toNumbers(row as NumberSeries, `${argName}[${r}]`));
  const width = grid[0].length;
  grid.forEach((row, r) => {
    if (row.length !== width) throw new RangeError(`${argName} rows must have equal length; row 0 has ${width}, row ${r} has ${row.length}`);
  });
  return grid;
}
