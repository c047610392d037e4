/**
 * diffusion samplers with exact ε-oracles on Gaussian toys, where the right answer is known in
 * closed form: DDPM (Algorithm 2), DDIM, classifier guidance and classifier-free guidance.
 */
import { expect } from 'chai';
import { backend, diffusion, random, tf } from 'genbook';

function meanVar(values: ArrayLike<number>): { mean: number; variance: number } {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  const mean = s / values.length;
  let v = 0;
  for (let i = 0; i < values.length; i++) v += (values[i] - mean) ** 2;
  return { mean, variance: v / values.length };
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

/** The exact E[ε | x_t] when x_0 ~ N(m, s²) (1D): √(1−ᾱ)·(x_t − √ᾱ·m)/(ᾱ·s² + 1 − ᾱ). */
function gaussianOracle(sched: diffusion.NoiseSchedule, m: number, s: number): diffusion.EpsilonPredictor {
  return (xt, t) =>
    tf.tidy(() => {
      const ab = sched.alphaBar(t);
      return tf.sub(xt, Math.sqrt(ab) * m).mul(Math.sqrt(1 - ab) / (ab * s * s + 1 - ab));
    });
}

describe('diffusion: DDPM sampling (Algorithm 2)', () => {
  const sched = diffusion.noiseSchedule('linear', 1000);
  before(async () => {
    await backend.setup('cpu', { log: null });
  });

  it('one step with the exact ε of x_0 ~ N(0, 1) and σ_t² = β_t maps N(0, 1) to N(0, 1) (DDPM §3.2)', () => {
    const n = 40000;
    const oracle = gaussianOracle(sched, 0, 1);
    for (const t of [2, 300, 1000]) {
      const start = random.rng(t).normalTensor([n, 1]);
      const eps = oracle(start, t);
      const z = random.rng(t + 2).normalTensor([n, 1]);
      const step = diffusion.ddpmStep(sched, start, t, eps, z, { variance: 'beta' });
      const { mean, variance } = meanVar(step.x.dataSync());
      expect(mean).to.be.closeTo(0, 4 / Math.sqrt(n));
      expect(variance).to.be.closeTo(1, 4 * Math.sqrt(2 / n));
      tf.dispose([start, eps, z, step.x, step.x0Hat]);
    }
  });

  it('one step with the exact ε of a point mass x_0 = c and σ_t² = β̃_t gives exactly q(x_{t−1} | x_0 = c)', () => {
    const n = 40000;
    const c = 0.8;
    for (const t of [2, 50, 700]) {
      const rng = random.rng(100 + t);
      const start = diffusion.qSample(sched, tf.fill([n, 1], c), t, rng.normalTensor([n, 1]));
      const eps = diffusion.epsFromX0(sched, start, t, tf.fill([n, 1], c));
      const z = rng.normalTensor([n, 1]);
      const step = diffusion.ddpmStep(sched, start, t, eps, z, { variance: 'posterior' });
      const { mean, variance } = meanVar(step.x.dataSync());
      const abPrev = sched.alphaBar(t - 1);
      expect(mean).to.be.closeTo(Math.sqrt(abPrev) * c, 4 * Math.sqrt((1 - abPrev) / n) + 1e-5);
      expect(variance).to.be.closeTo(1 - abPrev, 4 * (1 - abPrev) * Math.sqrt(2 / n) + 1e-6);
      tf.dispose([start, eps, z, step.x, step.x0Hat]);
    }
  });

  it('the whole chain with the exact ε of N(m, s²) returns samples of N(m, s²)', async () => {
    const short = diffusion.noiseSchedule('linear', 200, { betaEnd: 0.1 });
    const n = 10000;
    const m = 1.5;
    const s = 0.5;
    const x = await diffusion.ddpmSample(short, gaussianOracle(short, m, s), { shape: [n, 1], seed: 4, variance: 'beta' });
    const got = meanVar(x.dataSync());
    expect(got.mean).to.be.closeTo(m, 0.03);
    expect(Math.sqrt(got.variance)).to.be.closeTo(s, 0.03);
    x.dispose();
  });

  it('is seeded, reports every step with its trajectory, and does not leak tensors', async () => {
    const short = diffusion.noiseSchedule('cosine', 20);
    const oracle = gaussianOracle(short, 0, 1);
    const before = tf.memory().numTensors;
    const seen: number[] = [];
    const path: number[] = [];
    const a = await diffusion.ddpmSample(short, oracle, {
      shape: [5, 2],
      seed: 9,
      onStep: (s) => {
        seen.push(s.t);
        path.push(s.x.dataSync()[0]);
        expect(s.steps).to.equal(20);
        expect(s.tPrev).to.equal(s.t - 1);
      },
    });
    const b = await diffusion.ddpmSample(short, oracle, { shape: [5, 2], seed: 9 });
    const c = await diffusion.ddpmSample(short, oracle, { shape: [5, 2], seed: 10 });
    expect(seen).to.deep.equal(Array.from({ length: 20 }, (_, i) => 20 - i));
    expect(path[19]).to.equal(a.dataSync()[0]);
    expect(maxAbsDiff(a, b)).to.equal(0);
    expect(maxAbsDiff(a, c)).to.be.above(0.01);
    tf.dispose([a, b, c]);
    expect(tf.memory().numTensors).to.equal(before);
  });

  it('clipX0 clips x̂_0 and uses the posterior mean; without clipping both means agree', () => {
    const rng = random.rng(21);
    const xt = rng.normalTensor([6, 3]).mul(3);
    const eps = rng.normalTensor([6, 3]);
    const asWritten = diffusion.ddpmStep(sched, xt, 500, eps, null);
    const viaPosterior = diffusion.ddpmStep(sched, xt, 500, eps, null, { clipX0: [-1e9, 1e9] });
    expect(maxAbsDiff(asWritten.x, viaPosterior.x)).to.be.below(1e-4);
    const clipped = diffusion.ddpmStep(sched, xt, 500, eps, null, { clipX0: [-1, 1] });
    expect(tf.max(tf.abs(clipped.x0Hat)).dataSync()[0]).to.be.at.most(1);
    tf.dispose([xt, eps, asWritten.x, asWritten.x0Hat, viaPosterior.x, viaPosterior.x0Hat, clipped.x, clipped.x0Hat]);
  });
});

describe('diffusion: DDIM', () => {
  const sched = diffusion.noiseSchedule('linear', 1000);

  it('time step subsequences: uniform 1, 101, …, 901; trailing 100, …, 1000; bad input rejected', () => {
    expect(diffusion.ddimTimesteps(1000, 10)).to.deep.equal([1, 101, 201, 301, 401, 501, 601, 701, 801, 901]);
    expect(diffusion.ddimTimesteps(1000, 10, 'trailing')).to.deep.equal([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]);
    expect(diffusion.ddimTimesteps(1000, 1000)).to.deep.equal(Array.from({ length: 1000 }, (_, i) => i + 1));
    const quad = diffusion.ddimTimesteps(1000, 20, 'quadratic');
    expect(quad[0]).to.equal(1);
    expect(quad[19]).to.equal(801);
    expect(() => diffusion.ddimTimesteps(1000, 0)).to.throw(RangeError, /S must be/);
    expect(() => diffusion.ddimPlan(sched, { steps: [5, 3] })).to.throw(RangeError, /strictly increasing/);
  });

  it('η = 0 is deterministic: the seed only chooses x_T', async () => {
    const oracle = gaussianOracle(sched, 0.5, 0.3);
    const start = random.rng(1).normalTensor([64, 1]);
    const a = await diffusion.ddimSample(sched, oracle, { shape: [64, 1], seed: 1, start, steps: 20, eta: 0 });
    const b = await diffusion.ddimSample(sched, oracle, { shape: [64, 1], seed: 999, start, steps: 20, eta: 0 });
    expect(maxAbsDiff(a, b)).to.equal(0);
    const c = await diffusion.ddimSample(sched, oracle, { shape: [64, 1], seed: 999, start, steps: 20, eta: 0.5 });
    expect(maxAbsDiff(a, c)).to.be.above(1e-3);
    tf.dispose([start, a, b, c]);
  });

  it('η = 0 with the exact ε of a point mass returns the point in 10 steps', async () => {
    const c = tf.tensor2d([[0.25, -0.75]]);
    const oracle: diffusion.EpsilonPredictor = (xt, t) => tf.tidy(() => diffusion.epsFromX0(sched, xt, t, tf.tile(c, [xt.shape[0], 1])));
    const x = await diffusion.ddimSample(sched, oracle, { shape: [16, 2], seed: 3, steps: 10 });
    expect(maxAbsDiff(x, tf.tile(c, [16, 1]))).to.be.below(1e-3);
    tf.dispose([c, x]);
  });

  it('every step and η = 1 gives σ² = β̃_t and the same mean as DDPM with σ_t² = β̃_t', () => {
    for (const t of [2, 10, 500, 1000]) {
      const sigma = diffusion.ddimSigma(sched, t, t - 1, 1);
      expect(sigma * sigma).to.be.closeTo(sched.posteriorVariance(t), 1e-12);
    }
    const rng = random.rng(31);
    const xt = rng.normalTensor([8, 4]);
    const eps = rng.normalTensor([8, 4]);
    const z = rng.normalTensor([8, 4]);
    for (const t of [2, 400, 1000]) {
      const ddim = diffusion.ddimStep(sched, xt, t, t - 1, eps, 1, z);
      const ddpm = diffusion.ddpmStep(sched, xt, t, eps, z, { variance: 'posterior' });
      expect(maxAbsDiff(ddim.x, ddpm.x)).to.be.below(2e-4);
      tf.dispose([ddim.x, ddim.x0Hat, ddpm.x, ddpm.x0Hat]);
    }
    tf.dispose([xt, eps, z]);
  });

  it('η = 1 over all steps has the spread of DDPM with β̃_t (Monte Carlo, N(m, s²) oracle)', async () => {
    const short = diffusion.noiseSchedule('linear', 100, { betaEnd: 0.2 });
    const oracle = gaussianOracle(short, -1, 0.4);
    const n = 10000;
    const ddim = await diffusion.ddimSample(short, oracle, { shape: [n, 1], seed: 5, eta: 1 });
    const ddpm = await diffusion.ddpmSample(short, oracle, { shape: [n, 1], seed: 6, variance: 'posterior' });
    const a = meanVar(ddim.dataSync());
    const b = meanVar(ddpm.dataSync());
    expect(a.mean).to.be.closeTo(b.mean, 0.03);
    expect(a.variance).to.be.closeTo(b.variance, 0.05 * b.variance);
    tf.dispose([ddim, ddpm]);
  });

  it('img2img: a run from x_t at startStep visits startStep first, then the τ below it', async () => {
    const plan: number[] = [];
    const oracle = gaussianOracle(sched, 0, 1);
    const start = random.rng(2).normalTensor([2, 1]);
    const x = await diffusion.ddimSample(sched, oracle, { shape: [2, 1], seed: 1, start, startStep: 450, steps: 10, onStep: (s) => { plan.push(s.t); } });
    expect(plan).to.deep.equal([450, 401, 301, 201, 101, 1]);
    tf.dispose([x, start]);
  });
});

describe('diffusion: guidance', () => {
  const sched = diffusion.noiseSchedule('linear', 1000);

  it('classifierLogProbGradient matches the analytic gradient of a linear softmax classifier', () => {
    const W = tf.tensor2d([[1, -2, 0.5], [0.3, 0.7, -1]]); // 2 features → 3 classes
    const classifier = (x: tf.Tensor) => tf.matMul(x as tf.Tensor2D, W);
    const x = tf.tensor2d([[0.2, -0.4], [1, 1]]);
    const labels = [2, 0];
    const g = diffusion.classifierLogProbGradient(classifier, labels)(x, 10).arraySync() as number[][];
    const p = tf.softmax(classifier(x)).arraySync() as number[][];
    const w = W.arraySync();
    for (let i = 0; i < 2; i++) {
      for (let d = 0; d < 2; d++) {
        const expected = w[d][labels[i]] - p[i].reduce((s, pk, k) => s + pk * w[d][k], 0);
        expect(g[i][d]).to.be.closeTo(expected, 1e-5);
      }
    }
    tf.dispose([W, x]);
  });

  it('DDPM guidance adds s·σ_t²·∇log p to the mean (Algorithm 1); DDIM guidance shifts ε by −√(1−ᾱ_t)·s·∇', async () => {
    const oracle = gaussianOracle(sched, 0, 1);
    const gradient: diffusion.ClassifierGradient = (xt) => tf.onesLike(xt);
    const start = tf.tensor2d([[0.3], [-0.2]]);
    const plain = await diffusion.ddpmSample(sched, oracle, { shape: [2, 1], seed: 1, start, startStep: 1 });
    const guided = await diffusion.classifierGuidedSample(sched, oracle, { sampler: 'ddpm', gradient, scale: 10, shape: [2, 1], seed: 1, start, startStep: 1 });
    expect(maxAbsDiff(tf.sub(guided, plain), tf.fill([2, 1], 10 * sched.beta(1)))).to.be.below(1e-6);
    const plainDdim = await diffusion.ddimSample(sched, oracle, { shape: [2, 1], seed: 1, start, startStep: 5, steps: [5] });
    const guidedDdim = await diffusion.classifierGuidedSample(sched, oracle, { sampler: 'ddim', gradient, scale: 2, shape: [2, 1], seed: 1, start, startStep: 5, steps: [5] });
    // one DDIM step to t = 0 returns x̂_0 = (x − √(1−ᾱ)·ε)/√ᾱ, so the shift is (1−ᾱ_5)·s/√ᾱ_5
    const ab = sched.alphaBar(5);
    expect(maxAbsDiff(tf.sub(guidedDdim, plainDdim), tf.fill([2, 1], ((1 - ab) * 2) / Math.sqrt(ab)))).to.be.below(1e-5);
    tf.dispose([start, plain, guided, plainDdim, guidedDdim]);
  });

  it('CFG: ε̃ = (1 + w)·ε(z, c) − w·ε(z); w = 0 is the conditional model', () => {
    // a toy conditional model: ε(x, t, c) = x·(c + 1)/10, with c = 3 the null label
    const model: diffusion.ConditionalEpsilonPredictor = (x, _t, labels) => tf.tidy(() => tf.mul(x, labels.toFloat().add(1).div(10).reshape([-1, 1])));
    const x = tf.tensor2d([[1, 2], [3, 4]]);
    const labels = [0, 2];
    const atZero = diffusion.classifierFreeGuidance(model, labels, 3, 0)(x, 7);
    const conditional = model(x, 7, tf.tensor1d(labels, 'int32'));
    expect(maxAbsDiff(atZero, conditional)).to.equal(0);
    const w = 2.5;
    const guided = diffusion.classifierFreeGuidance(model, labels, 3, w)(x, 7).arraySync() as number[][];
    const xs = [[1, 2], [3, 4]];
    for (let i = 0; i < 2; i++) {
      for (let j = 0; j < 2; j++) {
        const cond = (xs[i][j] * (labels[i] + 1)) / 10;
        const uncond = (xs[i][j] * 4) / 10;
        expect(guided[i][j]).to.be.closeTo((1 + w) * cond - w * uncond, 1e-5);
      }
    }
    tf.dispose([x, atZero, conditional]);
  });
});

describe('diffusion: the exact ε of a Gaussian mixture', () => {
  const sched = diffusion.noiseSchedule('linear', 1000);
  const spec = { means: [[-2, 0], [2, 1], [0, -2]], stds: [0.3, 0.5, 0.2], weights: [0.5, 0.3, 0.2] };

  it('equals −√(1−ᾱ_t)·∇ log q(x_t), the gradient taken by tf.grad of the mixture log-density', () => {
    const eps = diffusion.gaussianMixtureEpsilon(sched, spec);
    const x = random.rng(1).normalTensor([5, 2]).mul(2);
    for (const t of [5, 200, 800]) {
      const ab = sched.alphaBar(t);
      const logq = (z: tf.Tensor) =>
        tf.sum(
          tf.logSumExp(
            tf.stack(
              spec.means.map((m, k) => {
                const v = ab * spec.stds[k] ** 2 + 1 - ab;
                const d = tf.sub(z, tf.mul(tf.tensor1d(m), Math.sqrt(ab)));
                return tf.sub(tf.mul(tf.sum(tf.square(d), 1), -1 / (2 * v)), Math.log(2 * Math.PI * v) - Math.log(spec.weights[k]));
              }),
              1,
            ),
            1,
          ),
        );
      const score = tf.grad(logq)(x);
      const expected = tf.mul(score, -Math.sqrt(1 - ab));
      expect(maxAbsDiff(eps(x, t), expected)).to.be.below(1e-4);
    }
  });

  it('a single component reduces to the Gaussian formula; the conditional oracle restricts to the class', () => {
    const one = diffusion.gaussianMixtureEpsilon(sched, { means: [[1.5]], stds: 0.5 });
    const x = tf.tensor2d([[0.3], [-2], [4]]);
    expect(maxAbsDiff(one(x, 321), gaussianOracle(sched, 1.5, 0.5)(x, 321))).to.be.below(1e-5);
    const cond = diffusion.gaussianMixtureConditionalEpsilon(sched, spec);
    const x2 = random.rng(2).normalTensor([3, 2]);
    const onlyFirst = diffusion.gaussianMixtureEpsilon(sched, { means: [spec.means[0]], stds: spec.stds[0] });
    const got = cond(x2, 100, tf.tensor1d([0, 0, 0], 'int32'));
    expect(maxAbsDiff(got, onlyFirst(x2, 100))).to.be.below(1e-5);
    const unconditional = cond(x2, 100, tf.tensor1d([3, 3, 3], 'int32'));
    expect(maxAbsDiff(unconditional, diffusion.gaussianMixtureEpsilon(sched, spec)(x2, 100))).to.be.below(1e-5);
  });

  it('DDPM with the exact ε reproduces the mixture weights', async () => {
    const n = 3000;
    const x = await diffusion.ddpmSample(diffusion.noiseSchedule('linear', 200, { betaEnd: 0.1 }), diffusion.gaussianMixtureEpsilon(diffusion.noiseSchedule('linear', 200, { betaEnd: 0.1 }), spec), { shape: [n, 2], seed: 3 });
    const pts = x.arraySync() as number[][];
    const counts = [0, 0, 0];
    for (const p of pts) {
      const d = spec.means.map((m) => (p[0] - m[0]) ** 2 + (p[1] - m[1]) ** 2);
      counts[d.indexOf(Math.min(...d))]++;
    }
    counts.forEach((c, k) => expect(c / n).to.be.closeTo(spec.weights[k], 0.04));
    x.dispose();
  });
});

describe('diffusion: img2img and inpainting from a noised x_0', () => {
  const sched = diffusion.noiseSchedule('linear', 1000);

  it('strength 0 returns the input, t₀ = round(strength·T), and the known region survives inpainting exactly', async () => {
    const oracle = gaussianOracle(sched, 0, 1);
    const x0 = tf.tensor2d([[0.5, -0.5, 2, 1]]);
    const same = await diffusion.img2img(sched, oracle, { x0, strength: 0, seed: 1 });
    expect(maxAbsDiff(same, x0)).to.equal(0);
    expect(diffusion.strengthToStep(sched, 0.35)).to.equal(350);
    expect(() => diffusion.strengthToStep(sched, 1.5)).to.throw(RangeError, /strength must be in \[0, 1\]/);
    const visited: number[] = [];
    const mask = tf.tensor2d([[1, 1, 0, 0]]);
    const out = await diffusion.img2img(sched, oracle, { x0, strength: 0.6, seed: 2, steps: 10, keepMask: mask, onStep: (s) => { visited.push(s.t); } });
    expect(visited[0]).to.equal(600);
    const v = out.arraySync() as number[][];
    expect(v[0][0]).to.be.closeTo(0.5, 1e-6);
    expect(v[0][1]).to.be.closeTo(-0.5, 1e-6);
    expect(Math.abs(v[0][2] - 2) + Math.abs(v[0][3] - 1)).to.be.above(1e-3);
    tf.dispose([x0, same, mask, out]);
  });

  it('with the exact ε of a point mass, img2img at any strength returns the point', async () => {
    const c = tf.tensor2d([[0.3, -0.8]]);
    const oracle: diffusion.EpsilonPredictor = (xt, t) => tf.tidy(() => diffusion.epsFromX0(sched, xt, t, tf.tile(c, [xt.shape[0], 1])));
    for (const strength of [0.3, 1]) {
      const out = await diffusion.img2img(sched, oracle, { x0: tf.tensor2d([[5, 5]]), strength, seed: 3, steps: 20 });
      expect(maxAbsDiff(out, c)).to.be.below(1e-3);
      out.dispose();
    }
    c.dispose();
  });
});
