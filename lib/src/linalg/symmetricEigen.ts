/**
 * Eigen-decomposition of a real symmetric matrix, A = V Λ Vᵀ, in Float64 (TensorFlow.js has no
 * eigen-solver). Householder reduction to tridiagonal form, then the implicit QL algorithm with
 * Wilkinson-style shifts: the EISPACK routines tred2 and tql2 (Bowdler, Martin, Reinsch &
 * Wilkinson 1968), as ported in the public-domain JAMA library. O(n³), a 784×784 MNIST covariance
 * in about a second.
 *
 * Output convention: eigenvalues in descending order; each eigenvector has unit length and is
 * signed so that its entry of largest absolute value (the first such entry on ties) is positive.
 * For a repeated eigenvalue any orthonormal basis of its eigenspace is correct; the solver returns
 * one deterministically.
 *
 * @see notebooks/03-pca-vs-autoencoder
 */
import { Matrix, MatrixLike, toMatrix } from './matrix';

export interface SymmetricEigenResult {
  /** Eigenvalues λ₁ ≥ λ₂ ≥ … ≥ λₙ. */
  values: Float64Array;
  /** vectors[k] is the unit eigenvector of values[k]: A·v = λ·v. */
  vectors: Float64Array[];
}

export interface SymmetricEigenOptions {
  /** Relative tolerance of the symmetry check |Aᵢⱼ − Aⱼᵢ| ≤ tol·max|A|. Default 1e-10. */
  symmetryTolerance?: number;
}

/**
 * Eigenvalues (descending) and unit eigenvectors of the symmetric matrix `A`.
 *
 * @throws RangeError when A is not square, has a non-finite entry, or is not symmetric.
 */
export function symmetricEigen(A: MatrixLike, options: SymmetricEigenOptions = {}): SymmetricEigenResult {
  const M = toMatrix(A, 'A');
  const n = M.rows;
  if (M.cols !== n) throw new RangeError(`A must be square; got ${M.rows}×${M.cols}`);
  if (n === 0) return { values: new Float64Array(0), vectors: [] };
  const tol = options.symmetryTolerance ?? 1e-10;
  let maxAbs = 0;
  for (let k = 0; k < n * n; k++) maxAbs = Math.max(maxAbs, Math.abs(M.data[k]));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const diff = Math.abs(M.data[i * n + j] - M.data[j * n + i]);
      if (diff > tol * maxAbs) {
        throw new RangeError(`A must be symmetric; A[${i}][${j}] = ${M.data[i * n + j]} but A[${j}][${i}] = ${M.data[j * n + i]}`);
      }
    }
  }
  // W starts as the symmetric part of A (rows as Float64Arrays); tred2 and tql2 keep the
  // eigenvector matrix transposed in it (W[i] = column i), so the rotations touch contiguous rows.
  const W: Float64Array[] = [];
  for (let i = 0; i < n; i++) {
    const row = new Float64Array(n);
    for (let j = 0; j < n; j++) row[j] = 0.5 * (M.data[i * n + j] + M.data[j * n + i]);
    W.push(row);
  }
  const d = new Float64Array(n);
  const e = new Float64Array(n);
  tred2(W, d, e, n);
  tql2(W, d, e, n);

  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => d[b] - d[a] || a - b);
  const values = Float64Array.from(order, (i) => d[i]);
  const vectors = order.map((i) => {
    const v = Float64Array.from(W[i]);
    let norm = 0;
    let big = 0;
    for (let k = 0; k < n; k++) {
      norm += v[k] * v[k];
      if (Math.abs(v[k]) > Math.abs(v[big]) * (1 + 1e-12)) big = k;
    }
    const scale = (v[big] < 0 ? -1 : 1) / Math.sqrt(norm);
    for (let k = 0; k < n; k++) v[k] *= scale;
    return v;
  });
  return { values, vectors };
}

/** The matrix whose columns are the eigenvectors (V in A = V Λ Vᵀ). */
export function eigenvectorMatrix(result: SymmetricEigenResult): Matrix {
  const n = result.vectors.length;
  const out = new Matrix(n, n);
  result.vectors.forEach((v, j) => v.forEach((x, i) => (out.data[i * n + j] = x)));
  return out;
}

/** Householder tridiagonalisation (EISPACK tred2), written on the transpose W = Vᵀ so every inner
 * loop runs along a row: on entry W holds the symmetric matrix; on exit W[i] is column i of the
 * orthogonal transform, d the diagonal and e the sub-diagonal (e[0] = 0). */
function tred2(W: Float64Array[], d: Float64Array, e: Float64Array, n: number): void {
  for (let j = 0; j < n; j++) d[j] = W[j][n - 1];
  for (let i = n - 1; i > 0; i--) {
    let scale = 0;
    let h = 0;
    for (let k = 0; k < i; k++) scale += Math.abs(d[k]);
    if (scale === 0) {
      e[i] = d[i - 1];
      for (let j = 0; j < i; j++) {
        d[j] = W[j][i - 1];
        W[j][i] = 0;
        W[i][j] = 0;
      }
    } else {
      for (let k = 0; k < i; k++) {
        d[k] /= scale;
        h += d[k] * d[k];
      }
      let f = d[i - 1];
      let g = Math.sqrt(h);
      if (f > 0) g = -g;
      e[i] = scale * g;
      h -= f * g;
      d[i - 1] = f - g;
      for (let j = 0; j < i; j++) e[j] = 0;
      for (let j = 0; j < i; j++) {
        f = d[j];
        W[i][j] = f;
        const wj = W[j];
        g = e[j] + wj[j] * f;
        for (let k = j + 1; k <= i - 1; k++) {
          g += wj[k] * d[k];
          e[k] += wj[k] * f;
        }
        e[j] = g;
      }
      f = 0;
      for (let j = 0; j < i; j++) {
        e[j] /= h;
        f += e[j] * d[j];
      }
      const hh = f / (h + h);
      for (let j = 0; j < i; j++) e[j] -= hh * d[j];
      for (let j = 0; j < i; j++) {
        f = d[j];
        g = e[j];
        const wj = W[j];
        for (let k = j; k <= i - 1; k++) wj[k] -= f * e[k] + g * d[k];
        d[j] = wj[i - 1];
        wj[i] = 0;
      }
    }
    d[i] = h;
  }
  // Accumulate the transformations.
  for (let i = 0; i < n - 1; i++) {
    W[i][n - 1] = W[i][i];
    W[i][i] = 1;
    const h = d[i + 1];
    const wi1 = W[i + 1];
    if (h !== 0) {
      for (let k = 0; k <= i; k++) d[k] = wi1[k] / h;
      for (let j = 0; j <= i; j++) {
        const wj = W[j];
        let g = 0;
        for (let k = 0; k <= i; k++) g += wi1[k] * wj[k];
        for (let k = 0; k <= i; k++) wj[k] -= g * d[k];
      }
    }
    for (let k = 0; k <= i; k++) wi1[k] = 0;
  }
  for (let j = 0; j < n; j++) {
    d[j] = W[j][n - 1];
    W[j][n - 1] = 0;
  }
  W[n - 1][n - 1] = 1;
  e[0] = 0;
}

/** Implicit QL on the tridiagonal (d, e) (EISPACK tql2). W holds the eigenvector matrix
 * transposed: W[i] is column i. On exit d holds the eigenvalues and W[i] the eigenvector of d[i]. */
function tql2(W: Float64Array[], d: Float64Array, e: Float64Array, n: number): void {
  for (let i = 1; i < n; i++) e[i - 1] = e[i];
  e[n - 1] = 0;
  let f = 0;
  let tst1 = 0;
  const eps = Math.pow(2, -52);
  for (let l = 0; l < n; l++) {
    tst1 = Math.max(tst1, Math.abs(d[l]) + Math.abs(e[l]));
    let m = l;
    while (m < n - 1) {
      if (Math.abs(e[m]) <= eps * tst1) break;
      m++;
    }
    if (m > l) {
      let iter = 0;
      do {
        if (++iter > 100) throw new Error(`symmetricEigen: QL iteration did not converge for eigenvalue ${l}`);
        let g = d[l];
        let p = (d[l + 1] - g) / (2 * e[l]);
        let r = Math.hypot(p, 1);
        if (p < 0) r = -r;
        d[l] = e[l] / (p + r);
        d[l + 1] = e[l] * (p + r);
        const dl1 = d[l + 1];
        let h = g - d[l];
        for (let i = l + 2; i < n; i++) d[i] -= h;
        f += h;
        p = d[m];
        let c = 1;
        let c2 = c;
        let c3 = c;
        const el1 = e[l + 1];
        let s = 0;
        let s2 = 0;
        for (let i = m - 1; i >= l; i--) {
          c3 = c2;
          c2 = c;
          s2 = s;
          g = c * e[i];
          h = c * p;
          r = Math.hypot(p, e[i]);
          e[i + 1] = s * r;
          s = e[i] / r;
          c = p / r;
          p = c * d[i] - s * g;
          d[i + 1] = h + s * (c * g + s * d[i]);
          const wi = W[i];
          const wi1 = W[i + 1];
          for (let k = 0; k < n; k++) {
            h = wi1[k];
            wi1[k] = s * wi[k] + c * h;
            wi[k] = c * wi[k] - s * h;
          }
        }
        p = (-s * s2 * c3 * el1 * e[l]) / dl1;
        e[l] = s * p;
        d[l] = c * p;
      } while (Math.abs(e[l]) > eps * tst1);
    }
    d[l] = d[l] + f;
    e[l] = 0;
  }
}
