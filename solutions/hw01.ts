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
  // BEGIN SOLUTION
  checkDistribution(p, 'p');
  checkBase(base);
  let h = 0;
  for (const v of p) if (v > 0) h -= v * Math.log(v);
  return h / Math.log(base);
  // END SOLUTION
}

/**
 * Task 2. Cross-entropy H(P*, P) = −Σ p*(x) log p(x) (lecture 000's table: P* is the true
 * distribution `p`, P the predicted `q`). Infinity where q = 0 but p > 0.
 */
export function crossEntropy(p: readonly number[], q: readonly number[], base = 2): number {
  // BEGIN SOLUTION
  checkDistribution(p, 'p');
  checkDistribution(q, 'q');
  checkSameLength(p, q);
  checkBase(base);
  let h = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === 0) continue;
    if (q[i] === 0) return Infinity;
    h -= p[i] * Math.log(q[i]);
  }
  return h / Math.log(base);
  // END SOLUTION
}

/**
 * Task 3. Kullback–Leibler divergence D_KL(P ‖ Q) = Σ p(x) log(p(x)/q(x)) = H(P, Q) − H(P).
 * Never negative; 0 exactly when P = Q; Infinity where q = 0 but p > 0.
 */
export function klDivergence(p: readonly number[], q: readonly number[], base = 2): number {
  // BEGIN SOLUTION
  checkDistribution(p, 'p');
  checkDistribution(q, 'q');
  checkSameLength(p, q);
  checkBase(base);
  let d = 0;
  for (let i = 0; i < p.length; i++) {
    if (p[i] === 0) continue;
    if (q[i] === 0) return Infinity;
    d += p[i] * Math.log(p[i] / q[i]);
  }
  return Math.max(0, d) / Math.log(base);
  // END SOLUTION
}

/**
 * Task 4. Jensen–Shannon divergence JSD(P ‖ Q) = ½ D_KL(P ‖ M) + ½ D_KL(Q ‖ M) with M = (P + Q)/2.
 * Symmetric, finite, and at most log 2 (1 bit in base 2).
 */
export function jsDivergence(p: readonly number[], q: readonly number[], base = 2): number {
  // BEGIN SOLUTION
  checkDistribution(p, 'p');
  checkDistribution(q, 'q');
  checkSameLength(p, q);
  checkBase(base);
  const m = p.map((v, i) => (v + q[i]) / 2);
  const half = (a: readonly number[]) => {
    let d = 0;
    for (let i = 0; i < a.length; i++) if (a[i] > 0) d += a[i] * Math.log(a[i] / m[i]);
    return d;
  };
  return Math.max(0, 0.5 * half(p) + 0.5 * half(q)) / Math.log(base);
  // END SOLUTION
}

/**
 * Task 5. The codeword lengths of a binary Huffman code for symbols with the given frequencies
 * (counts or probabilities, any non-negative numbers). A symbol with frequency 0 gets no codeword
 * (length 0); a single symbol with positive frequency gets length 1.
 * @throws RangeError for an empty list, a negative or non-finite frequency, or all frequencies 0.
 */
export function huffmanCodeLengths(frequencies: readonly number[]): number[] {
  // BEGIN SOLUTION
  if (frequencies.length === 0) throw new RangeError('frequencies must not be empty');
  frequencies.forEach((f, i) => {
    if (!(f >= 0) || !Number.isFinite(f)) throw new RangeError(`frequencies[${i}] must be >= 0; got ${f}`);
  });
  const used = frequencies.map((f, i) => ({ f, i })).filter((s) => s.f > 0);
  if (used.length === 0) throw new RangeError('frequencies must not all be 0');
  const lengths = frequencies.map(() => 0);
  if (used.length === 1) {
    lengths[used[0].i] = 1;
    return lengths;
  }
  // Each node: its weight and the symbols under it. Merging two nodes adds 1 to their symbols' lengths.
  let nodes = used.map((s) => ({ weight: s.f, symbols: [s.i] }));
  while (nodes.length > 1) {
    nodes.sort((a, b) => a.weight - b.weight);
    const [a, b] = nodes;
    for (const s of [...a.symbols, ...b.symbols]) lengths[s]++;
    nodes = [{ weight: a.weight + b.weight, symbols: [...a.symbols, ...b.symbols] }, ...nodes.slice(2)];
  }
  return lengths;
  // END SOLUTION
}

/**
 * Task 6. Is the code prefix-free (no codeword is a prefix of another)? Codewords are strings of
 * '0' and '1'. A prefix-free code is uniquely decodable; lecture 000's first table is not.
 * @throws RangeError for an empty codeword or a character other than 0/1.
 */
export function isPrefixFree(codewords: readonly string[]): boolean {
  // BEGIN SOLUTION
  codewords.forEach((c, i) => {
    if (!/^[01]+$/.test(c)) throw new RangeError(`codewords[${i}] must be a non-empty string of 0 and 1; got ${JSON.stringify(c)}`);
  });
  const sorted = [...codewords].sort();
  for (let i = 0; i + 1 < sorted.length; i++) if (sorted[i + 1].startsWith(sorted[i])) return false;
  return true;
  // END SOLUTION
}

/**
 * Task 7. The average codeword length Σ p(x)·ℓ(x), where the probabilities are the frequencies
 * divided by their sum (lecture 000: 2.58 bits for the first code on the A–I frequency table).
 * @throws RangeError when the lengths differ or a frequency is negative or all are 0.
 */
export function averageCodeLength(frequencies: readonly number[], lengths: readonly number[]): number {
  // BEGIN SOLUTION
  if (frequencies.length !== lengths.length) {
    throw new RangeError(`frequencies and lengths must have the same length; got ${frequencies.length} and ${lengths.length}`);
  }
  let total = 0;
  frequencies.forEach((f, i) => {
    if (!(f >= 0) || !Number.isFinite(f)) throw new RangeError(`frequencies[${i}] must be >= 0; got ${f}`);
    total += f;
  });
  if (total === 0) throw new RangeError('frequencies must not all be 0');
  let sum = 0;
  for (let i = 0; i < frequencies.length; i++) sum += (frequencies[i] / total) * lengths[i];
  return sum;
  // END SOLUTION
}
