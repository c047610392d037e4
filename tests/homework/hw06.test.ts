/** hw06 public tests: matrix square root, Fréchet distance, Inception Score, PixelCNN masks. */
import { expect } from 'chai';
import type * as Hw06 from '../../notebooks/homework/hw06';
import { homework } from './target';

const hw = homework<typeof Hw06>('hw06');

function expectClose(actual: readonly (readonly number[])[], expected: readonly (readonly number[])[], tol: number): void {
  expect(actual.length).to.equal(expected.length);
  actual.forEach((row, i) => row.forEach((v, j) => expect(v, `[${i}][${j}]`).to.be.closeTo(expected[i][j], tol)));
}

describe('Task 1: matrixSqrt', () => {
  it('takes square roots of a diagonal matrix [1 pt]', () => {
    expectClose(hw().matrixSqrt([[4, 0, 0], [0, 9, 0], [0, 0, 0]]), [[2, 0, 0], [0, 3, 0], [0, 0, 0]], 1e-9);
  });
  it('√[[2, 1], [1, 2]] = ½[[√3 + 1, √3 − 1], [√3 − 1, √3 + 1]] [2 pts]', () => {
    // Eigenvalues 3 and 1 with eigenvectors (1, 1)/√2 and (1, −1)/√2.
    const r3 = Math.sqrt(3);
    expectClose(hw().matrixSqrt([[2, 1], [1, 2]]), [[(r3 + 1) / 2, (r3 - 1) / 2], [(r3 - 1) / 2, (r3 + 1) / 2]], 1e-9);
  });
});

describe('Task 1: matrixSqrt on singular and invalid matrices', () => {
  it('√(vvᵀ) = vvᵀ/‖v‖ for rank-one matrices (eigenvalues ‖v‖² and 0) [2 pts]', () => {
    // (vvᵀ/‖v‖)² = v(vᵀv)vᵀ/‖v‖² = vvᵀ. Rounding may make the zero eigenvalues slightly negative.
    for (const v of [[1, 2, 2], [3, 4]]) {
      const norm = Math.hypot(...v);
      const a = v.map((x) => v.map((y) => x * y));
      expectClose(hw().matrixSqrt(a), a.map((row) => row.map((x) => x / norm)), 1e-7);
    }
  });
  it('throws a RangeError for a non-symmetric matrix or a clearly negative eigenvalue [1 pt]', () => {
    expect(() => hw().matrixSqrt([[1, 2], [0, 1]])).to.throw(RangeError);
    // [[1, 2], [2, 1]] has eigenvalues 3 and −1.
    expect(() => hw().matrixSqrt([[1, 2], [2, 1]])).to.throw(RangeError);
    expect(() => hw().matrixSqrt([[1, 0], [0, -4]])).to.throw(RangeError);
  });
});

describe('Task 2: frechetDistance', () => {
  it('in one dimension is (μ₁ − μ₂)² + (σ₁ − σ₂)² [2 pts]', () => {
    expect(hw().frechetDistance([1], [[4]], [3], [[9]])).to.be.closeTo(4 + 1, 1e-9);
  });
  it('is 0 between identical Gaussians and adds per-axis terms for diagonal ones [1 pt]', () => {
    const sigma = [[2, 0.5], [0.5, 1]];
    expect(hw().frechetDistance([1, 2], sigma, [1, 2], sigma)).to.be.closeTo(0, 1e-8);
    const expected = 1 + 4 + (Math.sqrt(1) - Math.sqrt(4)) ** 2 + (Math.sqrt(9) - Math.sqrt(1)) ** 2;
    expect(hw().frechetDistance([0, 0], [[1, 0], [0, 9]], [1, 2], [[4, 0], [0, 1]])).to.be.closeTo(expected, 1e-8);
  });
});

describe('Task 2: frechetDistance for covariances that do not commute', () => {
  it('Tr √(Σ₁^½ Σ₂ Σ₁^½) = √(Tr M + 2√det M) for 2×2 M [2 pts]', () => {
    // Σ₁ = diag(1, 9), Σ₂ = [[5, 2], [2, 2]]: M = diag(1, 3)·Σ₂·diag(1, 3) = [[5, 6], [6, 18]],
    // Tr M = 23, det M = 54; for a 2×2 PSD M, (Tr √M)² = Tr M + 2√det M. Means differ by (0, 2).
    const expected = 4 + 10 + 7 - 2 * Math.sqrt(23 + 2 * Math.sqrt(54));
    expect(hw().frechetDistance([1, 0], [[1, 0], [0, 9]], [1, 2], [[5, 2], [2, 2]])).to.be.closeTo(expected, 1e-8);
  });
});

describe('Task 3: inceptionScore', () => {
  it('is the number of classes for confident, evenly spread predictions and 1 for identical ones [2 pts]', () => {
    const confident = [[1, 0, 0, 0], [0, 1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]];
    expect(hw().inceptionScore(confident)).to.be.closeTo(4, 1e-9);
    expect(hw().inceptionScore([[0.2, 0.8], [0.2, 0.8], [0.2, 0.8]])).to.be.closeTo(1, 1e-9);
  });
  it('matches exp(mean KL(p(y|x) ‖ p(y))) by hand [1 pt]', () => {
    // Rows (0.5, 0.5) and (1, 0): p(y) = (0.75, 0.25).
    const kl1 = 0.5 * Math.log(0.5 / 0.75) + 0.5 * Math.log(0.5 / 0.25);
    const kl2 = Math.log(1 / 0.75);
    expect(hw().inceptionScore([[0.5, 0.5], [1, 0]])).to.be.closeTo(Math.exp((kl1 + kl2) / 2), 1e-12);
  });
});

describe('Task 4: pixelCnnMask', () => {
  it('3×3 masks A and B [1 pt]', () => {
    expect(hw().pixelCnnMask(3, 'A')).to.deep.equal([[1, 1, 1], [1, 0, 0], [0, 0, 0]]);
    expect(hw().pixelCnnMask(3, 'B')).to.deep.equal([[1, 1, 1], [1, 1, 0], [0, 0, 0]]);
  });
  it('5×5 mask B and argument checks [1 pt]', () => {
    expect(hw().pixelCnnMask(5, 'B')).to.deep.equal([
      [1, 1, 1, 1, 1],
      [1, 1, 1, 1, 1],
      [1, 1, 1, 0, 0],
      [0, 0, 0, 0, 0],
      [0, 0, 0, 0, 0],
    ]);
    expect(() => hw().pixelCnnMask(4, 'A')).to.throw(RangeError);
  });
});
