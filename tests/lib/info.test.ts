/**
 * info: entropy, cross-entropy, KL, JSD, Gaussian KL and binary codes, against the lecture's hand
 * tables (lecture 000), closed forms, numerical integration, brute force and identities.
 */
import { expect } from 'chai';
import { info, random } from 'genbook';

// Lecture 000's storage example: the 9-symbol code, its frequency table and the second code.
const CODE_1 = { A: '0', B: '1', C: '10', D: '11', E: '100', F: '101', G: '110', H: '111', I: '1000' };
const CODE_2 = { A: '100', B: '101', C: '111', D: '1', E: '0', F: '1000', G: '10', H: '11', I: '110' };
const COUNTS = { A: 1, B: 1, C: 0, D: 2, E: 3, F: 0, G: 2, H: 2, I: 1 };
// The lecture's probability row, rounded to whole percent (8% 8% 0% 17% 25% 0% 17% 17% 8%).
const PERCENT = { A: 0.08, B: 0.08, C: 0, D: 0.17, E: 0.25, F: 0, G: 0.17, H: 0.17, I: 0.08 };

function randomDistribution(rng: random.Rng, n: number, zeros = 0): number[] {
  const w = Array.from({ length: n }, (_, i) => (i < zeros ? 0 : rng.uniform(0.01, 1)));
  const s = w.reduce((a, b) => a + b, 0);
  return rng.shuffle(w.map((v) => v / s));
}

/** Composite Simpson's rule on [a, b] with n (even) intervals. */
function simpson(f: (x: number) => number, a: number, b: number, n = 20000): number {
  const h = (b - a) / n;
  let s = f(a) + f(b);
  for (let i = 1; i < n; i++) s += (i % 2 ? 4 : 2) * f(a + i * h);
  return (s * h) / 3;
}

describe('info: the lecture 000 code tables', () => {
  it('encodes EGG, BED, HI and HEAD as the lecture writes them, with both codes', () => {
    expect(['EGG', 'BED', 'HI', 'HEAD'].map((m) => info.encode(CODE_1, m))).to.deep.equal(['100110110', '110011', '1111000', '111100011']);
    expect(['EGG', 'BED', 'HI', 'HEAD'].map((m) => info.encode(CODE_2, m))).to.deep.equal(['01010', '10101', '11110', '1101001']);
  });

  it('reproduces the average lengths 2.58 (code 1, exact frequencies) and 1.82 (code 2, the rounded percentages)', () => {
    // Hand: (1·1 + 1·1 + 2·2 + 3·3 + 2·3 + 2·3 + 1·4) / 12 = 31/12.
    expect(info.averageCodeLength(CODE_1, COUNTS)).to.be.closeTo(31 / 12, 1e-12);
    expect(info.averageCodeLength(CODE_1, COUNTS).toFixed(2)).to.equal('2.58');
    // The lecture's 1.82 sums 0.24 + 0.24 + 0.17 + 0.25 + 0.34 + 0.34 + 0.24 (8% rather than 1/12).
    expect(info.averageCodeLength(CODE_2, PERCENT)).to.be.closeTo(1.82, 1e-12);
    // With the exact frequencies it is 22/12 = 1.83.
    expect(info.averageCodeLength(CODE_2, COUNTS)).to.be.closeTo(22 / 12, 1e-12);
  });

  it('the entropy of the frequency table is log2 12 − (Σ c·log2 c)/12 ≈ 2.69 bits', () => {
    const counts = Object.values(COUNTS);
    const hand = Math.log2(12) - counts.reduce((s, c) => s + (c > 0 ? c * Math.log2(c) : 0), 0) / 12;
    const h = info.entropy(counts.map((c) => c / 12));
    expect(h).to.be.closeTo(hand, 1e-12);
    expect(h.toFixed(2)).to.equal('2.69');
    // The lecture's 2.58 and 1.82 are below H: neither code can be uniquely decodable.
    expect(info.averageCodeLength(CODE_1, COUNTS)).to.be.below(h);
  });

  it('lists every parse of 100110110 under code 1 (brute force over all splits agrees)', () => {
    const bits = '100110110';
    const parses = info.decodeAll(CODE_1, bits);
    // Independent: try every split of the string into pieces (2^(n−1) cut sets).
    const byWord = new Map(Object.entries(CODE_1).map(([s, w]) => [w, s]));
    const brute: string[] = [];
    for (let mask = 0; mask < 1 << (bits.length - 1); mask++) {
      const pieces: string[] = [];
      let start = 0;
      for (let i = 1; i <= bits.length; i++) {
        if (i === bits.length || mask & (1 << (i - 1))) {
          pieces.push(bits.slice(start, i));
          start = i;
        }
      }
      if (pieces.every((p) => byWord.has(p))) brute.push(pieces.map((p) => byWord.get(p)).join(''));
    }
    expect(parses.map((p) => p.join('')).sort()).to.deep.equal(brute.sort());
    expect(parses.length).to.be.above(1);
    expect(info.countParses(CODE_1, bits)).to.equal(brute.length);
    expect(parses.map((p) => p.join(''))).to.include('EGG');
    for (const p of parses) expect(info.encode(CODE_1, p)).to.equal(bits);
    // A prefix-free code has exactly one parse.
    const huffman = info.huffmanCode(COUNTS);
    const message = ['H', 'E', 'A', 'D', 'E', 'G', 'G'];
    expect(info.decodeAll(huffman, info.encode(huffman, message))).to.deep.equal([message]);
  });

  it('decodeAll refuses to enumerate more parses than its limit', () => {
    expect(() => info.decodeAll({ A: '0', B: '00' }, '0'.repeat(40), { limit: 1000 })).to.throw(RangeError, /limit/);
    // Fibonacci: strings of n zeros split into 1s and 2s.
    expect(info.countParses({ A: '0', B: '00' }, '0'.repeat(10))).to.equal(89);
  });

  it('prefix-free test and Kraft sums', () => {
    expect(info.isPrefixFree(CODE_1)).to.equal(false);
    expect(info.isPrefixFree(CODE_2)).to.equal(false);
    expect(info.isPrefixFree({ A: '0', B: '10', C: '11' })).to.equal(true);
    expect(info.isPrefixFree({ A: '0', B: '0' })).to.equal(false);
    expect(info.isPrefixFree({ A: '10', B: '0', C: '1' })).to.equal(false);
    // Hand: 2·2⁻¹ + 2·2⁻² + 4·2⁻³ + 2⁻⁴ = 2.0625 > 1 (McMillan: not uniquely decodable).
    expect(info.kraftSum(CODE_1)).to.equal(2.0625);
    expect(info.kraftSum([1, 2, 3, 3])).to.equal(1);
    expect(info.kraftSum([1, 1], 3)).to.be.closeTo(2 / 3, 1e-15);
  });

  it('rejects malformed codes and bit strings', () => {
    expect(() => info.encode({ A: '0', B: '2' }, 'AB')).to.throw(RangeError, /code\["B"\]/);
    expect(() => info.encode(CODE_1, 'AZ')).to.throw(RangeError, /message\[1\]/);
    expect(() => info.decodeAll(CODE_1, '10a')).to.throw(RangeError, /bits/);
    expect(() => info.kraftSum([0])).to.throw(RangeError, /lengths\[0\]/);
    expect(() => info.averageCodeLength({ A: '0' }, { A: 1, B: 1 })).to.throw(RangeError, /"B"/);
  });
});

describe('info: Huffman codes', () => {
  it('gives a prefix-free code with H ≤ L < H + 1 and Kraft sum 1', () => {
    const rng = random.rng(5);
    for (let trial = 0; trial < 20; trial++) {
      const n = rng.int(2, 30);
      const p = randomDistribution(rng, n);
      const freqs = Object.fromEntries(p.map((v, i) => [`s${i}`, v]));
      const code = info.huffmanCode(freqs);
      expect(info.isPrefixFree(code)).to.equal(true);
      expect(info.kraftSum(code)).to.be.closeTo(1, 1e-12);
      const L = info.averageCodeLength(code, freqs);
      const H = info.entropy(p);
      expect(L).to.be.at.least(H - 1e-12);
      expect(L).to.be.below(H + 1);
    }
  });

  it('is optimal: matches the best length assignment satisfying Kraft (brute force, ≤ 6 symbols)', () => {
    const rng = random.rng(6);
    for (let trial = 0; trial < 15; trial++) {
      const n = rng.int(2, 7);
      const w = Array.from({ length: n }, () => rng.int(1, 20));
      const total = w.reduce((a, b) => a + b, 0);
      let best = Infinity;
      const lengths = new Array<number>(n).fill(1);
      const search = (i: number) => {
        if (i === n) {
          if (info.kraftSum(lengths) <= 1) best = Math.min(best, lengths.reduce((s, l, k) => s + (w[k] / total) * l, 0));
          return;
        }
        for (let l = 1; l < n; l++) {
          lengths[i] = l;
          search(i + 1);
        }
      };
      search(0);
      const freqs = Object.fromEntries(w.map((v, i) => [`s${i}`, v]));
      expect(info.averageCodeLength(info.huffmanCode(freqs), freqs)).to.be.closeTo(best, 1e-12);
    }
  });

  it('breaks ties deterministically and handles equal weights, zeros and a single symbol', () => {
    const equal = { a: 1, b: 1, c: 1, d: 1 };
    expect(info.huffmanCode(equal)).to.deep.equal(info.huffmanCode({ ...equal }));
    expect(Object.values(info.huffmanCode(equal)).map((w) => w.length)).to.deep.equal([2, 2, 2, 2]);
    const withZeros = info.huffmanCode(COUNTS);
    expect(Object.keys(withZeros)).to.deep.equal(Object.keys(COUNTS));
    expect(info.isPrefixFree(withZeros)).to.equal(true);
    expect(info.huffmanCode({ x: 3 })).to.deep.equal({ x: '0' });
    expect(info.huffmanCode(new Map([['x', 1], ['y', 3]]))).to.deep.equal({ x: '0', y: '1' });
    expect(() => info.huffmanCode({ a: -1, b: 2 })).to.throw(RangeError, /freqs\["a"\]/);
    expect(() => info.huffmanCode({})).to.throw(RangeError, /freqs/);
  });
});

describe('info: entropy, cross-entropy, KL and JSD', () => {
  it('entropy: uniform = log n, a point mass = 0, a fair coin = 1 bit = ln 2 nats = log10 2', () => {
    for (const n of [1, 2, 3, 8, 100]) expect(info.entropy(new Array(n).fill(1 / n))).to.be.closeTo(Math.log2(n), 1e-12);
    expect(info.entropy([0, 1, 0])).to.equal(0);
    expect(info.entropy([0.5, 0.5])).to.be.closeTo(1, 1e-15);
    expect(info.entropy([0.5, 0.5], Math.E)).to.be.closeTo(Math.LN2, 1e-15);
    expect(info.entropy([0.5, 0.5], 10)).to.be.closeTo(Math.log10(2), 1e-15);
    expect(info.entropy(Float64Array.from([0.25, 0.75]))).to.be.closeTo(-(0.25 * Math.log2(0.25) + 0.75 * Math.log2(0.75)), 1e-15);
  });

  it("rebuilds lecture 000's cross-entropy table (base 10): column sums 0.60 and 1.47", () => {
    const pStar = [0.1, 0.5, 0.12, 0.05, 0.01, 0.9, 0.7];
    const pModel = [0.8, 0.45, 0.7, 0.9, 0.99, 0.1, 0.3];
    const entropyColumn = info.entropyTerms(pStar, 10);
    const crossColumn = info.crossEntropyTerms(pStar, pModel, 10);
    // The lecture's rows, rounded to two decimals.
    expect(Array.from(entropyColumn, (v) => Number(v.toFixed(2)))).to.deep.equal([0.1, 0.15, 0.11, 0.07, 0.02, 0.04, 0.11]);
    expect(Array.from(crossColumn, (v) => Number(v.toFixed(2)))).to.deep.equal([0.01, 0.17, 0.02, 0.0, 0.0, 0.9, 0.37]);
    expect(entropyColumn.reduce((a, b) => a + b, 0).toFixed(2)).to.equal('0.60');
    expect(crossColumn.reduce((a, b) => a + b, 0).toFixed(2)).to.equal('1.47');
    // The columns are per-class probabilities, not distributions: the sum-to-1 check refuses them.
    expect(() => info.entropy(pStar, 10)).to.throw(RangeError, /p must sum to 1.*2\.38/);
    expect(() => info.crossEntropy([0.5, 0.5], pModel.slice(0, 2))).to.throw(RangeError, /^q must sum to 1/);
  });

  it('terms add up to the entropy and the cross-entropy of real distributions', () => {
    const rng = random.rng(7);
    const p = randomDistribution(rng, 9, 2);
    const q = randomDistribution(rng, 9);
    expect(info.entropyTerms(p).reduce((a, b) => a + b, 0)).to.be.closeTo(info.entropy(p), 1e-12);
    expect(info.crossEntropyTerms(p, q).reduce((a, b) => a + b, 0)).to.be.closeTo(info.crossEntropy(p, q), 1e-12);
  });

  it('KL = cross-entropy − entropy ≥ 0, KL(p‖p) = 0, and KL is not symmetric', () => {
    const rng = random.rng(8);
    for (let trial = 0; trial < 50; trial++) {
      const n = rng.int(2, 12);
      const p = randomDistribution(rng, n, rng.int(0, n - 1));
      const q = randomDistribution(rng, n);
      for (const base of [2, Math.E, 10]) {
        const kl = info.klDivergence(p, q, base);
        expect(kl).to.be.closeTo(info.crossEntropy(p, q, base) - info.entropy(p, base), 1e-12);
        expect(kl).to.be.at.least(0);
      }
      expect(info.klDivergence(p, p)).to.equal(0);
    }
    const p = [0.9, 0.1];
    const q = [0.5, 0.5];
    // Hand: 0.9·log2(1.8) + 0.1·log2(0.2) vs 0.5·log2(5/9) + 0.5·log2(5).
    expect(info.klDivergence(p, q)).to.be.closeTo(0.9 * Math.log2(1.8) + 0.1 * Math.log2(0.2), 1e-12);
    expect(info.klDivergence(q, p)).to.be.closeTo(0.5 * Math.log2(5 / 9) + 0.5 * Math.log2(5), 1e-12);
    expect(info.klDivergence(p, q)).to.not.be.closeTo(info.klDivergence(q, p), 0.1);
  });

  it('0·log 0 = 0, and KL / cross-entropy are Infinity where q = 0 < p', () => {
    expect(info.klDivergence([0, 1], [0.5, 0.5])).to.be.closeTo(1, 1e-15);
    expect(info.klDivergence([0.5, 0.5], [0, 1])).to.equal(Infinity);
    expect(info.crossEntropy([0.5, 0.5], [1, 0])).to.equal(Infinity);
    expect(info.crossEntropy([0, 1], [0, 1])).to.equal(0);
    expect(info.crossEntropyTerms([0.2, 0], [0, 0])[0]).to.equal(Infinity);
  });

  it('JSD: symmetric, = H(M) − (H(p) + H(q))/2, ≤ log 2, and = log 2 on disjoint supports', () => {
    const rng = random.rng(9);
    for (let trial = 0; trial < 50; trial++) {
      const n = rng.int(2, 10);
      const p = randomDistribution(rng, n, rng.int(0, n - 1));
      const q = randomDistribution(rng, n, rng.int(0, n - 1));
      const jsd = info.jsDivergence(p, q);
      expect(jsd).to.be.closeTo(info.jsDivergence(q, p), 1e-12);
      const m = p.map((v, i) => (v + q[i]) / 2);
      expect(jsd).to.be.closeTo(info.entropy(m) - (info.entropy(p) + info.entropy(q)) / 2, 1e-12);
      expect(jsd).to.be.at.most(1 + 1e-12);
      expect(info.jsDivergence(p, q, Math.E)).to.be.at.most(Math.LN2 + 1e-12);
    }
    expect(info.jsDivergence([0.5, 0.5, 0, 0], [0, 0, 0.3, 0.7])).to.be.closeTo(1, 1e-15);
    expect(info.jsDivergence([1, 0], [0, 1], Math.E)).to.be.closeTo(Math.LN2, 1e-15);
    expect(info.jsDivergence([0.3, 0.7], [0.3, 0.7])).to.equal(0);
  });

  it('rejects non-distributions with a RangeError naming the argument', () => {
    expect(() => info.entropy([0.5, 0.6])).to.throw(RangeError, /^p must sum to 1/);
    expect(() => info.entropy([1.5, -0.5])).to.throw(RangeError, /p\[0\]|p\[1\]/);
    expect(() => info.entropy([NaN, 1])).to.throw(RangeError, /p\[0\]/);
    expect(() => info.entropy([])).to.throw(RangeError, /p must not be empty/);
    expect(() => info.klDivergence([0.5, 0.5], [0.5, 0.4])).to.throw(RangeError, /^q must sum/);
    expect(() => info.klDivergence([0.5, 0.5], [0.2, 0.3, 0.5])).to.throw(RangeError, /same length/);
    expect(() => info.jsDivergence([1], [2])).to.throw(RangeError, /^q/);
    expect(() => info.entropy([1], 1)).to.throw(RangeError, /base/);
    expect(() => info.entropy([1], -2)).to.throw(RangeError, /base/);
    expect(() => info.entropyTerms([1.2])).to.throw(RangeError, /p\[0\]/);
    // Within the 1e-6 tolerance is accepted.
    expect(info.entropy([0.5, 0.5 + 5e-7])).to.be.closeTo(1, 1e-5);
  });
});

describe('info: KL between Gaussians', () => {
  // p(x)·(log p(x) − log q(x)) with the log densities written out, so far tails do not underflow.
  const logPdf = (x: number, m: number, s: number) => -0.5 * ((x - m) / s) ** 2 - Math.log(s * Math.sqrt(2 * Math.PI));
  const integrand = (m1: number, s1: number, m2: number, s2: number) => (x: number) =>
    info.gaussianPdf(x, m1, s1) * (logPdf(x, m1, s1) - logPdf(x, m2, s2));

  it('the closed form equals numerical integration of p·log(p/q)', () => {
    const cases: [number, number, number, number][] = [
      [0, 1, 0, 1],
      [0, 1, 1, 1],
      [0, 1, 0, 2],
      [1, 0.5, -1, 1.5],
      [-2, 3, 0.5, 0.7],
      [0.3, 0.1, 0, 1],
    ];
    for (const [m1, s1, m2, s2] of cases) {
      const lo = m1 - 12 * s1;
      const hi = m1 + 12 * s1;
      const numeric = simpson(integrand(m1, s1, m2, s2), lo, hi);
      expect(info.gaussianKl(m1, s1, m2, s2)).to.be.closeTo(numeric, 1e-8);
    }
  });

  it('is 0 for equal Gaussians, (Δμ)²/2 for unit variances, asymmetric in the variances', () => {
    expect(info.gaussianKl(1.5, 2, 1.5, 2)).to.equal(0);
    expect(info.gaussianKl(0, 1, 3, 1)).to.be.closeTo(4.5, 1e-15);
    expect(info.gaussianKl(0, 1, 0, 2)).to.not.be.closeTo(info.gaussianKl(0, 2, 0, 1), 0.1);
    expect(info.gaussianKl(0, 1, 3, 1, 2)).to.be.closeTo(4.5 / Math.LN2, 1e-12);
  });

  it('the diagonal KL is the sum of the per-dimension KLs', () => {
    const mu1 = [0.1, -0.3, 2];
    const s1 = [1, 0.5, 2];
    const mu2 = [0, 0, 0];
    const s2 = [1, 1, 1];
    const sum = mu1.reduce((acc, _, d) => acc + info.gaussianKl(mu1[d], s1[d], mu2[d], s2[d]), 0);
    expect(info.gaussianKl(mu1, s1, mu2, s2)).to.be.closeTo(sum, 1e-14);
    // VAE form: ½ Σ (μ² + σ² − 1 − log σ²) against N(0, 1).
    const vae = 0.5 * mu1.reduce((acc, m, d) => acc + m * m + s1[d] ** 2 - 1 - Math.log(s1[d] ** 2), 0);
    expect(info.gaussianKl(mu1, s1, mu2, s2)).to.be.closeTo(vae, 1e-14);
  });

  it('rejects bad parameters', () => {
    expect(() => info.gaussianKl(0, 0, 0, 1)).to.throw(RangeError, /sigma1/);
    expect(() => info.gaussianKl(0, 1, NaN, 1)).to.throw(RangeError, /mu2/);
    expect(() => info.gaussianKl([0, 1], [1, 1], [0], [1])).to.throw(RangeError, /mu2/);
    expect(() => info.gaussianKl([0], [-1], [0], [1])).to.throw(RangeError, /sigma1\[0\]/);
  });
});
