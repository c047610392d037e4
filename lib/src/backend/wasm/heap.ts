/**
 * Direct access to the wasm backend's heap for data-movement kernels (slice, concat, tile,
 * reductions over leading axes). All float32 and int32 tensors live in one WebAssembly memory, so a
 * copy between tensors is a `copyWithin` on one typed array: no intermediate buffers, no view
 * objects per row. Views must be re-fetched after any allocation (the memory can grow).
 *
 * The word view is an Int32Array, whatever the tensor's dtype: copying a value through a
 * Float32Array element quiets a signalling NaN (V8 sets its quiet bit), and an int32 is such a NaN
 * pattern when it lies in [2139095041, 2143289343] or [−8388607, −4194305]: until 2026-12-07
 * concatenating, slicing or tiling int32 −5 000 000 on wasm gave −805 696
 * (`tests/lib/wasm-kernels.test.ts`). Integer copies move the bits as they are.
 */
import type { BackendWasm, TensorInfo } from './kernel-utils';

interface HeapBackend {
  wasm: { HEAPU8: Uint8Array };
  dataIdMap: { get(dataId: object): { memoryOffset: number } };
}

/** An Int32Array over the whole heap, for copying 4-byte words of any dtype (re-fetch after allocating). */
export function heapWords(backend: BackendWasm): Int32Array {
  const buffer = (backend as unknown as HeapBackend).wasm.HEAPU8.buffer;
  return new Int32Array(buffer);
}

/** The index of a 4-byte tensor's first element in `heapWords`. */
export function wordOffset(backend: BackendWasm, info: TensorInfo): number {
  return (backend as unknown as HeapBackend).dataIdMap.get(info.dataId).memoryOffset >>> 2;
}

/** Whether the kernels here can handle this dtype (4-byte elements). */
export function isWordType(dtype: string): boolean {
  return dtype === 'float32' || dtype === 'int32';
}

/** Copy `length` words from `src` to `dst` (heap word indices). Short runs copy by hand. */
export function copyWords(heap: Int32Array, dst: number, src: number, length: number): void {
  if (length > 24) {
    heap.copyWithin(dst, src, src + length);
  } else {
    for (let i = 0; i < length; i++) heap[dst + i] = heap[src + i];
  }
}

/** Row-major strides of a shape. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length);
  let s = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    strides[i] = s;
    s *= shape[i];
  }
  return strides;
}

export function sizeOf(shape: readonly number[]): number {
  let n = 1;
  for (const d of shape) n *= d;
  return n;
}
