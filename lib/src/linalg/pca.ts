/**
 * Principal component analysis (PCA, 주성분 분석; lecture 000): the directions of largest variance
 * are the eigenvectors of the covariance matrix with the largest eigenvalues ("다수의 고유 벡터 중
 * 고유치가 가장 큰 고유벡터가 가장 많은 설명력"). Projecting onto the top k of them is the best
 * rank-k linear reconstruction in squared error (Eckart–Young), which a linear autoencoder can
 * only match.
 *
 *   z = Wₖ (x − x̄),   x̂ = Wₖᵀ z + x̄      (Wₖ: k×d, rows the principal components)
 *
 * @see notebooks/03-pca-vs-autoencoder
 */
import { covariance } from './covariance';
import { Matrix, MatrixLike, toMatrix } from './matrix';
import { symmetricEigen } from './symmetricEigen';

export class Pca {
  /** Principal components: components[i] is the i-th unit direction (length d). */
  readonly components: Float64Array[];
  /** Variance of the data along each component (the covariance eigenvalues, descending). */
  readonly explainedVariance: Float64Array;
  /** explainedVariance divided by the total variance (the trace of the covariance). */
  readonly explainedVarianceRatio: Float64Array;
  /** The mean x̄ subtracted before projecting. */
  readonly mean: Float64Array;
  /** All covariance eigenvalues (length d), for the explained-variance curve. */
  readonly eigenvalues: Float64Array;

  constructor(components: Float64Array[], eigenvalues: Float64Array, mean: Float64Array) {
    const k = components.length;
    this.components = components;
    this.eigenvalues = eigenvalues;
    this.mean = mean;
    // Tiny negative eigenvalues are rounding noise of a positive semi-definite matrix.
    const clamp = (v: number) => Math.max(0, v);
    this.explainedVariance = Float64Array.from(eigenvalues.subarray(0, k), clamp);
    const total = eigenvalues.reduce((s, v) => s + clamp(v), 0);
    this.explainedVarianceRatio = Float64Array.from(this.explainedVariance, (v) => (total > 0 ? v / total : 0));
  }

  /** The number of components k. */
  get k(): number {
    return this.components.length;
  }

  /** Codes Z = (X − x̄) Wₖᵀ, N×k. */
  transform(X: MatrixLike): Matrix {
    const A = toMatrix(X, 'X');
    const d = this.mean.length;
    if (A.cols !== d) throw new RangeError(`X must have ${d} columns (like the data PCA was fitted on); got ${A.cols}`);
    const k = this.k;
    const out = new Matrix(A.rows, k);
    const centred = new Float64Array(d);
    for (let i = 0; i < A.rows; i++) {
      const o = i * d;
      for (let j = 0; j < d; j++) centred[j] = A.data[o + j] - this.mean[j];
      for (let c = 0; c < k; c++) {
        const w = this.components[c];
        let s = 0;
        for (let j = 0; j < d; j++) s += w[j] * centred[j];
        out.data[i * k + c] = s;
      }
    }
    return out;
  }

  /** Reconstructions X̂ = Z Wₖ + x̄, N×d. */
  inverseTransform(Z: MatrixLike): Matrix {
    const C = toMatrix(Z, 'Z');
    const k = this.k;
    if (C.cols !== k) throw new RangeError(`Z must have k = ${k} columns; got ${C.cols}`);
    const d = this.mean.length;
    const out = new Matrix(C.rows, d);
    for (let i = 0; i < C.rows; i++) {
      const o = i * d;
      out.data.set(this.mean, o);
      for (let c = 0; c < k; c++) {
        const z = C.data[i * k + c];
        if (z === 0) continue;
        const w = this.components[c];
        for (let j = 0; j < d; j++) out.data[o + j] += z * w[j];
      }
    }
    return out;
  }

  /** inverseTransform(transform(X)): the rank-k reconstruction of X. */
  reconstruct(X: MatrixLike): Matrix {
    return this.inverseTransform(this.transform(X));
  }
}

/**
 * Fits PCA with k components to the rows (samples) of X (N×d), through the eigen-decomposition of
 * the sample covariance (divisor N − 1). Components follow symmetricEigen's sign convention (the
 * largest-magnitude entry of each is positive).
 *
 * @throws RangeError when k is not an integer in 1..d or X has fewer than 2 rows.
 */
export function pca(X: MatrixLike, k: number): Pca {
  const A = toMatrix(X, 'X');
  if (!Number.isInteger(k) || k < 1 || k > A.cols) {
    throw new RangeError(`k must be an integer in 1..${A.cols} (the number of columns of X); got ${k}`);
  }
  if (A.rows < 2) throw new RangeError(`X must have at least 2 rows; got ${A.rows}`);
  const cov = covariance(A);
  const { values, vectors } = symmetricEigen(cov);
  const mean = new Float64Array(A.cols);
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.cols; j++) mean[j] += A.data[i * A.cols + j];
  for (let j = 0; j < A.cols; j++) mean[j] /= A.rows;
  return new Pca(vectors.slice(0, k), values, mean);
}
