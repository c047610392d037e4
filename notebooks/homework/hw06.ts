// hw06: your homework. Replace each "not implemented yet" line with your code, keep the
// signatures, then run the notebook's last cell or `npm run check -- hw06` to see your score.
// (Generated from the reference solution; do not rename the exported functions.)

/**
 * Homework 6: evaluation and likelihood (lectures 001, 002, 004: Inception Score, FID 프레셰 거리
 * Fréchet distance, 자기회귀 모델 autoregressive model, PixelCNN 마스크 masks).
 *
 * Matrices are arrays of rows. Write the linear algebra yourself (a symmetric eigen-decomposition
 * such as the Jacobi method, or an iteration such as Denman–Beavers, both fit in 40 lines).
 *
 * @see notebooks/11-evaluation
 * @see notebooks/07-autoregressive-flows
 * @see notebooks/homework/hw06.ipynb
 */

export type Matrix = number[][];
export type ReadonlyMatrix = readonly (readonly number[])[];

function checkSquare(a: ReadonlyMatrix, name: string): number {
  const n = a.length;
  if (n === 0) throw new RangeError(`${name} must not be empty`);
  a.forEach((row, i) => {
    if (row.length !== n) throw new RangeError(`${name} must be square; row ${i} has ${row.length} entries, expected ${n}`);
    row.forEach((v, j) => {
      if (!Number.isFinite(v)) throw new RangeError(`${name}[${i}][${j}] must be finite; got ${v}`);
    });
  });
  return n;
}

function multiply(a: ReadonlyMatrix, b: ReadonlyMatrix): Matrix {
  return a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
}

/** Eigen-decomposition of a symmetric matrix by cyclic Jacobi rotations: A = V diag(λ) Vᵀ. */
function symmetricEigen(a: ReadonlyMatrix): { values: number[]; vectors: Matrix } {
  const n = a.length;
  const m = a.map((row) => [...row]);
  const v: Matrix = Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += m[p][q] ** 2;
    if (off < 1e-30) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (Math.abs(m[p][q]) < 1e-300) continue;
        const theta = (m[q][q] - m[p][p]) / (2 * m[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k][p];
          const mkq = m[k][q];
          m[k][p] = c * mkp - s * mkq;
          m[k][q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p][k];
          const mqk = m[q][k];
          m[p][k] = c * mpk - s * mqk;
          m[q][k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p];
          const vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: m.map((row, i) => row[i]), vectors: v };
}

/**
 * Task 1. The square root of a symmetric positive semi-definite matrix: the symmetric PSD S with
 * S·S = A. Tiny negative eigenvalues from rounding (> −1e-9·scale) count as 0.
 * @throws RangeError when A is not square, not symmetric (within 1e-9), or has a clearly negative eigenvalue.
 */
export function matrixSqrt(a: ReadonlyMatrix): Matrix {
  throw new Error("hw06: matrixSqrt is not implemented yet (write it in notebooks/homework/hw06.ts)");
}

/**
 * Task 2. The Fréchet distance between N(μ₁, Σ₁) and N(μ₂, Σ₂), the "F" of FID (Heusel et al. 2017):
 * ‖μ₁ − μ₂‖² + Tr(Σ₁ + Σ₂ − 2 (Σ₁^½ Σ₂ Σ₁^½)^½). (Tr √(Σ₁Σ₂) equals Tr √(Σ₁^½ Σ₂ Σ₁^½),
 * whose argument is symmetric PSD, so matrixSqrt applies.)
 */
export function frechetDistance(mu1: readonly number[], sigma1: ReadonlyMatrix, mu2: readonly number[], sigma2: ReadonlyMatrix): number {
  throw new Error("hw06: frechetDistance is not implemented yet (write it in notebooks/homework/hw06.ts)");
}

/**
 * Task 3. The Inception Score (Salimans et al. 2016) of a classifier's predictions p(y | x), one
 * row per generated sample: IS = exp(mean_x KL(p(y | x) ‖ p(y))), with p(y) the mean row. It is
 * exp(H(y)) · exp(−mean H(y | x)): diversity × sharpness (lecture 004). Natural logarithms.
 * @throws RangeError when a row is not a distribution (non-negative, sums to 1 within 1e-6) or rows differ in length.
 */
export function inceptionScore(probabilities: ReadonlyMatrix): number {
  throw new Error("hw06: inceptionScore is not implemented yet (write it in notebooks/homework/hw06.ts)");
}

/**
 * Task 4. A PixelCNN convolution mask (van den Oord et al. 2016, section 3.5), kernelSize ×
 * kernelSize, 1 where the kernel may look: every row above the centre, and in the centre row the
 * columns left of the centre; mask 'B' also keeps the centre, mask 'A' (first layer) does not.
 * @throws RangeError unless kernelSize is an odd positive integer and type is 'A' or 'B'.
 */
export function pixelCnnMask(kernelSize: number, type: 'A' | 'B'): number[][] {
  throw new Error("hw06: pixelCnnMask is not implemented yet (write it in notebooks/homework/hw06.ts)");
}
