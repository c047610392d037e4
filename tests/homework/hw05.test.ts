/** hw05 public tests: schedules, ᾱ, the forward jump, the posterior, DDPM and DDIM steps, CFG. */
import { expect } from 'chai';
import { tf } from 'genbook';
import type * as Hw05 from '../../notebooks/homework/hw05';
import { homework, ready } from './target';

const hw = homework<typeof Hw05>('hw05');

function values(t: tf.Tensor): number[] {
  const out = Array.from(t.dataSync(), Number);
  t.dispose();
  return out;
}

function expectAllClose(actual: readonly number[], expected: readonly number[], tol: number): void {
  expect(actual).to.have.length(expected.length);
  actual.forEach((v, i) => expect(v, `[${i}]`).to.be.closeTo(expected[i], tol));
}

before(ready);

const BETAS = [0.1, 0.2, 0.3];
const ALPHA_BARS = [0.9, 0.72, 0.504];

describe('Tasks 1–3: schedules and ᾱ', () => {
  it('linearBetaSchedule spaces values evenly, endpoints included [1 pt]', () => {
    expectAllClose(hw().linearBetaSchedule(5, 0.1, 0.5), [0.1, 0.2, 0.3, 0.4, 0.5], 1e-12);
    const ddpm = hw().linearBetaSchedule(1000);
    expect(ddpm[0]).to.be.closeTo(1e-4, 1e-15);
    expect(ddpm[999]).to.be.closeTo(0.02, 1e-15);
  });
  it('cosineBetaSchedule follows ᾱ(t) = f(t)/f(0) [2 pts]', () => {
    const T = 10;
    const s = 0.008;
    const f = (t: number) => Math.cos(((t / T + s) / (1 + s)) * (Math.PI / 2)) ** 2;
    const betas = hw().cosineBetaSchedule(T);
    expect(betas).to.have.length(T);
    expect(betas[0]).to.be.closeTo(1 - f(1) / f(0), 1e-12);
    // ᾱ(T) = 0, so the last β would be 1: it is clipped to 0.999.
    expect(betas[T - 1]).to.be.closeTo(0.999, 1e-12);
  });
  it('linearBetaSchedule with one step is [betaStart] [1 pt]', () => {
    expect(hw().linearBetaSchedule(1)).to.deep.equal([1e-4]);
    expect(hw().linearBetaSchedule(1, 0.3, 0.6)).to.deep.equal([0.3]);
  });
  it('cosine betas are ratios of neighbours: Π(1 − β) up to index t is f(t + 1)/f(0) [1 pt]', () => {
    // β_t = 1 − ᾱ(t)/ᾱ(t − 1), so the running product telescopes to ᾱ(t) = f(t)/f(0) (before clipping).
    const T = 10;
    const s = 0.008;
    const f = (t: number) => Math.cos(((t / T + s) / (1 + s)) * (Math.PI / 2)) ** 2;
    const betas = hw().cosineBetaSchedule(T);
    let product = 1;
    for (let t = 0; t < T - 1; t++) {
      product *= 1 - betas[t];
      expect(product, `index ${t}`).to.be.closeTo(f(t + 1) / f(0), 1e-12);
    }
  });
  it('alphaBar is the running product of 1 − β [1 pt]', () => {
    expectAllClose(hw().alphaBar(BETAS), ALPHA_BARS, 1e-12);
  });
});

describe('Task 4: qSample', () => {
  it('x_t = √ᾱ_t x_0 + √(1 − ᾱ_t) ε [1 pt]', () => {
    const xt = hw().qSample(tf.tensor1d([1, -2]), 1, ALPHA_BARS, tf.tensor1d([0.5, 1]));
    expectAllClose(values(xt), [Math.sqrt(0.72) + Math.sqrt(0.28) * 0.5, -2 * Math.sqrt(0.72) + Math.sqrt(0.28)], 1e-6);
  });
});

describe('Task 5: posteriorMeanVariance', () => {
  it('matches DDPM eq. 7 by hand at index 1 of β = (0.1, 0.2, 0.3) [2 pts]', () => {
    // ᾱ_t = 0.72, ᾱ_{t−1} = 0.9, β_t = 0.2.
    const c0 = (Math.sqrt(0.9) * 0.2) / 0.28;
    const ct = (Math.sqrt(0.8) * 0.1) / 0.28;
    const { mean, variance } = hw().posteriorMeanVariance(tf.tensor1d([1, -1]), tf.tensor1d([0.5, 2]), 1, BETAS);
    expectAllClose(values(mean), [c0 + ct * 0.5, -c0 + ct * 2], 1e-6);
    expect(variance).to.be.closeTo((0.1 / 0.28) * 0.2, 1e-12);
  });
});

describe('Task 5: posteriorMeanVariance at index 0', () => {
  it('at index 0 (ᾱ before it is 1) the posterior is x_0 itself with variance 0 [1 pt]', () => {
    // c0 = √1·β/(1 − (1 − β)) = 1 and ct = √α·(1 − 1)/β = 0; β̃ = 0.
    const { mean, variance } = hw().posteriorMeanVariance(tf.tensor1d([0.7, -0.3]), tf.tensor1d([5, 5]), 0, BETAS);
    expectAllClose(values(mean), [0.7, -0.3], 1e-6);
    expect(variance).to.be.closeTo(0, 1e-12);
  });
});

describe('Task 6: ddpmStep', () => {
  it('with the true noise as ε_θ and z = 0, the step lands on the posterior mean [2 pts]', () => {
    // μ_θ(x_t, ε) = μ̃_t(x_t, x_0) when ε is the noise that made x_t from x_0 (DDPM eq. 11).
    const x0 = tf.tensor1d([0.3, -1.2, 2]);
    const eps = tf.tensor1d([1, 0.5, -0.7]);
    const xt = hw().qSample(x0, 2, ALPHA_BARS, eps);
    const step = values(hw().ddpmStep(xt, eps, 2, BETAS, tf.zeros([3])));
    const expected = values(hw().posteriorMeanVariance(x0, xt, 2, BETAS).mean);
    expectAllClose(step, expected, 1e-5);
  });
});

describe('Task 6: ddpmStep noise', () => {
  it('adds σ_t z = √β_t z before the last step and nothing at index 0 [2 pts]', () => {
    const xt = tf.tensor1d([0.2, -0.4]);
    const eps = tf.tensor1d([0.1, 0.3]);
    const z = tf.tensor1d([1, -2]);
    const withNoise = values(hw().ddpmStep(xt, eps, 1, BETAS, z));
    const without = values(hw().ddpmStep(xt, eps, 1, BETAS, tf.zeros([2])));
    // β at index 1 is 0.2: the difference is √0.2·z.
    expectAllClose([withNoise[0] - without[0], withNoise[1] - without[1]], [Math.sqrt(0.2), -2 * Math.sqrt(0.2)], 1e-5);
    expectAllClose(values(hw().ddpmStep(xt, eps, 0, BETAS, z)), values(hw().ddpmStep(xt, eps, 0, BETAS, tf.zeros([2]))), 1e-6);
  });
});

describe('Task 7: ddimStep', () => {
  it('η = 0 with the true noise jumps exactly to q(x_tPrev | x_0) with the same noise [2 pts]', () => {
    const x0 = tf.tensor1d([0.3, -1.2]);
    const eps = tf.tensor1d([1, -0.4]);
    const xt = hw().qSample(x0, 2, ALPHA_BARS, eps);
    expectAllClose(values(hw().ddimStep(xt, eps, 2, 0, ALPHA_BARS, 0, tf.zeros([2]))), values(hw().qSample(x0, 0, ALPHA_BARS, eps)), 1e-5);
    // To x_0 itself:
    expectAllClose(values(hw().ddimStep(xt, eps, 2, -1, ALPHA_BARS, 0, tf.zeros([2]))), [0.3, -1.2], 1e-5);
  });
  it('with η = 1 and a skipped step (index 2 → 0) the noise is σ·z, σ² = (1 − ᾱ_0)/(1 − ᾱ_2)·(1 − ᾱ_2/ᾱ_0) [2 pts]', () => {
    // ᾱ_0 = 0.9, ᾱ_2 = 0.504: σ² = (0.1/0.496)·(1 − 0.56) = 0.044/0.496.
    const sigma = Math.sqrt(0.044 / 0.496);
    const xt = tf.tensor1d([0.5, -0.8]);
    const eps = tf.tensor1d([0.3, 0.6]);
    const z = tf.tensor1d([1, -0.5]);
    const withNoise = values(hw().ddimStep(xt, eps, 2, 0, ALPHA_BARS, 1, z));
    const without = values(hw().ddimStep(xt, eps, 2, 0, ALPHA_BARS, 1, tf.zeros([2])));
    expectAllClose([withNoise[0] - without[0], withNoise[1] - without[1]], [sigma, -0.5 * sigma], 1e-5);
    // The mean keeps the x̂_0 part and puts the rest of the variance on ε: √ᾱ_0 x̂_0 + √(1 − ᾱ_0 − σ²) ε.
    const x0hat = [0.5, -0.8].map((v, i) => (v - Math.sqrt(0.496) * [0.3, 0.6][i]) / Math.sqrt(0.504));
    expectAllClose(without, x0hat.map((v, i) => Math.sqrt(0.9) * v + Math.sqrt(0.1 - sigma * sigma) * [0.3, 0.6][i]), 1e-5);
  });
});

describe('Task 8: cfgCombine', () => {
  it('(1 + w)·ε_c − w·ε_u; w = 0 gives ε_c [1 pt]', () => {
    const c = tf.tensor1d([1, 2]);
    const u = tf.tensor1d([0.5, -1]);
    expectAllClose(values(hw().cfgCombine(c, u, 0)), [1, 2], 1e-6);
    expectAllClose(values(hw().cfgCombine(c, u, 3)), [4 * 1 - 3 * 0.5, 4 * 2 + 3], 1e-6);
  });
});
