/**
 * systems: Denoising Diffusion GAN — the paper's VP schedule in closed form, the posterior draw
 * against DDPM eq. 7 by hand, the real pairs of the forward process, the generator's x_0
 * parameterisation (a reverse step is the posterior at G's x_0'; at t = 1 it is x_0' itself), what
 * the discriminator sees, shapes, and a short seeded training run on the ring of 8 Gaussians.
 */
import { expect } from 'chai';
import { backend, data, diffusion, gan, systems, tf } from 'genbook';

const close = (a: number[], b: number[], tol = 1e-5) => a.forEach((v, i) => expect(v).to.be.closeTo(b[i], tol));

describe('systems: Denoising Diffusion GAN', () => {
  before(async () => {
    await backend.setup('wasm', { log: null });
  });

  it('ddganSchedule: ᾱ_t = exp(−½(t/T)²(β_max − β_min) − (t/T)β_min), so ᾱ_T ≈ 0 after 4 steps', () => {
    const s = systems.ddganSchedule(4);
    for (let t = 0; t <= 4; t++) {
      expect(s.alphaBar(t)).to.be.closeTo(Math.exp(-0.5 * (t / 4) ** 2 * 19.9 - (t / 4) * 0.1), 1e-12);
    }
    // β_1 = 1 − exp(−0.1/4 − 19.9/32) by hand
    expect(s.beta(1)).to.be.closeTo(1 - Math.exp(-0.025 - 19.9 / 32), 1e-12);
    expect(s.alphaBar(4)).to.be.below(1e-4);
    expect(() => systems.ddganSchedule(0)).to.throw(RangeError, /T/);
    expect(() => systems.ddganSchedule(4, 1, 0.5)).to.throw(RangeError, /betaMax/);
  });

  it('posteriorSample = μ̃_t + √β̃_t·noise with DDPM eq. 7 by hand; x_0 itself at t = 1', () => {
    const m = new systems.DenoisingDiffusionGan({ T: 4, seed: 1 });
    const s = m.schedule;
    const x0 = [[1.5, -0.5], [0.2, 2], [-1, -1]];
    const xt = [[0.3, 0.1], [-0.4, 0.9], [2, -0.7]];
    const noise = [[0.5, -1.2], [1, 0.3], [-0.8, 0.25]];
    const t = [3, 2, 1];
    const got = tf.tidy(() => m.posteriorSample(tf.tensor2d(x0), tf.tensor2d(xt), t, tf.tensor2d(noise)).arraySync() as number[][]);
    t.forEach((ti, i) => {
      const ab = s.alphaBar(ti), abPrev = s.alphaBar(ti - 1), beta = s.beta(ti);
      const c0 = (Math.sqrt(abPrev) * beta) / (1 - ab);
      const ct = (Math.sqrt(1 - beta) * (1 - abPrev)) / (1 - ab);
      const variance = ((1 - abPrev) / (1 - ab)) * beta;
      close(got[i], [0, 1].map((j) => c0 * x0[i][j] + ct * xt[i][j] + Math.sqrt(variance) * noise[i][j]));
    });
    close(got[2], x0[2], 1e-6);
    m.dispose();
  });

  it('realPair: x_{t−1} = √ᾱ_{t−1}·x_0 + √(1−ᾱ_{t−1})·ε₁ (x_0 at t = 1), x_t = √(1−β_t)·x_{t−1} + √β_t·ε₂', () => {
    const m = new systems.DenoisingDiffusionGan({ T: 3, seed: 2 });
    const s = m.schedule;
    const x0 = [[1, 2], [-1, 0.5]], e1 = [[0.1, -0.2], [0.7, 0.4]], e2 = [[-0.3, 0.9], [0.2, -1.1]];
    const t = [1, 3];
    const { xPrev, xt } = m.realPair(tf.tensor2d(x0), t, tf.tensor2d(e1), tf.tensor2d(e2));
    const p = xPrev.arraySync() as number[][], q = xt.arraySync() as number[][];
    close(p[0], x0[0], 1e-6);
    t.forEach((ti, i) => {
      const abPrev = s.alphaBar(ti - 1), beta = s.beta(ti);
      const prev = [0, 1].map((j) => Math.sqrt(abPrev) * x0[i][j] + Math.sqrt(1 - abPrev) * e1[i][j]);
      close(p[i], prev);
      close(q[i], [0, 1].map((j) => Math.sqrt(1 - beta) * prev[j] + Math.sqrt(beta) * e2[i][j]));
    });
    tf.dispose([xPrev, xt]);
    m.dispose();
  });

  it('the generator predicts x_0 from (x_t, z, t); a reverse step is the posterior at that x_0 and equals it at t = 1', () => {
    const m = new systems.DenoisingDiffusionGan({ T: 4, latentDim: 3, seed: 3 });
    tf.tidy(() => {
      const xt = tf.tensor2d([[0.5, -0.5], [0.5, -0.5], [1, 1]]);
      const z = tf.tensor2d([[0.1, 0.2, 0.3], [0.1, 0.2, 0.3], [-1, 0, 1]]);
      const noise = tf.tensor2d([[0.3, -0.3], [0.3, -0.3], [1, 2]]);
      const x0a = m.predictX0(xt, z, [2, 3, 1]);
      expect(x0a.shape).to.deep.equal([3, 2]);
      const rows = x0a.arraySync();
      expect(rows[0]).to.not.deep.equal(rows[1]); // same x_t and z, different t
      const zOther = tf.tensor2d([[2, 2, 2], [0.1, 0.2, 0.3], [-1, 0, 1]]);
      expect(m.predictX0(xt, zOther, [2, 3, 1]).arraySync()[0]).to.not.deep.equal(rows[0]); // z matters
      const step = m.reverseStep(xt, z, [2, 3, 1], noise).arraySync() as number[][];
      const byHand = m.posteriorSample(x0a, xt, [2, 3, 1], noise).arraySync() as number[][];
      step.forEach((r, i) => close(r, byHand[i], 1e-6));
      close(step[2], rows[2], 1e-6);
    });
    expect(() => tf.tidy(() => m.predictX0(tf.zeros([2, 2]), tf.zeros([2, 2]), [1, 1]))).to.throw(RangeError, /z/);
    m.dispose();
  });

  it('the discriminator reads (x_{t−1}, x_t, t): each of the three changes its logit', () => {
    const m = new systems.DenoisingDiffusionGan({ T: 4, seed: 4 });
    expect(m.discriminator.inputs.map((i) => i.shape[1])).to.deep.equal([2, 2 + 4]);
    expect(m.generator.inputs.map((i) => i.shape[1])).to.deep.equal([4, 2 + 4]);
    tf.tidy(() => {
      const base = m.discriminate(tf.tensor2d([[1, 0]]), tf.tensor2d([[0.5, 0.5]]), [2]);
      expect(base.shape).to.deep.equal([1]);
      const v = base.dataSync()[0];
      expect(m.discriminate(tf.tensor2d([[0, 1]]), tf.tensor2d([[0.5, 0.5]]), [2]).dataSync()[0]).to.not.equal(v);
      expect(m.discriminate(tf.tensor2d([[1, 0]]), tf.tensor2d([[-0.5, 0.5]]), [2]).dataSync()[0]).to.not.equal(v);
      expect(m.discriminate(tf.tensor2d([[1, 0]]), tf.tensor2d([[0.5, 0.5]]), [3]).dataSync()[0]).to.not.equal(v);
    });
    expect(() => tf.tidy(() => m.timeCode([5]))).to.throw(RangeError, /t\[0\]/);
    const sin = new systems.DenoisingDiffusionGan({ T: 2, timeEncoding: 'sinusoidal', timeEmbeddingDim: 8, seed: 5 });
    expect(sin.discriminator.inputs.map((i) => i.shape[1])).to.deep.equal([2, 2 + 8]);
    sin.dispose();
    m.dispose();
  });

  it('sample: T generator calls from x_T ~ N(0, I), [n, 2], the same for the same seed', () => {
    const m = new systems.DenoisingDiffusionGan({ T: 3, seed: 6 });
    const a = m.sample(5, 11), b = m.sample(5, 11), c = m.sample(5, 12);
    expect(a.networkCalls).to.equal(3);
    expect(a.x0.shape).to.deep.equal([5, 2]);
    expect(a.x0.arraySync()).to.deep.equal(b.x0.arraySync());
    expect(a.x0.arraySync()).to.not.deep.equal(c.x0.arraySync());
    tf.dispose([a.x0, b.x0, c.x0]);
    m.dispose();
  });

  it('a short seeded training run on the ring moves the samples onto the ring (share within 0.5 of a mode rises)', async function () {
    this.timeout(120000);
    const centres = Array.from({ length: 8 }, (_, k) => [2 * Math.cos((2 * Math.PI * k) / 8), 2 * Math.sin((2 * Math.PI * k) / 8)]);
    const m = new systems.DenoisingDiffusionGan({ T: 2, hiddenUnits: [64, 64], seed: 7 });
    const coverage = () => {
      const { x0 } = m.sample(500, 8);
      const c = gan.modeCoverage(x0.arraySync(), centres, 0.5);
      x0.dispose();
      return c;
    };
    const before = coverage();
    const run = await systems.trainDdgan({ model: m, data: (rng, n) => data.toyTensor(data.ring8({ n, std: 0.05, seed: rng.tfSeed() })), steps: 600, batchSize: 128, seed: 9, r1Weight: 0.01 });
    const after = coverage();
    expect(run.history).to.have.length(600);
    expect(run.history.every((h) => Number.isFinite(h.discriminatorLoss) && h.r1 >= 0)).to.equal(true);
    expect(after.highQualityShare).to.be.above(before.highQualityShare + 0.2);
    expect(after.modesCovered).to.be.at.least(4); // measured: 0 → 6 modes, share 0 → 0.37
    m.dispose();
  });
});
