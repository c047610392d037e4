/**
 * systems: BigGAN's truncation trick (bounds, the truncated normal's variance against its closed
 * form with Φ by numerical integration, τ = ∞ is N(0, 1)), class-conditional batch norm (plain BN
 * at initialisation, a per-class gain afterwards, running statistics), pairwise diversity by hand.
 */
import { expect } from 'chai';
import { backend, random, systems, tf } from 'genbook';

/** Φ(x) by the trapezoid rule on the density from −10 (independent of the code under test). */
function normalCdf(x: number): number {
  const n = 20000;
  const a = -10;
  const h = (x - a) / n;
  let s = 0;
  for (let i = 0; i <= n; i++) {
    const u = a + i * h;
    const w = i === 0 || i === n ? 0.5 : 1;
    s += w * Math.exp(-0.5 * u * u);
  }
  return (s * h) / Math.sqrt(2 * Math.PI);
}

function moments(v: Float32Array): { mean: number; variance: number } {
  const mean = v.reduce((a, b) => a + b, 0) / v.length;
  return { mean, variance: v.reduce((a, b) => a + (b - mean) ** 2, 0) / v.length };
}

describe('systems: truncation trick', () => {
  it('every component lies in [−τ, τ] and the variance matches 1 − 2τφ(τ)/(2Φ(τ) − 1)', () => {
    for (const tau of [0.5, 1, 2]) {
      const z = systems.truncatedNormal(random.rng(7), 4000, 10, tau);
      expect(z.length).to.equal(40000);
      expect(Math.max(...Array.from(z).map(Math.abs))).to.be.at.most(tau);
      const { mean, variance } = moments(z);
      const expected = systems.truncatedNormalVariance(tau, normalCdf);
      // hand values: τ = 1 → 0.2911, τ = 2 → 0.7737 (tables of the truncated normal)
      if (tau === 1) expect(expected).to.be.closeTo(0.2911, 1e-3);
      if (tau === 2) expect(expected).to.be.closeTo(0.7737, 1e-3);
      expect(mean).to.be.closeTo(0, 0.02);
      expect(variance).to.be.closeTo(expected, 0.02 * expected + 0.005);
    }
  });

  it('τ = ∞ is the plain normal (variance 1) and the draws are seeded', () => {
    const z = systems.truncatedNormal(random.rng(1), 5000, 4, Infinity);
    expect(moments(z).variance).to.be.closeTo(1, 0.05);
    expect(Array.from(systems.truncatedNormal(random.rng(3), 2, 3, 1))).to.deep.equal(Array.from(systems.truncatedNormal(random.rng(3), 2, 3, 1)));
    expect(() => systems.truncatedNormal(random.rng(1), 2, 2, 0)).to.throw(RangeError, /threshold/);
  });
});

describe('systems: class-conditional batch norm', () => {
  before(async () => {
    await backend.setup('wasm', { log: null });
  });

  it('at initialisation it is plain BN (per-unit mean 0, variance 1, the same for every class)', () => {
    const g = new systems.CbnMlpGenerator({ latentDim: 4, numClasses: 3, dataDim: 5, hiddenUnits: [6], seed: 2 });
    const h = tf.randomNormal([64, 6], 3, 2, 'float32', 4);
    const yA = tf.oneHot(tf.fill([64], 0, 'int32') as tf.Tensor1D, 3).toFloat();
    const yB = tf.oneHot(tf.fill([64], 2, 'int32') as tf.Tensor1D, 3).toFloat();
    const a = g.conditionalBatchNorm('bn0', h, yA, true);
    const b = g.conditionalBatchNorm('bn0', h, yB, true);
    expect(a.arraySync()).to.deep.equal(b.arraySync());
    const m = tf.moments(a, 0);
    for (const v of m.mean.dataSync()) expect(v).to.be.closeTo(0, 1e-4);
    for (const v of m.variance.dataSync()) expect(v).to.be.closeTo(1, 1e-3);
    // after a change of W_γ, class 2's output is (1 + w)·normalised while class 0 is unchanged
    const rec = g.params.record();
    (rec['bn0/gamma/kernel'] as tf.Variable).assign(tf.tensor2d([[0, 0, 0, 0, 0, 0], [0, 0, 0, 0, 0, 0], [1, 1, 1, 1, 1, 1]]));
    const a2 = g.conditionalBatchNorm('bn0', h, yA, true);
    const b2 = g.conditionalBatchNorm('bn0', h, yB, true);
    const diffA = tf.max(tf.abs(tf.sub(a2, a))).dataSync()[0];
    const diffB = tf.max(tf.abs(tf.sub(b2, tf.mul(a, 2)))).dataSync()[0];
    expect(diffA).to.be.lessThan(1e-6);
    expect(diffB).to.be.lessThan(1e-5);
    tf.dispose([h, yA, yB, a, b, a2, b2, m.mean, m.variance]);
    g.dispose();
  });

  it('training mode moves the running statistics toward the batch statistics (momentum 0.9)', () => {
    const g = new systems.CbnMlpGenerator({ latentDim: 2, numClasses: 2, dataDim: 3, hiddenUnits: [2], seed: 1 });
    const h = tf.tensor2d([[1, 10], [3, 20]]); // batch means 2, 15; variances 1, 25
    const y = tf.tensor2d([[1, 0], [0, 1]]);
    tf.dispose(g.conditionalBatchNorm('bn0', h, y, true));
    const [s] = g.runningStatistics();
    const mean = Array.from(s.mean.dataSync());
    const variance = Array.from(s.variance.dataSync());
    expect(mean[0]).to.be.closeTo(0.2, 1e-6);
    expect(mean[1]).to.be.closeTo(1.5, 1e-6);
    expect(variance[0]).to.be.closeTo(0.9 + 0.1, 1e-6);
    expect(variance[1]).to.be.closeTo(0.9 + 2.5, 1e-5);
    tf.dispose([h, y]);
    g.dispose();
  });

  it('trains a few GAN iterations in gan.GanTrainer without leaking and samples in [−1, 1]', async () => {
    const n = 40;
    const x0 = Float32Array.from({ length: n * 196 }, (_, i) => ((i % 7) / 3.5) - 1);
    const labels = Uint8Array.from({ length: n }, (_, i) => i % 10);
    const { trainer, generator } = systems.cbnGanTrainer({ x0, labels, seed: 3, batchSize: 16 });
    await trainer.train(3);
    const x = generator.sample([0, 1, 2, 3], 0.5, 9);
    expect(x.shape).to.deep.equal([4, 196]);
    for (const v of x.dataSync()) expect(Math.abs(v)).to.be.at.most(1);
    x.dispose();
  });
});

describe('systems: diversity', () => {
  it('mean pairwise distance per group by hand', () => {
    // group 0: (0,0), (3,4), (0,0) → distances 5, 0, 5 → 10/3; group 1: (1,1),(1,2) → 1; mean 13/6
    const rows = Float32Array.from([0, 0, 3, 4, 1, 1, 0, 0, 1, 2]);
    expect(systems.meanPairwiseDistance(rows, 2, [0, 0, 1, 0, 1])).to.be.closeTo(13 / 6, 1e-9);
  });
});
