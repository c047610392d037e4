/**
 * Conv2DBackpropFilter for the wasm backend (the gradient of a convolution with respect to its
 * filter), which stock tfjs-backend-wasm 4.22 lacks (tfjs issue #8474).
 *
 * dW[kh, kw, ci, co] = Σ_{b, oh, ow} x[b, oh·s + kh − padTop, ow·s + kw − padLeft, ci] · dy[b, oh, ow, co]
 *
 * is itself a convolution once batch and channels swap roles: with x read as a batch of `ci`
 * images of `b` channels ([ci, h, w, b]) and dy as a filter of size oh × ow mapping `b` channels
 * to `co` ([oh, ow, b, co]), dilated by the forward stride, the stride-1 convolution gives
 * [ci, kh, kw, co]. So the work runs in the backend's own XNNPACK convolution (the fast path);
 * only transposes surround it. Layers with few input channels take conv-few-channels.ts instead.
 */
import * as tf from '@tensorflow/tfjs';
import {
  type Shape4,
  type TensorInfo,
  type WasmKernelArgs,
  pair,
  release,
  requireChannelsLast,
  runStock,
  transpose,
} from './kernel-utils';
import { filterGradientFewChannels, usesFewChannels } from './conv-few-channels';
import { heapWords, wordOffset } from './heap';

interface Attrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  filterShape: Shape4;
}

export function conv2DBackpropFilter(args: WasmKernelArgs<Attrs>): TensorInfo {
  const { backend, attrs } = args;
  const { x, dy } = args.inputs;
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs;
  requireChannelsLast('Conv2DBackpropFilter', dataFormat);
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as Shape4, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast',
  );
  if (usesFewChannels(info)) return filterGradientFewChannels(backend, x, dy, info);
  return filterGradientByConvolution(backend, x, dy, info);
}

/**
 * The filter gradient of a (non-depthwise, dilation 1) convolution described by `info`, as one
 * XNNPACK convolution of the transposed input with the transposed output gradient.
 */
export function filterGradientByConvolution(
  backend: WasmKernelArgs['backend'],
  x: TensorInfo,
  dy: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): TensorInfo {
  const [strideHeight, strideWidth] = pair([info.strideHeight, info.strideWidth]);
  const { filterHeight, filterWidth, inHeight, inWidth, outHeight, outWidth, inChannels, outChannels } = info;
  const { top, left } = info.padInfo;
  // Pad at the bottom/right only as far as the last filter tap reaches (never below zero): the
  // result then has exactly filterHeight rows, or more (cropped below) when x has unused rows.
  const bottom = Math.max(0, filterHeight + (outHeight - 1) * strideHeight - inHeight - top);
  const right = Math.max(0, filterWidth + (outWidth - 1) * strideWidth - inWidth - left);
  // The stock Conv2D transposes its filter, here dyT seen as [oh·ow·b, co], to [co, oh·ow·b] with a
  // 2-D transpose that thrashes the cache when oh·ow·b is a multiple of 256 (14·14·64 = 12 544,
  // 28·28·64 = 50 176: 1.8 and 9 ms, transpose.ts). One zero image more in x and dy adds nothing to
  // the gradient and moves the row length off that multiple.
  const padBatch = info.batchSize > 0 && (outHeight * outWidth * info.batchSize) % 256 === 0;
  const xs = padBatch ? withZeroImage(backend, x) : x;
  const dys = padBatch ? withZeroImage(backend, dy) : dy;
  const xT = transpose(backend, xs, [3, 1, 2, 0]); // [ci, h, w, b]
  const dyT = transpose(backend, dys, [1, 2, 0, 3]); // [oh, ow, b, co]
  if (padBatch) release(backend, xs, dys);
  const conv = runStock('Conv2D', backend, { x: xT, filter: dyT }, {
    strides: [1, 1],
    dilations: [strideHeight, strideWidth],
    pad: [[0, 0], [top, bottom], [left, right], [0, 0]],
    dataFormat: 'NHWC',
  }); // [ci, ≥kh, ≥kw, co]
  release(backend, xT, dyT);
  let exact = conv;
  if (conv.shape[1] !== filterHeight || conv.shape[2] !== filterWidth) {
    exact = runStock('Slice', backend, { x: conv }, {
      begin: [0, 0, 0, 0],
      size: [inChannels, filterHeight, filterWidth, outChannels],
    });
    release(backend, conv);
  }
  const dW = transpose(backend, exact, [1, 2, 0, 3]); // [kh, kw, ci, co]
  release(backend, exact);
  return dW;
}

/** x [b, …] followed by one image of zeros: [b + 1, …]. */
function withZeroImage(backend: WasmKernelArgs['backend'], x: TensorInfo): TensorInfo {
  const [b, ...rest] = x.shape;
  const out = backend.makeOutput([b + 1, ...rest], 'float32');
  const heap = heapWords(backend);
  const image = rest.reduce((p, d) => p * d, 1);
  const to = wordOffset(backend, out);
  heap.copyWithin(to, wordOffset(backend, x), wordOffset(backend, x) + b * image);
  heap.fill(0, to + b * image, to + (b + 1) * image);
  return out;
}
