/**
 * The Inception Score (Salimans et al. 2016, "Improved Techniques for Training GANs", §4) as
 * lecture 004 ("Evaluation: Inception Score") splits it into two factors. With c(y|x) the
 * classifier's predictive distribution for a sample x and c(y) = E_x c(y|x) its marginal:
 *
 *   sharpness S = exp( E_x [ Σ_y c(y|x) log c(y|x) ] )   = exp(−E_x H[c(·|x)])
 *   diversity D = exp( −E_x [ Σ_y c(y|x) log c(y) ] )    = exp(H[c(y)])
 *   IS = D × S = exp( E_x KL(c(y|x) ‖ c(y)) )
 *
 * S is high when each image is classified confidently (선명도, low conditional entropy); D is high
 * when the predicted classes together are spread evenly (다양성, high marginal entropy). With K
 * classes both lie in [1, K], so 1 ≤ IS ≤ K. Lecture 002 calls the same two ideas fidelity and
 * diversity.
 *
 * As in the original implementation, the N samples are cut into `splits` consecutive groups; IS is
 * computed in each group and the mean and (population) standard deviation over the groups are
 * reported. S, D and their product over all N samples together are reported too.
 * 0·log 0 = 0 throughout.
 *
 * @see notebooks/11-evaluation
 */
import { MatrixLike, toMatrix, Matrix } from '../linalg/matrix';

/** IS and its two factors on one group of samples. */
export interface InceptionScoreParts {
  /** IS = exp(E KL(c(y|x) ‖ c(y))). */
  score: number;
  /** S = exp(E_x Σ_y c(y|x) log c(y|x)). */
  sharpness: number;
  /** D = exp(−E_x Σ_y c(y|x) log c(y)). */
  diversity: number;
}

export interface InceptionScoreResult {
  /** Mean of IS over the splits (what papers report). */
  mean: number;
  /** Population standard deviation of IS over the splits. */
  std: number;
  /** S over all samples together. */
  sharpness: number;
  /** D over all samples together. */
  diversity: number;
  /** IS over all samples together: exactly sharpness × diversity. */
  score: number;
  /** IS, S and D in each split. */
  splits: InceptionScoreParts[];
}

/** Rows of `probs` must be probability vectors: entries ≥ 0 summing to 1 within this tolerance. */
const SUM_TOLERANCE = 1e-4;

function checkProbabilities(m: Matrix): void {
  if (m.rows === 0 || m.cols === 0) throw new RangeError(`probs must have at least one row and one column; got ${m.rows}×${m.cols}`);
  for (let i = 0; i < m.rows; i++) {
    let total = 0;
    for (let j = 0; j < m.cols; j++) {
      const p = m.data[i * m.cols + j];
      if (!(p >= 0)) throw new RangeError(`probs[${i}][${j}] must be a probability >= 0; got ${p}`);
      total += p;
    }
    if (Math.abs(total - 1) > SUM_TOLERANCE) throw new RangeError(`probs[${i}] must sum to 1; sums to ${total}`);
  }
}

/** S, D and IS of rows [start, end) of the probability matrix m. */
export function scoreParts(m: Matrix, start = 0, end = m.rows): InceptionScoreParts {
  const k = m.cols;
  const n = end - start;
  const marginal = new Float64Array(k);
  for (let i = start; i < end; i++) for (let j = 0; j < k; j++) marginal[j] += m.data[i * k + j];
  for (let j = 0; j < k; j++) marginal[j] /= n;
  let negConditionalEntropy = 0; // E_x Σ_y c(y|x) log c(y|x)
  let crossEntropyToMarginal = 0; // −E_x Σ_y c(y|x) log c(y)
  for (let i = start; i < end; i++) {
    for (let j = 0; j < k; j++) {
      const p = m.data[i * k + j];
      if (p === 0) continue; // 0·log 0 = 0; c(y) ≥ c(y|x)/n > 0 wherever p > 0
      negConditionalEntropy += p * Math.log(p);
      crossEntropyToMarginal -= p * Math.log(marginal[j]);
    }
  }
  const sharpness = Math.exp(negConditionalEntropy / n);
  const diversity = Math.exp(crossEntropyToMarginal / n);
  return { score: Math.exp((negConditionalEntropy + crossEntropyToMarginal) / n), sharpness, diversity };
}

/**
 * The Inception Score of a set of predicted class distributions `probs` (N rows × K classes, each
 * row summing to 1), with its sharpness and diversity factors.
 *
 * @param splits number of consecutive groups (default 10; 1 ≤ splits ≤ N).
 * @throws RangeError when a row is not a probability vector or `splits` is out of range.
 */
export function inceptionScore(probs: MatrixLike, splits = 10): InceptionScoreResult {
  const m = toMatrix(probs, 'probs');
  checkProbabilities(m);
  if (!Number.isInteger(splits) || splits < 1 || splits > m.rows) {
    throw new RangeError(`splits must be an integer in [1, N = ${m.rows}]; got ${splits}`);
  }
  const parts: InceptionScoreParts[] = [];
  for (let s = 0; s < splits; s++) {
    const start = Math.floor((s * m.rows) / splits);
    const end = Math.floor(((s + 1) * m.rows) / splits);
    parts.push(scoreParts(m, start, end));
  }
  const mean = parts.reduce((a, p) => a + p.score, 0) / splits;
  const std = Math.sqrt(parts.reduce((a, p) => a + (p.score - mean) ** 2, 0) / splits);
  const all = scoreParts(m);
  return { mean, std, sharpness: all.sharpness, diversity: all.diversity, score: all.score, splits: parts };
}
