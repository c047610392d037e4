/**
 * Kullback–Leibler divergence D_KL(P ‖ Q) = Σᵢ p(xᵢ) log p(xᵢ) − Σᵢ p(xᵢ) log q(xᵢ)
 * (lecture 000, "KL Divergence": minus the entropy plus the cross-entropy; Kullback & Leibler 1951).
 *
 * KL(P ‖ Q) = H(P, Q) − H(P) ≥ 0 (Gibbs' inequality), zero only when P = Q, and not symmetric.
 *
 * @see notebooks/01-information-theory
 */
import { checkPair, Distribution, logOfBase } from './distribution';

/**
 * D_KL(p ‖ q) in units of log base `base`. Computed term by term as p·log(p/q) (no cancellation
 * between two large sums). Terms with p = 0 are 0; any term with p > 0 and q = 0 makes it Infinity.
 *
 * @throws RangeError when `p` or `q` is not a distribution, their lengths differ, or `base` is invalid.
 */
export function klDivergence(p: Distribution, q: Distribution, base = 2): number {
  checkPair(p, q);
  const lnBase = logOfBase(base);
  let d = 0;
  for (let i = 0; i < p.length; i++) {
    const pi = p[i];
    if (pi === 0) continue;
    if (q[i] === 0) return Infinity;
    d += pi * Math.log(pi / q[i]);
  }
  // Rounding can leave a tiny negative number when p = q; KL is never negative.
  return Math.max(0, d / lnBase);
}
