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
  // BEGIN SOLUTION
  const [n, d] = checkMatrix(data, 'data');
  if (n < 2) throw new RangeError(`data must have at least 2 rows; got ${n}`);
  const mean = columnMeans(data);
  const c: Matrix = Array.from({ length: d }, () => new Array<number>(d).fill(0));
  for (const row of data) {
    for (let j = 0; j < d; j++) {
      const a = row[j] - mean[j];
      for (let k = j; k < d; k++) c[j][k] += a * (row[k] - mean[k]);
    }
  }
  for (let j = 0; j < d; j++) {
    for (let k = j; k < d; k++) {
      c[j][k] /= n - 1;
      c[k][j] = c[j][k];
    }
  }
  return c;
  // END SOLUTION
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
  // BEGIN SOLUTION
  const [d, d2] = checkMatrix(cov, 'cov');
  if (d !== d2) throw new RangeError(`cov must be square; got ${d}×${d2}`);
  if (!Number.isInteger(k) || k < 1 || k > d) throw new RangeError(`k must be an integer in 1..${d}; got ${k}`);
  const iterations = options.iterations ?? 1000;
  const tolerance = options.tolerance ?? 1e-10;
  const rng = random.rng(options.seed ?? 0);
  const c = cov.map((row) => [...row]);
  const components: Matrix = [];
  const eigenvalues: number[] = [];
  const multiply = (v: number[]) => c.map((row) => row.reduce((s, x, j) => s + x * v[j], 0));
  const normalise = (v: number[]) => {
    const norm = Math.hypot(...v);
    return norm === 0 ? v : v.map((x) => x / norm);
  };
  for (let component = 0; component < k; component++) {
    let v = normalise(Array.from({ length: d }, () => rng.normal()));
    for (let it = 0; it < iterations; it++) {
      const w = multiply(v);
      const next = normalise(w);
      if (Math.hypot(...w) === 0) break;
      const change = Math.min(Math.hypot(...next.map((x, i) => x - v[i])), Math.hypot(...next.map((x, i) => x + v[i])));
      v = next;
      if (change < tolerance) break;
    }
    const cv = multiply(v);
    const lambda = v.reduce((s, x, i) => s + x * cv[i], 0);
    let largest = 0;
    for (let i = 1; i < d; i++) if (Math.abs(v[i]) > Math.abs(v[largest])) largest = i;
    if (v[largest] < 0) v = v.map((x) => -x);
    components.push(v);
    eigenvalues.push(lambda);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) c[i][j] -= lambda * v[i] * v[j];
  }
  return { components, eigenvalues };
  // END SOLUTION
}

/**
 * Task 3. The codes of `data` in the basis of `components`: z_i = W (x_i − μ), one row per sample,
 * k columns (W has the components as rows).
 */
export function project(data: ReadonlyMatrix, mean: readonly number[], components: ReadonlyMatrix): Matrix {
  // BEGIN SOLUTION
  const [, d] = checkMatrix(data, 'data');
  const [, dc] = checkMatrix(components, 'components');
  if (mean.length !== d || dc !== d) throw new RangeError(`data, mean and components must have ${d} columns; got mean ${mean.length}, components ${dc}`);
  return data.map((row) => components.map((w) => w.reduce((s, wj, j) => s + wj * (row[j] - mean[j]), 0)));
  // END SOLUTION
}

/** Task 4. Back from codes to data space: x̂_i = μ + Wᵀ z_i. */
export function reconstruct(codes: ReadonlyMatrix, mean: readonly number[], components: ReadonlyMatrix): Matrix {
  // BEGIN SOLUTION
  const [, k] = checkMatrix(codes, 'codes');
  const [kc, d] = checkMatrix(components, 'components');
  if (k !== kc || mean.length !== d) throw new RangeError(`codes need ${kc} columns and mean ${d} entries; got ${k} and ${mean.length}`);
  return codes.map((z) => mean.map((m, j) => z.reduce((s, zi, i) => s + zi * components[i][j], m)));
  // END SOLUTION
}

/** Task 5. The mean squared error over every entry: Σ_ij (x_ij − x̂_ij)² / (n·d). */
export function reconstructionError(data: ReadonlyMatrix, reconstruction: ReadonlyMatrix): number {
  // BEGIN SOLUTION
  const [n, d] = checkMatrix(data, 'data');
  const [n2, d2] = checkMatrix(reconstruction, 'reconstruction');
  if (n !== n2 || d !== d2) throw new RangeError(`data is ${n}×${d} but reconstruction is ${n2}×${d2}`);
  let sum = 0;
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) sum += (data[i][j] - reconstruction[i][j]) ** 2;
  return sum / (n * d);
  // END SOLUTION
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
  // BEGIN SOLUTION
  const { codeSize, steps, seed } = options;
  const batchSize = options.batchSize ?? 64;
  if (images.length !== count * 784) throw new RangeError(`images must hold count·784 = ${count * 784} pixels; got ${images.length}`);
  if (!Number.isInteger(codeSize) || codeSize < 1) throw new RangeError(`codeSize must be a positive integer; got ${codeSize}`);
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`steps must be a non-negative integer; got ${steps}`);
  const rng = random.rng(seed);
  const init = () => tf.initializers.glorotUniform({ seed: rng.tfSeed() });
  const encoder = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [784], units: 128, activation: 'relu', kernelInitializer: init() }),
      tf.layers.dense({ units: codeSize, kernelInitializer: init() }),
    ],
  });
  const decoder = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [codeSize], units: 128, activation: 'relu', kernelInitializer: init() }),
      tf.layers.dense({ units: 784, activation: 'sigmoid', kernelInitializer: init() }),
    ],
  });
  const data = tf.tensor2d(images, [count, 784]);
  const optimizer = tf.train.adam(3e-3);
  for (let step = 0; step < steps; step++) {
    const index = tf.tensor1d(Array.from({ length: batchSize }, () => rng.int(0, count)), 'int32');
    const cost = optimizer.minimize(() => {
      const batch = data.gather(index);
      const reconstruction = decoder.apply(encoder.apply(batch)) as tf.Tensor2D;
      return tf.losses.meanSquaredError(batch, reconstruction) as tf.Scalar;
    }, true);
    cost?.dispose();
    index.dispose();
    if (step % 50 === 0) await tf.nextFrame();
  }
  data.dispose();
  optimizer.dispose();
  return {
    codeSize,
    encode: (x) => tf.tidy(() => encoder.predict(x) as tf.Tensor2D),
    decode: (z) => tf.tidy(() => decoder.predict(z) as tf.Tensor2D),
    dispose: () => {
      encoder.dispose();
      decoder.dispose();
    },
  };
  // END SOLUTION
}
