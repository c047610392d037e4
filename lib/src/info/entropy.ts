/**
 * Shannon entropy H(p) = −Σᵢ p(xᵢ) log p(xᵢ) (lecture 000, "엔트로피 (Entropy)"; Shannon 1948).
 *
 * The average number of base-`base` digits an optimal code needs per symbol: no uniquely decodable
 * code has a smaller average length (the source coding theorem), which is why the lecture's 1.82 is
 * impossible for a code that can be decoded.
 *
 * @see notebooks/01-information-theory
 */
import { checkDistribution, checkProbabilities, Distribution, logOfBase } from './distribution';

/**
 * H(p) in units of log base `base` (2 → bits, Math.E → nats, 10 → hartleys). Terms with p = 0 are
 * 0 (the limit of p·log p as p → 0).
 *
 * @throws RangeError when `p` is not a distribution or `base` is not a valid log base.
 */
export function entropy(p: Distribution, base = 2): number {
  checkDistribution(p, 'p');
  const lnBase = logOfBase(base);
  let h = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i];
    if (pi > 0) h -= pi * Math.log(pi);
  }
  return h / lnBase + 0; // + 0 turns −0 into 0
}

/**
 * The terms −p(xᵢ) log p(xᵢ) one by one: the "entropy" column of lecture 000's cross-entropy
 * table. The entries need not sum to 1 (the lecture's P*(x) column is a list of per-class
 * probabilities, not a distribution), so only 0 ≤ p ≤ 1 is checked; for a distribution the terms
 * add up to `entropy(p, base)`.
 */
export function entropyTerms(p: ArrayLike<number>, base = 2): Float64Array {
  checkProbabilities(p, 'p');
  const lnBase = logOfBase(base);
  return Float64Array.from({ length: p.length }, (_, i) => (p[i] > 0 ? (-p[i] * Math.log(p[i])) / lnBase + 0 : 0));
}
