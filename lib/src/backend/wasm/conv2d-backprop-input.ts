/**
 * Conv2DBackpropInput for the wasm backend: the gradient of a convolution with respect to its input,
 * which is also the forward pass of a transposed convolution (`tf.layers.conv2dTranspose`).
 *
 * The stock kernel is a scalar loop (≈ 2 GFLOP/s here); this one runs the backend's XNNPACK
 * convolution instead. For stride s, output row i = q·s + r − padTop receives only the filter rows
 * kh ≡ r (mod s), so each of the s_h·s_w output phases (r_h, r_w) is an ordinary stride-1
 * convolution of dy with a sub-filter of ⌈k/s⌉ taps per axis, flipped and with in/out channels
 * swapped ("sub-pixel" decomposition, no zero-stuffed input). All phases share one convolution
 * call (their sub-filters stacked along the output channels) and a final loop interleaves the
 * phases into dx.
 *
 *   dx[b, q·s + r − pt, ·, ci] = Σ_{m, co} dy[b, q − m, ·, co] · W[r + m·s, ·, ci, co]
 */
import * as tf from '@tensorflow/tfjs';
import {
  type BackendWasm,
  type Shape4,
  type TensorInfo,
  type WasmKernelArgs,
  heapF32,
  release,
  requireChannelsLast,
  runStock,
} from './kernel-utils';

interface Attrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: Shape4;
}

/** How the output rows (or columns) of one axis map onto the phase convolution. */
interface AxisPlan {
  stride: number;
  /** Sub-filter taps per phase, ⌈k / s⌉. */
  taps: number;
  /** Index q of the phase convolution's first output row. */
  firstQ: number;
  /** Zero rows added before and after dy. */
  padBefore: number;
  padAfter: number;
  /** Forward padding before the input (padTop or padLeft). */
  forwardPad: number;
  /** Size of dx along this axis. */
  size: number;
}

function planAxis(size: number, outSize: number, filterSize: number, stride: number, forwardPad: number): AxisPlan {
  const taps = Math.ceil(filterSize / stride);
  // q ranges over ⌊pt / s⌋ … ⌊(size − 1 + pt) / s⌋; start early enough that no padding is negative.
  const firstQ = Math.min(Math.floor(forwardPad / stride), taps - 1);
  const lastQ = Math.floor((size - 1 + forwardPad) / stride);
  return {
    stride,
    taps,
    firstQ,
    padBefore: taps - 1 - firstQ,
    padAfter: Math.max(0, lastQ + 1 - outSize),
    forwardPad,
    size,
  };
}

export function conv2DBackpropInput(args: WasmKernelArgs<Attrs>): TensorInfo {
  const { backend, attrs } = args;
  const { dy, filter } = args.inputs;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  requireChannelsLast('Conv2DBackpropInput', dataFormat);
  const info = tf.backend_util.computeConv2DInfo(
    inputShape, filter.shape as Shape4, strides, 1, pad, dimRoundingMode, false, 'channelsLast',
  );
  return inputGradientByPhases(backend, dy, filter, info);
}

/** dx for a dense (not depthwise), dilation-1 convolution described by `info`. */
export function inputGradientByPhases(
  backend: BackendWasm,
  dy: TensorInfo,
  filter: TensorInfo,
  info: tf.backend_util.Conv2DInfo,
): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels } = info;
  const { filterHeight, filterWidth, strideHeight, strideWidth } = info;
  const rows = planAxis(inHeight, outHeight, filterHeight, strideHeight, info.padInfo.top);
  const cols = planAxis(inWidth, outWidth, filterWidth, strideWidth, info.padInfo.left);
  const phases = strideHeight * strideWidth;
  const phaseChannels = phases * inChannels;

  // Stacked sub-filters [tapsH, tapsW, co, phase·ci], flipped: tap j holds filter row r + (taps−1−j)·s.
  const stacked = backend.makeOutput([rows.taps, cols.taps, outChannels, phaseChannels], 'float32');
  {
    const w = heapF32(backend, filter);
    const out = heapF32(backend, stacked);
    out.fill(0);
    for (let rh = 0; rh < strideHeight; rh++) {
      for (let jh = 0; jh < rows.taps; jh++) {
        const kh = rh + (rows.taps - 1 - jh) * strideHeight;
        if (kh >= filterHeight) continue;
        for (let rw = 0; rw < strideWidth; rw++) {
          const phaseOffset = (rh * strideWidth + rw) * inChannels;
          for (let jw = 0; jw < cols.taps; jw++) {
            const kw = rw + (cols.taps - 1 - jw) * strideWidth;
            if (kw >= filterWidth) continue;
            const src = (kh * filterWidth + kw) * inChannels * outChannels;
            const dst = (jh * cols.taps + jw) * outChannels * phaseChannels + phaseOffset;
            for (let ci = 0; ci < inChannels; ci++) {
              const s = src + ci * outChannels;
              for (let co = 0; co < outChannels; co++) out[dst + co * phaseChannels + ci] = w[s + co];
            }
          }
        }
      }
    }
  }
  const phased = runStock('Conv2D', backend, { x: dy, filter: stacked }, {
    strides: [1, 1],
    dilations: [1, 1],
    pad: [[0, 0], [rows.padBefore, rows.padAfter], [cols.padBefore, cols.padAfter], [0, 0]],
    dataFormat: 'NHWC',
  }); // [b, qh, qw, phase·ci]
  release(backend, stacked);

  const [, qRows, qCols] = phased.shape;
  if (phases === 1 && rows.firstQ === rows.forwardPad && cols.firstQ === cols.forwardPad && qRows === inHeight && qCols === inWidth) {
    return phased; // stride 1: the single phase is dx itself
  }
  const dx = backend.makeOutput([batchSize, inHeight, inWidth, inChannels], 'float32');
  const src = heapF32(backend, phased);
  const dst = heapF32(backend, dx);
  for (let b = 0; b < batchSize; b++) {
    for (let qi = 0; qi < qRows; qi++) {
      for (let rh = 0; rh < strideHeight; rh++) {
        const i = (rows.firstQ + qi) * strideHeight + rh - rows.forwardPad;
        if (i < 0 || i >= inHeight) continue;
        const dstRow = (b * inHeight + i) * inWidth;
        const srcRow = (b * qRows + qi) * qCols;
        for (let qj = 0; qj < qCols; qj++) {
          for (let rw = 0; rw < strideWidth; rw++) {
            const j = (cols.firstQ + qj) * strideWidth + rw - cols.forwardPad;
            if (j < 0 || j >= inWidth) continue;
            const d = (dstRow + j) * inChannels;
            const s = (srcRow + qj) * phaseChannels + (rh * strideWidth + rw) * inChannels;
            for (let c = 0; c < inChannels; c++) dst[d + c] = src[s + c];
          }
        }
      }
    }
  }
  release(backend, phased);
  return dx;
}
