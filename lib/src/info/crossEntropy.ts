/**
 * Cross-entropy H(P*, P) = −Σᵢ P*(i) log P(i) (lecture 000, "Cross Entropy", P* the true class
 * distribution, P the predicted one).
 *
 * The average code length when symbols drawn from P* are coded with a code that is optimal for P.
 * It is never below the entropy H(P*), and the excess is the KL divergence.
 *
 * @see notebooks/01-information-theory
 */
import { checkPair, checkProbabilities, Distribution, logOfBase } from './distribution';

/**
 * H(p, q) in units of log base `base`. Terms with p = 0 are 0; a term with p > 0 and q = 0 makes
 * the cross-entropy Infinity (an event the model calls impossible happens).
 *
 * @param p the true distribution P*
 * @param q the model (predicted) distribution P
 * @throws RangeError when `p` or `q` is not a distribution, their lengths differ, or `base` is invalid.
 */
export function crossEntropy(p: Distribution, q: Distribution, base = 2): number {
  checkPair(p, q);
  const lnBase = logOfBase(base);
  let h = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i];
    if (pi === 0) continue;
    if (q[i] === 0) return Infinity;
    h -= pi * Math.log(q[i]);
  }
  return h / lnBase + 0;
}

/**
 * The terms −P*(i) log P(i) one by one: the "cross-entropy" column of lecture 000's table. Only
 * 0 ≤ p, q ≤ 1 and equal lengths are checked (the lecture's columns are per-class values that do
 * not sum to 1); for distributions the terms add up to `crossEntropy(p, q, base)`.
 */
export function crossEntropyTerms(p: ArrayLike<number>, q: ArrayLike<number>, base = 2): Float64Array {
  checkProbabilities(p, 'p');
  checkProbabilities(q, 'q');
  if (p.length !== q.length) throw new RangeError(`p and q must have the same length; got ${p.length} and ${q.length}`);
  const lnBase = logOfBase(base);
  return Float64Array.from({ length: p.length }, (_, i) => {
    if (p[i] === 0) return 0;
    if (q[i] === 0) return Infinity;
    return (-p[i] * Math.log(q[i])) / lnBase + 0;
  });
}
