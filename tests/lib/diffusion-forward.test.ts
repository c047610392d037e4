/**
 * diffusion: schedules, the forward process, the posterior and the loss terms against values computed
 * independently (the published formulas evaluated in NumPy, hand algebra, Monte Carlo).
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

describe('diffusion: schedules', () => {
  before(async () => {
    await backend.setup('cpu', { log: null });
  });

  it('linear: DDPM end points, a hand-computed middle entry, and ᾱ_T = 4.0358e-5 (NumPy)', () => {
    const b = diffusion.betaSchedule('linear', 1000);
    expect(b.length).to.equal(1000);
    expect(b[0]).to.be.closeTo(1e-4, 1e-15);
    expect(b[999]).to.be.closeTo(0.02, 1e-15);
    // β_500 = 1e-4 + (0.02 − 1e-4)·499/999
    expect(b[499]).to.be.closeTo(1e-4 + (0.0199 * 499) / 999, 1e-15);
    const ab = diffusion.alphaBar(b);
    expect(ab[0]).to.be.closeTo(0.9999, 1e-15);
    // numpy: np.cumprod(1 - np.linspace(1e-4, 0.02, 1000))
    expect(ab[999]).to.be.closeTo(4.035829765375676e-5, 1e-12);
    expect(ab[499]).to.be.closeTo(0.07858724288177824, 1e-12);
    const a = diffusion.alphas(b);
    expect(a[10]).to.equal(1 - b[10]);
  });

  it('cosine: Nichol & Dhariwal eq. 17 values (NumPy), ᾱ_t = f(t)/f(0), last β clipped at 0.999', () => {
    const b = diffusion.betaSchedule('cosine', 1000);
    expect(b[0]).to.be.closeTo(4.128422482196914e-5, 1e-13);
    expect(b[499]).to.be.closeTo(0.0031458862304780677, 1e-13);
    expect(b[999]).to.equal(0.999);
    const ab = diffusion.alphaBar(b);
    expect(ab[499]).to.be.closeTo(0.49384359044063775, 1e-10);
    // ᾱ_t = f(t)/f(0) directly, away from the clipped end
    const f = (t: number) => Math.cos(((t / 1000 + 0.008) / 1.008) * (Math.PI / 2)) ** 2;
    for (const t of [1, 10, 250, 900, 990]) expect(ab[t - 1]).to.be.closeTo(f(t) / f(0), 1e-10);
    expect(Math.max(...b)).to.be.at.most(0.999);
  });

  it('quadratic and sigmoid: values of the published forms (NumPy)', () => {
    const q = diffusion.betaSchedule('quadratic', 1000);
    expect(q[0]).to.be.closeTo(1e-4, 1e-15);
    expect(q[499]).to.be.closeTo(0.005722151147768562, 1e-14);
    expect(q[999]).to.be.closeTo(0.02, 1e-15);
    const s = diffusion.betaSchedule('sigmoid', 1000);
    expect(s[0]).to.be.closeTo(0.00014920520081703202, 1e-14);
    expect(s[499]).to.be.closeTo(0.010020120209938985, 1e-14);
    expect(s[999]).to.be.closeTo(0.01995079479918297, 1e-14);
    for (const kind of diffusion.BETA_SCHEDULE_KINDS) {
      const betas = diffusion.betaSchedule(kind, 50);
      for (let i = 1; i < betas.length; i++) expect(betas[i]).to.be.at.least(betas[i - 1]);
    }
  });

  it('rejects unknown kinds and bad T with a RangeError naming the argument', () => {
    expect(() => diffusion.betaSchedule('exponential' as diffusion.BetaScheduleKind, 10)).to.throw(RangeError, /kind must be one of linear, quadratic, sigmoid, cosine; got "exponential"/);
    expect(() => diffusion.betaSchedule('linear', 0)).to.throw(RangeError, /T must be a positive integer/);
    expect(() => diffusion.betaSchedule('linear', 2.5)).to.throw(RangeError, /T must be/);
    expect(() => diffusion.alphas([0.1, 1.5])).to.throw(RangeError, /betas\[1\]/);
    const sched = diffusion.noiseSchedule('linear', 10);
    expect(sched.alphaBar(0)).to.equal(1);
    expect(() => sched.beta(0)).to.throw(RangeError, /t must be an integer in \[1, 10\]/);
    expect(() => sched.alphaBar(11)).to.throw(RangeError, /t must be an integer in \[0, 10\]/);
  });
});

describe('diffusion: forward process q(x_t | x_0)', () => {
  const sched = diffusion.noiseSchedule('linear', 1000);

  it('qSample has mean √ᾱ_t·x_0 and variance 1 − ᾱ_t (Monte Carlo, 4 standard errors)', () => {
    const n = 40000;
    const rng = random.rng(7);
    for (const t of [1, 100, 500, 1000]) {
      const x0 = tf.fill([n, 1], 1.5);
      const eps = rng.normalTensor([n, 1]);
      const xt = diffusion.qSample(sched, x0, t, eps);
      const { mean, variance } = meanVar(xt.dataSync());
      const ab = sched.alphaBar(t);
      expect(mean).to.be.closeTo(Math.sqrt(ab) * 1.5, 4 * Math.sqrt((1 - ab) / n) + 1e-6);
      expect(variance).to.be.closeTo(1 - ab, 4 * (1 - ab) * Math.sqrt(2 / n) + 1e-8);
      tf.dispose([x0, eps, xt]);
    }
  });

  it('qSamplePerturbed (DDPM-IP): a hand-computed entry, variance (1 − ᾱ_t)(1 + γ²) (Monte Carlo), γ = 0 is qSample; bad γ refused', () => {
    const x0 = tf.tensor2d([[1, -2]]);
    const eps = tf.tensor2d([[0.5, -1]]);
    const xi = tf.tensor2d([[2, 3]]);
    const ab = sched.alphaBar(300);
    const y = diffusion.qSamplePerturbed(sched, x0, 300, eps, xi, 0.1).dataSync();
    expect(y[0]).to.be.closeTo(Math.sqrt(ab) * 1 + Math.sqrt(1 - ab) * (0.5 + 0.2), 1e-6);
    expect(y[1]).to.be.closeTo(Math.sqrt(ab) * -2 + Math.sqrt(1 - ab) * (-1 + 0.3), 1e-6);
    expect(Array.from(diffusion.qSamplePerturbed(sched, x0, 300, eps, xi, 0).dataSync())).to.deep.equal(Array.from(diffusion.qSample(sched, x0, 300, eps).dataSync()));
    expect(() => diffusion.qSamplePerturbed(sched, x0, 300, eps, xi, -0.1)).to.throw(RangeError, /gamma must be a finite number >= 0/);
    expect(() => diffusion.qSamplePerturbed(sched, x0, 300, eps, tf.zeros([1, 3]), 0.1)).to.throw(RangeError);
    tf.dispose([x0, eps, xi]);
    const n = 40000;
    const rng = random.rng(8);
    for (const [t, gamma] of [[100, 0.1], [700, 0.5]]) {
      const x = tf.fill([n, 1], -0.5);
      const e = rng.normalTensor([n, 1]);
      const s = rng.normalTensor([n, 1]);
      const yt = diffusion.qSamplePerturbed(sched, x, t, e, s, gamma);
      const { mean, variance } = meanVar(yt.dataSync());
      const a = sched.alphaBar(t);
      const v = (1 - a) * (1 + gamma ** 2);
      expect(mean).to.be.closeTo(Math.sqrt(a) * -0.5, 4 * Math.sqrt(v / n));
      expect(variance).to.be.closeTo(v, 4 * v * Math.sqrt(2 / n));
      tf.dispose([x, e, s, yt]);
    }
  });

  it('per-example time steps: row i uses t[i]', () => {
    const x0 = tf.tensor2d([[1, 2], [3, 4]]);
    const eps = tf.tensor2d([[0.5, -0.5], [1, 0]]);
    const xt = diffusion.qSample(sched, x0, [10, 700], eps).arraySync() as number[][];
    const a10 = sched.alphaBar(10);
    const a700 = sched.alphaBar(700);
    expect(xt[0][0]).to.be.closeTo(Math.sqrt(a10) * 1 + Math.sqrt(1 - a10) * 0.5, 1e-6);
    expect(xt[1][1]).to.be.closeTo(Math.sqrt(a700) * 4, 1e-6);
    expect(() => diffusion.qSample(sched, x0, [1, 2, 3], eps)).to.throw(RangeError, /one per example/);
    expect(() => diffusion.qSample(sched, x0, 1001, eps)).to.throw(RangeError, /t\[0\] must be an integer in \[0, 1000\]/);
    tf.dispose([x0, eps]);
  });

  it('the closed form equals iterating the chain: exact recursion and Monte Carlo', () => {
    // Exact: x_t = a_t·x_0 + noise with variance v_t, a_t = √α_t·a_{t−1}, v_t = α_t·v_{t−1} + β_t.
    let a = 1;
    let v = 0;
    for (let t = 1; t <= 1000; t++) {
      a *= Math.sqrt(sched.alpha(t));
      v = sched.alpha(t) * v + sched.beta(t);
      if (t % 100 === 0) {
        expect(a).to.be.closeTo(Math.sqrt(sched.alphaBar(t)), 1e-12);
        expect(v).to.be.closeTo(1 - sched.alphaBar(t), 1e-12);
      }
    }
    // Monte Carlo: 300 applications of qStep vs one qSample.
    const short = diffusion.noiseSchedule('cosine', 300);
    const n = 20000;
    const rng = random.rng(3);
    let x = tf.fill([n, 1], -2);
    for (let t = 1; t <= 150; t++) {
      const noise = rng.normalTensor([n, 1]);
      const next = diffusion.qStep(short, x, t, noise);
      tf.dispose([x, noise]);
      x = next;
    }
    const iterated = meanVar(x.dataSync());
    const ab = short.alphaBar(150);
    expect(iterated.mean).to.be.closeTo(-2 * Math.sqrt(ab), 4 * Math.sqrt((1 - ab) / n));
    expect(iterated.variance).to.be.closeTo(1 - ab, 4 * (1 - ab) * Math.sqrt(2 / n));
    x.dispose();
  });

  it('x̂_0 and ε invert each other through x_t (DDPM eq. 4 solved both ways)', () => {
    const rng = random.rng(5);
    const x0 = rng.normalTensor([4, 3]);
    const eps = rng.normalTensor([4, 3]);
    const xt = diffusion.qSample(sched, x0, 321, eps);
    const x0Back = diffusion.predictX0FromEps(sched, xt, 321, eps);
    const epsBack = diffusion.epsFromX0(sched, xt, 321, x0);
    expect(tf.max(tf.abs(tf.sub(x0Back, x0))).dataSync()[0]).to.be.below(1e-4);
    expect(tf.max(tf.abs(tf.sub(epsBack, eps))).dataSync()[0]).to.be.below(1e-4);
    tf.dispose([x0, eps, xt, x0Back, epsBack]);
  });
});

describe('diffusion: posterior q(x_{t−1} | x_t, x_0)', () => {
  const sched = diffusion.noiseSchedule('linear', 1000);

  it('equals the product of Gaussians q(x_t | x_{t−1})·q(x_{t−1} | x_0) (Bayes, by hand)', () => {
    for (const t of [2, 10, 400, 1000]) {
      const x0 = 0.7;
      const xt = -1.3;
      const alpha = sched.alpha(t);
      const beta = sched.beta(t);
      const abPrev = sched.alphaBar(t - 1);
      // precision-weighted combination of N(x_t; √α·x, β) in x and N(x; √ᾱ_{t−1}·x_0, 1 − ᾱ_{t−1})
      const precision = alpha / beta + 1 / (1 - abPrev);
      const mean = ((Math.sqrt(alpha) * xt) / beta + (Math.sqrt(abPrev) * x0) / (1 - abPrev)) / precision;
      const got = diffusion.posteriorMeanVariance(sched, tf.tensor2d([[x0]]), tf.tensor2d([[xt]]), t);
      expect(got.mean.dataSync()[0]).to.be.closeTo(mean, 1e-5);
      expect(got.variance[0]).to.be.closeTo(1 / precision, 1e-12);
      got.mean.dispose();
    }
  });

  it('regressing x_{t−1} on x_t in simulated chains recovers both coefficients and β̃_t', () => {
    const short = diffusion.noiseSchedule('linear', 100);
    const t = 40;
    const n = 40000;
    const x0 = 1.2;
    const rng = random.rng(11);
    const prev = tf.tidy(() => diffusion.qSample(short, tf.fill([n, 1], x0), t - 1, rng.normalTensor([n, 1])));
    const cur = tf.tidy(() => diffusion.qStep(short, prev, t, rng.normalTensor([n, 1])));
    const p = prev.dataSync();
    const c = cur.dataSync();
    const mp = meanVar(p);
    const mc = meanVar(c);
    let cov = 0;
    for (let i = 0; i < n; i++) cov += (p[i] - mp.mean) * (c[i] - mc.mean);
    cov /= n;
    const slope = cov / mc.variance;
    const intercept = mp.mean - slope * mc.mean;
    const residual = mp.variance - slope * cov;
    const { x0Coef, xtCoef } = diffusion.posteriorMeanCoefficients(short, t);
    expect(slope).to.be.closeTo(xtCoef, 0.01);
    expect(intercept).to.be.closeTo(x0Coef * x0, 0.01);
    expect(residual).to.be.closeTo(short.posteriorVariance(t), 0.03 * short.posteriorVariance(t));
    tf.dispose([prev, cur]);
  });

  it('μ̃_t(x_t, x_0) = (x_t − β_t/√(1−ᾱ_t)·ε)/√α_t when x_t = √ᾱ_t·x_0 + √(1−ᾱ_t)·ε (DDPM eq. 10); t = 1 gives x_0', () => {
    const rng = random.rng(2);
    const x0 = rng.normalTensor([3, 5]);
    const eps = rng.normalTensor([3, 5]);
    for (const t of [1, 2, 77, 999]) {
      const xt = diffusion.qSample(sched, x0, t, eps);
      const { mean, variance } = diffusion.posteriorMeanVariance(sched, x0, xt, t);
      const viaEps = diffusion.reverseMean(sched, xt, t, eps);
      expect(tf.max(tf.abs(tf.sub(mean, viaEps))).dataSync()[0]).to.be.below(2e-4);
      if (t === 1) {
        expect(variance[0]).to.equal(0);
        expect(tf.max(tf.abs(tf.sub(mean, x0))).dataSync()[0]).to.be.below(1e-5);
      }
      tf.dispose([xt, mean, viaEps]);
    }
    tf.dispose([x0, eps]);
  });
});

describe('diffusion: loss terms', () => {
  const sched = diffusion.noiseSchedule('linear', 1000);

  it('L_T is the closed-form Gaussian KL and tiny for the DDPM schedule', () => {
    const x0 = tf.tensor2d([[0.5, -1], [0, 0]]);
    const lt = diffusion.priorLoss(sched, x0).arraySync();
    const ab = sched.alphaBar(1000);
    const kl1 = (m: number) => 0.5 * (-Math.log(1 - ab) + (1 - ab) + ab * m * m - 1);
    expect(lt[0]).to.be.closeTo(kl1(0.5) + kl1(-1), 1e-9);
    expect(lt[1]).to.be.closeTo(2 * kl1(0), 1e-9);
    expect(lt[0]).to.be.below(1e-4);
    x0.dispose();
  });

  it('L_{t−1} = λ_t·‖ε − ε_θ‖² + C with λ_t of DDPM eq. 12 (C from the variance mismatch)', () => {
    const rng = random.rng(9);
    const dims = 6;
    const x0 = rng.normalTensor([4, dims]);
    const eps = rng.normalTensor([4, dims]);
    const epsPred = rng.normalTensor([4, dims]);
    for (const variance of ['beta', 'posterior'] as const) {
      for (const t of [2, 50, 600]) {
        const xt = diffusion.qSample(sched, x0, t, eps);
        const loss = diffusion.denoisingLoss(sched, x0, xt, t, epsPred, variance).arraySync();
        const sq = tf.sum(tf.squaredDifference(eps, epsPred), 1).arraySync() as number[];
        const sigma2 = variance === 'beta' ? sched.beta(t) : sched.posteriorVariance(t);
        const btilde = sched.posteriorVariance(t);
        const C = (dims / 2) * (Math.log(sigma2 / btilde) + btilde / sigma2 - 1);
        const lambda = diffusion.lossWeight(sched, t, variance);
        expect(lambda).to.be.closeTo(sched.beta(t) ** 2 / (2 * sigma2 * sched.alpha(t) * (1 - sched.alphaBar(t))), 1e-12);
        for (let i = 0; i < 4; i++) expect(loss[i]).to.be.closeTo(lambda * sq[i] + C, 1e-3 * (1 + Math.abs(loss[i])));
        xt.dispose();
      }
    }
    tf.dispose([x0, eps, epsPred]);
  });

  it('the discretised Gaussian decoder is a distribution over the 256 levels (sums to 1)', () => {
    const levels = tf.linspace(-1, 1, 256).reshape([256, 1]);
    for (const [mu, logScale] of [[0.1, Math.log(0.05)], [-0.95, Math.log(0.2)], [0.999, Math.log(0.01)]]) {
      const ll = diffusion.discretizedGaussianLogLikelihood(levels, tf.fill([256, 1], mu), logScale);
      expect(tf.sum(tf.exp(ll)).dataSync()[0]).to.be.closeTo(1, 1e-4);
      ll.dispose();
    }
    levels.dispose();
  });

  it('L_simple is the mean squared error ("sum" multiplies by the dimension); bad shapes are RangeErrors', () => {
    const e = tf.tensor2d([[1, 2, 3], [0, 0, 0]]);
    const p = tf.tensor2d([[1, 0, 3], [1, 1, 1]]);
    expect(diffusion.simpleLoss(e, p).dataSync()[0]).to.be.closeTo(7 / 6, 1e-6);
    expect(diffusion.simpleLoss(e, p, 'sum').dataSync()[0]).to.be.closeTo(7 / 2, 1e-6);
    expect(() => diffusion.simpleLoss(e, tf.zeros([2, 2]))).to.throw(RangeError, /eps and epsPred must have the same shape/);
    tf.dispose([e, p]);
  });

  it('Min-SNR-γ weights min(SNR, γ)/SNR from ᾱ_t computed by hand; weightedSimpleLoss by hand, = simpleLoss at weights 1', () => {
    const sched = diffusion.noiseSchedule('linear', 1000);
    // ᾱ_t = Π (1 − β_s), β_s linear from 1e-4 to 0.02 (DDPM), in float64 here
    const alphaBar: number[] = [1];
    for (let s = 1; s <= 1000; s++) alphaBar.push(alphaBar[s - 1] * (1 - (1e-4 + ((0.02 - 1e-4) * (s - 1)) / 999)));
    const ts = [1, 50, 100, 200, 500, 1000];
    const w = diffusion.minSnrWeights(sched, ts, 5);
    ts.forEach((t, i) => {
      const snr = alphaBar[t] / (1 - alphaBar[t]);
      expect(w[i], `t = ${t}`).to.be.closeTo(Math.min(snr, 5) / snr, 1e-9);
    });
    expect(w[0]).to.be.closeTo(5 / 9999, 1e-8); // t = 1: ᾱ = 1 − 1e-4
    expect(w[5]).to.equal(1); // pure noise: SNR ≪ 5
    expect(w[2]).to.be.below(1); // t = 100: SNR ≈ 9.4
    expect(w[3]).to.equal(1); // t = 200: SNR ≈ 1.4
    expect(() => diffusion.minSnrWeights(sched, [0], 5)).to.throw(RangeError, /integer in \[1, 1000\]/);
    expect(() => diffusion.minSnrWeights(sched, [1], 0)).to.throw(RangeError, /gamma must be a finite number > 0/);

    const eps = tf.tensor2d([[1, 2], [0, -1], [3, 0]]);
    const pred = tf.tensor2d([[0, 0], [1, 1], [1, 1]]);
    // per-example means of the squares: (1 + 4)/2 = 2.5, (1 + 4)/2 = 2.5, (4 + 1)/2 = 2.5 → make them differ
    const pred2 = tf.tensor2d([[1, 2], [1, 1], [1, 1]]); // 0, 2.5, 2.5
    expect(diffusion.weightedSimpleLoss(eps, pred2, [7, 0.5, 0.1]).dataSync()[0]).to.be.closeTo((0 * 7 + 2.5 * 0.5 + 2.5 * 0.1) / 3, 1e-6);
    expect(diffusion.weightedSimpleLoss(eps, pred, [1, 1, 1]).dataSync()[0]).to.be.closeTo(diffusion.simpleLoss(eps, pred).dataSync()[0], 1e-6);
    expect(() => diffusion.weightedSimpleLoss(eps, pred, [1, 1])).to.throw(RangeError, /one weight per example \(3\)/);
    tf.dispose([eps, pred, pred2]);
  });

  it('variationalBound with the exact ε of a point mass: L_{t−1} = 0 for every t when σ_t² = β̃_t', () => {
    const short = diffusion.noiseSchedule('linear', 50, { betaEnd: 0.2 });
    const c = tf.tensor2d([[0.3, -0.4]]);
    const oracle: diffusion.EpsilonPredictor = (xt, t) => diffusion.epsFromX0(short, xt, t, tf.tile(c, [xt.shape[0], 1]));
    const x0 = tf.tile(c, [8, 1]);
    const vb = diffusion.variationalBound(short, oracle, x0, { seed: 1, variance: 'posterior', decoder: 'gaussian' });
    expect(vb.denoising.length).to.equal(49);
    for (const term of vb.denoising) expect(Math.abs(term)).to.be.below(1e-3);
    expect(vb.total).to.be.closeTo(vb.prior + vb.decoder + vb.denoising.reduce((s, v) => s + v, 0), 1e-9);
    tf.dispose([c, x0]);
  });
});
