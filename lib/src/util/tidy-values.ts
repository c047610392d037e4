/**
 * Read a computed tensor's values without the cost of returning them from `tf.tidy`.
 *
 * `tf.tidy(fn)` walks what `fn` returns for tensors to keep, and it walks a typed array index by
 * index (tfjs-core 4.22 `walkTensorContainer`: a typed array is an object, so every element is
 * visited and added to a Set). Returning `x.dataSync()` from a tidy therefore costs time in
 * proportion to the values, more when they are all distinct (each is added to a Set):
 * `npx tsx bench/tidy-walk.ts` measures 0.3–1.2 µs per value here: 360 ms for the DDPM U-Net's
 * 465 476 gradient values, which a data-parallel worker returned that way every step; 2.3 s for 7.84
 * million MNIST-like pixels (256 levels), as many as the test set that notebook 03 read that way.
 * `tidyValues` runs `fn` in a tidy that returns the tensor, reads the values outside it, and
 * disposes the tensor.
 */
import * as tf from '@tensorflow/tfjs';

/** The values of the tensor `fn` computes (its intermediates and the tensor itself disposed). */
export function tidyValues(fn: () => tf.Tensor): tf.TypedArray {
  const result = tf.tidy(fn);
  try {
    return result.dataSync() as tf.TypedArray;
  } finally {
    result.dispose();
  }
}
