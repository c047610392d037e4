/**
 * Data-movement kernels for the wasm backend, replacing stock ones that copy far more than needed
 * (measured while profiling the benchmark models, bench/profile.ts):
 *
 * - Identity and same-dtype Cast share the input's data (a reference count, as the cpu and webgl
 *   backends do) instead of copying it; optimisers and gradients call them hundreds of times per step.
 * - Slice (and SplitV, the gradient of concat) read the input in place; the stock Slice first
 *   copies the whole input out of the heap (`readSync`) for every slice.
 * - Concat and Tile copy contiguous runs with `copyWithin` on the heap (Tile is the gradient of
 *   batch normalisation's broadcasting, and the stock Tile is an element-by-element loop).
 */
import * as tf from '@tensorflow/tfjs';
import { type BackendWasm, type TensorInfo, type WasmKernelArgs, runStock } from './kernel-utils';
import { copyWords, heapWords, isWordType, sizeOf, stridesOf, wordOffset } from './heap';

/** The input itself, with one more reference: no copy. */
function share(backend: BackendWasm, x: TensorInfo): TensorInfo {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape.slice(), dtype: x.dtype };
}

export function identity(args: WasmKernelArgs): TensorInfo {
  const { x } = args.inputs;
  if (x.dtype === 'string') return runStock('Identity', args.backend, args.inputs, args.attrs as object);
  return share(args.backend, x);
}

export function cast(args: WasmKernelArgs<{ dtype: tf.DataType }>): TensorInfo {
  const { x } = args.inputs;
  if (x.dtype === args.attrs.dtype && x.dtype !== 'string') return share(args.backend, x);
  return runStock('Cast', args.backend, args.inputs, args.attrs);
}

/** Copy the box `begin … begin + size` of `x` into `out` (both 4-byte dtypes). */
function copyBox(backend: BackendWasm, x: TensorInfo, begin: number[], size: number[], out: TensorInfo): void {
  const rank = x.shape.length;
  // Merge trailing axes that are taken whole into one contiguous run.
  let inner = rank - 1;
  let run = size[inner];
  while (inner > 0 && size[inner] === x.shape[inner] && begin[inner] === 0) {
    inner -= 1;
    run *= size[inner];
  }
  const xStrides = stridesOf(x.shape);
  const heap = heapWords(backend);
  const src0 = wordOffset(backend, x);
  let dst = wordOffset(backend, out);
  // Odometer over the axes before `inner`.
  const index = new Array<number>(inner).fill(0);
  const rows = sizeOf(size.slice(0, inner));
  for (let r = 0; r < rows; r++) {
    let src = src0 + begin[inner] * xStrides[inner];
    for (let a = 0; a < inner; a++) src += (begin[a] + index[a]) * xStrides[a];
    copyWords(heap, dst, src, run);
    dst += run;
    for (let a = inner - 1; a >= 0; a--) {
      if (++index[a] < size[a]) break;
      index[a] = 0;
    }
  }
}

export function slice(args: WasmKernelArgs<{ begin: number | number[]; size?: number | number[] }>): TensorInfo {
  const { backend, attrs } = args;
  const { x } = args.inputs;
  if (!isWordType(x.dtype)) return runStock('Slice', backend, args.inputs, attrs);
  const [begin, size] = tf.slice_util.parseSliceParams(x as unknown as tf.Tensor, attrs.begin, attrs.size);
  const out = backend.makeOutput(size, x.dtype);
  if (sizeOf(size) > 0) copyBox(backend, x, begin, size, out);
  return out;
}

export function splitV(args: WasmKernelArgs<{ numOrSizeSplits: number | number[]; axis: number }>): TensorInfo[] {
  const { backend, attrs } = args;
  const { x } = args.inputs;
  const axis = tf.util.parseAxisParam(attrs.axis, x.shape)[0];
  const sizes = tf.backend_util.prepareSplitSize(x as unknown as tf.Tensor, attrs.numOrSizeSplits, axis);
  const begin = new Array<number>(x.shape.length).fill(0);
  return sizes.map((s) => {
    const size = x.shape.slice();
    size[axis] = s;
    const part = slice({ inputs: { x }, backend, attrs: { begin: begin.slice(), size } });
    begin[axis] += s;
    return part;
  });
}

export function concat(args: WasmKernelArgs<{ axis: number }>): TensorInfo {
  const { backend } = args;
  // The engine passes Concat's inputs as an array.
  const list = Object.values(args.inputs) as TensorInfo[];
  if (!list.every((t) => isWordType(t.dtype) && t.dtype === list[0].dtype)) {
    return runStock('Concat', backend, args.inputs, args.attrs);
  }
  const axis = tf.util.parseAxisParam(args.attrs.axis, list[0].shape)[0];
  const outShape = tf.backend_util.computeOutShape(list.map((t) => t.shape), axis);
  const nonEmpty = list.filter((t) => sizeOf(t.shape) > 0);
  if (nonEmpty.length === 1) return share(backend, { ...nonEmpty[0], shape: outShape });
  const out = backend.makeOutput(outShape, list[0].dtype);
  if (sizeOf(outShape) === 0) return out;
  const outer = sizeOf(outShape.slice(0, axis));
  const runs = nonEmpty.map((t) => sizeOf(t.shape.slice(axis)));
  const total = runs.reduce((a, b) => a + b, 0);
  const heap = heapWords(backend);
  const srcs = nonEmpty.map((t) => wordOffset(backend, t));
  const dst0 = wordOffset(backend, out);
  for (let b = 0; b < outer; b++) {
    let dst = dst0 + b * total;
    for (let i = 0; i < runs.length; i++) {
      copyWords(heap, dst, srcs[i] + b * runs[i], runs[i]);
      dst += runs[i];
    }
  }
  return out;
}

export function tile(args: WasmKernelArgs<{ reps: number[] }>): TensorInfo {
  const { backend, attrs } = args;
  const { x } = args.inputs;
  if (!isWordType(x.dtype)) return runStock('Tile', backend, args.inputs, attrs);
  const rank = x.shape.length;
  const outShape = x.shape.map((d, i) => d * attrs.reps[i]);
  const out = backend.makeOutput(outShape, x.dtype);
  if (sizeOf(outShape) === 0) return out;
  const heap = heapWords(backend);
  const src = wordOffset(backend, x);
  const dst = wordOffset(backend, out);
  // Build from the innermost axis outwards: after axis a, each block of x.shape[0..a) holds
  // outShape[a..] already tiled; the block for axis a is x's slab repeated reps[a] times.
  // Recursive formulation: tileAxis(a, srcIndex, dstIndex) writes one block of outShape[a..].
  const outBlock = new Array<number>(rank + 1);
  const inBlock = new Array<number>(rank + 1);
  outBlock[rank] = 1;
  inBlock[rank] = 1;
  for (let a = rank - 1; a >= 0; a--) {
    outBlock[a] = outBlock[a + 1] * outShape[a];
    inBlock[a] = inBlock[a + 1] * x.shape[a];
  }
  const fill = (a: number, s: number, d: number): void => {
    if (a === rank) {
      heap[d] = heap[s];
      return;
    }
    const n = x.shape[a];
    if (a === rank - 1) {
      copyWords(heap, d, s, n);
    } else {
      for (let i = 0; i < n; i++) fill(a + 1, s + i * inBlock[a + 1], d + i * outBlock[a + 1]);
    }
    // The first n sub-blocks now hold one copy; repeat them reps[a] − 1 more times by doubling.
    const once = n * outBlock[a + 1];
    let have = once;
    const want = once * attrs.reps[a];
    while (have < want) {
      const chunk = Math.min(have, want - have);
      heap.copyWithin(d + have, d, d + chunk);
      have += chunk;
    }
  };
  fill(0, src, dst);
  return out;
}
