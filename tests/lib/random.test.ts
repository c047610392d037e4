import { expect } from 'chai';
import { random, tf } from 'genbook';

describe('random.rng: a seeded generator', () => {
  it('gives the same sequence for the same seed and a different one for another seed', () => {
    const draw = (seed: number) => {
      const r = random.rng(seed);
      return [r.uniform(), r.normal(), r.int(0, 1000), r.choice([0.1, 0.9]), ...r.shuffle([1, 2, 3, 4, 5])];
    };
    expect(draw(11)).to.deep.equal(draw(11));
    expect(draw(11)).to.not.deep.equal(draw(12));
  });

  it('uniform draws have mean 1/2 and variance 1/12 (within 4 standard errors)', () => {
    const n = 200_000;
    const u = random.rng(1).uniforms(n);
    const mean = u.reduce((s, v) => s + v, 0) / n;
    const variance = u.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
    expect(Math.abs(mean - 0.5)).to.be.below(4 * Math.sqrt(1 / 12 / n));
    expect(Math.abs(variance - 1 / 12)).to.be.below(0.002);
    expect(u.reduce((m, v) => Math.min(m, v), 1)).to.be.at.least(0);
    expect(u.reduce((m, v) => Math.max(m, v), 0)).to.be.below(1);
  });

  it('normal draws match N(mean, std²): moments and the 68–95 rule', () => {
    const n = 200_000;
    const x = random.rng(2).normals(n, 3, 2);
    const mean = x.reduce((s, v) => s + v, 0) / n;
    const sd = Math.sqrt(x.reduce((s, v) => s + (v - mean) ** 2, 0) / n);
    const within1 = x.filter((v) => Math.abs(v - 3) < 2).length / n;
    const within2 = x.filter((v) => Math.abs(v - 3) < 4).length / n;
    expect(mean).to.be.closeTo(3, 4 * (2 / Math.sqrt(n)));
    expect(sd).to.be.closeTo(2, 0.02);
    expect(within1).to.be.closeTo(0.6827, 0.005);
    expect(within2).to.be.closeTo(0.9545, 0.003);
  });

  it('choice follows the given probabilities (chi-square below the 0.999 quantile)', () => {
    const p = [0.1, 0.2, 0.3, 0.4];
    const r = random.rng(3);
    const n = 100_000;
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < n; i++) counts[r.choice(p)]++;
    const chi2 = counts.reduce((s, c, i) => s + (c - n * p[i]) ** 2 / (n * p[i]), 0);
    expect(chi2).to.be.below(16.27); // χ²(3) 0.999 quantile
  });

  it('shuffle returns a permutation and leaves its input alone', () => {
    const items = Array.from({ length: 50 }, (_, i) => i);
    const shuffled = random.rng(4).shuffle(items);
    expect(shuffled).to.not.deep.equal(items);
    expect([...shuffled].sort((a, b) => a - b)).to.deep.equal(items);
    expect(items[0]).to.equal(0);
  });

  it('seeds TensorFlow.js ops: the same seed gives the same tensor', () => {
    const a = random.rng(5).normalTensor([4, 3]);
    const b = random.rng(5).normalTensor([4, 3]);
    const c = random.rng(6).normalTensor([4, 3]);
    expect(a.arraySync()).to.deep.equal(b.arraySync());
    expect(a.arraySync()).to.not.deep.equal(c.arraySync());
    tf.dispose([a, b, c]);
  });

  it('rejects bad arguments with a RangeError naming them', () => {
    const r = random.rng(0);
    expect(() => random.rng(Number.NaN)).to.throw(RangeError, /seed/);
    expect(() => r.choice([0.5, 0.6])).to.throw(RangeError, /sum to 1/);
    expect(() => r.choice([-0.5, 1.5])).to.throw(RangeError, /p\[0\]/);
    expect(() => r.int(3, 3)).to.throw(RangeError, /low < high/);
    expect(() => r.normals(-1)).to.throw(RangeError, /size/);
  });
});
