// hw02: your homework. Replace each "not implemented yet" line with your code, keep the
// signatures, then run the notebook's last cell or `npm run check -- hw02` to see your score.
// (Generated from the reference solution; do not rename the exported functions.)

/**
 * Homework 2: PCA and autoencoders (lectures 000, 003, 004: "PCA vs autoencoder", 주성분 분석
 * principal component analysis, 오토인코더 autoencoder, 재구성 오차 reconstruction error).
 *
 * Matrices are arrays of rows: `data[i]` is the i-th sample, `data[i][j]` its j-th feature.
 * Implement the tasks without a linear-algebra library: loops over numbers are enough.
 * The last task trains an autoencoder with TensorFlow.js (`tf` from genbook) on MNIST.
 *
 * @see notebooks/03-pca-vs-autoencoder
 * @see notebooks/homework/hw02.ipynb
 */
import { random, tf } from 'genbook';

export type Matrix = number[][];
export type ReadonlyMatrix = readonly (readonly number[])[];

/** Check that `m` is a non-empty rectangular matrix of finite numbers; returns [rows, columns]. */
function checkMatrix(m: ReadonlyMatrix, name: string): [number, number] {
  if (m.length === 0 || m[0].length === 0) throw new RangeError(`${name} must be a non-empty matrix`);
  const columns = m[0].length;
  m.forEach((row, i) => {
    if (row.length !== columns) throw new RangeError(`${name} must be rectangular: row ${i} has ${row.length} entries, row 0 has ${columns}`);
    row.forEach((v, j) => {
      if (!Number.isFinite(v)) throw new RangeError(`${name}[${i}][${j}] must be a finite number; got ${v}`);
    });
  });
  return [m.length, columns];
}

/** The mean of each column (given: not a task). */
export function columnMeans(data: ReadonlyMatrix): number[] {
  const [n, d] = checkMatrix(data, 'data');
  const mean = new Array<number>(d).fill(0);
  for (const row of data) for (let j = 0; j < d; j++) mean[j] += row[j] / n;
  return mean;
}

/**
 * Task 1. The sample covariance matrix (공분산 covariance) of the rows of `data`:
 * C[j][k] = Σ_i (x_ij − μ_j)(x_ik − μ_k) / (n − 1). Symmetric, d × d.
 * @throws RangeError with fewer than two rows or a ragged / non-finite matrix.
 */
export function covariance(data: ReadonlyMatrix): Matrix {
  throw new Error("hw02: covariance is not implemented yet (write it in notebooks/homework/hw02.ts)");
}

export interface PrincipalComponents {
  /** k unit vectors (rows), by decreasing eigenvalue; each one's largest-magnitude entry is positive. */
  components: Matrix;
  /** The k largest eigenvalues (variance along each component), decreasing. */
  eigenvalues: number[];
}

export interface PowerIterationOptions {
  /** Maximum iterations per component (default 1000). */
  iterations?: number;
  /** Stop when the direction changes by less than this (default 1e-10). */
  tolerance?: number;
  /** Seed of the random start vectors (default 0). */
  seed?: number;
}

/**
 * Task 2. The top-k eigenvectors of a symmetric positive semi-definite matrix (the covariance) by
 * power iteration with deflation: repeat v ← Cv/‖Cv‖ until v settles, λ = vᵀCv; then remove that
 * direction, C ← C − λvvᵀ, and find the next one. Start each iteration from a random vector drawn
 * with `random.rng(seed)` so the result does not depend on luck.
 * @throws RangeError when `cov` is not square or k is not an integer in 1..d.
 */
export function principalComponents(cov: ReadonlyMatrix, k: number, options: PowerIterationOptions = {}): PrincipalComponents {
  throw new Error("hw02: principalComponents is not implemented yet (write it in notebooks/homework/hw02.ts)");
}

/**
 * Task 3. The codes of `data` in the basis of `components`: z_i = W (x_i − μ), one row per sample,
 * k columns (W has the components as rows).
 */
export function project(data: ReadonlyMatrix, mean: readonly number[], components: ReadonlyMatrix): Matrix {
  throw new Error("hw02: project is not implemented yet (write it in notebooks/homework/hw02.ts)");
}

/** Task 4. Back from codes to data space: x̂_i = μ + Wᵀ z_i. */
export function reconstruct(codes: ReadonlyMatrix, mean: readonly number[], components: ReadonlyMatrix): Matrix {
  throw new Error("hw02: reconstruct is not implemented yet (write it in notebooks/homework/hw02.ts)");
}

/** Task 5. The mean squared error over every entry: Σ_ij (x_ij − x̂_ij)² / (n·d). */
export function reconstructionError(data: ReadonlyMatrix, reconstruction: ReadonlyMatrix): number {
  throw new Error("hw02: reconstructionError is not implemented yet (write it in notebooks/homework/hw02.ts)");
}

/** A trained autoencoder: 784 pixels → `codeSize` numbers → 784 pixels in [0, 1]. */
export interface Autoencoder {
  codeSize: number;
  /** [n, 784] → [n, codeSize]. */
  encode(images: tf.Tensor2D): tf.Tensor2D;
  /** [n, codeSize] → [n, 784], each value in [0, 1]. */
  decode(codes: tf.Tensor2D): tf.Tensor2D;
  /** Free the weights. */
  dispose(): void;
}

export interface AutoencoderOptions {
  /** Size of the code (the bottleneck); the test uses 32. */
  codeSize: number;
  /** Optimiser steps (one mini-batch each): the budget the test gives you. Do not train longer. */
  steps: number;
  /** Seed for the weights and the batches: the same seed gives the same model. */
  seed: number;
  /** Mini-batch size (default 64). */
  batchSize?: number;
}

/**
 * Task 6. Train an autoencoder on `count` MNIST images (`images` holds count·784 pixels in [0, 1])
 * within `options.steps` optimiser steps. The test asks for a reconstruction MSE below 0.04 on
 * MNIST test images with codeSize 32 and 150 steps of batch 64 (predicting the mean image scores
 * about 0.068; PCA with 32 components about 0.018; the reference solution about 0.028:
 * the full-mode run of hw02.ipynb prints both). Keep tf memory flat: tidy, dispose.
 */
export async function trainAutoencoder(images: Float32Array, count: number, options: AutoencoderOptions): Promise<Autoencoder> {
  throw new Error("hw02: trainAutoencoder is not implemented yet (write it in notebooks/homework/hw02.ts)");
}
