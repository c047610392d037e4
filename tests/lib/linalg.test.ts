/**
 * linalg: covariance, the symmetric eigen-solver and PCA, against matrices with known spectra
 * (built as Q·diag(λ)·Qᵀ), repeated eigenvalues, ill conditioning (Hilbert matrices with their
 * exact determinants), the 2×2 closed form, and PCA identities.
 */
import { expect } from 'chai';
import { linalg, random } from 'genbook';

type Rows = number[][];

/** A random orthogonal n×n matrix (columns) by Gram–Schmidt on seeded normals. */
function randomOrthogonal(n: number, seed: number): Rows {
  const rng = random.rng(seed);
  const cols: number[][] = [];
  while (cols.length < n) {
    const v = Array.from(rng.normals(n));
    for (const c of cols) {
      const dot = v.reduce((s, x, i) => s + x * c[i], 0);
      for (let i = 0; i < n; i++) v[i] -= dot * c[i];
    }
    const norm = Math.hypot(...v);
    if (norm < 1e-8) continue;
    cols.push(v.map((x) => x / norm));
  }
  return Array.from({ length: n }, (_, i) => cols.map((c) => c[i]));
}

/** Q·diag(λ)·Qᵀ. */
function withSpectrum(lambda: number[], seed: number): { A: Rows; Q: Rows } {
  const n = lambda.length;
  const Q = randomOrthogonal(n, seed);
  const A = Array.from({ length: n }, (_, i) =>
    Array.from({ length: n }, (_, j) => lambda.reduce((s, l, k) => s + Q[i][k] * l * Q[j][k], 0)),
  );
  // Exactly symmetric.
  for (let i = 0; i < n; i++) for (let j = 0; j < i; j++) A[i][j] = A[j][i];
  return { A, Q };
}

function residual(A: Rows, values: Float64Array, vectors: Float64Array[]): number {
  let worst = 0;
  vectors.forEach((v, k) => {
    for (let i = 0; i < A.length; i++) {
      const av = A[i].reduce((s, a, j) => s + a * v[j], 0);
      worst = Math.max(worst, Math.abs(av - values[k] * v[i]));
    }
  });
  return worst;
}

function orthonormalityError(vectors: Float64Array[]): number {
  let worst = 0;
  for (let a = 0; a < vectors.length; a++) {
    for (let b = 0; b < vectors.length; b++) {
      const dot = vectors[a].reduce((s, x, i) => s + x * vectors[b][i], 0);
      worst = Math.max(worst, Math.abs(dot - (a === b ? 1 : 0)));
    }
  }
  return worst;
}

describe('linalg.symmetricEigen', () => {
  it('recovers known spectra (descending) and eigenvectors up to sign, n = 1..40', () => {
    for (const n of [1, 2, 3, 7, 20, 40]) {
      const rng = random.rng(100 + n);
      const lambda = Array.from({ length: n }, () => rng.uniform(-5, 5));
      const { A, Q } = withSpectrum(lambda, n);
      const { values, vectors } = linalg.symmetricEigen(A);
      const sorted = lambda.slice().sort((a, b) => b - a);
      values.forEach((v, k) => expect(v).to.be.closeTo(sorted[k], 1e-12));
      vectors.forEach((v, k) => {
        const col = Q.map((row) => row[lambda.indexOf(sorted[k])]);
        const dot = Math.abs(v.reduce((s, x, i) => s + x * col[i], 0));
        expect(dot).to.be.closeTo(1, 1e-10);
      });
      expect(residual(A, values, vectors)).to.be.below(1e-12);
      expect(orthonormalityError(vectors)).to.be.below(1e-13);
    }
  });

  it('matches the 2×2 closed form (a+c)/2 ± √(((a−c)/2)² + b²)', () => {
    const rng = random.rng(3);
    for (let t = 0; t < 20; t++) {
      const [a, b, c] = [rng.normal(), rng.normal(), rng.normal()];
      const mid = (a + c) / 2;
      const rad = Math.hypot((a - c) / 2, b);
      const { values } = linalg.symmetricEigen([[a, b], [b, c]]);
      expect(values[0]).to.be.closeTo(mid + rad, 1e-14);
      expect(values[1]).to.be.closeTo(mid - rad, 1e-14);
    }
  });

  it('signs each eigenvector so that its largest-magnitude entry is positive', () => {
    const { A } = withSpectrum([4, 3, 2, 1, 0.5], 9);
    const negated = A.map((r) => r.map((x) => -x));
    for (const r of [linalg.symmetricEigen(A), linalg.symmetricEigen(negated)]) {
      for (const v of r.vectors) {
        const big = v.reduce((best, x, i) => (Math.abs(x) > Math.abs(v[best]) ? i : best), 0);
        expect(v[big]).to.be.above(0);
      }
    }
    // Diagonal input: the eigenvectors are the (positive) unit vectors.
    const { values, vectors } = linalg.symmetricEigen([[1, 0, 0], [0, 3, 0], [0, 0, 2]]);
    expect(Array.from(values)).to.deep.equal([3, 2, 1]);
    expect(vectors.map((v) => Array.from(v))).to.deep.equal([[0, 1, 0], [0, 0, 1], [1, 0, 0]]);
  });

  it('handles repeated eigenvalues: an orthonormal basis of each eigenspace', () => {
    const lambda = [5, 5, 5, 1, 1, -2];
    const { A, Q } = withSpectrum(lambda, 21);
    const { values, vectors } = linalg.symmetricEigen(A);
    expect(Array.from(values).map((v) => Number(v.toFixed(10)))).to.deep.equal([5, 5, 5, 1, 1, -2]);
    expect(residual(A, values, vectors)).to.be.below(1e-12);
    expect(orthonormalityError(vectors)).to.be.below(1e-13);
    // The projector onto the λ = 5 eigenspace is basis-independent: V₅V₅ᵀ = Q₅Q₅ᵀ.
    for (let i = 0; i < 6; i++) {
      for (let j = 0; j < 6; j++) {
        const fromSolver = [0, 1, 2].reduce((s, k) => s + vectors[k][i] * vectors[k][j], 0);
        const fromQ = [0, 1, 2].reduce((s, k) => s + Q[i][k] * Q[j][k], 0);
        expect(fromSolver).to.be.closeTo(fromQ, 1e-12);
      }
    }
    // The identity and the zero matrix (every eigenvalue repeated).
    const I = linalg.symmetricEigen(linalg.Matrix.identity(4));
    expect(Array.from(I.values)).to.deep.equal([1, 1, 1, 1]);
    expect(orthonormalityError(I.vectors)).to.equal(0);
    expect(Array.from(linalg.symmetricEigen([[0, 0], [0, 0]]).values)).to.deep.equal([0, 0]);
  });

  it('is accurate on ill-conditioned matrices: Hilbert matrices and a spectrum spanning 1e12', () => {
    // det(H_n) = c_n⁴ / c_2n with c_n = Π_{i<n} i! (exact), trace = Σ 1/(2i − 1).
    const factorial = (k: number): number => (k <= 1 ? 1 : k * factorial(k - 1));
    const c = (n: number) => Array.from({ length: n }, (_, i) => factorial(i)).reduce((a, b) => a * b, 1);
    for (const n of [3, 5, 7]) {
      const H = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => 1 / (i + j + 1)));
      const { values, vectors } = linalg.symmetricEigen(H);
      const det = c(n) ** 4 / c(2 * n);
      const product = values.reduce((a, b) => a * b, 1);
      expect(Math.abs(product / det - 1)).to.be.below(1e-6 * 10 ** (n - 5));
      expect(values.reduce((a, b) => a + b, 0)).to.be.closeTo(Array.from({ length: n }, (_, i) => 1 / (2 * i + 1)).reduce((a, b) => a + b, 0), 1e-14);
      expect(values[n - 1]).to.be.above(0);
      expect(residual(H, values, vectors)).to.be.below(1e-14);
    }
    const lambda = [1, 1e-3, 1e-6, 1e-9, 1e-12];
    const { A } = withSpectrum(lambda, 33);
    const { values } = linalg.symmetricEigen(A);
    // Backward stable: absolute errors of order eps·‖A‖.
    values.forEach((v, k) => expect(Math.abs(v - lambda[k])).to.be.below(1e-15));
  });

  it('rejects non-square, non-symmetric and non-finite input', () => {
    expect(() => linalg.symmetricEigen([[1, 2, 3], [2, 1, 0]])).to.throw(RangeError, /A must be square/);
    expect(() => linalg.symmetricEigen([[1, 2], [2.1, 1]])).to.throw(RangeError, /A must be symmetric/);
    expect(() => linalg.symmetricEigen([[1, NaN], [NaN, 1]])).to.throw(RangeError, /A\[0\]\[1\]/);
    expect(() => linalg.symmetricEigen([[1, 2], [3]])).to.throw(RangeError, /A\[1\]/);
  });
});

describe('linalg.covariance', () => {
  it('matches the two-loop definition and a hand example', () => {
    // Hand: x = (1, 2, 3), y = (2, 4, 7): var x = 1, var y = 6.333…, cov = 2.5.
    const C = linalg.covariance([[1, 2], [2, 4], [3, 7]]);
    expect(C.toArray()).to.deep.equal([[1, 2.5], [2.5, 19 / 3]]);
    const rng = random.rng(4);
    const n = 150;
    const d = 70; // more than one 64-row block, and columns that are constant
    const X = Array.from({ length: n }, () => Array.from({ length: d }, (_, j) => (j % 10 === 0 ? 3 : rng.normal(j, 1 + j / 10))));
    const mean = Array.from({ length: d }, (_, j) => X.reduce((s, r) => s + r[j], 0) / n);
    const got = linalg.covariance(X);
    const got0 = linalg.covariance(X, { ddof: 0 });
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        const s = X.reduce((acc, r) => acc + (r[i] - mean[i]) * (r[j] - mean[j]), 0);
        expect(got.get(i, j)).to.be.closeTo(s / (n - 1), 1e-10);
        expect(got0.get(i, j)).to.be.closeTo(s / n, 1e-10);
      }
    }
    expect(() => linalg.covariance([[1, 2]])).to.throw(RangeError, /more than ddof/);
  });

  it('accepts a flat { rows, cols, data } buffer like MNIST images', () => {
    const data = Float32Array.from([1, 2, 2, 4, 3, 7]);
    expect(linalg.covariance({ rows: 3, cols: 2, data }).toArray()).to.deep.equal([[1, 2.5], [2.5, 19 / 3]]);
    expect(() => linalg.covariance({ rows: 4, cols: 2, data })).to.throw(RangeError, /X\.data/);
  });
});

describe('linalg.pca', () => {
  function sample(n: number, seed: number): { X: Rows; direction: number[] } {
    // Points stretched along (3, 4)/5 with std 5 and 0.5 across it, centred at (10, −2).
    const rng = random.rng(seed);
    const u = [0.6, 0.8];
    const w = [-0.8, 0.6];
    const X = Array.from({ length: n }, () => {
      const a = rng.normal(0, 5);
      const b = rng.normal(0, 0.5);
      return [10 + a * u[0] + b * w[0], -2 + a * u[1] + b * w[1]];
    });
    return { X, direction: u };
  }

  it('2D → 1D: the first component is the direction of largest variance', () => {
    const { X, direction } = sample(4000, 1);
    const p = linalg.pca(X, 1);
    const c = p.components[0];
    expect(Math.abs(c[0] * direction[0] + c[1] * direction[1])).to.be.above(0.999);
    expect(c[1]).to.be.above(0); // sign convention: largest entry positive
    expect(p.explainedVariance[0]).to.be.closeTo(25, 1.5);
    expect(p.explainedVarianceRatio[0]).to.be.closeTo(25 / 25.25, 0.005);
    // The variance of the codes equals the explained variance.
    const z = p.transform(X).column(0);
    const zMean = z.reduce((a, b) => a + b, 0) / z.length;
    expect(zMean).to.be.closeTo(0, 1e-9);
    expect(z.reduce((s, v) => s + (v - zMean) ** 2, 0) / (z.length - 1)).to.be.closeTo(p.explainedVariance[0], 1e-8);
  });

  it('at full rank reconstructs the data exactly, with orthonormal components and ratios summing to 1', () => {
    const rng = random.rng(2);
    const d = 12;
    const X = Array.from({ length: 60 }, () => Array.from({ length: d }, (_, j) => rng.normal(j, 1 + j)));
    const p = linalg.pca(X, d);
    const back = p.inverseTransform(p.transform(X));
    X.forEach((row, i) => row.forEach((v, j) => expect(back.get(i, j)).to.be.closeTo(v, 1e-10)));
    expect(orthonormalityError(p.components)).to.be.below(1e-12);
    expect(p.explainedVarianceRatio.reduce((a, b) => a + b, 0)).to.be.closeTo(1, 1e-12);
    const means = Array.from({ length: d }, (_, j) => X.reduce((s, r) => s + r[j], 0) / X.length);
    Array.from(p.mean).forEach((m, j) => expect(m).to.be.closeTo(means[j], 1e-12));
  });

  it('rank-k reconstruction error = (N−1)/N · Σ of the discarded eigenvalues (Eckart–Young)', () => {
    const rng = random.rng(3);
    const d = 8;
    const n = 200;
    const X = Array.from({ length: n }, () => {
      const z = [rng.normal(0, 3), rng.normal(0, 2)];
      return Array.from({ length: d }, (_, j) => z[0] * Math.cos(j) + z[1] * Math.sin(j) + rng.normal(0, 0.3));
    });
    for (const k of [1, 2, 5]) {
      const p = linalg.pca(X, k);
      const R = p.reconstruct(X);
      let sq = 0;
      X.forEach((row, i) => row.forEach((v, j) => (sq += (v - R.get(i, j)) ** 2)));
      const discarded = Array.from(p.eigenvalues).slice(k).reduce((a, b) => a + b, 0);
      expect(sq / n).to.be.closeTo(((n - 1) / n) * discarded, 1e-9);
    }
  });

  it('rejects a bad k and mismatched inputs', () => {
    const X = [[1, 2], [3, 5], [4, 4]];
    expect(() => linalg.pca(X, 3)).to.throw(RangeError, /k must be an integer in 1\.\.2/);
    expect(() => linalg.pca(X, 0)).to.throw(RangeError, /^k/);
    const p = linalg.pca(X, 1);
    expect(() => p.transform([[1, 2, 3]])).to.throw(RangeError, /X must have 2 columns/);
    expect(() => p.inverseTransform([[1, 2]])).to.throw(RangeError, /Z must have k = 1 columns/);
  });
});
