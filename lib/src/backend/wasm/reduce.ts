/**
 * Sum and Mean for the wasm backend when the reduced axes are not the innermost ones (bias and
 * batch-norm gradients sum [B, H, W, C] over B, H, W; broadcasting gradients and group-norm
 * statistics reduce middle axes). The stock kernels first transpose the reduced axes to the end,
 * a full extra copy through a slow generic transpose; these loops read the input once, in order,
 * accumulating in float64. Reductions over the innermost axes keep the stock (SIMD) kernels.
 */
import * as tf from '@tensorflow/tfjs';
import { type TensorInfo, type WasmKernelArgs, heapF32, runStock } from './kernel-utils';
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

function reduce(kind: 'Sum' | 'Mean', args: WasmKernelArgs<Attrs>): TensorInfo {
  const { backend, attrs } = args;
  const { x } = args.inputs;
  const axes = tf.util.parseAxisParam(attrs.axis, x.shape);
  const reduced = x.shape.map((_, i) => axes.includes(i));
  const { dims, flags } = collapse(x.shape, reduced);
  // Innermost-only reductions (or nothing to reduce) are what the stock kernels do well.
  const innermostOnly = flags.length === 0 || flags.every((f, i) => (f ? i === flags.length - 1 : true));
  if (x.dtype !== 'float32' || innermostOnly) return runStock(kind, backend, args.inputs, attrs);
  const keptShape = x.shape.filter((_, i) => !reduced[i]);
  const outShape = attrs.keepDims ? x.shape.map((d, i) => (reduced[i] ? 1 : d)) : keptShape;
  const reduceSize = sizeOf(x.shape.filter((_, i) => reduced[i]));
  const out = backend.makeOutput(outShape, 'float32');
  const acc = new Float64Array(sizeOf(keptShape));
  sumInto(heapF32(backend, x), dims, flags, acc);
  const dst = heapF32(backend, out);
  const scale = kind === 'Mean' ? 1 / reduceSize : 1;
  for (let k = 0; k < acc.length; k++) dst[k] = acc[k] * scale;
  return out;
}

export function sum(args: WasmKernelArgs<Attrs>): TensorInfo {
  return reduce('Sum', args);
}

export function mean(args: WasmKernelArgs<Attrs>): TensorInfo {
  return reduce('Mean', args);
}
