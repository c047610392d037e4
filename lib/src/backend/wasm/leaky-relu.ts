/**
 * LeakyReLU and its gradient on wasm without branches (Maas et al. 2013; the DCGAN discriminator's
 * activation, α = 0.2, Radford et al. 2016 §3).
 *
 * The stock wasm kernels for LeakyRelu, Greater and Select are scalar loops with a branch on each
 * value's sign. On activations the sign is a coin flip, so the branch mispredicts half the time:
 * on [64, 14, 14, 64] the stock LeakyRelu takes 4.2 ms and tfjs's gradient, where(x > 0, dy, α·dy),
 * 11.8 ms, against 0.19 ms for one Multiply of the same shape; rewritten as below they take 0.29
 * and 0.70 ms (`npx tsx bench/elementwise.ts`, 1 thread, idle machine; bench/results/elementwise.txt). Both are rewritten with the derivative as a step function,
 *   f(x) = x · s(x),   f'(x) = s(x),   s(x) = step(x, α) = 1 if x > 0 else α,
 * which gives the same float32 values (x·1 = x and x·α = α·x exactly, at ±0 and ±∞ alike). One
 * difference: at x = NaN the gradient is NaN (step(NaN) is NaN), where tfjs's gives α·dy; the
 * forward value is NaN in both, so a NaN input is not hidden from the gradient.
 */
import * as tf from '@tensorflow/tfjs';
import { type TensorInfo, type WasmKernelArgs, release, runStock } from './kernel-utils';

interface LeakyReluAttrs {
  alpha: number;
}

/** LeakyRelu as x · step(x, α): two vectorised stock kernels in place of one branching loop. */
export function leakyRelu(args: WasmKernelArgs<LeakyReluAttrs>): TensorInfo {
  const { backend, attrs } = args;
  const { x } = args.inputs;
  if (x.dtype !== 'float32') return runStock('LeakyRelu', backend, args.inputs, attrs);
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
