/**
 * DepthwiseConv2dNativeBackpropFilter and DepthwiseConv2dNativeBackpropInput for the wasm backend
 * (missing in stock tfjs-backend-wasm 4.22): the gradients of `tf.depthwiseConv2d` /
 * `tf.layers.depthwiseConv2d` / `separableConv2d`. A depthwise convolution does k_h·k_w·multiplier
 * multiply-adds per output value (no channel mixing), so plain loops over the wasm heap are fast
 * enough; they support strides, dilations, any padding and any channel multiplier.
 *
 *   y[b, oh, ow, ci·M + m] = Σ_{kh, kw} x[b, oh·s_h + kh·d_h − pt, ow·s_w + kw·d_w − pl, ci] · W[kh, kw, ci, m]
 */
import * as tf from '@tensorflow/tfjs';
import { type Shape4, type TensorInfo, type WasmKernelArgs, heapF32 } from './kernel-utils';

interface Attrs {
  strides: number | [number, number];
  dilations: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
}

function depthwiseInfo(xShape: Shape4, filterShape: Shape4, attrs: Attrs): tf.backend_util.Conv2DInfo {
  return tf.backend_util.computeConv2DInfo(
    xShape, filterShape, attrs.strides, attrs.dilations, attrs.pad, attrs.dimRoundingMode, true, 'channelsLast',
  );
}

/** dW[kh, kw, ci, m] = Σ_{b, oh, ow} x[b, ih, iw, ci] · dy[b, oh, ow, ci·M + m]. */
export function depthwiseConv2dNativeBackpropFilter(args: WasmKernelArgs<Attrs & { filterShape: Shape4 }>): TensorInfo {
  const { backend, attrs } = args;
  const { x, dy } = args.inputs;
  const info = depthwiseInfo(x.shape as Shape4, attrs.filterShape, attrs);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const multiplier = outChannels / inChannels;
  const { top, left } = info.padInfo;
  const dW = backend.makeOutput(attrs.filterShape, 'float32');
  const xs = heapF32(backend, x);
  const dys = heapF32(backend, dy);
  const out = heapF32(backend, dW);
  out.fill(0);
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let kh = 0; kh < filterHeight; kh++) {
        const ih = oh * strideHeight + kh * dilationHeight - top;
        if (ih < 0 || ih >= inHeight) continue;
        for (let ow = 0; ow < outWidth; ow++) {
          const dyBase = ((b * outHeight + oh) * outWidth + ow) * outChannels;
          for (let kw = 0; kw < filterWidth; kw++) {
            const iw = ow * strideWidth + kw * dilationWidth - left;
            if (iw < 0 || iw >= inWidth) continue;
            const xBase = ((b * inHeight + ih) * inWidth + iw) * inChannels;
            const wBase = (kh * filterWidth + kw) * outChannels;
            for (let c = 0; c < outChannels; c++) {
              out[wBase + c] += xs[xBase + Math.floor(c / multiplier)] * dys[dyBase + c];
            }
          }
        }
      }
    }
  }
  return dW;
}

/** dx[b, ih, iw, ci] = Σ over the (oh, ow, kh, kw) that read x[b, ih, iw] of Σ_m dy[…, ci·M + m] · W[kh, kw, ci, m]. */
export function depthwiseConv2dNativeBackpropInput(args: WasmKernelArgs<Attrs & { inputShape: Shape4 }>): TensorInfo {
  const { backend, attrs } = args;
  const { dy, filter } = args.inputs;
  const info = depthwiseInfo(attrs.inputShape, filter.shape as Shape4, attrs);
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth, dilationHeight, dilationWidth } = info;
  const multiplier = outChannels / inChannels;
  const { top, left } = info.padInfo;
  const dx = backend.makeOutput(attrs.inputShape, 'float32');
  const dys = heapF32(backend, dy);
  const w = heapF32(backend, filter);
  const out = heapF32(backend, dx);
  out.fill(0);
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      for (let kh = 0; kh < filterHeight; kh++) {
        const ih = oh * strideHeight + kh * dilationHeight - top;
        if (ih < 0 || ih >= inHeight) continue;
        for (let ow = 0; ow < outWidth; ow++) {
          const dyBase = ((b * outHeight + oh) * outWidth + ow) * outChannels;
          for (let kw = 0; kw < filterWidth; kw++) {
            const iw = ow * strideWidth + kw * dilationWidth - left;
            if (iw < 0 || iw >= inWidth) continue;
            const xBase = ((b * inHeight + ih) * inWidth + iw) * inChannels;
            const wBase = (kh * filterWidth + kw) * outChannels;
            for (let c = 0; c < outChannels; c++) {
              out[xBase + Math.floor(c / multiplier)] += dys[dyBase + c] * w[wBase + c];
            }
          }
        }
      }
    }
  }
  return dx;
}
