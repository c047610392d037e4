/** hw06 hidden tests: square roots of random matrices, non-commuting covariances, IS identity, causality of masks. */
import { expect } from 'chai';
import type * as Hw06 from '../../notebooks/homework/hw06';
import { homework } from '../homework/target';

const hw = homework<typeof Hw06>('hw06');

function lcg(seed: number): () => number {
  let state = seed;
  return () => (state = (state * 1103515245 + 12345) % 2147483648) / 2147483648;
}

function randomSpd(n: number, seed: number): number[][] {
  const next = lcg(seed);
  const b = Array.from({ length: n }, () => Array.from({ length: n }, () => next() - 0.5));
  return b.map((ri, i) => b.map((rj, j) => ri.reduce((s, v, k) => s + v * rj[k], 0) + (i === j ? 0.1 : 0)));
}

describe('Fréchet distance (hidden)', () => {
  it('matrixSqrt of a random SPD 5×5 matrix squares back to it and is symmetric [2 pts]', () => {
    const a = randomSpd(5, 21);
    const s = hw().matrixSqrt(a);
    for (let i = 0; i < 5; i++) {
      for (let j = 0; j < 5; j++) {
        expect(s[i][j]).to.be.closeTo(s[j][i], 1e-9);
        expect(s[i].reduce((acc, v, k) => acc + v * s[k][j], 0)).to.be.closeTo(a[i][j], 1e-8);
      }
    }
  });
  it('matrixSqrt of a singular 4×4 PSD matrix (rank 2) squares back to it [1 pt]', () => {
    // A = BBᵀ with B 4×2: two eigenvalues are 0 up to rounding.
    const b = [[1, 0.5], [-0.3, 2], [0.7, -1], [0, 0.4]];
    const a = b.map((ri) => b.map((rj) => ri[0] * rj[0] + ri[1] * rj[1]));
    const s = hw().matrixSqrt(a);
    for (let i = 0; i < 4; i++) {
      for (let j = 0; j < 4; j++) {
        expect(Number.isFinite(s[i][j])).to.equal(true);
        expect(s[i].reduce((acc, v, k) => acc + v * s[k][j], 0)).to.be.closeTo(a[i][j], 1e-7);
      }
    }
  });
  it('non-commuting covariances: Tr √M = √(Tr M + 2√det M) for 2×2 M [2 pts]', () => {
    // Σ₁ = diag(4, 1), Σ₂ = [[2, 1], [1, 2]]: M = Σ₁^½ Σ₂ Σ₁^½ = [[8, 2], [2, 2]], Tr 10, det 12.
    const expected = 1 + 4 + 5 - 2 * Math.sqrt(10 + 2 * Math.sqrt(12));
    expect(hw().frechetDistance([0, 0], [[4, 0], [0, 1]], [1, 0], [[2, 1], [1, 2]])).to.be.closeTo(expected, 1e-8);
  });
  it('is symmetric in its two Gaussians [1 pt]', () => {
    const s1 = randomSpd(3, 4);
    const s2 = randomSpd(3, 9);
    const m1 = [0.1, -0.3, 2];
    const m2 = [1, 1, 1];
    expect(hw().frechetDistance(m1, s1, m2, s2)).to.be.closeTo(hw().frechetDistance(m2, s2, m1, s1), 1e-8);
  });
});

describe('Inception Score (hidden)', () => {
  it('equals diversity × sharpness: exp(H(y)) · exp(−mean H(y|x)) [1 pt]', () => {
    const next = lcg(77);
    const rows = Array.from({ length: 12 }, () => {
      const raw = [next(), next(), next(), next(), next()].map((v) => v ** 3 + 1e-3);
      const t = raw.reduce((a, b) => a + b, 0);
      return raw.map((v) => v / t);
    });
    const h = (p: number[]) => -p.reduce((s, v) => s + (v > 0 ? v * Math.log(v) : 0), 0);
    const marginal = rows[0].map((_, j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);
    const expected = Math.exp(h(marginal)) * Math.exp(-rows.reduce((s, r) => s + h(r), 0) / rows.length);
    expect(hw().inceptionScore(rows)).to.be.closeTo(expected, 1e-9);
  });
  it('rejects rows that are not distributions [1 pt]', () => {
    expect(() => hw().inceptionScore([[0.5, 0.6]])).to.throw(RangeError);
    expect(() => hw().inceptionScore([[1, 0], [1]])).to.throw(RangeError);
  });
});

describe('PixelCNN masks (hidden)', () => {
  /** Which input pixels can reach output pixel (r, c) after stacking masked convolutions. */
  function receptiveField(masks: number[][][], size: number, r: number, c: number): Set<string> {
    let reach = new Set([`${r},${c}`]);
    for (const mask of [...masks].reverse()) {
      const k = mask.length;
      const h = (k - 1) / 2;
      const next = new Set<string>();
      for (const key of reach) {
        const [y, x] = key.split(',').map(Number);
        for (let i = 0; i < k; i++) {
          for (let j = 0; j < k; j++) {
            const yy = y + i - h;
            const xx = x + j - h;
            if (mask[i][j] && yy >= 0 && xx >= 0 && yy < size && xx < size) next.add(`${yy},${xx}`);
          }
        }
      }
      reach = next;
    }
    return reach;
  }
  it('a stack A, B, B never sees the current or a later pixel [1 pt]', () => {
    const masks = [hw().pixelCnnMask(3, 'A'), hw().pixelCnnMask(3, 'B'), hw().pixelCnnMask(3, 'B')];
    const field = receptiveField(masks, 9, 4, 4);
    for (const key of field) {
      const [y, x] = key.split(',').map(Number);
      expect(y < 4 || (y === 4 && x < 4), key).to.equal(true);
    }
    expect(field.has('4,3')).to.equal(true);
  });
  it('shows the blind spot: after A then B, (r−1, c+2) is unseen though (r−2, c+2) is seen [1 pt]', () => {
    const field = receptiveField([hw().pixelCnnMask(3, 'A'), hw().pixelCnnMask(3, 'B')], 9, 4, 4);
    expect(field.has('3,6')).to.equal(false);
    expect(field.has('2,6')).to.equal(true);
  });
});
