/**
 * Argument checks shared by the library: each throws a RangeError that names the argument, says
 * what was expected and shows what arrived (design.md, "Probabilities in, clear errors out").
 * One home for them, so a message reads the same wherever the check is made.
 */
import type * as tf from '@tensorflow/tfjs';

/** `value` must be an integer ≥ 1: "<argName> must be a positive integer; got <value>". */
export function checkPositiveInt(value: number, argName: string): void {
  if (!Number.isInteger(value) || value < 1) throw new RangeError(`${argName} must be a positive integer; got ${value}`);
}

/** `value` must be an integer in [min, max]: "<argName> must be an integer in [min, max]; got <value>". */
export function checkIntInRange(value: number, argName: string, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${argName} must be an integer in [${min}, ${max}]; got ${value}`);
  }
}

/**
 * Two tensors must have the same shape; the error names both (argument order: each tensor followed
 * by its name, as in `checkSameShape(x0, 'x0', eps, 'eps')`).
 */
export function checkSameShape(a: tf.Tensor, aName: string, b: tf.Tensor, bName: string): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new RangeError(`${aName} and ${bName} must have the same shape; got [${a.shape}] and [${b.shape}]`);
  }
}
