/**
 * Sum and Mean for the wasm backend when the reduced axes are not the innermost ones (bias and
 * batch-norm gradients sum [B, H, W, C] over B, H, W; broadcasting gradients and group-norm
 * statistics reduce middle axes). The stock kernels first transpose the reduced axes to the end,
 * a full extra copy through a slow generic transpose.
 *
 * - Rows of channels, [K, R, C] summed over R (the common case: every bias and batch-norm gradient,
 *   K = 1): XNNPACK's average pooling with an R × 1 window, which reads the input once with SIMD
 *   and runs on the thread pool, one pooled row per thread task. Without K the rows are split
 *   into P blocks first (P a divisor of R, at most 64) so the pool has tasks to share, and the P
 *   block means are added here. On the dcgan and U-Net activation shapes this is 4–23× faster
 *   than the stock kernels, and about as fast as one Multiply of the same size
 *   (`npx tsx bench/elementwise.ts`; bench/results/elementwise.txt).
 * - When the innermost axis is reduced too (group normalisation's [B, H, W, G, C/G] over H, W and
 *   C/G), the stock SIMD kernel sums it first, and the rest is reduced as above.
 * - Any other pattern of reduced middle axes: a loop that reads the input once, in order,
 *   accumulating in float64.
 * Reductions over the innermost axes keep the stock (SIMD) kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { type BackendWasm, type TensorInfo, type WasmKernelArgs, heapF32, release, reshape, runStock } from './kernel-utils';
import { sizeOf } from './heap';

interface Attrs {
  axis: number | number[];
  keepDims: boolean;
}

/** Merge neighbouring axes that are both reduced or both kept. */
function collapse(shape: number[], reduced: boolean[]): { dims: number[]; flags: boolean[] } {
  const dims: number[] = [];
  const flags: boolean[] = [];
  shape.forEach((d, i) => {
    if (d === 1) return; // size-1 axes change nothing
    if (flags.length > 0 && flags[flags.length - 1] === reduced[i]) dims[dims.length - 1] *= d;
    else {
      dims.push(d);
      flags.push(reduced[i]);
    }
  });
  return { dims, flags };
}

/** Σ over the flagged axes of `src` (row-major `dims`) into `out` (the kept axes, row-major). */
function sumInto(src: Float32Array, dims: number[], flags: boolean[], out: Float64Array): void {
  const rank = dims.length;
  if (rank === 0) {
    out[0] = src[0];
    return;
  }
  // Output stride of each axis (0 for reduced axes).
  const outStride = new Array<number>(rank).fill(0);
  let s = 1;
  for (let a = rank - 1; a >= 0; a--) {
    if (!flags[a]) {
      outStride[a] = s;
      s *= dims[a];
    }
  }
  const inner = dims[rank - 1];
  const innerReduced = flags[rank - 1];
  const outer = sizeOf(dims.slice(0, rank - 1));
  const index = new Array<number>(Math.max(rank - 1, 0)).fill(0);
  let o = 0;
  let i = 0;
  for (let r = 0; r < outer; r++) {
    if (innerReduced) {
      let acc = 0;
      for (let k = 0; k < inner; k++) acc += src[i + k];
      out[o] += acc;
    } else {
      for (let k = 0; k < inner; k++) out[o + k] += src[i + k];
    }
    i += inner;
    for (let a = rank - 2; a >= 0; a--) {
      o += outStride[a];
      if (++index[a] < dims[a]) break;
      o -= outStride[a] * dims[a];
      index[a] = 0;
    }
  }
}

/** Most blocks a run of rows is split into (one thread task each). */
const MAX_BLOCKS = 64;

/** The largest divisor of n that is at most `limit`. */
function largestDivisorAtMost(n: number, limit: number): number {
  for (let d = Math.min(n, limit); d > 1; d--) if (n % d === 0) return d;
  return 1;
}

/**
 * [K, R, C] → the mean over R, [K, C], as XNNPACK average pooling of a [K, R, 1, C] image with an
 * R × 1 window (a view: no copy). The caller owns the result.
 */
function poolRows(backend: BackendWasm, x: TensorInfo, k: number, r: number, c: number): TensorInfo {
  const image = reshape(backend, x, [k, r, 1, c]);
  const pooled = runStock('AvgPool', backend, { x: image }, { filterSize: [r, 1], strides: [r, 1], pad: 'valid' });
  release(backend, image);
  return pooled;
}

/** Fewest rows per pooled block when the rows are split (below this, JavaScript adds too many block sums). */
const MIN_ROWS_PER_BLOCK = 8;

/**
 * factor · Σ over R of x viewed as [K, R, C] (K = 1 when no kept axis leads), written to `out`
 * ([K·C] values). The rows are averaged by XNNPACK; JavaScript only adds the block means of a
 * split (at most 64·C values) and scales.
 */
function sumRowsByPooling(backend: BackendWasm, x: TensorInfo, k: number, r: number, c: number, factor: number, out: TensorInfo): void {
  if (k > 1) {
    const pooled = poolRows(backend, x, k, r, c);
    const [means, dst] = [heapF32(backend, pooled), heapF32(backend, out)];
    for (let i = 0; i < dst.length; i++) dst[i] = means[i] * (r * factor);
    release(backend, pooled);
    return;
  }
  const blocks = largestDivisorAtMost(r, Math.max(1, Math.min(MAX_BLOCKS, Math.floor(r / MIN_ROWS_PER_BLOCK))));
  const rowsPerBlock = r / blocks;
  const pooled = rowsPerBlock > 1 ? poolRows(backend, x, blocks, rowsPerBlock, c) : null;
  const means = heapF32(backend, pooled ?? x); // [blocks, C]
  const acc = new Float64Array(c);
  for (let b = 0; b < blocks; b++) for (let j = 0; j < c; j++) acc[j] += means[b * c + j];
  const dst = heapF32(backend, out);
  for (let j = 0; j < c; j++) dst[j] = acc[j] * (rowsPerBlock * factor);
  release(backend, pooled ?? undefined);
}

function reduce(kind: 'Sum' | 'Mean', args: WasmKernelArgs<Attrs>): TensorInfo {
  const { backend, attrs } = args;
  const { x } = args.inputs;
  const axes = tf.util.parseAxisParam(attrs.axis, x.shape);
  const reduced = x.shape.map((_, i) => axes.includes(i));
  let { dims, flags } = collapse(x.shape, reduced);
  // Innermost-only reductions (or nothing to reduce) are what the stock kernels do well.
  const innermostOnly = flags.length === 0 || flags.every((f, i) => (f ? i === flags.length - 1 : true));
  if (x.dtype !== 'float32' || innermostOnly) return runStock(kind, backend, args.inputs, attrs);
  const keptShape = x.shape.filter((_, i) => !reduced[i]);
  const outShape = attrs.keepDims ? x.shape.map((d, i) => (reduced[i] ? 1 : d)) : keptShape;
  const factor = kind === 'Mean' ? 1 / sizeOf(x.shape.filter((_, i) => reduced[i])) : 1;
  // The innermost axis reduced as well (group normalisation's [B, H, W, G, C/G] over H, W, C/G):
  // sum it first with the stock SIMD kernel, leaving kept channels innermost.
  let source = x;
  let partial: TensorInfo | undefined;
  if (flags[flags.length - 1]) {
    const view = reshape(backend, x, dims);
    partial = runStock('Sum', backend, { x: view }, { axis: [dims.length - 1], keepDims: false });
    release(backend, view);
    source = partial;
    [dims, flags] = [dims.slice(0, -1), flags.slice(0, -1)];
  }
  const out = backend.makeOutput(outShape, 'float32');
  // [R, C] or [K, R, C] with R reduced: rows of channels, pooled by XNNPACK.
  const rowsOfChannels = flags.length === 2 ? flags[0] && !flags[1] : flags.length === 3 && !flags[0] && flags[1] && !flags[2];
  if (rowsOfChannels) {
    const [k, r, c] = flags.length === 2 ? [1, dims[0], dims[1]] : dims;
    sumRowsByPooling(backend, source, k, r, c, factor, out);
  } else {
    const acc = new Float64Array(sizeOf(keptShape));
    sumInto(heapF32(backend, source), dims, flags, acc);
    const dst = heapF32(backend, out);
    for (let i = 0; i < acc.length; i++) dst[i] = acc[i] * factor;
  }
  release(backend, partial);
  return out;
}

export function sum(args: WasmKernelArgs<Attrs>): TensorInfo {
  return reduce('Sum', args);
}

export function mean(args: WasmKernelArgs<Attrs>): TensorInfo {
  return reduce('Mean', args);
}
