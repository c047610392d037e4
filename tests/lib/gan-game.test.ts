import { expect } from 'chai';
import { gan, random, tf } from 'genbook';

// 1D densities on a grid: p_data = N(0, 1), p_g = N(1.5, 0.7²), as in the 1D picture of the paper.
const dx = 0.01;
// The grid stops where p_g/p_data is still representable (D* < 1 in floating point).
const grid = Array.from({ length: 951 }, (_, j) => -4 + j * dx);
const gauss = (x: number, m: number, s: number) => Math.exp(-0.5 * ((x - m) / s) ** 2) / (s * Math.sqrt(2 * Math.PI));
// Renormalised on the grid so that Σ p dx = 1 exactly, as the identity C(G) = −log 4 + 2·JSD assumes.
const normalise = (p: number[]) => {
  const mass = p.reduce((s, v) => s + v * dx, 0);
  return p.map((v) => v / mass);
};
const pData = normalise(grid.map((x) => gauss(x, 0, 1)));
const pG = normalise(grid.map((x) => gauss(x, 1.5, 0.7)));

/** KL(p‖q) = Σ p log(p/q) dx with 0·log 0 = 0: an independent reference for the JSD. */
function kl(p: number[], q: number[]): number {
  return p.reduce((s, pj, j) => (pj === 0 ? s : s + pj * Math.log(pj / q[j]) * dx), 0);
}
function jsd(p: number[], q: number[]): number {
  const m = p.map((pj, j) => (pj + q[j]) / 2);
  return 0.5 * kl(p, m) + 0.5 * kl(q, m);
}

describe('gan: the game on 1D densities', () => {
  it('optimalDiscriminator is p_data/(p_data + p_g) pointwise, 1/2 where both vanish', () => {
    const d = gan.optimalDiscriminator([0.2, 0, 0.5, 0], [0.6, 0.3, 0.5, 0]);
    expect(Array.from(d)).to.deep.equal([0.25, 0, 0.5, 0.5]);
    expect(() => gan.optimalDiscriminator([0.1, -0.1], [0.1, 0.1])).to.throw(RangeError, /pData\[1\]/);
    expect(() => gan.optimalDiscriminator([0.1], [0.1, 0.1])).to.throw(RangeError, /same length/);
  });

  it('D* maximises V(D, G) for a fixed G: every perturbed or other discriminator scores lower', () => {
    const dStar = gan.optimalDiscriminator(pData, pG);
    const best = gan.valueFunction(pData, pG, dStar, dx);
    expect(best).to.be.closeTo(gan.virtualTrainingCriterion(pData, pG, dx), 1e-12);
    const rng = random.rng(5);
    for (let trial = 0; trial < 50; trial++) {
      // A smooth random perturbation in logit space, of random size.
      const a = rng.normal(0, 1);
      const b = rng.normal(0, 1);
      const size = rng.uniform(0.01, 1);
      // D*'s logit is log p_data − log p_g.
      const other = Array.from(dStar, (_, j) => {
        const logit = Math.log(pData[j]) - Math.log(pG[j]);
        return 1 / (1 + Math.exp(-(logit + size * Math.sin(a * grid[j] + b))));
      });
      expect(gan.valueFunction(pData, pG, other, dx)).to.be.below(best);
    }
    expect(gan.valueFunction(pData, pG, grid.map(() => 0.5), dx)).to.be.closeTo(-Math.log(4), 1e-3);
    expect(best).to.be.above(-Math.log(4));
  });

  it('C(G) = V(D*, G) = −log 4 + 2·JSD(p_data ‖ p_g) (Theorem 1), and −log 4 when p_g = p_data', () => {
    const c = gan.virtualTrainingCriterion(pData, pG, dx);
    expect(c).to.be.closeTo(-Math.log(4) + 2 * jsd(pData, pG), 1e-9);
    expect(gan.virtualTrainingCriterion(pData, pData, dx)).to.be.closeTo(-Math.log(4), 1e-6);
    // Disjoint supports: JSD = log 2, so C(G) = 0 (the discriminator wins completely).
    expect(gan.virtualTrainingCriterion([0.5, 0.5, 0, 0], [0, 0, 0.5, 0.5])).to.be.closeTo(0, 1e-12);
  });

  it('valueFunction uses 0·log 0 = 0 and is −Infinity when D is certain and wrong', () => {
    expect(gan.valueFunction([1, 0], [0, 1], [1, 0])).to.equal(0);
    expect(gan.valueFunction([1, 0], [0, 1], [0, 0])).to.equal(-Infinity);
    expect(() => gan.valueFunction([1], [0], [1.5])).to.throw(RangeError, /discriminator\[0\]/);
    expect(() => gan.valueFunction([1], [0], [0.5], 0)).to.throw(RangeError, /dx/);
  });

  it('kernelDensity integrates to 1 and recovers a Gaussian', () => {
    const samples = random.rng(1).normals(4000, 1, 0.5);
    const density = gan.kernelDensity(samples, grid);
    expect(density.reduce((s, v) => s + v * dx, 0)).to.be.closeTo(1, 1e-3);
    const peak = grid[density.indexOf(Math.max(...density))];
    expect(peak).to.be.closeTo(1, 0.1);
  });
});

describe('gan: AdaIN, cycle consistency, pix2pix and StarGAN losses', () => {
  const rng = random.rng(7);
  const x = rng.normalTensor([2, 4, 5, 3], 2, 3) as tf.Tensor4D;

  function channelStats(t: tf.Tensor4D): { mean: number[][]; std: number[][] } {
    const { mean, variance } = tf.moments(t, [1, 2]);
    const out = { mean: mean.arraySync() as number[][], std: (tf.sqrt(variance).arraySync() as number[][]) };
    tf.dispose([mean, variance]);
    return out;
  }

  it('adain with explicit styles: each output channel has mean y_b and standard deviation |y_s|', () => {
    const scale = tf.tensor2d([[0.5, 2, 1], [3, 0.1, 1.5]]);
    const bias = tf.tensor2d([[1, -2, 0], [0.5, 4, -1]]);
    const stats = channelStats(gan.adain(x, { scale, bias }));
    const s = scale.arraySync();
    const b = bias.arraySync();
    for (let i = 0; i < 2; i++) {
      for (let c = 0; c < 3; c++) {
        expect(stats.mean[i][c]).to.be.closeTo(b[i][c], 1e-4);
        expect(stats.std[i][c]).to.be.closeTo(s[i][c], 1e-3 * s[i][c] + 1e-4);
      }
    }
  });

  it("adain with a style feature map: the output's channel statistics equal the style's", () => {
    const style = random.rng(8).normalTensor([2, 6, 6, 3], -1, 0.4) as tf.Tensor4D;
    const out = channelStats(gan.adain(x, style));
    const want = channelStats(style);
    for (let i = 0; i < 2; i++) {
      for (let c = 0; c < 3; c++) {
        expect(out.mean[i][c]).to.be.closeTo(want.mean[i][c], 1e-4);
        expect(out.std[i][c]).to.be.closeTo(want.std[i][c], 1e-3);
      }
    }
    expect(() => gan.adain(x, tf.zeros([2, 6, 6, 2]) as tf.Tensor4D)).to.throw(RangeError, /style/);
  });

  it('the cycle loss is zero for inverse maps and |F(G(x)) − x| + |G(F(y)) − y| otherwise', () => {
    const xs = tf.tensor2d([[1, 2], [3, -4]]);
    const ys = tf.tensor2d([[0.5, 0], [-1, 2]]);
    const g = (t: tf.Tensor) => tf.add(tf.mul(t, 2), 1);
    const f = (t: tf.Tensor) => tf.div(tf.sub(t, 1), 2);
    expect(gan.cycleConsistencyLoss(g, f, xs, ys).dataSync()[0]).to.be.closeTo(0, 1e-6);
    // With F = identity: F(G(x)) − x = x + 1 and G(F(y)) − y = y + 1.
    const identity = (t: tf.Tensor) => t;
    const expected = (2 + 3 + 4 + 3) / 4 + (1.5 + 1 + 0 + 3) / 4;
    expect(gan.cycleConsistencyLoss(g, identity, xs, ys).dataSync()[0]).to.be.closeTo(expected, 1e-6);
  });

  it('pix2pix generator loss = −mean log D(x, G(x)) + λ·mean |y − G(x)|', () => {
    const logits = tf.tensor1d([0, 1]);
    const generated = tf.tensor1d([0.5, -0.5, 1]);
    const target = tf.tensor1d([0, 0, 0]);
    const { total, adversarial, l1 } = gan.pix2pixGeneratorLoss(logits, generated, target, 100);
    const adv = (Math.log(2) + Math.log(1 + Math.exp(-1))) / 2;
    expect(adversarial.dataSync()[0]).to.be.closeTo(adv, 1e-6);
    expect(l1.dataSync()[0]).to.be.closeTo(2 / 3, 1e-6);
    expect(total.dataSync()[0]).to.be.closeTo(adv + 200 / 3, 1e-4);
  });

  it('StarGAN: L_cls is the softmax cross-entropy, L_D and L_G combine their terms with λ_cls and λ_rec', () => {
    const logits = tf.tensor2d([[2, 0, -1], [0, 0, 0]]);
    const cls = gan.domainClassificationLoss(logits, [0, 2]).dataSync()[0];
    const lse = Math.log(Math.exp(2) + 1 + Math.exp(-1));
    expect(cls).to.be.closeTo((lse - 2 + Math.log(3)) / 2, 1e-6);
    const d = gan.starganDiscriminatorLoss({
      realSource: tf.tensor1d([0]),
      fakeSource: tf.tensor1d([0]),
      realDomainLogits: logits,
      originalDomains: [0, 2],
      lambdaCls: 2,
    });
    expect(d.total.dataSync()[0]).to.be.closeTo(Math.log(4) + 2 * cls, 1e-5);
    const input = tf.tensor1d([1, 2]);
    const g = gan.starganGeneratorLoss({
      fakeSource: tf.tensor1d([0]),
      fakeDomainLogits: logits,
      targetDomains: [0, 2],
      input,
      reconstructed: tf.tensor1d([1.5, 2]),
    });
    expect(g.reconstruction.dataSync()[0]).to.be.closeTo(0.25, 1e-6);
    expect(g.total.dataSync()[0]).to.be.closeTo(Math.log(2) + cls + 10 * 0.25, 1e-5);
    expect(() => gan.domainClassificationLoss(logits, [0])).to.throw(RangeError, /labels/);
  });

  it('modeCoverage counts covered modes and high-quality samples', () => {
    const centres = [[0, 0], [10, 0], [0, 10]];
    const samples = [[0.1, 0], [0, -0.2], [9.9, 0.1], [5, 5], [0.05, 0.05], [10, 0.3]];
    const c = gan.modeCoverage(samples, centres, 0.5);
    expect(c.counts).to.deep.equal([3, 2, 0]);
    expect(c.modesCovered).to.equal(2);
    expect(c.highQualityShare).to.be.closeTo(5 / 6, 1e-12);
  });
});
