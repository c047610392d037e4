/**
 * hw01 public tests: information theory. Expected values are computed by hand in the comments
 * (lecture 000's tables) or are closed forms; points are in each title.
 */
import { expect } from 'chai';
import type * as Hw01 from '../../notebooks/homework/hw01';
import { homework } from './target';

const hw = homework<typeof Hw01>('hw01');

// Lecture 000: frequencies of A..I and the two codes' lengths.
const FREQUENCIES = [1, 1, 0, 2, 3, 0, 2, 2, 1];
const FIRST_CODE = ['0', '1', '10', '11', '100', '101', '110', '111', '1000'];

describe('Task 1: entropy', () => {
  it('a fair coin has 1 bit and a fair die log2(6) bits [1 pt]', () => {
    expect(hw().entropy([0.5, 0.5])).to.be.closeTo(1, 1e-12);
    expect(hw().entropy([1, 1, 1, 1, 1, 1].map((x) => x / 6))).to.be.closeTo(Math.log2(6), 1e-12);
  });
  it('0·log 0 = 0: a certain outcome has entropy 0 [1 pt]', () => {
    expect(hw().entropy([0, 1, 0])).to.equal(0);
  });
  it('the base changes the unit: nats and base 10 [1 pt]', () => {
    // H(1/4, 3/4) = −(1/4)ln(1/4) − (3/4)ln(3/4) nats.
    const nats = -(0.25 * Math.log(0.25) + 0.75 * Math.log(0.75));
    expect(hw().entropy([0.25, 0.75], Math.E)).to.be.closeTo(nats, 1e-12);
    expect(hw().entropy([0.25, 0.75], 10)).to.be.closeTo(nats / Math.log(10), 1e-12);
  });
  it('the A–I frequency table has about 2.69 bits (lecture 000) [1 pt]', () => {
    // 3 symbols with p = 1/12, 3 with 1/6, one with 1/4.
    const h = (3 / 12) * Math.log2(12) + (3 / 6) * Math.log2(6) + 0.25 * 2;
    const p = FREQUENCIES.map((f) => f / 12);
    expect(hw().entropy(p)).to.be.closeTo(h, 1e-12);
    expect(hw().entropy(p)).to.be.closeTo(2.69, 0.005);
  });
  it('rejects a list that is not a distribution with a RangeError [1 pt]', () => {
    expect(() => hw().entropy([0.5, 0.6])).to.throw(RangeError, /p/);
    expect(() => hw().entropy([1.5, -0.5])).to.throw(RangeError);
  });
  it('rejects a base that is not a valid logarithm base (1, 0, negative) with a RangeError [1 pt]', () => {
    // log_1 x = ln x / ln 1 divides by 0: the docstring promises a RangeError instead.
    expect(() => hw().entropy([0.5, 0.5], 1)).to.throw(RangeError);
    expect(() => hw().entropy([0.5, 0.5], 0)).to.throw(RangeError);
    expect(() => hw().entropy([0.5, 0.5], -2)).to.throw(RangeError);
  });
});

describe('Task 2: crossEntropy', () => {
  it('is −Σ p log q, here in base 10 as in the lecture\'s table [2 pts]', () => {
    // Lecture 000's row A as a two-class problem: P* = (0.1, 0.9), P = (0.8, 0.2).
    const expected = -(0.1 * Math.log10(0.8) + 0.9 * Math.log10(0.2));
    expect(hw().crossEntropy([0.1, 0.9], [0.8, 0.2], 10)).to.be.closeTo(expected, 1e-12);
  });
  it('H(P, P) = H(P) [1 pt]', () => {
    const p = [0.2, 0.3, 0.5];
    const h = -(0.2 * Math.log2(0.2) + 0.3 * Math.log2(0.3) + 0.5 * Math.log2(0.5));
    expect(hw().crossEntropy(p, p)).to.be.closeTo(h, 1e-12);
  });
  it('is Infinity where q = 0 but p > 0 [1 pt]', () => {
    expect(hw().crossEntropy([0.5, 0.5], [1, 0])).to.equal(Infinity);
  });
  it('an outcome with p = 0 and q = 0 contributes 0·log 0 = 0, not Infinity [1 pt]', () => {
    // The third outcome is impossible under both: H = −(½ log2 ¼ + ½ log2 ¾) = 1 − ½ log2 ¾.
    expect(hw().crossEntropy([0.5, 0.5, 0], [0.25, 0.75, 0])).to.be.closeTo(1 - 0.5 * Math.log2(0.75), 1e-12);
  });
});

describe('Task 3: klDivergence', () => {
  it('KL = cross-entropy − entropy, by hand [2 pts]', () => {
    // D(P‖Q) for P = (1/2, 1/2), Q = (1/4, 3/4): ½·log2(2) + ½·log2(2/3).
    const expected = 0.5 * Math.log2(0.5 / 0.25) + 0.5 * Math.log2(0.5 / 0.75);
    expect(hw().klDivergence([0.5, 0.5], [0.25, 0.75])).to.be.closeTo(expected, 1e-12);
  });
  it('an outcome with p = 0 and q = 0 contributes nothing (0·log(0/0) = 0) [1 pt]', () => {
    // Same as the two-outcome case above: ½·log2(2) + ½·log2(2/3).
    const expected = 0.5 * Math.log2(2) + 0.5 * Math.log2(2 / 3);
    expect(hw().klDivergence([0.5, 0, 0.5], [0.25, 0, 0.75])).to.be.closeTo(expected, 1e-12);
    expect(hw().klDivergence([0, 1], [0, 1])).to.equal(0);
  });
  it('is 0 for equal distributions and asymmetric otherwise [1 pt]', () => {
    expect(hw().klDivergence([0.3, 0.7], [0.3, 0.7])).to.be.closeTo(0, 1e-15);
    const pq = hw().klDivergence([0.9, 0.1], [0.5, 0.5]);
    const qp = hw().klDivergence([0.5, 0.5], [0.9, 0.1]);
    expect(Math.abs(pq - qp)).to.be.greaterThan(0.05);
  });
});

describe('Task 4: jsDivergence', () => {
  it('is symmetric and equals 1 bit for disjoint supports [2 pts]', () => {
    expect(hw().jsDivergence([1, 0], [0, 1])).to.be.closeTo(1, 1e-12);
    expect(hw().jsDivergence([1, 0], [0, 1], Math.E)).to.be.closeTo(Math.log(2), 1e-12);
    const a = hw().jsDivergence([0.9, 0.1], [0.2, 0.8]);
    expect(hw().jsDivergence([0.2, 0.8], [0.9, 0.1])).to.be.closeTo(a, 1e-12);
  });
  it('matches the definition with M = (P + Q)/2 [1 pt]', () => {
    const p = [0.5, 0.5];
    const q = [0.1, 0.9];
    const m = [0.3, 0.7];
    const kl = (a: number[], b: number[]) => a.reduce((s, v, i) => s + (v > 0 ? v * Math.log2(v / b[i]) : 0), 0);
    expect(hw().jsDivergence(p, q)).to.be.closeTo(0.5 * kl(p, m) + 0.5 * kl(q, m), 1e-12);
  });
});

describe('Task 5: huffmanCodeLengths', () => {
  it('gives the A–I table an optimal code: average 33/12 bits, H ≤ L < H + 1 [2 pts]', () => {
    // Huffman merges 1+1, 1+2, 2+2, 2+3, 3+4, 5+7: total cost 33 over 12 symbols.
    const lengths = hw().huffmanCodeLengths(FREQUENCIES);
    expect(lengths).to.have.length(9);
    const average = FREQUENCIES.reduce((s, f, i) => s + f * lengths[i], 0) / 12;
    expect(average).to.be.closeTo(33 / 12, 1e-12);
    expect(lengths[2]).to.equal(0);
    expect(lengths[5]).to.equal(0);
  });
  it('satisfies the Kraft equality Σ 2^−ℓ = 1 [1 pt]', () => {
    const lengths = hw().huffmanCodeLengths([5, 9, 12, 13, 16, 45]);
    const kraft = lengths.reduce((s, l) => s + 2 ** -l, 0);
    expect(kraft).to.be.closeTo(1, 1e-12);
    // The textbook example (CLRS 16.3): lengths 4 4 3 3 3 1.
    expect(lengths).to.deep.equal([4, 4, 3, 3, 3, 1]);
  });
  it('a single symbol with positive frequency gets length 1, symbols with frequency 0 get 0 [1 pt]', () => {
    // The docstring's edge cases: one codeword ("0") is still one bit long.
    expect(hw().huffmanCodeLengths([3])).to.deep.equal([1]);
    expect(hw().huffmanCodeLengths([0, 0, 2])).to.deep.equal([0, 0, 1]);
  });
});

describe('Task 6: isPrefixFree', () => {
  it("lecture 000's first code is not prefix-free; a Huffman-style code is, whatever the order of the codewords [1 pt]", () => {
    expect(hw().isPrefixFree(FIRST_CODE)).to.equal(false);
    expect(hw().isPrefixFree(['0', '10', '110', '111'])).to.equal(true);
    // '1' is a prefix of '10' although it comes after it, and '01' of '011' two places later.
    expect(hw().isPrefixFree(['10', '1'])).to.equal(false);
    expect(hw().isPrefixFree(['011', '00', '01'])).to.equal(false);
    expect(hw().isPrefixFree(['11', '00', '10', '01'])).to.equal(true);
  });
});

describe('Task 7: averageCodeLength', () => {
  it("reproduces the lecture's 2.58 and 1.82 [2 pts]", () => {
    // First code: (1+1+0+4+9+0+6+6+4)/12 = 31/12 ≈ 2.58; second: 22/12 ≈ 1.83 (the lecture rounds the terms to 1.82).
    expect(hw().averageCodeLength(FREQUENCIES, [1, 1, 2, 2, 3, 3, 3, 3, 4])).to.be.closeTo(31 / 12, 1e-12);
    expect(hw().averageCodeLength(FREQUENCIES, [3, 3, 3, 1, 1, 4, 2, 2, 3])).to.be.closeTo(22 / 12, 1e-12);
  });
});
