/**
 * Add, Sub, Multiply and RealDiv on wasm when one operand is broadcast along leading axes: a bias
 * or a per-channel scale ([C] against [B, H, W, C]).
 *
 * XNNPACK's broadcasting kernels in tfjs-backend-wasm 4.22 run one task per row of the innermost
 * dimension: [64, 14, 14, 24] + [24] is 12 544 tasks of 24 values. Here the big operand is read as [R / k, k·C] and the small one tiled k
 * times (k·C values, at most BLOCK), so the same stock kernel runs R / k rows of k·C values: on one
 * thread [64, 14, 14, 24]·[24] takes 47 µs instead of 165, and [64, 14, 14, 64]·[1, 1, 1, 64]
 * 104 µs instead of 225; on two 46 and 63 µs against 95 and 120 (`npx tsx bench/broadcast-rows.ts`,
 * bench/results/broadcast-rows.txt). Every output value is the same operation on the same two
 * inputs, so the results are equal to the stock ones.
 */
import * as tf from '@tensorflow/tfjs';
import { type BackendWasm, type TensorInfo, type WasmKernelArgs, release, runStock } from './kernel-utils';
import { heapWords, sizeOf, wordOffset } from './heap';

/** Largest row length k·C the small operand is tiled to. */
export const BLOCK = 8192;
/** Fewest output values for which the rows are regrouped (below, the stock kernel is quick). */
export const MIN_ROWS_SIZE = 1 << 14;
/**
 * Longest broadcast row regrouped: longer rows are long enough tasks already ([64, 6272]·[6272]
 * takes the same time either way). A scalar (a row of 1) keeps the stock kernel too, whose scalar
 * path is one fast loop: 16 µs for [4, 4, 64, 128]·2 against 29 µs regrouped on one thread, and
 * 20 against 171 µs on two.
 */
export const MAX_ROW = 1024;

/** The small operand's values repeated k times, as a new [k·c] tensor. */
function tiled(backend: BackendWasm, small: TensorInfo, k: number): TensorInfo {
  const c = sizeOf(small.shape);
  const out = backend.makeOutput([k * c], small.dtype);
  const heap = heapWords(backend);
  const to = wordOffset(backend, out);
  heap.copyWithin(to, wordOffset(backend, small), wordOffset(backend, small) + c);
  for (let have = c; have < k * c; have *= 2) heap.copyWithin(to + have, to, to + Math.min(have, k * c - have));
  return out;
}

/** Whether `small`, without its leading 1s, is the trailing part of `big`'s shape. */
function isTrailing(small: readonly number[], big: readonly number[]): boolean {
  const s = small.slice(small.findIndex((d) => d !== 1) < 0 ? small.length : small.findIndex((d) => d !== 1));
  if (s.length > big.length) return false;
  return s.every((d, i) => d === big[big.length - s.length + i]);
}

/** The largest divisor of n that is at most limit (1 if none above 1). */
function largestDivisorAtMost(n: number, limit: number): number {
  for (let d = Math.min(n, limit); d > 1; d--) if (n % d === 0) return d;
  return 1;
}

function binary(name: 'Add' | 'Sub' | 'Multiply' | 'RealDiv') {
  return (args: WasmKernelArgs): TensorInfo => {
    const { backend } = args;
    const { a, b } = args.inputs;
    const aSize = sizeOf(a.shape);
    const bSize = sizeOf(b.shape);
    const bigIsA = aSize >= bSize;
    const [big, small] = bigIsA ? [a, b] : [b, a];
    const bigSize = Math.max(aSize, bSize);
    const c = Math.min(aSize, bSize);
    if (a.dtype !== 'float32' || b.dtype !== 'float32' || bigSize < MIN_ROWS_SIZE || c < 2 || c > MAX_ROW || !isTrailing(small.shape, big.shape)) {
      return runStock(name, backend, args.inputs, args.attrs as object);
    }
    const rows = bigSize / c;
    const k = largestDivisorAtMost(rows, Math.floor(BLOCK / c));
    if (k === 1) return runStock(name, backend, args.inputs, args.attrs as object);
    const repeated = tiled(backend, small, k);
    const view = { ...big, shape: [rows / k, k * c] };
    const out = runStock(name, backend, bigIsA ? { a: view, b: repeated } : { a: repeated, b: view });
    release(backend, repeated);
    out.shape = tf.backend_util.assertAndGetBroadcastShape(a.shape, b.shape);
    return out;
  };
}

export const add = binary('Add');
export const sub = binary('Sub');
export const multiply = binary('Multiply');
export const realDiv = binary('RealDiv');
