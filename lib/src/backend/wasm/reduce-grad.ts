/**
 * The gradients of Sum and Mean without a tensor of ones.
 *
 * For y = Σ over some axes of x, ∂L/∂x is ∂L/∂y broadcast back over those axes (and for the mean,
 * divided by the number of values averaged). tfjs writes it as dy · ones(x.shape): `ones` fills a
 * JavaScript array of x's size, one value at a time, and copies it into the backend, on every
 * backward pass. Batch normalisation takes two means over [B, H, W] of each activation
 * (`tf.moments`): in a CPU profile of 23 dcgan training steps on 2 threads (`node --cpu-prof`),
 * tfjs's `makeOnesTypedArray` alone took 278 ms of the main thread, and one such gradient on
 * [64, 14, 14, 64] took 2.6–2.9 ms against 0.09–0.13 ms as below. Here the reshaped dy is
 * broadcast by `tf.broadcastTo` (the Tile kernel; genbook's on wasm copies whole blocks, doubling
 * them, data-movement.ts). The values are the same: dy·1 = dy, and the mean's (dy·1)/n = dy/n.
 */
import * as tf from '@tensorflow/tfjs';

interface ReduceAttrs {
  axis: number | number[];
}

/** dy reshaped to x's rank with the reduced axes kept as size 1, and the number of values reduced. */
function expanded(dy: tf.Tensor, x: tf.Tensor, attrs: ReduceAttrs): { dy: tf.Tensor; count: number } {
  const axes = tf.util.parseAxisParam(attrs.axis, x.shape);
  const shape = x.shape.slice();
  for (const a of axes) shape[a] = 1;
  const count = axes.reduce((n, a) => n * x.shape[a], 1);
  const asFloat = dy.dtype === 'float32' ? dy : tf.cast(dy, 'float32');
  return { dy: tf.reshape(asFloat, shape), count };
}

/** The gradient of Sum (dy broadcast) or Mean (dy / n broadcast) over the reduced axes. */
function reduceGradConfig(kernelName: 'Sum' | 'Mean'): tf.GradConfig {
  return {
    kernelName,
    inputsToSave: ['x'],
    gradFunc: (dy, saved, attrs) => {
      const [x] = saved;
      const e = expanded(dy as tf.Tensor, x, attrs as unknown as ReduceAttrs);
      return { x: () => tf.broadcastTo(kernelName === 'Mean' ? tf.div(e.dy, e.count) : e.dy, x.shape) };
    },
  };
}

/** Sum's gradient: dy broadcast over the summed axes (tfjs: dy · ones(x.shape)). */
export const sumGradConfig = reduceGradConfig('Sum');

/** Mean's gradient: dy / n broadcast over the averaged axes (tfjs: dy · ones(x.shape) / n). */
export const meanGradConfig = reduceGradConfig('Mean');
