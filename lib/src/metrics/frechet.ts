/**
 * The Fréchet distance between two Gaussians (Dowson & Landau 1982), the formula behind FID
 * (Heusel et al. 2017, "GANs Trained by a Two Time-Scale Update Rule Converge to a Local Nash
 * Equilibrium", eq. 6; lecture 004 "Frechet Inception Distance", lecture 002 "FID score"):
 *
 *   d²(N(μ₁, Σ₁), N(μ₂, Σ₂)) = ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2 (Σ₁ Σ₂)^{1/2})
 *
 * The matrix square root. Σ₁Σ₂ is not symmetric, so a general `sqrtm` (scipy's Schur method) can
 * return complex values or NaN when a covariance is singular — the usual case when there are fewer
 * samples than feature dimensions. Here we use the similar symmetric matrix instead:
 *
 *   tr (Σ₁ Σ₂)^{1/2} = tr (Σ₁^{1/2} Σ₂ Σ₁^{1/2})^{1/2}
 *
 * (Σ₁Σ₂ = Σ₁^{1/2} · (Σ₁^{1/2} Σ₂ Σ₁^{1/2}) · Σ₁^{−1/2} on the range of Σ₁, so both have the same
 * eigenvalues, all ≥ 0). Both square roots are taken by the symmetric eigen-decomposition of
 * `linalg.symmetricEigen` in Float64, with eigenvalues that rounding pushed below zero clipped to 0,
 * so the result is always finite and real.
 *
 * No offset by default. The eigen route needs no ε·I: √Σ₁ and the eigenvalues of √Σ₁ Σ₂ √Σ₁ exist for
 * every PSD pair, singular or not, so the default (`eps: 0`) is the exact formula. pytorch-fid
 * (`calculate_frechet_distance`) takes scipy's `sqrtm(Σ₁Σ₂)` and adds ε = 1e-6 to both diagonals
 * only when that square root is not finite; on the pairs where its square root succeeds — including
 * rank-deficient Σ₁ — the default here agrees with it to ~1e-9 relative (tests/lib/metrics.test.ts,
 * reference values from tests/fixtures/fid/make-frechet-reference.py). Pass `eps: 1e-6` to add the
 * offset always, as genbook did before: for diagonal covariances it changes each term (√a − √b)² to
 * (√(a+ε) − √(b+ε))², about 3·10⁻⁴ relative on a d = 16, rank-8 Σ₁ (issue 22).
 *
 * @see notebooks/11-evaluation
 */
import { Matrix, MatrixLike, toMatrix, matMul } from '../linalg/matrix';
import { symmetricEigen } from '../linalg/symmetricEigen';

export interface FrechetOptions {
  /** ε added to the diagonal of both covariances (see the file comment). Default 0: the exact formula. */
  eps?: number;
}

/** The three terms of the Fréchet distance, and their total. */
export interface FrechetTerms {
  /** ‖μ₁ − μ₂‖². */
  meanTerm: number;
  /** tr Σ₁ + tr Σ₂ − 2 tr (Σ₁Σ₂)^{1/2} (≥ 0; rounding below 0 is clipped). */
  covarianceTerm: number;
  /** tr (Σ₁Σ₂)^{1/2}. */
  traceSqrtProduct: number;
  /** meanTerm + covarianceTerm: the squared Fréchet distance (what FID reports). */
  distance: number;
}

function checkVector(v: ArrayLike<number>, argName: string): Float64Array {
  if (v == null || typeof v.length !== 'number') throw new RangeError(`${argName} must be an array of numbers`);
  const out = Float64Array.from(v);
  out.forEach((x, i) => {
    if (!Number.isFinite(x)) throw new RangeError(`${argName}[${i}] must be finite; got ${x}`);
  });
  return out;
}

function checkCovariance(s: MatrixLike, d: number, argName: string): Matrix {
  const m = toMatrix(s, argName);
  if (m.rows !== d || m.cols !== d) throw new RangeError(`${argName} must be ${d}×${d} (the length of the means); got ${m.rows}×${m.cols}`);
  let maxAbs = 0;
  for (const x of m.data) maxAbs = Math.max(maxAbs, Math.abs(x));
  for (let i = 0; i < d; i++) {
    for (let j = i + 1; j < d; j++) {
      if (Math.abs(m.data[i * d + j] - m.data[j * d + i]) > 1e-8 * Math.max(maxAbs, 1e-300)) {
        throw new RangeError(`${argName} must be symmetric; ${argName}[${i}][${j}] = ${m.data[i * d + j]} but ${argName}[${j}][${i}] = ${m.data[j * d + i]}`);
      }
    }
  }
  return m;
}

/** (A + Aᵀ)/2 with `shift` added to the diagonal: a new matrix. */
function symmetrised(a: Matrix, shift = 0): Matrix {
  const n = a.rows;
  const out = new Matrix(n, n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) out.data[i * n + j] = 0.5 * (a.data[i * n + j] + a.data[j * n + i]);
    out.data[i * n + i] += shift;
  }
  return out;
}

/**
 * The symmetric positive semi-definite square root of a symmetric matrix: V·diag(√max(λ, 0))·Vᵀ.
 * Eigenvalues below zero (rounding, or a matrix that is not quite PSD) are clipped to 0.
 */
export function sqrtmPsd(A: MatrixLike): Matrix {
  const m = symmetrised(toMatrix(A, 'A'));
  const n = m.rows;
  if (m.cols !== n) throw new RangeError(`A must be square; got ${m.rows}×${m.cols}`);
  const { values, vectors } = symmetricEigen(m);
  const out = new Matrix(n, n);
  for (let k = 0; k < n; k++) {
    const root = Math.sqrt(Math.max(values[k], 0));
    if (root === 0) continue;
    const v = vectors[k];
    for (let i = 0; i < n; i++) {
      const vi = root * v[i];
      if (vi === 0) continue;
      for (let j = 0; j < n; j++) out.data[i * n + j] += vi * v[j];
    }
  }
  return out;
}

/** tr (Σ₁Σ₂)^{1/2} = Σₖ √λₖ(Σ₁^{1/2} Σ₂ Σ₁^{1/2}), negative rounding eigenvalues clipped to 0. */
function traceSqrtOfProduct(sigma1: Matrix, sigma2: Matrix): number {
  const root1 = sqrtmPsd(sigma1);
  const inner = symmetrised(matMul(matMul(root1, sigma2), root1));
  const { values } = symmetricEigen(inner);
  let trace = 0;
  for (const v of values) trace += Math.sqrt(Math.max(v, 0));
  return trace;
}

/**
 * The squared Fréchet distance between N(mu1, sigma1) and N(mu2, sigma2), split into its terms.
 *
 * @throws RangeError when the means differ in length, a covariance is not d×d and symmetric, an
 *   entry is not finite, or eps is negative.
 */
export function frechetTerms(
  mu1: ArrayLike<number>,
  sigma1: MatrixLike,
  mu2: ArrayLike<number>,
  sigma2: MatrixLike,
  options: FrechetOptions = {},
): FrechetTerms {
  const eps = options.eps ?? 0;
  if (!(eps >= 0) || !Number.isFinite(eps)) throw new RangeError(`eps must be a finite number >= 0; got ${eps}`);
  const m1 = checkVector(mu1, 'mu1');
  const m2 = checkVector(mu2, 'mu2');
  if (m1.length !== m2.length) throw new RangeError(`mu1 and mu2 must have the same length; got ${m1.length} and ${m2.length}`);
  const d = m1.length;
  if (d === 0) throw new RangeError('mu1 must not be empty');
  const s1 = symmetrised(checkCovariance(sigma1, d, 'sigma1'), eps);
  const s2 = symmetrised(checkCovariance(sigma2, d, 'sigma2'), eps);
  let meanTerm = 0;
  for (let i = 0; i < d; i++) meanTerm += (m1[i] - m2[i]) ** 2;
  let traces = 0;
  for (let i = 0; i < d; i++) traces += s1.data[i * d + i] + s2.data[i * d + i];
  const traceSqrtProduct = traceSqrtOfProduct(s1, s2);
  // tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^{1/2}) is the squared 2-Wasserstein distance of the centred Gaussians, so it is
  // ≥ 0; clip the −1e-13 that rounding can leave when Σ₁ = Σ₂.
  const covarianceTerm = Math.max(0, traces - 2 * traceSqrtProduct);
  return { meanTerm, covarianceTerm, traceSqrtProduct, distance: meanTerm + covarianceTerm };
}

/**
 * The squared Fréchet distance ‖μ₁ − μ₂‖² + tr(Σ₁ + Σ₂ − 2(Σ₁Σ₂)^{1/2}) (Heusel et al. 2017 eq. 6;
 * the value FID reports). Float64, exact (no ε·I offset unless `options.eps` is given), finite and
 * real for singular covariances.
 */
export function frechetDistance(
  mu1: ArrayLike<number>,
  sigma1: MatrixLike,
  mu2: ArrayLike<number>,
  sigma2: MatrixLike,
  options: FrechetOptions = {},
): number {
  return frechetTerms(mu1, sigma1, mu2, sigma2, options).distance;
}
