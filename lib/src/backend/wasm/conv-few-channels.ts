/**
 * Convolution gradients for layers with few input channels (the first layer of an encoder or
 * discriminator, the last layer of a decoder or generator: 1 channel for MNIST), where the
 * general paths waste XNNPACK's vector lanes (a convolution with 1 output channel, or with only
 * k_h·k_w·c_in output pixels). Here each is one matrix product with many rows plus a cheap loop:
 *
 * - filter gradient: dWᵀ [c_out, k_h·k_w·c_in] = dyᵀ · P, with P[p, (kh, kw, ci)] the input pixel
 *   that filter tap (kh, kw, ci) sees at output position p (im2col; k_h·k_w·c_in columns);
 * - input gradient: C = dy · Wᵀ [positions, k_h·k_w·c_in], then each column is added back to the
 *   input pixel it came from (col2im).
 *
 * Used when k_h·k_w·c_in ≤ FEW_CHANNELS_LIMIT.
 */
import * as tf from '@tensorflow/tfjs';
import { type BackendWasm, type TensorInfo, heapF32, release, reshape, transpose } from './kernel-utils';
import { runStockMatMul } from './batch-mat-mul';

/** Largest k_h·k_w·c_in for which the im2col/col2im paths are used. */
export const FEW_CHANNELS_LIMIT = 64;

export function usesFewChannels(info: tf.backend_util.Conv2DInfo): boolean {
  return info.filterHeight * info.filterWidth * info.inChannels <= FEW_CHANNELS_LIMIT && info.dilationHeight === 1 && info.dilationWidth === 1;
}

/**
 * a [m, k] · b [k, n] through XNNPACK (the stock BatchMatMul's fast path), as [m, n]. `b` may be a
 * reshape of a tensor that was a right operand in another shape (dy is, seen as [positions, co]):
 * runStockMatMul copies it then, since the stock kernel caches packings by data id.
 */
function product(backend: BackendWasm, a: TensorInfo, b: TensorInfo): TensorInfo {
  const a3 = reshape(backend, a, [1, a.shape[0], a.shape[1]]);
  const b3 = reshape(backend, b, [1, b.shape[0], b.shape[1]]);
  const out = runStockMatMul('BatchMatMul', backend, { a: a3, b: b3 }, { transposeA: false, transposeB: false });
  release(backend, a3, b3);
  out.shape = [a.shape[0], b.shape[1]];
  return out;
}

/**
 * For each filter tap t = (kh, kw, ci), in im2col order, the offset of the input value it sees
 * from the first value of its window (one image, channels last): (kh·W + kw)·C + ci.
 */
function tapOffsets(info: tf.backend_util.Conv2DInfo): Int32Array {
  const { filterHeight, filterWidth, inWidth, inChannels } = info;
  const offsets = new Int32Array(filterHeight * filterWidth * inChannels);
  for (let kh = 0, t = 0; kh < filterHeight; kh++) {
    for (let kw = 0; kw < filterWidth; kw++) {
      for (let ci = 0; ci < inChannels; ci++, t++) offsets[t] = (kh * inWidth + kw) * inChannels + ci;
    }
  }
  return offsets;
}

export function filterGradientFewChannels(backend: BackendWasm, x: TensorInfo, dy: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;
  const taps = filterHeight * filterWidth * inChannels;
  const positions = batchSize * outHeight * outWidth;
  // im2col, [positions, taps]: row p holds the input pixel each filter tap sees at position p. Where
  // the whole window lies inside the input, tap t reads the window's first value plus offsets[t].
  const patches = backend.makeOutput([positions, taps], 'float32');
  {
    const src = heapF32(backend, x);
    const dst = heapF32(backend, patches);
    const offsets = tapOffsets(info);
    let o = 0;
    for (let b = 0; b < batchSize; b++) {
      for (let oh = 0; oh < outHeight; oh++) {
        const ih0 = oh * strideHeight - top;
        const rowsInside = ih0 >= 0 && ih0 + filterHeight <= inHeight;
        for (let ow = 0; ow < outWidth; ow++) {
          const iw0 = ow * strideWidth - left;
          if (rowsInside && iw0 >= 0 && iw0 + filterWidth <= inWidth) {
            const s0 = ((b * inHeight + ih0) * inWidth + iw0) * inChannels;
            for (let t = 0; t < taps; t++) dst[o++] = src[s0 + offsets[t]];
            continue;
          }
          for (let kh = 0; kh < filterHeight; kh++) {
            const ih = ih0 + kh;
            const rowInside = ih >= 0 && ih < inHeight;
            const rowBase = (b * inHeight + ih) * inWidth;
            for (let kw = 0; kw < filterWidth; kw++) {
              const iw = iw0 + kw;
              if (rowInside && iw >= 0 && iw < inWidth) {
                const s1 = (rowBase + iw) * inChannels;
                for (let ci = 0; ci < inChannels; ci++) dst[o++] = src[s1 + ci];
              } else {
                for (let ci = 0; ci < inChannels; ci++) dst[o++] = 0;
              }
            }
          }
        }
      }
    }
  }
  // dWᵀ [co, taps] = dyᵀ · patches. The right operand is packed by XNNPACK anew for every new
  // tensor, on one thread (2.6 ns a value here): the patches (positions × taps) are the smaller one
  // (taps ≤ 64), where dy (positions × co) would cost co / taps times more; dy's transpose is a fast
  // copy (transpose.ts).
  const dy2 = reshape(backend, dy, [positions, outChannels]);
  const dyT = transpose(backend, dy2, [1, 0]); // [co, positions]
  release(backend, dy2);
  const dWT = product(backend, dyT, patches); // [co, taps]
  release(backend, dyT, patches);
  const dW = transpose(backend, dWT, [1, 0]); // [taps, co]
  release(backend, dWT);
  dW.shape = [filterHeight, filterWidth, inChannels, outChannels];
  return dW;
}

export function inputGradientFewChannels(backend: BackendWasm, dy: TensorInfo, filter: TensorInfo, info: tf.backend_util.Conv2DInfo): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;
  const taps = filterHeight * filterWidth * inChannels;
  const positions = batchSize * outHeight * outWidth;
  const w2 = reshape(backend, filter, [taps, outChannels]);
  const wT = transpose(backend, w2, [1, 0]); // [co, taps]
  const dy2 = reshape(backend, dy, [positions, outChannels]);
  const columns = product(backend, dy2, wT); // [positions, taps]
  release(backend, w2, wT, dy2);
  const dx = backend.makeOutput([batchSize, inHeight, inWidth, inChannels], 'float32');
  const cols = heapF32(backend, columns);
  const out = heapF32(backend, dx);
  out.fill(0);
  // col2im. Where the whole window lies inside the input (all but the border positions), tap t adds
  // to dx at the window's first value plus offsets[t]; at the border each tap is checked.
  const offsets = tapOffsets(info);
  let p = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const ih0 = oh * strideHeight - top;
      const rowsInside = ih0 >= 0 && ih0 + filterHeight <= inHeight;
      for (let ow = 0; ow < outWidth; ow++, p++) {
        const c0 = p * taps;
        const iw0 = ow * strideWidth - left;
        if (rowsInside && iw0 >= 0 && iw0 + filterWidth <= inWidth) {
          const d0 = ((b * inHeight + ih0) * inWidth + iw0) * inChannels;
          for (let t = 0; t < taps; t++) out[d0 + offsets[t]] += cols[c0 + t];
          continue;
        }
        for (let kh = 0; kh < filterHeight; kh++) {
          const ih = ih0 + kh;
          if (ih < 0 || ih >= inHeight) continue;
          for (let kw = 0; kw < filterWidth; kw++) {
            const iw = iw0 + kw;
            if (iw < 0 || iw >= inWidth) continue;
            const d = ((b * inHeight + ih) * inWidth + iw) * inChannels;
            const c = c0 + (kh * filterWidth + kw) * inChannels;
            for (let ci = 0; ci < inChannels; ci++) out[d + ci] += cols[c + ci];
          }
        }
      }
    }
  }
  release(backend, columns);
  return dx;
}
