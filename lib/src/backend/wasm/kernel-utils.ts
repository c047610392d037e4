/**
 * Shared plumbing for the genbook wasm training kernels.
 *
 * Every kernel here is composed from the wasm backend's own kernels (XNNPACK convolution and
 * matrix multiply, transpose, pad, …) called through their `kernelFunc`, or from short loops over
 * the backend's heap. Temporaries are `TensorInfo`s freed with `backend.disposeData`; no `tf.*` op
 * runs inside a kernel (design.md fact 3: tf ops inside a kernel leaked or freed tensors under
 * training).
 */
import * as tf from '@tensorflow/tfjs';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

export type { BackendWasm };
export type TensorInfo = tf.TensorInfo;
export type Shape4 = [number, number, number, number];

/** Arguments every kernel function receives, with the backend typed as wasm. */
export interface WasmKernelArgs<A = unknown> {
  inputs: Record<string, TensorInfo>;
  backend: BackendWasm;
  attrs: A;
}

/** The stock wasm kernel functions, captured before genbook replaces any of them. */
const stockKernels = new Map<string, tf.KernelConfig>();

/** Remember the stock wasm kernel `name` (call before registering a replacement). */
export function captureStock(name: string): tf.KernelConfig | undefined {
  if (!stockKernels.has(name)) {
    const config = tf.getKernel(name, 'wasm');
    if (config) stockKernels.set(name, config);
  }
  return stockKernels.get(name);
}

/** The stock config of `name` if genbook replaced it, otherwise undefined. */
export function stockConfig(name: string): tf.KernelConfig | undefined {
  return stockKernels.get(name);
}

/**
 * Run the stock wasm kernel `name` (never a genbook replacement of it) and return its single
 * output. The caller owns the output and frees it with `backend.disposeData(out.dataId)`.
 */
export function runStock(
  name: string,
  backend: BackendWasm,
  inputs: Record<string, TensorInfo>,
  attrs: object = {},
): TensorInfo {
  const config = stockKernels.get(name) ?? tf.getKernel(name, 'wasm');
  if (!config) throw new Error(`the wasm backend has no kernel '${name}'`);
  const out = config.kernelFunc({
    inputs,
    backend: backend as unknown as tf.KernelBackend,
    attrs: attrs as unknown as tf.NamedAttrMap,
  });
  if (Array.isArray(out)) throw new Error(`wasm kernel '${name}' returned ${out.length} outputs`);
  return out;
}

/** Free kernel temporaries (each one's reference count drops by one). */
export function release(backend: BackendWasm, ...infos: (TensorInfo | undefined)[]): void {
  for (const info of infos) if (info) backend.disposeData(info.dataId);
}

/** A Float32Array view of a float32 tensor's data on the wasm heap (valid until the next allocation). */
export function heapF32(backend: BackendWasm, info: TensorInfo): Float32Array {
  return backend.typedArrayFromHeap(info) as Float32Array;
}

/** An Int32Array view of an int32 tensor's data on the wasm heap. */
export function heapI32(backend: BackendWasm, info: TensorInfo): Int32Array {
  return backend.typedArrayFromHeap(info) as Int32Array;
}

/** Reshape without copying (the output shares the input's data; free it like any temporary). */
export function reshape(backend: BackendWasm, x: TensorInfo, shape: number[]): TensorInfo {
  return runStock('Reshape', backend, { x }, { shape });
}

/**
 * Transpose through the Transpose kernel registered for wasm: genbook's (transpose.ts: blocked, for
 * the shapes where the stock kernel thrashes the cache) while genbook's kernels are registered.
 */
export function transpose(backend: BackendWasm, x: TensorInfo, perm: number[]): TensorInfo {
  const config = tf.getKernel('Transpose', 'wasm');
  if (!config) throw new Error("the wasm backend has no kernel 'Transpose'");
  const out = config.kernelFunc({ inputs: { x }, backend: backend as unknown as tf.KernelBackend, attrs: { perm } });
  if (Array.isArray(out)) throw new Error('Transpose returned several outputs');
  return out;
}

/** Normalise a `[h, w] | n` attribute to a pair. */
export function pair(value: number | [number, number]): [number, number] {
  return typeof value === 'number' ? [value, value] : value;
}

/** Throw for NCHW data: the wasm backend supports channels-last only. */
export function requireChannelsLast(kernel: string, dataFormat: string | undefined): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC' && dataFormat !== 'channelsLast') {
    throw new Error(`${kernel} on wasm supports dataFormat 'NHWC' only; got '${dataFormat}'`);
  }
}
