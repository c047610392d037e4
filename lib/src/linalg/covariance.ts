/**
 * Mean and covariance of the rows of a data matrix (lecture 000, PCA: "PCA는 공분산의 고유벡터가
 * 가장 데이터를 잘 설명함" — the covariance's eigenvectors explain the data best).
 *
 *   Σ = 1/(N − ddof) · Σₙ (xₙ − x̄)(xₙ − x̄)ᵀ
 *
 * Computed in Float64 on centred data (two passes, no E[xxᵀ] − x̄x̄ᵀ cancellation), in blocks of
 * rows so a 784×784 MNIST covariance of 10 000 images takes seconds.
 *
 * @see notebooks/03-pca-vs-autoencoder
 */
import { Matrix, MatrixLike, toMatrix } from './matrix';

/** The mean of the rows of X (a vector of length cols). */
export function columnMeans(X: MatrixLike): Float64Array {
  const A = toMatrix(X, 'X');
  if (A.rows === 0) throw new RangeError('X must have at least one row');
  const mean = new Float64Array(A.cols);
  for (let i = 0; i < A.rows; i++) {
    const o = i * A.cols;
    for (let j = 0; j < A.cols; j++) mean[j] += A.data[o + j];
  }
  for (let j = 0; j < A.cols; j++) mean[j] /= A.rows;
  return mean;
}

export interface CovarianceOptions {
  /** Delta degrees of freedom: divide by N − ddof. Default 1 (the unbiased sample covariance). */
  ddof?: number;
}

/**
 * The d×d covariance of the N rows (samples) of X (N×d).
 *
 * @throws RangeError when X has no more than `ddof` rows or a non-finite entry.
 */
export function covariance(X: MatrixLike, options: CovarianceOptions = {}): Matrix {
  const A = toMatrix(X, 'X');
  const ddof = options.ddof ?? 1;
  if (!Number.isInteger(ddof) || ddof < 0) throw new RangeError(`ddof must be an integer >= 0; got ${ddof}`);
  if (A.rows <= ddof) throw new RangeError(`X must have more than ddof = ${ddof} rows; got ${A.rows}`);
  const n = A.rows;
  const d = A.cols;
  const mean = columnMeans(A);
  const C = new Float64Array(d * d);
  const B = 64;
  const block = new Float64Array(B * d); // feature-major: block[j·B + r]
  const nonzero = new Uint8Array(d);
  for (let r0 = 0; r0 < n; r0 += B) {
    const b = Math.min(B, n - r0);
    nonzero.fill(0);
    for (let r = 0; r < b; r++) {
      const o = (r0 + r) * d;
      for (let j = 0; j < d; j++) {
        const v = A.data[o + j] - mean[j];
        block[j * B + r] = v;
        if (v !== 0) nonzero[j] = 1;
      }
    }
    for (let i = 0; i < d; i++) {
      if (!nonzero[i]) continue;
      const ai = i * B;
      const ci = i * d;
      for (let j = i; j < d; j++) {
        if (!nonzero[j]) continue;
        const aj = j * B;
        let s = 0;
        for (let r = 0; r < b; r++) s += block[ai + r] * block[aj + r];
        C[ci + j] += s;
      }
    }
  }
  const scale = 1 / (n - ddof);
  for (let i = 0; i < d; i++) {
    for (let j = i; j < d; j++) {
      const v = C[i * d + j] * scale;
      C[i * d + j] = v;
      C[j * d + i] = v;
    }
  }
  return new Matrix(d, d, C);
}
