/**
 * Conv2DBackpropInput for the wasm backend: the gradient of a convolution with respect to its input,
 * which is also the forward pass of a transposed convolution (`tf.layers.conv2dTranspose`).
 *
 * The stock kernel is a scalar loop (≈ 2 GFLOP/s here); this one runs the backend's XNNPACK
 * convolution instead. For stride s, output row i = q·s + r − padTop receives only the filter rows
 * kh ≡ r (mod s), so each of the s_h·s_w output phases (r_h, r_w) is an ordinary stride-1
 * convolution of dy with a sub-filter of ⌈k/s⌉ taps per axis, flipped and with in/out channels
 * swapped ("sub-pixel" decomposition, no zero-stuffed input). Each phase is one convolution
 * call with its own sub-filter, and a loop writes its rows and columns into their places in dx.
 *
 *   dx[b, q·s + r − pt, ·, ci] = Σ_{m, co} dy[b, q − m, ·, co] · W[r + m·s, ·, ci, co]
 *
 * Every sub-filter is a new filter to the stock Conv2D, which transposes it from
 * [taps·co, ci] to [ci, taps·co] before XNNPACK packs it, and that transpose thrashes the cache when
 * taps·co is a multiple of 256 (as in transpose.ts): a new [2, 2, 128, 64] filter costs 6.6–7.3 ns a
 * value against 2.4–2.6 ns for [2, 2, 129, 64] (`npx tsx bench/filter-setup.ts`). Where that costs
 * more than a copy of dy (padsDyChannel), dy gets one more channel of zeros (the stock PadV2)
 * and every sub-filter a zero row for it: the sums are the same.
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
  transpose,
} from './kernel-utils';
import { copyWords, heapWords, wordOffset } from './heap';
import { inputGradientFewChannels, usesFewChannels } from './conv-few-channels';

interface Attrs {
  strides: number | [number, number];
  pad: 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;
  dataFormat?: 'NHWC' | 'NCHW';
  dimRoundingMode?: 'floor' | 'round' | 'ceil';
  inputShape: Shape4;
}

/** Rows (or columns) of one output phase r: dx index i = q·s + r − pad for q = firstQ, firstQ + 1, … */
interface PhaseAxis {
  /** Filter taps of this phase (filter rows r, r + s, r + 2s, … below the filter size); 0 = no taps. */
  taps: number;
  /** q of the phase convolution's first output row. */
  firstQ: number;
  /** Zero rows before and after dy in the phase convolution (never negative). */
  padBefore: number;
  padAfter: number;
  /** Output rows of the phase convolution (rows outside dx are dropped when interleaving). */
  count: number;
}

function phaseAxis(r: number, size: number, outSize: number, filterSize: number, stride: number, forwardPad: number): PhaseAxis {
  const taps = r < filterSize ? Math.ceil((filterSize - r) / stride) : 0;
  // q with 0 ≤ q·s + r − pad < size.
  const firstNeeded = Math.ceil((forwardPad - r) / stride);
  const lastNeeded = Math.floor((size - 1 + forwardPad - r) / stride);
  // Start no later than taps − 1 so that no padding is negative (extra rows are dropped).
  const firstQ = Math.min(firstNeeded, taps - 1);
  const padBefore = taps - 1 - firstQ;
  const padAfter = Math.max(0, lastNeeded + 1 - outSize);
  return { taps, firstQ, padBefore, padAfter, count: outSize + padBefore + padAfter - taps + 1 };
}

export function conv2DBackpropInput(args: WasmKernelArgs<Attrs>): TensorInfo {
  const { backend, attrs } = args;
  const { dy, filter } = args.inputs;
  const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs;
  requireChannelsLast('Conv2DBackpropInput', dataFormat);
  const info = tf.backend_util.computeConv2DInfo(
    inputShape, filter.shape as Shape4, strides, 1, pad, dimRoundingMode, false, 'channelsLast',
  );
  if (usesFewChannels(info)) return inputGradientFewChannels(backend, dy, filter, info);
  if (!phasesCover(info)) return runStock('Conv2DBackpropInput', backend, args.inputs, attrs);
  return inputGradientByPhases(backend, dy, filter, info);
}

/** Whether every phase convolution has at least one output row and column (false only for padding
 * far larger than the filter, which the stock kernel then handles). */
function phasesCover(info: tf.backend_util.Conv2DInfo): boolean {
  const { inHeight, inWidth, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  for (let r = 0; r < strideHeight; r++) {
    const a = phaseAxis(r, inHeight, outHeight, filterHeight, strideHeight, info.padInfo.top);
    if (a.taps > 0 && a.count <= 0) return false;
  }
  for (let r = 0; r < strideWidth; r++) {
    const a = phaseAxis(r, inWidth, outWidth, filterWidth, strideWidth, info.padInfo.left);
    if (a.taps > 0 && a.count <= 0) return false;
  }
  return true;
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
  const { top, left } = info.padInfo;
  const padChannel = padsDyChannel(info);
  // Channels of the phase convolutions' input: dy's, and one of zeros where padChannel.
  const co = outChannels + (padChannel ? 1 : 0);
  const dyIn = padChannel ? runStock('PadV2', backend, { x: dy }, { paddings: [[0, 0], [0, 0], [0, 0], [0, 1]], constantValue: 0 }) : dy;
  // The filter with in and out channels swapped, [k_h, k_w, co, ci]: every phase's taps are blocks of it.
  const wT = transpose(backend, filter, [0, 1, 3, 2]);
  const dx = backend.makeOutput([batchSize, inHeight, inWidth, inChannels], 'float32');
  // Every phase with taps writes all of its rows and columns of dx; those of a phase without taps
  // (a filter smaller than the stride) stay zero. (A fill of the threaded build's shared memory is
  // slow, 0.18 ms for dcgan's 800 K values against 0.02 unshared: `npx tsx bench/shared-memory.ts`.)
  if (hasPhaseWithoutTaps(info)) heapF32(backend, dx).fill(0);

  for (let rh = 0; rh < strideHeight; rh++) {
    const rows = phaseAxis(rh, inHeight, outHeight, filterHeight, strideHeight, top);
    if (rows.taps === 0) continue;
    for (let rw = 0; rw < strideWidth; rw++) {
      const cols = phaseAxis(rw, inWidth, outWidth, filterWidth, strideWidth, left);
      if (cols.taps === 0) continue;
      // Sub-filter [tapsH, tapsW, co, ci], flipped: tap j holds filter row r + (taps − 1 − j)·s,
      // each tap a contiguous [outChannels, ci] block of wT (then a zero row where padChannel).
      const sub = backend.makeOutput([rows.taps, cols.taps, co, inChannels], 'float32');
      {
        const heap = heapWords(backend);
        const from = wordOffset(backend, wT);
        const to = wordOffset(backend, sub);
        const block = outChannels * inChannels;
        for (let jh = 0; jh < rows.taps; jh++) {
          const kh = rh + (rows.taps - 1 - jh) * strideHeight;
          for (let jw = 0; jw < cols.taps; jw++) {
            const kw = rw + (cols.taps - 1 - jw) * strideWidth;
            const tap = to + (jh * cols.taps + jw) * co * inChannels;
            copyWords(heap, tap, from + (kh * filterWidth + kw) * block, block);
            if (padChannel) heap.fill(0, tap + block, tap + block + inChannels);
          }
        }
      }
      const phase = runStock('Conv2D', backend, { x: dyIn, filter: sub }, {
        strides: [1, 1],
        dilations: [1, 1],
        pad: [[0, 0], [rows.padBefore, rows.padAfter], [cols.padBefore, cols.padAfter], [0, 0]],
        dataFormat: 'NHWC',
      }); // [b, rows.count, cols.count, ci]
      release(backend, sub);
      const exact =
        strideHeight * strideWidth === 1 &&
        rows.firstQ === top && cols.firstQ === left && rows.count === inHeight && cols.count === inWidth;
      if (exact) {
        release(backend, dx, wT);
        if (padChannel) release(backend, dyIn);
        return phase; // stride 1: the one phase is dx itself
      }
      interleave(backend, phase, dx, rows, cols, rh, rw, info);
      release(backend, phase);
    }
  }
  release(backend, wT);
  if (padChannel) release(backend, dyIn);
  return dx;
}

/**
 * Whether dy gets a channel of zeros: where sub-filters have taps·co rows, a multiple of 256 (the
 * stock Conv2D's filter transpose then thrashes the cache, transpose.ts), and are large enough
 * that this costs more than copying dy. A new filter costs about 4.5 ns a value more there
 * (`npx tsx bench/filter-setup.ts`), the copy about 0.5 ns a value of dy: padding pays when such
 * sub-filters hold at least 1/8 as many values as dy. (dcgan: 131 072 values against dy's
 * 401 408; conv-vae's one 2 × 2-tap phase of 64 → 32 channels, 8 192 against 401 408, does not.)
 */
export function padsDyChannel(info: tf.backend_util.Conv2DInfo): boolean {
  const { inHeight, inWidth, outHeight, outWidth, filterHeight, filterWidth, strideHeight, strideWidth, inChannels, outChannels } = info;
  let aliased = 0;
  for (let rh = 0; rh < strideHeight; rh++) {
    const rows = phaseAxis(rh, inHeight, outHeight, filterHeight, strideHeight, info.padInfo.top).taps;
    for (let rw = 0; rw < strideWidth; rw++) {
      const cols = phaseAxis(rw, inWidth, outWidth, filterWidth, strideWidth, info.padInfo.left).taps;
      if (rows > 0 && cols > 0 && (rows * cols * outChannels) % 256 === 0) aliased += rows * cols * outChannels * inChannels;
    }
  }
  return aliased > 0 && aliased * 8 >= info.batchSize * outHeight * outWidth * outChannels;
}

/** Whether some output phase (r_h, r_w) receives no filter taps (filter size below the stride on an axis). */
function hasPhaseWithoutTaps(info: tf.backend_util.Conv2DInfo): boolean {
  return info.filterHeight < info.strideHeight || info.filterWidth < info.strideWidth;
}

/** Write phase (rh, rw)'s rows and columns into their places in dx, dropping those outside. */
function interleave(
  backend: BackendWasm,
  phase: TensorInfo,
  dx: TensorInfo,
  rows: PhaseAxis,
  cols: PhaseAxis,
  rh: number,
  rw: number,
  info: tf.backend_util.Conv2DInfo,
): void {
  const { batchSize, inHeight, inWidth, inChannels, strideHeight, strideWidth } = info;
  const { top, left } = info.padInfo;
  const heap = heapWords(backend);
  const src0 = wordOffset(backend, phase);
  const dst0 = wordOffset(backend, dx);
  // Column range of this phase that lands inside dx.
  let qjStart = 0;
  while (qjStart < cols.count && (cols.firstQ + qjStart) * strideWidth + rw - left < 0) qjStart++;
  let qjEnd = cols.count;
  while (qjEnd > qjStart && (cols.firstQ + qjEnd - 1) * strideWidth + rw - left >= inWidth) qjEnd--;
  for (let b = 0; b < batchSize; b++) {
    for (let qi = 0; qi < rows.count; qi++) {
      const i = (rows.firstQ + qi) * strideHeight + rh - top;
      if (i < 0 || i >= inHeight) continue;
      const srcRow = src0 + ((b * rows.count + qi) * cols.count) * inChannels;
      const dstRow = dst0 + (b * inHeight + i) * inWidth * inChannels;
      for (let qj = qjStart; qj < qjEnd; qj++) {
        const j = (cols.firstQ + qj) * strideWidth + rw - left;
        copyWords(heap, dstRow + j * inChannels, srcRow + qj * inChannels, inChannels);
      }
    }
  }
}
