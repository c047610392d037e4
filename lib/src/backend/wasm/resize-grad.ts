/**
 * ResizeNearestNeighborGrad and ResizeBilinearGrad for the wasm backend: the gradients of
 * `tf.image.resizeNearestNeighbor` / `resizeBilinear`, hence of `tf.layers.upSampling2d` (the
 * U-Net's upsampling). The stock wasm bilinear kernel of tfjs-backend-wasm 4.22 swaps height and
 * width for non-square images (its gradient then has the wrong shape); the stock nearest kernel
 * is correct but searches a window around every input pixel, channel by channel. (The cpu
 * backend's nearest-neighbour gradient is wrong for batches larger than 1; genbook replaces it too,
 * backend/cpu-fixes.ts, and the tests compare with block sums and the adjoint identity.)
 *
 * Each is written as the exact adjoint of the forward resize (the same source-pixel formulas as
 * tfjs's cpu forward kernels): every dy pixel adds its value, times its interpolation weight, to
 * the input pixels it was read from, in one pass over dy.
 */
import { type Shape4, type TensorInfo, type WasmKernelArgs, heapF32 } from './kernel-utils';
import { addNearestNeighborAdjoint, resizeRatio } from '../resize-adjoint';

interface Attrs {
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

function ratios(inShape: Shape4, outHeight: number, outWidth: number, alignCorners: boolean): [number, number] {
  return [resizeRatio(inShape[1], outHeight, alignCorners), resizeRatio(inShape[2], outWidth, alignCorners)];
}

export function resizeNearestNeighborGrad(args: WasmKernelArgs<Attrs>): TensorInfo {
  const { backend, attrs } = args;
  const { images, dy } = args.inputs;
  const inShape = images.shape as Shape4;
  const dx = backend.makeOutput(inShape, 'float32');
  const out = heapF32(backend, dx);
  out.fill(0);
  addNearestNeighborAdjoint(heapF32(backend, dy), out, inShape, dy.shape[1], dy.shape[2], attrs);
  return dx;
}

export function resizeBilinearGrad(args: WasmKernelArgs<Attrs>): TensorInfo {
  const { backend, attrs } = args;
  const { images, dy } = args.inputs;
  const { alignCorners, halfPixelCenters } = attrs;
  const inShape = images.shape as Shape4;
  const [batch, inHeight, inWidth, channels] = inShape;
  const [, outHeight, outWidth] = dy.shape;
  const [rowRatio, colRatio] = ratios(inShape, outHeight, outWidth, alignCorners);
  // Per output row/column: the two source indices and the weight of the second.
  const axis = (count: number, ratio: number, size: number) =>
    Array.from({ length: count }, (_, k) => {
      const frac = halfPixelCenters ? ratio * (k + 0.5) - 0.5 : ratio * k;
      const low = Math.max(0, Math.floor(frac));
      return { low, high: Math.min(size - 1, Math.ceil(frac)), weight: frac - low };
    });
  const rows = axis(outHeight, rowRatio, inHeight);
  const cols = axis(outWidth, colRatio, inWidth);
  const dx = backend.makeOutput(inShape, 'float32');
  const out = heapF32(backend, dx);
  const g = heapF32(backend, dy);
  out.fill(0);
  let i = 0;
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < outHeight; r++) {
      const { low: top, high: bottom, weight: rowFrac } = rows[r];
      const topBase = (b * inHeight + top) * inWidth;
      const bottomBase = (b * inHeight + bottom) * inWidth;
      for (let c = 0; c < outWidth; c++) {
        const { low: left, high: right, weight: colFrac } = cols[c];
        const tl = (topBase + left) * channels;
        const tr = (topBase + right) * channels;
        const bl = (bottomBase + left) * channels;
        const br = (bottomBase + right) * channels;
        for (let d = 0; d < channels; d++) {
          const v = g[i++];
          const top = v * (1 - rowFrac);
          const bottom = v * rowFrac;
          out[tl + d] += top * (1 - colFrac);
          out[tr + d] += top * colFrac;
          out[bl + d] += bottom * (1 - colFrac);
          out[br + d] += bottom * colFrac;
        }
      }
    }
  }
  return dx;
}
