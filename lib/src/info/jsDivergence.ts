/**
 * Jensen–Shannon divergence JSD(p ‖ q) = ½ KL(p ‖ M) + ½ KL(q ‖ M) with M = ½(p + q)
 * (lecture 000, "JS Divergence"; Lin 1991).
 *
 * Symmetric, always finite, 0 only when p = q, and at most log 2 (1 bit) — reached when p and q
 * have disjoint supports. The GAN value at the optimal discriminator is C(G) = −log 4 + 2·JSD
 * (Goodfellow et al. 2014, Theorem 1; lecture 000).
 *
 * @see notebooks/01-information-theory
 */
import { checkPair, Distribution } from './distribution';
import { klDivergence } from './klDivergence';

/** The mixture M = ½(p + q). */
export function mixture(p: Distribution, q: Distribution): Float64Array {
  checkPair(p, q);
  const m = new Float64Array(p.length);
  for (let i = 0; i < p.length; i++) m[i] = 0.5 * (p[i] + q[i]);
  return m;
}

/**
 * JSD(p ‖ q) in units of log base `base` (≤ 1 in bits, ≤ ln 2 in nats).
 *
 * @throws RangeError when `p` or `q` is not a distribution, their lengths differ, or `base` is invalid.
 */
export function jsDivergence(p: Distribution, q: Distribution, base = 2): number {
  const m = mixture(p, q);
  return 0.5 * klDivergence(p, m, base) + 0.5 * klDivergence(q, m, base);
}
