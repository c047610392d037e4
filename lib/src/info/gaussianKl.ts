/**
 * KL divergence between Gaussians in closed form (lecture 000 "KL Area to be Integrated";
 * lecture 001: "This KL term (between Gaussians for encoder and z prior) has nice closed-form
 * solution!"; Kingma & Welling 2014, Appendix B).
 *
 *   KL(N(μ₁, σ₁²) ‖ N(μ₂, σ₂²)) = log(σ₂/σ₁) + (σ₁² + (μ₁ − μ₂)²) / (2σ₂²) − ½    [nats]
 *
 * For diagonal Gaussians the dimensions are independent and the KLs add.
 *
 * @see notebooks/01-information-theory
 * @see notebooks/04-vae-elbo
 */
import { logOfBase } from './distribution';

function checkFinite(value: number, argName: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new RangeError(`${argName} must be a finite number; got ${value}`);
  }
}

function checkSigma(value: number, argName: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`${argName} must be a finite standard deviation > 0; got ${value}`);
  }
}

function univariate(mu1: number, sigma1: number, mu2: number, sigma2: number): number {
  const ratio = sigma1 / sigma2;
  const diff = (mu1 - mu2) / sigma2;
  return -Math.log(ratio) + 0.5 * (ratio * ratio + diff * diff) - 0.5;
}

/**
 * KL(N(mu1, sigma1²) ‖ N(mu2, sigma2²)) with standard deviations `sigma1`, `sigma2` (not
 * variances). Numbers give the univariate KL; equal-length arrays give the KL between diagonal
 * Gaussians (the sum over dimensions). Nats by default; pass `base` = 2 for bits.
 *
 * @throws RangeError on non-finite means, non-positive standard deviations or mismatched lengths.
 */
export function gaussianKl(mu1: number, sigma1: number, mu2: number, sigma2: number, base?: number): number;
export function gaussianKl(
  mu1: ArrayLike<number>,
  sigma1: ArrayLike<number>,
  mu2: ArrayLike<number>,
  sigma2: ArrayLike<number>,
  base?: number,
): number;
export function gaussianKl(
  mu1: number | ArrayLike<number>,
  sigma1: number | ArrayLike<number>,
  mu2: number | ArrayLike<number>,
  sigma2: number | ArrayLike<number>,
  base: number = Math.E,
): number {
  const lnBase = logOfBase(base);
  const args = [mu1, sigma1, mu2, sigma2];
  if (args.every((a) => typeof a === 'number')) {
    const [m1, s1, m2, s2] = args as number[];
    checkFinite(m1, 'mu1');
    checkSigma(s1, 'sigma1');
    checkFinite(m2, 'mu2');
    checkSigma(s2, 'sigma2');
    return univariate(m1, s1, m2, s2) / lnBase;
  }
  const names = ['mu1', 'sigma1', 'mu2', 'sigma2'];
  args.forEach((a, i) => {
    if (typeof a === 'number' || a == null || typeof a.length !== 'number') {
      throw new RangeError(`${names[i]} must be an array like the other arguments; got ${String(a)}`);
    }
  });
  const [m1, s1, m2, s2] = args as ArrayLike<number>[];
  const n = m1.length;
  if (n === 0) throw new RangeError('mu1 must not be empty');
  args.forEach((a, i) => {
    if ((a as ArrayLike<number>).length !== n) {
      throw new RangeError(`${names[i]} must have length ${n} (like mu1); got ${(a as ArrayLike<number>).length}`);
    }
  });
  let total = 0;
  for (let d = 0; d < n; d++) {
    checkFinite(m1[d], `mu1[${d}]`);
    checkSigma(s1[d], `sigma1[${d}]`);
    checkFinite(m2[d], `mu2[${d}]`);
    checkSigma(s2[d], `sigma2[${d}]`);
    total += univariate(m1[d], s1[d], m2[d], s2[d]);
  }
  return total / lnBase;
}

/** The Gaussian density N(x; mu, sigma²). */
export function gaussianPdf(x: number, mu: number, sigma: number): number {
  checkSigma(sigma, 'sigma');
  const z = (x - mu) / sigma;
  return Math.exp(-0.5 * z * z) / (sigma * Math.sqrt(2 * Math.PI));
}
