/**
 * Shannon entropy H(p) = −Σᵢ p(xᵢ) log p(xᵢ) (lecture 000, "엔트로피 (Entropy)"; Shannon 1948).
 *
 * The average number of base-`base` digits an optimal code needs per symbol: no uniquely decodable
 * code has a smaller average length (the source coding theorem), which is why the lecture's 1.82 is
 * impossible for a code that can be decoded.
 *
 * @see notebooks/01-information-theory
 */
import { checkDistribution, Distribution, logOfBase } from './distribution';

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
