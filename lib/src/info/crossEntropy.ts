/**
 * Cross-entropy H(P*, P) = −Σᵢ P*(i) log P(i) (lecture 000, "Cross Entropy", P* the true class
 * distribution, P the predicted one).
 *
 * The average code length when symbols drawn from P* are coded with a code that is optimal for P.
 * It is never below the entropy H(P*), and the excess is the KL divergence.
 *
 * @see notebooks/01-information-theory
 */
import { checkPair, Distribution, logOfBase } from './distribution';

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
