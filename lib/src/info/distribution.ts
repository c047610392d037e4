/**
 * Probability vectors and logarithm bases shared by the information-theory functions.
 *
 * A distribution is any array-like of non-negative finite numbers that sums to 1 within 1e-6.
 * Anything else is a RangeError naming the argument, so a typo in a notebook fails loudly instead
 * of producing a plausible-looking number.
 *
 * @see notebooks/01-information-theory
 */

/** A discrete probability distribution: p[i] ≥ 0 and Σ p[i] = 1 (within 1e-6). */
export type Distribution = ArrayLike<number>;

/** Tolerance on Σ p = 1. */
export const SUM_TOLERANCE = 1e-6;

/** Throws a RangeError naming `argName` unless `p` is a distribution. */
export function checkDistribution(p: Distribution, argName: string): void {
  if (p == null || typeof p.length !== 'number') {
    throw new RangeError(`${argName} must be an array of probabilities; got ${String(p)}`);
  }
  if (p.length === 0) throw new RangeError(`${argName} must not be empty`);
  let total = 0;
  for (let i = 0; i < p.length; i++) {
    const v = p[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new RangeError(`${argName}[${i}] must be a finite probability >= 0; got ${v}`);
    }
    total += v;
  }
  if (Math.abs(total - 1) > SUM_TOLERANCE) {
    throw new RangeError(`${argName} must sum to 1 (within ${SUM_TOLERANCE}); it sums to ${total}`);
  }
}

/** Throws unless `p` and `q` are distributions over the same number of outcomes. */
export function checkPair(p: Distribution, q: Distribution, pName = 'p', qName = 'q'): void {
  checkDistribution(p, pName);
  checkDistribution(q, qName);
  if (p.length !== q.length) {
    throw new RangeError(`${pName} and ${qName} must have the same length; got ${p.length} and ${q.length}`);
  }
}

/**
 * ln(base), checked: the base of a logarithm must be a finite number > 0 and ≠ 1.
 * Base 2 gives bits, Math.E nats, 10 "hartleys" (the lecture's cross-entropy table uses base 10).
 */
export function logOfBase(base: number): number {
  if (typeof base !== 'number' || !Number.isFinite(base) || base <= 0 || base === 1) {
    throw new RangeError(`base must be a finite number > 0 and != 1; got ${base}`);
  }
  return Math.log(base);
}

/** Normalises non-negative weights (counts or probabilities) to a distribution. */
export function normalize(weights: ArrayLike<number>, argName = 'weights'): Float64Array {
  if (weights == null || typeof weights.length !== 'number' || weights.length === 0) {
    throw new RangeError(`${argName} must be a non-empty array of non-negative numbers`);
  }
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    const v = weights[i];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) {
      throw new RangeError(`${argName}[${i}] must be a finite number >= 0; got ${v}`);
    }
    total += v;
  }
  if (!(total > 0)) throw new RangeError(`${argName} must have a positive total; got ${total}`);
  const out = new Float64Array(weights.length);
  for (let i = 0; i < weights.length; i++) out[i] = weights[i] / total;
  return out;
}

/** Throws unless every entry of `p` is a probability in [0, 1] (no sum requirement). */
export function checkProbabilities(p: ArrayLike<number>, argName: string): void {
  if (p == null || typeof p.length !== 'number' || p.length === 0) {
    throw new RangeError(`${argName} must be a non-empty array of probabilities; got ${String(p)}`);
  }
  for (let i = 0; i < p.length; i++) {
    const v = p[i];
    if (typeof v !== 'number' || !(v >= 0 && v <= 1)) {
      throw new RangeError(`${argName}[${i}] must be a probability in [0, 1]; got ${v}`);
    }
  }
}
