/** data toy sets: seeded, the right shapes, and the geometry each one promises. */
import { expect } from 'chai';
import { data } from 'genbook';

function stats(values: number[]): { mean: number; std: number } {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  return { mean, std: Math.sqrt(values.reduce((s, v) => s + (v - mean) ** 2, 0) / values.length) };
}

describe('data toy sets', () => {
  it('are reproducible from the seed and differ between seeds', () => {
    for (const make of [
      (seed: number) => data.ring8({ n: 100, seed }),
      (seed: number) => data.twoMoons({ n: 100, seed }),
      (seed: number) => data.swissRoll({ n: 100, seed }),
      (seed: number) => data.gaussianMixture({ n: 100, means: [[0], [5]], seed }),
    ]) {
      expect(Array.from(make(1).points)).to.deep.equal(Array.from(make(1).points));
      expect(Array.from(make(1).points)).to.not.deep.equal(Array.from(make(2).points));
    }
  });

  it('ring8: 8 modes on a circle of radius 2 with std 0.02, visited about equally', () => {
    const set = data.ring8({ n: 8000, seed: 3 });
    expect(set.points.length).to.equal(16000);
    expect(set.dim).to.equal(2);
    for (let k = 0; k < 8; k++) {
      const idx = Array.from(set.labels.keys()).filter((i) => set.labels[i] === k);
      expect(idx.length).to.be.within(1000 - 4 * 30, 1000 + 4 * 30);
      const xs = stats(idx.map((i) => set.points[2 * i]));
      const ys = stats(idx.map((i) => set.points[2 * i + 1]));
      expect(xs.mean).to.be.closeTo(2 * Math.cos((Math.PI * k) / 4), 0.005);
      expect(ys.mean).to.be.closeTo(2 * Math.sin((Math.PI * k) / 4), 0.005);
      expect(xs.std).to.be.closeTo(0.02, 0.003);
      expect(ys.std).to.be.closeTo(0.02, 0.003);
    }
  });

  it('gaussianMixture follows the weights and per-component std', () => {
    const set = data.gaussianMixture({ n: 20000, means: [[-3, 0], [3, 1]], std: [0.5, 2], weights: [1, 3], seed: 4 });
    const first = Array.from(set.labels).filter((l) => l === 0).length / set.count;
    expect(first).to.be.closeTo(0.25, 4 * Math.sqrt((0.25 * 0.75) / 20000));
    const idx = Array.from(set.labels.keys()).filter((i) => set.labels[i] === 1);
    const x = stats(idx.map((i) => set.points[2 * i]));
    expect(x.mean).to.be.closeTo(3, 0.06);
    expect(x.std).to.be.closeTo(2, 0.05);
    expect(() => data.gaussianMixture({ n: 10, means: [[0, 0], [1]], seed: 1 })).to.throw(RangeError, /means\[1\]/);
    expect(() => data.gaussianMixture({ n: 0, means: [[0]], seed: 1 })).to.throw(RangeError, /^n/);
  });

  it('twoMoons: without noise the points lie on the two unit half circles', () => {
    const set = data.twoMoons({ n: 101, noise: 0, seed: 5 });
    expect(Array.from(set.labels).filter((l) => l === 0).length).to.equal(51);
    for (let i = 0; i < set.count; i++) {
      const [x, y] = [set.points[2 * i], set.points[2 * i + 1]];
      if (set.labels[i] === 0) {
        expect(Math.hypot(x, y)).to.be.closeTo(1, 1e-6);
        expect(y).to.be.at.least(0);
      } else {
        expect(Math.hypot(x - 1, y - 0.5)).to.be.closeTo(1, 1e-6);
        expect(y).to.be.at.most(0.5);
      }
    }
  });

  it('swissRoll: without noise the radius is t/5 and the angle is t', () => {
    const set = data.swissRoll({ n: 200, noise: 0, seed: 6 });
    for (let i = 0; i < set.count; i++) {
      const t = set.position[i];
      expect(t).to.be.within(1.5 * Math.PI, 4.5 * Math.PI);
      expect(Math.hypot(set.points[2 * i], set.points[2 * i + 1])).to.be.closeTo(t / 5, 1e-5);
      expect(set.labels[i]).to.equal(Math.min(3, Math.floor(((t - 1.5 * Math.PI) / (3 * Math.PI)) * 4)));
    }
    expect(() => data.swissRoll({ n: 10, noise: -1, seed: 1 })).to.throw(RangeError, /noise/);
  });

  it('toyTensor and toyColumn give the points as a tensor and as coordinates', () => {
    const set = data.twoMoons({ n: 10, seed: 7 });
    const t = data.toyTensor(set);
    expect(t.shape).to.deep.equal([10, 2]);
    expect(Array.from(t.dataSync())).to.deep.equal(Array.from(set.points));
    t.dispose();
    expect(Array.from(data.toyColumn(set, 1))).to.deep.equal(Array.from({ length: 10 }, (_, i) => set.points[2 * i + 1]));
  });
});
