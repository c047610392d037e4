/**
 * LeakyReLU and its gradient on wasm without branches (Maas et al. 2013; the DCGAN discriminator's
 * activation, α = 0.2, Radford et al. 2016 §3).
 *
 * The stock wasm kernels for LeakyRelu, Greater and Select are scalar loops with a branch on each
 * value's sign. On activations the sign is a coin flip, so the branch mispredicts half the time:
 * on [64, 14, 14, 64] the stock LeakyRelu takes 3.5 ms and tfjs's gradient, where(x > 0, dy, α·dy),
 * 7.5–8.3 ms, against 0.11–0.15 ms for one Multiply of the same shape. Here
 *   f(x) = PReLU(x) with every slope α (XNNPACK's kernel in this build: max(x, 0) + α·min(x, 0)),
 *   f'(x) = s(x),   s(x) = step(x, α) = 1 if x > 0 else α,
 * take 0.12 and 0.40 ms on 1 thread, 0.07 and 0.33 ms on 2 (PReLU's rows are the thread pool's
 * tasks; `npx tsx bench/elementwise.ts`, idle machine; bench/results/elementwise.txt). Until
 * 2026-12-07 the forward pass was x·s(x), two kernels on one thread (0.23 ms on 1 or 2 threads).
 * The values are the stock kernels' (x and α·x exactly, at ±∞ alike) but for two things: where
 * α·x is −0 (x = −0, or a negative x so small that α·x underflows) PReLU gives +0; and at x = NaN
 * the gradient is NaN (step(NaN) is NaN), where tfjs's gives α·dy; the forward value is NaN in
 * both, so a NaN input is not hidden from the gradient.
 */
import * as tf from '@tensorflow/tfjs';
import { type TensorInfo, type WasmKernelArgs, heapF32, release, runStock } from './kernel-utils';
import { sizeOf } from './heap';

interface LeakyReluAttrs {
  alpha: number;
}

/** Widest row (values) and narrowest row the Prelu path uses (see preluRow). */
const PRELU_ROW_MAX = 512;
const PRELU_ROW_MIN = 16;

/**
 * The row length for running LeakyRelu as XNNPACK's PReLU with every slope α: the largest divisor
 * of the size in [PRELU_ROW_MIN, PRELU_ROW_MAX] (any split works, as all slopes are equal), or 0
 * when there is none (then x·step(x, α)).
 */
export function preluRow(size: number): number {
  for (let row = PRELU_ROW_MAX; row >= PRELU_ROW_MIN; row--) if (size % row === 0) return row;
  return 0;
}

/**
 * LeakyRelu as XNNPACK's PReLU with a row of slopes all α: one vectorised kernel that the threaded
 * build runs on every thread (rows are its tasks); a result of −0 comes out +0. Where the size has
 * no row length, x · step(x, α): two vectorised stock kernels on one thread, bit for bit the stock
 * kernel's values.
 */
export function leakyRelu(args: WasmKernelArgs<LeakyReluAttrs>): TensorInfo {
  const { backend, attrs } = args;
  const { x } = args.inputs;
  if (x.dtype !== 'float32') return runStock('LeakyRelu', backend, args.inputs, attrs);
  const row = preluRow(sizeOf(x.shape));
  if (row > 0) {
    const slopes = backend.makeOutput([row], 'float32');
    heapF32(backend, slopes).fill(attrs.alpha);
    const out = runStock('Prelu', backend, { x, alpha: slopes });
    release(backend, slopes);
    return out;
  }
  const slope = runStock('Step', backend, { x }, { alpha: attrs.alpha });
  const out = runStock('Multiply', backend, { a: x, b: slope });
  release(backend, slope);
  return out;
}

/** LeakyRelu's gradient as dy · step(x, α) (tfjs's own is where(greater(x, 0), dy, mul(dy, α))). */
export const leakyReluGradConfig: tf.GradConfig = {
  kernelName: 'LeakyRelu',
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const { alpha } = attrs as unknown as LeakyReluAttrs;
    const single = dy as tf.Tensor;
    return { x: () => tf.mul(single, tf.step(x.dtype === 'float32' ? x : tf.cast(x, 'float32'), alpha)) };
  },
};
