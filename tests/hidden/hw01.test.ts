/**
 * hw01 hidden tests: the same tasks on inputs the public tests do not show, and properties that
 * must hold for any input (Gibbs' inequality, the JSD bound, Huffman optimality bounds).
 */
import { expect } from 'chai';
import type * as Hw01 from '../../notebooks/homework/hw01';
import { homework } from '../homework/target';

const hw = homework<typeof Hw01>('hw01');

/** Deterministic pseudo-random distributions (a small LCG; no library code under test). */
function distributions(count: number, size: number, seed: number): number[][] {
  let state = seed;
  const next = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  return Array.from({ length: count }, () => {
    const raw = Array.from({ length: size }, () => next() + 0.01);
    const total = raw.reduce((a, b) => a + b, 0);
    return raw.map((v) => v / total);
  });
}

describe('Task 1: entropy (hidden)', () => {
  it('matches −Σ p log2 p on a four-outcome distribution [1 pt]', () => {
    const p = [0.1, 0.2, 0.3, 0.4];
    const expected = -p.reduce((s, v) => s + v * Math.log2(v), 0);
    expect(hw().entropy(p)).to.be.closeTo(expected, 1e-12);
  });
  it('is at most log2(n), reached by the uniform distribution [1 pt]', () => {
    for (const p of distributions(20, 5, 7)) expect(hw().entropy(p)).to.be.at.most(Math.log2(5) + 1e-12);
    expect(hw().entropy([0.2, 0.2, 0.2, 0.2, 0.2])).to.be.closeTo(Math.log2(5), 1e-12);
  });
  it('rejects an invalid base and NaN entries [1 pt]', () => {
    expect(() => hw().entropy([0.5, 0.5], 1)).to.throw(RangeError);
    expect(() => hw().entropy([NaN, 1])).to.throw(RangeError);
  });
});

describe('Task 2–4: divergences (hidden)', () => {
  it("Gibbs' inequality: H(P, Q) ≥ H(P), equality only at Q = P [1 pt]", () => {
    const [p, q] = distributions(2, 6, 11);
    expect(hw().crossEntropy(p, q)).to.be.greaterThan(hw().entropy(p));
    expect(hw().crossEntropy(p, p)).to.be.closeTo(hw().entropy(p), 1e-12);
  });
  it('KL = H(P, Q) − H(P) on random distributions, in nats [1 pt]', () => {
    for (const [p, q] of [distributions(2, 4, 3), distributions(2, 7, 5)]) {
      const expected = p.reduce((s, v, i) => s + v * Math.log(v / q[i]), 0);
      expect(hw().klDivergence(p, q, Math.E)).to.be.closeTo(expected, 1e-12);
    }
  });
  it('KL ignores outcomes with p = 0 and is Infinity where q = 0 < p [1 pt]', () => {
    expect(hw().klDivergence([0, 1], [0.5, 0.5])).to.be.closeTo(1, 1e-12);
    expect(hw().klDivergence([0.5, 0.5], [0, 1])).to.equal(Infinity);
  });
  it('JSD is symmetric, finite, and at most 1 bit [1 pt]', () => {
    const ds = distributions(10, 3, 19);
    for (let i = 0; i + 1 < ds.length; i++) {
      const a = hw().jsDivergence(ds[i], ds[i + 1]);
      expect(a).to.be.within(0, 1);
      expect(hw().jsDivergence(ds[i + 1], ds[i])).to.be.closeTo(a, 1e-12);
    }
    expect(hw().jsDivergence([0.5, 0.5, 0], [0, 0, 1])).to.be.closeTo(1, 1e-12);
  });
  it('outcomes impossible under both distributions change nothing (cross-entropy, KL) [1 pt]', () => {
    // Inserting a shared zero must leave every value as it was without it.
    for (const [p, q] of [distributions(2, 4, 23), distributions(2, 3, 29)]) {
      const pz = [0, ...p.slice(0, 2), 0, ...p.slice(2)];
      const qz = [0, ...q.slice(0, 2), 0, ...q.slice(2)];
      const ce = -p.reduce((s, v, i) => s + v * Math.log2(q[i]), 0);
      const kl = p.reduce((s, v, i) => s + v * Math.log2(v / q[i]), 0);
      expect(hw().crossEntropy(pz, qz)).to.be.closeTo(ce, 1e-12);
      expect(hw().klDivergence(pz, qz)).to.be.closeTo(kl, 1e-12);
    }
  });
  it('rejects distributions of different lengths [1 pt]', () => {
    expect(() => hw().klDivergence([0.5, 0.5], [0.2, 0.3, 0.5])).to.throw(RangeError);
    expect(() => hw().jsDivergence([1], [0.5, 0.5])).to.throw(RangeError);
  });
});

describe('Task 5–7: codes (hidden)', () => {
  it('Huffman lengths: Kraft equality, H ≤ L < H + 1, frequent symbols not longer [2 pts]', () => {
    const freqs = [8, 3, 1, 1, 6, 2, 9, 4, 4, 1];
    const lengths = hw().huffmanCodeLengths(freqs);
    const total = freqs.reduce((a, b) => a + b, 0);
    const p = freqs.map((f) => f / total);
    const h = -p.reduce((s, v) => s + v * Math.log2(v), 0);
    const average = p.reduce((s, v, i) => s + v * lengths[i], 0);
    expect(lengths.reduce((s, l) => s + 2 ** -l, 0)).to.be.closeTo(1, 1e-12);
    expect(average).to.be.at.least(h - 1e-12);
    expect(average).to.be.below(h + 1);
    // Optimal cost by hand: merges 1+1, 1+2, 2+3, 3+4, 4+5, 6+7, 8+9, 9+13, 17+22 → 2+3+5+7+9+13+17+22+39 = 117.
    expect(average * total).to.be.closeTo(117, 1e-9);
    for (let i = 0; i < freqs.length; i++) for (let j = 0; j < freqs.length; j++) if (freqs[i] > freqs[j]) expect(lengths[i]).to.be.at.most(lengths[j]);
  });
  it('Huffman edge cases: one symbol gets length 1; zeros get 0 [1 pt]', () => {
    expect(hw().huffmanCodeLengths([0, 7, 0])).to.deep.equal([0, 1, 0]);
    expect(hw().huffmanCodeLengths([1, 1])).to.deep.equal([1, 1]);
    expect(() => hw().huffmanCodeLengths([])).to.throw(RangeError);
  });
  it('isPrefixFree: duplicates and hidden prefixes [1 pt]', () => {
    expect(hw().isPrefixFree(['01', '01'])).to.equal(false);
    expect(hw().isPrefixFree(['110', '0', '11'])).to.equal(false);
    expect(hw().isPrefixFree(['00', '01', '10', '11'])).to.equal(true);
    expect(() => hw().isPrefixFree(['0', '2'])).to.throw(RangeError);
  });
  it('averageCodeLength normalises counts and checks lengths [1 pt]', () => {
    expect(hw().averageCodeLength([2, 6], [3, 1])).to.be.closeTo(1.5, 1e-12);
    expect(hw().averageCodeLength([0.25, 0.75], [3, 1])).to.be.closeTo(1.5, 1e-12);
    expect(() => hw().averageCodeLength([1, 2], [1])).to.throw(RangeError);
  });
});
