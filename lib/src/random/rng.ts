/**
 * Seeded randomness for the course: every sampler and trainer takes a seed, and the same seed
 * gives the same numbers on every run and every backend.
 *
 * The generator is seedrandom's Alea (the same library TensorFlow.js uses for its own seeded ops).
 * Normal deviates use the Box–Muller transform. TensorFlow.js has no global seed: tensor draws take
 * an explicit seed per op, so `Rng.tfSeed()` hands out one derived seed per call, in order.
 *
 * @see notebooks/00-getting-started
 */
import * as tf from '@tensorflow/tfjs';
import seedrandom from 'seedrandom';

function checkSeed(seed: number): void {
  if (!Number.isFinite(seed)) throw new RangeError(`seed must be a finite number; got ${seed}`);
}

function checkSize(size: number, argName: string): void {
  if (!Number.isInteger(size) || size < 0) {
    throw new RangeError(`${argName} must be a non-negative integer; got ${size}`);
  }
}

/** Where a generator stands in its sequence (`Rng.state()`): plain JSON, for resuming a training. */
export interface RngState {
  seed: number;
  /** seedrandom's Alea state. */
  alea: object;
  spareNormal: number | null;
}

export class Rng {
  readonly seed: number;
  private prng: seedrandom.prng;
  private spareNormal: number | undefined;

  constructor(seed: number) {
    checkSeed(seed);
    this.seed = seed;
    // `state: true` only makes `prng.state()` available; the sequence is the same.
    this.prng = seedrandom.alea(String(seed), { state: true });
  }

  /** The generator's position as plain JSON; `Rng.fromState` continues exactly from here. */
  state(): RngState {
    return { seed: this.seed, alea: this.prng.state(), spareNormal: this.spareNormal ?? null };
  }

  /** A generator that continues the sequence of the one whose `state()` this is. */
  static fromState(state: RngState): Rng {
    if (!state || typeof state.alea !== 'object' || state.alea === null) throw new TypeError('Rng.fromState: not an Rng state (no alea state)');
    const out = new Rng(state.seed);
    out.prng = seedrandom.alea('', { state: state.alea as seedrandom.State });
    out.spareNormal = state.spareNormal ?? undefined;
    return out;
  }

  /** One uniform draw in [low, high). */
  uniform(low = 0, high = 1): number {
    if (!(high > low)) throw new RangeError(`uniform: high must exceed low; got low=${low}, high=${high}`);
    return low + (high - low) * this.prng();
  }

  /** One normal draw N(mean, std²) by Box–Muller (both deviates of a pair are used). */
  normal(mean = 0, std = 1): number {
    if (!(std >= 0)) throw new RangeError(`normal: std must be >= 0; got ${std}`);
    let z: number;
    if (this.spareNormal !== undefined) {
      z = this.spareNormal;
      this.spareNormal = undefined;
    } else {
      let u1 = this.prng();
      while (u1 <= Number.MIN_VALUE) u1 = this.prng();
      const u2 = this.prng();
      const r = Math.sqrt(-2 * Math.log(u1));
      z = r * Math.cos(2 * Math.PI * u2);
      this.spareNormal = r * Math.sin(2 * Math.PI * u2);
    }
    return mean + std * z;
  }

  /** An integer in [low, high). */
  int(low: number, high: number): number {
    if (!Number.isInteger(low) || !Number.isInteger(high) || high <= low) {
      throw new RangeError(`int: need integers low < high; got low=${low}, high=${high}`);
    }
    return low + Math.floor(this.prng() * (high - low));
  }

  /** `size` uniform draws as a Float64Array. */
  uniforms(size: number, low = 0, high = 1): Float64Array {
    checkSize(size, 'size');
    const out = new Float64Array(size);
    for (let i = 0; i < size; i++) out[i] = this.uniform(low, high);
    return out;
  }

  /** `size` normal draws as a Float64Array. */
  normals(size: number, mean = 0, std = 1): Float64Array {
    checkSize(size, 'size');
    const out = new Float64Array(size);
    for (let i = 0; i < size; i++) out[i] = this.normal(mean, std);
    return out;
  }

  /**
   * An index drawn from the probabilities `p` (which must be non-negative and sum to 1 within
   * 1e-6), or uniformly from 0..n−1 when given a count.
   */
  choice(p: number | readonly number[]): number {
    if (typeof p === 'number') {
      checkSize(p, 'n');
      if (p === 0) throw new RangeError('choice: n must be positive');
      return this.int(0, p);
    }
    if (p.length === 0) throw new RangeError('choice: p must not be empty');
    let total = 0;
    for (const [i, v] of p.entries()) {
      if (!(v >= 0)) throw new RangeError(`choice: p[${i}] must be a probability >= 0; got ${v}`);
      total += v;
    }
    if (Math.abs(total - 1) > 1e-6) throw new RangeError(`choice: p must sum to 1; sums to ${total}`);
    const u = this.prng() * total;
    let acc = 0;
    for (let i = 0; i < p.length; i++) {
      acc += p[i];
      if (u < acc) return i;
    }
    return p.length - 1;
  }

  /** A new array with the items of `items` in random order (Fisher–Yates). */
  shuffle<T>(items: readonly T[]): T[] {
    const out = items.slice();
    for (let i = out.length - 1; i > 0; i--) {
      const j = Math.floor(this.prng() * (i + 1));
      [out[i], out[j]] = [out[j], out[i]];
    }
    return out;
  }

  /** A permutation of 0..n−1. */
  permutation(n: number): number[] {
    checkSize(n, 'n');
    return this.shuffle(Array.from({ length: n }, (_, i) => i));
  }

  /** A fresh integer seed for one TensorFlow.js op or initializer, derived from this generator. */
  tfSeed(): number {
    return Math.floor(this.prng() * 2 ** 31);
  }

  /** A child generator, independent of the draws that follow on this one. */
  fork(): Rng {
    return new Rng(this.tfSeed());
  }

  /** `tf.randomNormal` with a seed derived from this generator. */
  normalTensor(shape: number[], mean = 0, std = 1): tf.Tensor {
    return tf.randomNormal(shape, mean, std, 'float32', this.tfSeed());
  }

  /** `tf.randomUniform` with a seed derived from this generator. */
  uniformTensor(shape: number[], low = 0, high = 1): tf.Tensor {
    return tf.randomUniform(shape, low, high, 'float32', this.tfSeed());
  }
}

/** A seeded generator: `random.rng(42).normal()`. */
export function rng(seed: number): Rng {
  return new Rng(seed);
}
