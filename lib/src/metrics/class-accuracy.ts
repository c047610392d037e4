/**
 * Conditional accuracy of a class-conditional generator, overall and per class (lecture 004,
 * "Conditional generation"; notebook 06's per-digit table): sample i was generated for class
 * labels[i]; it counts as correct when the classifier's most probable class c(y|x_i) is that class.
 *
 * @see notebooks/06-conditional-gans
 */
import { Matrix } from '../linalg/matrix';

export interface ClassAccuracy {
  /** Fraction of all samples classified as the class they were generated for. */
  accuracy: number;
  /** perClass[c]: the same fraction among the samples of class c (NaN when there are none). */
  perClass: number[];
  /** counts[c]: how many samples were generated for class c. */
  counts: number[];
}

/** The most probable class of each row of an N×K probability (or logit) matrix; ties go to the lower class. */
export function argmaxRows(probabilities: Matrix): Int32Array {
  const { rows, cols, data } = probabilities;
  const out = new Int32Array(rows);
  for (let i = 0; i < rows; i++) {
    let best = 0;
    for (let j = 1; j < cols; j++) if (data[i * cols + j] > data[i * cols + best]) best = j;
    out[i] = best;
  }
  return out;
}

/** Overall and per-class accuracy of `probabilities` (N×K, one row per sample) against `labels` (N classes in 0…K−1). */
export function perClassAccuracy(probabilities: Matrix, labels: ArrayLike<number>): ClassAccuracy {
  const K = probabilities.cols;
  if (labels.length !== probabilities.rows) throw new RangeError(`labels must have one entry per sample (${probabilities.rows}); got ${labels.length}`);
  const predicted = argmaxRows(probabilities);
  const hits = new Array<number>(K).fill(0);
  const counts = new Array<number>(K).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y >= K) throw new RangeError(`labels[${i}] must be a class 0–${K - 1}; got ${y}`);
    counts[y] += 1;
    if (predicted[i] === y) hits[y] += 1;
  }
  const correct = hits.reduce((s, h) => s + h, 0);
  return { accuracy: labels.length ? correct / labels.length : NaN, perClass: hits.map((h, c) => (counts[c] ? h / counts[c] : NaN)), counts };
}
