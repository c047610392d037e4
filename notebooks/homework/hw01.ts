// hw01: your homework. Replace each "not implemented yet" line with your code, keep the
// signatures, then run the notebook's last cell or `npm run check -- hw01` to see your score.
// (Generated from the reference solution; do not rename the exported functions.)

/**
 * Homework 1: information theory (lecture 000, "정보이론 information theory").
 *
 * Implement the functions below. Distributions are arrays of probabilities; a distribution must be
 * non-negative and sum to 1 (within 1e-6), otherwise throw a RangeError that names the argument.
 * Conventions: 0·log 0 = 0; where p > 0 but q = 0, cross-entropy and KL divergence are Infinity.
 * `base` is the logarithm's base: 2 for bits (the default), Math.E for nats, 10 as in the lecture's
 * cross-entropy table.
 *
 * @see notebooks/01-information-theory
 * @see notebooks/homework/hw01.ipynb
 */

/** Check that `p` is a probability distribution; `name` is used in the error message. */
function checkDistribution(p: readonly number[], name: string): void {
  if (p.length === 0) throw new RangeError(`${name} must not be empty`);
  let total = 0;
  for (let i = 0; i < p.length; i++) {
    const v = p[i];
    if (!(v >= 0) || !Number.isFinite(v)) throw new RangeError(`${name}[${i}] must be a probability >= 0; got ${v}`);
    total += v;
  }
  if (Math.abs(total - 1) > 1e-6) throw new RangeError(`${name} must sum to 1; it sums to ${total}`);
}

function checkBase(base: number): void {
  if (!(base > 0) || base === 1 || !Number.isFinite(base)) throw new RangeError(`base must be positive and not 1; got ${base}`);
}

function checkSameLength(p: readonly number[], q: readonly number[]): void {
  if (p.length !== q.length) throw new RangeError(`p and q must have the same length; got ${p.length} and ${q.length}`);
}

/**
 * Task 1. Entropy H(P) = −Σ p(x) log p(x) (lecture 000, 엔트로피 entropy), in the given base.
 * @throws RangeError when `p` is not a distribution or `base` is not a valid log base.
 */
export function entropy(p: readonly number[], base = 2): number {
  throw new Error("hw01: entropy is not implemented yet (write it in notebooks/homework/hw01.ts)");
}

/**
 * Task 2. Cross-entropy H(P*, P) = −Σ p*(x) log p(x) (lecture 000's table: P* is the true
 * distribution `p`, P the predicted `q`). Infinity where q = 0 but p > 0.
 */
export function crossEntropy(p: readonly number[], q: readonly number[], base = 2): number {
  throw new Error("hw01: crossEntropy is not implemented yet (write it in notebooks/homework/hw01.ts)");
}

/**
 * Task 3. Kullback–Leibler divergence D_KL(P ‖ Q) = Σ p(x) log(p(x)/q(x)) = H(P, Q) − H(P).
 * Never negative; 0 exactly when P = Q; Infinity where q = 0 but p > 0.
 */
export function klDivergence(p: readonly number[], q: readonly number[], base = 2): number {
  throw new Error("hw01: klDivergence is not implemented yet (write it in notebooks/homework/hw01.ts)");
}

/**
 * Task 4. Jensen–Shannon divergence JSD(P ‖ Q) = ½ D_KL(P ‖ M) + ½ D_KL(Q ‖ M) with M = (P + Q)/2.
 * Symmetric, finite, and at most log 2 (1 bit in base 2).
 */
export function jsDivergence(p: readonly number[], q: readonly number[], base = 2): number {
  throw new Error("hw01: jsDivergence is not implemented yet (write it in notebooks/homework/hw01.ts)");
}

/**
 * Task 5. The codeword lengths of a binary Huffman code for symbols with the given frequencies
 * (counts or probabilities, any non-negative numbers). A symbol with frequency 0 gets no codeword
 * (length 0); a single symbol with positive frequency gets length 1.
 * @throws RangeError for an empty list, a negative or non-finite frequency, or all frequencies 0.
 */
export function huffmanCodeLengths(frequencies: readonly number[]): number[] {
  throw new Error("hw01: huffmanCodeLengths is not implemented yet (write it in notebooks/homework/hw01.ts)");
}

/**
 * Task 6. Is the code prefix-free (no codeword is a prefix of another)? Codewords are strings of
 * '0' and '1'. A prefix-free code is uniquely decodable; lecture 000's first table is not.
 * @throws RangeError for an empty codeword or a character other than 0/1.
 */
export function isPrefixFree(codewords: readonly string[]): boolean {
  throw new Error("hw01: isPrefixFree is not implemented yet (write it in notebooks/homework/hw01.ts)");
}

/**
 * Task 7. The average codeword length Σ p(x)·ℓ(x), where the probabilities are the frequencies
 * divided by their sum (lecture 000: 2.58 bits for the first code on the A–I frequency table).
 * @throws RangeError when the lengths differ or a frequency is negative or all are 0.
 */
export function averageCodeLength(frequencies: readonly number[], lengths: readonly number[]): number {
  throw new Error("hw01: averageCodeLength is not implemented yet (write it in notebooks/homework/hw01.ts)");
}
