/**
 * UnsortedSegmentSum for the wasm backend (missing in stock tfjs-backend-wasm 4.22, tfjs #8082): the
 * gradient of `tf.gather`, hence of `tf.layers.embedding` (class-label embeddings, PixelCNN/VQ
 * codebooks). out[s, …] = Σ_{i : ids[i] = s} x[i, …]; ids outside [0, numSegments) are dropped,
 * as in TensorFlow. A single pass over x on the wasm heap.
 */
import { type TensorInfo, type WasmKernelArgs, heapF32, heapI32 } from './kernel-utils';

interface Attrs {
  numSegments: number;
}

export function unsortedSegmentSum(args: WasmKernelArgs<Attrs>): TensorInfo {
  const { backend, attrs } = args;
  const { x, segmentIds } = args.inputs;
  const { numSegments } = attrs;
  if (x.dtype !== 'float32' && x.dtype !== 'int32') {
    throw new Error(`UnsortedSegmentSum on wasm supports float32 and int32; got ${x.dtype}`);
  }
  const idsRank = segmentIds.shape.length;
  const count = segmentIds.shape.reduce((p, d) => p * d, 1);
  const innerShape = x.shape.slice(idsRank);
  const inner = innerShape.reduce((p, d) => p * d, 1);
  const out = backend.makeOutput([numSegments, ...innerShape], x.dtype);
  const src = x.dtype === 'float32' ? heapF32(backend, x) : heapI32(backend, x);
  const dst = x.dtype === 'float32' ? heapF32(backend, out) : heapI32(backend, out);
  const ids = heapI32(backend, segmentIds);
  dst.fill(0);
  for (let i = 0; i < count; i++) {
    const segment = ids[i];
    if (segment < 0 || segment >= numSegments) continue;
    const s = i * inner;
    const d = segment * inner;
    for (let k = 0; k < inner; k++) dst[d + k] += src[s + k];
  }
  return out;
}
