/**
 * Small 2D toy data sets for the course's pictures, all seeded: a Gaussian mixture, the ring of 8
 * Gaussians (the standard mode-collapse test, Metz et al. 2017 "Unrolled GANs"), the Swiss roll
 * (Tenenbaum et al. 2000; the 2D version used in diffusion demos) and two moons (as in
 * scikit-learn's make_moons).
 *
 * Every set is `{ points, labels, count, dim }` with points row-major (point i is
 * points[i·dim .. i·dim + dim]); labels say which component / moon each point came from.
 *
 * @see notebooks/05-gan-minimax
 * @see notebooks/08-diffusion-ddpm
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random/rng';

export interface ToySet {
  /** count·dim coordinates, row-major. */
  points: Float32Array;
  /** count labels: mixture component, moon, or Swiss-roll segment. */
  labels: Int32Array;
  count: number;
  dim: number;
}

function checkCount(n: number): void {
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a positive integer; got ${n}`);
}

function checkNonNegative(value: number, argName: string): void {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`${argName} must be a finite number >= 0; got ${value}`);
  }
}

export interface GaussianMixtureOptions {
  n: number;
  /** Component means, each of the same dimension. */
  means: readonly (readonly number[])[];
  /** Standard deviation of every component (isotropic), or one per component. Default 1. */
  std?: number | readonly number[];
  /** Mixing weights (non-negative, normalised here). Default: equal. */
  weights?: readonly number[];
  seed: number;
}

/** n points from Σₖ wₖ N(meanₖ, stdₖ²·I); labels are the component indices. */
export function gaussianMixture(options: GaussianMixtureOptions): ToySet {
  const { n, means, std = 1, weights, seed } = options;
  checkCount(n);
  if (means == null || means.length === 0) throw new RangeError('means must be a non-empty array of points');
  const dim = means[0].length;
  if (dim < 1) throw new RangeError('means[0] must have at least one coordinate');
  means.forEach((m, k) => {
    if (m.length !== dim) throw new RangeError(`means[${k}] must have ${dim} coordinates like means[0]; got ${m.length}`);
    m.forEach((v, j) => {
      if (!Number.isFinite(v)) throw new RangeError(`means[${k}][${j}] must be finite; got ${v}`);
    });
  });
  const K = means.length;
  const stds = typeof std === 'number' ? new Array<number>(K).fill(std) : std.slice();
  if (stds.length !== K) throw new RangeError(`std must be a number or have one entry per mean (${K}); got ${stds.length}`);
  stds.forEach((s, k) => checkNonNegative(s, `std[${k}]`));
  let w = weights ? weights.slice() : new Array<number>(K).fill(1);
  if (w.length !== K) throw new RangeError(`weights must have one entry per mean (${K}); got ${w.length}`);
  w.forEach((v, k) => checkNonNegative(v, `weights[${k}]`));
  const total = w.reduce((s, v) => s + v, 0);
  if (!(total > 0)) throw new RangeError('weights must have a positive sum');
  w = w.map((v) => v / total);
  const rng = new Rng(seed);
  const points = new Float32Array(n * dim);
  const labels = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const k = rng.choice(w);
    labels[i] = k;
    for (let j = 0; j < dim; j++) points[i * dim + j] = means[k][j] + stds[k] * rng.normal();
  }
  return { points, labels, count: n, dim };
}

export interface Ring8Options {
  n: number;
  /** Radius of the ring. Default 2. */
  radius?: number;
  /** Standard deviation of each Gaussian. Default 0.02. */
  std?: number;
  /** Number of modes around the ring. Default 8. */
  modes?: number;
  seed: number;
}

/** The ring of 8 Gaussians: modes at angles 2πk/8 on a circle (radius 2, std 0.02 by default). */
export function ring8(options: Ring8Options): ToySet {
  const { n, radius = 2, std = 0.02, modes = 8, seed } = options;
  checkNonNegative(radius, 'radius');
  if (!Number.isInteger(modes) || modes < 1) throw new RangeError(`modes must be a positive integer; got ${modes}`);
  const means = Array.from({ length: modes }, (_, k) => [radius * Math.cos((2 * Math.PI * k) / modes), radius * Math.sin((2 * Math.PI * k) / modes)]);
  return gaussianMixture({ n, means, std, seed });
}

export interface SwissRollOptions {
  n: number;
  /** Standard deviation of Gaussian noise added to each coordinate. Default 0.05 (after scaling). */
  noise?: number;
  /** Number of segments along the roll used as labels. Default 4. */
  segments?: number;
  seed: number;
}

/**
 * The 2D Swiss roll: t ~ U(1.5π, 4.5π), (x, y) = (t cos t, t sin t) / 5, plus noise. Labels split
 * the roll into `segments` equal ranges of t (inner to outer). `position` is t itself.
 */
export function swissRoll(options: SwissRollOptions): ToySet & { position: Float32Array } {
  const { n, noise = 0.05, segments = 4, seed } = options;
  checkCount(n);
  checkNonNegative(noise, 'noise');
  if (!Number.isInteger(segments) || segments < 1) throw new RangeError(`segments must be a positive integer; got ${segments}`);
  const rng = new Rng(seed);
  const points = new Float32Array(n * 2);
  const labels = new Int32Array(n);
  const position = new Float32Array(n);
  const t0 = 1.5 * Math.PI;
  const t1 = 4.5 * Math.PI;
  for (let i = 0; i < n; i++) {
    const u = rng.uniform();
    const t = t0 + (t1 - t0) * u;
    position[i] = t;
    labels[i] = Math.min(segments - 1, Math.floor(u * segments));
    points[2 * i] = (t * Math.cos(t)) / 5 + noise * rng.normal();
    points[2 * i + 1] = (t * Math.sin(t)) / 5 + noise * rng.normal();
  }
  return { points, labels, count: n, dim: 2, position };
}

export interface TwoMoonsOptions {
  n: number;
  /** Standard deviation of Gaussian noise. Default 0.05. */
  noise?: number;
  seed: number;
}

/**
 * Two interleaving half circles (scikit-learn's make_moons): the upper moon (label 0) is
 * (cos θ, sin θ), the lower (label 1) is (1 − cos θ, 0.5 − sin θ), θ ~ U(0, π); ⌈n/2⌉ + ⌊n/2⌋ points.
 */
export function twoMoons(options: TwoMoonsOptions): ToySet {
  const { n, noise = 0.05, seed } = options;
  checkCount(n);
  checkNonNegative(noise, 'noise');
  const rng = new Rng(seed);
  const points = new Float32Array(n * 2);
  const labels = new Int32Array(n);
  const upper = Math.ceil(n / 2);
  for (let i = 0; i < n; i++) {
    const theta = Math.PI * rng.uniform();
    const lower = i >= upper;
    labels[i] = lower ? 1 : 0;
    const x = lower ? 1 - Math.cos(theta) : Math.cos(theta);
    const y = lower ? 0.5 - Math.sin(theta) : Math.sin(theta);
    points[2 * i] = x + noise * rng.normal();
    points[2 * i + 1] = y + noise * rng.normal();
  }
  return { points, labels, count: n, dim: 2 };
}

/** The points as a [count, dim] float32 tensor. */
export function toyTensor(set: ToySet): tf.Tensor2D {
  return tf.tensor2d(set.points, [set.count, set.dim]);
}

/** Coordinate j of every point (e.g. the x values for a scatter plot). */
export function toyColumn(set: ToySet, j: number): Float32Array {
  if (!Number.isInteger(j) || j < 0 || j >= set.dim) throw new RangeError(`j must be an integer in 0..${set.dim - 1}; got ${j}`);
  return Float32Array.from({ length: set.count }, (_, i) => set.points[i * set.dim + j]);
}
