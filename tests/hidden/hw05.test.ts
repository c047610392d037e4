/** hw05 hidden tests: schedule properties, the forward chain by Monte Carlo, edge steps, DDIM η = 1. */
import { expect } from 'chai';
import { tf } from 'genbook';
import type * as Hw05 from '../../notebooks/homework/hw05';
import { homework, ready } from '../homework/target';

const hw = homework<typeof Hw05>('hw05');

function values(t: tf.Tensor): number[] {
  const out = Array.from(t.dataSync(), Number);
  t.dispose();
  return out;
}

before(ready);

describe('schedules (hidden)', function () {
  this.timeout(60_000);
  it('cosine betas lie in (0, 0.999] and ᾱ decreases [1 pt]', () => {
    const betas = hw().cosineBetaSchedule(200);
    betas.forEach((b) => expect(b).to.be.within(1e-12, 0.999));
    const a = hw().alphaBar(betas);
    for (let i = 1; i < a.length; i++) expect(a[i]).to.be.below(a[i - 1]);
  });
  it('linearBetaSchedule checks its arguments and handles one step [1 pt]', () => {
    expect(hw().linearBetaSchedule(1, 0.05, 0.1)).to.deep.equal([0.05]);
    expect(() => hw().linearBetaSchedule(0)).to.throw(RangeError);
    expect(() => hw().linearBetaSchedule(10, 0.5, 0.1)).to.throw(RangeError);
  });
  it('the closed form q(x_t | x_0) matches 60 steps of the chain (Monte Carlo mean and variance) [2 pts]', () => {
    const betas = hw().linearBetaSchedule(60, 1e-3, 0.05);
    const a = hw().alphaBar(betas)[59];
    const n = 20000;
    let x = tf.fill([n], 1.5);
    for (let t = 0; t < 60; t++) {
      const next = tf.tidy(() => x.mul(Math.sqrt(1 - betas[t])).add(tf.randomNormal([n], 0, 1, 'float32', 1000 + t).mul(Math.sqrt(betas[t]))));
      x.dispose();
      x = next;
    }
    const chain = values(x);
    const mean = chain.reduce((s, v) => s + v, 0) / n;
    const variance = chain.reduce((s, v) => s + (v - mean) ** 2, 0) / n;
    const jump = values(hw().qSample(tf.fill([n], 1.5), 59, hw().alphaBar(betas), tf.randomNormal([n], 0, 1, 'float32', 7)));
    const jumpMean = jump.reduce((s, v) => s + v, 0) / n;
    expect(mean).to.be.closeTo(1.5 * Math.sqrt(a), 0.03);
    expect(variance).to.be.closeTo(1 - a, 0.03);
    expect(jumpMean).to.be.closeTo(1.5 * Math.sqrt(a), 0.03);
  });
});

describe('sampling steps (hidden)', () => {
  const betas = [0.05, 0.1, 0.2, 0.3];
  it('at index 0 the posterior is x_0 with variance 0 and DDPM adds no noise [1 pt]', () => {
    const x0 = tf.tensor1d([0.4, -0.2]);
    const eps = tf.tensor1d([0.3, 1]);
    const ab = hw().alphaBar(betas);
    const x1 = hw().qSample(x0, 0, ab, eps);
    const { mean, variance } = hw().posteriorMeanVariance(x0, x1, 0, betas);
    values(mean).forEach((v, i) => expect(v).to.be.closeTo([0.4, -0.2][i], 1e-5));
    expect(variance).to.be.closeTo(0, 1e-12);
    values(hw().ddpmStep(x1, eps, 0, betas, tf.tensor1d([5, 5]))).forEach((v, i) => expect(v).to.be.closeTo([0.4, -0.2][i], 1e-5));
  });
  it('DDPM adds √β_t·z at later steps [1 pt]', () => {
    const xt = tf.tensor1d([0.1, 0.2]);
    const eps = tf.tensor1d([0.5, -0.5]);
    const without = values(hw().ddpmStep(xt, eps, 2, betas, tf.zeros([2])));
    const withNoise = values(hw().ddpmStep(xt, eps, 2, betas, tf.tensor1d([1, -2])));
    expect(withNoise[0] - without[0]).to.be.closeTo(Math.sqrt(0.2), 1e-5);
    expect(withNoise[1] - without[1]).to.be.closeTo(-2 * Math.sqrt(0.2), 1e-5);
  });
  it('DDIM with η = 1 and one-step jumps is the posterior mean plus √β̃_t·z [2 pts]', () => {
    const ab = hw().alphaBar(betas);
    const t = 3;
    const xt = tf.tensor1d([0.7, -1.1]);
    const eps = tf.tensor1d([0.2, 0.9]);
    const z = tf.tensor1d([1, -0.5]);
    const x0hat = (xt.arraySync() as number[]).map((v, i) => (v - Math.sqrt(1 - ab[t]) * [0.2, 0.9][i]) / Math.sqrt(ab[t]));
    const { mean, variance } = hw().posteriorMeanVariance(tf.tensor1d(x0hat), xt, t, betas);
    const expected = values(mean).map((m, i) => m + Math.sqrt(variance) * [1, -0.5][i]);
    values(hw().ddimStep(xt, eps, t, t - 1, ab, 1, z)).forEach((v, i) => expect(v).to.be.closeTo(expected[i], 1e-5));
  });
  it('DDIM η = 1 skipping from index 3 to 0: noise σ·z with σ² = (1 − ᾱ_0)/(1 − ᾱ_3)·(1 − ᾱ_3/ᾱ_0) [1 pt]', () => {
    // β = (0.05, 0.1, 0.2, 0.3): ᾱ_0 = 0.95, ᾱ_3 = 0.95·0.9·0.8·0.7 = 0.4788.
    const ab = [0.95, 0.855, 0.684, 0.4788];
    const sigma = Math.sqrt((0.05 / 0.5212) * (1 - 0.4788 / 0.95));
    const xt = tf.tensor1d([1.2, -0.3]);
    const eps = tf.tensor1d([-0.4, 0.8]);
    const a = values(hw().ddimStep(xt, eps, 3, 0, ab, 1, tf.tensor1d([2, 1])));
    const b = values(hw().ddimStep(xt, eps, 3, 0, ab, 1, tf.zeros([2])));
    expect(a[0] - b[0]).to.be.closeTo(2 * sigma, 1e-5);
    expect(a[1] - b[1]).to.be.closeTo(sigma, 1e-5);
  });
  it('CFG is c + w(c − u) for any w [1 pt]', () => {
    const c = [0.3, -2, 1];
    const u = [1, 1, 1];
    for (const w of [0.5, 7.5]) {
      values(hw().cfgCombine(tf.tensor1d(c), tf.tensor1d(u), w)).forEach((v, i) => expect(v).to.be.closeTo(c[i] + w * (c[i] - u[i]), 1e-5));
    }
  });
});
