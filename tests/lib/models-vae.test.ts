/**
 * VAE pieces against independent computations: the reparameterisation and its gradients, the KL
 * closed form against info.gaussianKl (Float64) and against Monte Carlo, the Bernoulli likelihood
 * against a direct Float64 formula, and the ELBO ≤ importance-weighted bound ordering.
 */
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { backend, data, info, models, random, tf, train } from 'genbook';

describe('models: VAE', () => {
  before(async () => {
    await backend.setup(undefined, { log: null });
  });

  it('reparameterize: z = μ + exp(½ log σ²)·ε, with ∂z/∂μ = 1 and ∂z/∂logσ² = ½σε', () => {
    const mean = tf.tensor2d([[0.5, -1], [2, 0]]);
    const logVar = tf.tensor2d([[0, Math.log(4)], [-2, 1]]);
    const eps = tf.tensor2d([[1, -0.5], [0.3, 2]]);
    const z = models.reparameterize(mean, logVar, eps).arraySync() as number[][];
    const m = mean.arraySync() as number[][];
    const lv = logVar.arraySync() as number[][];
    const e = eps.arraySync() as number[][];
    z.forEach((row, i) => row.forEach((v, j) => expect(v).to.be.closeTo(m[i][j] + Math.exp(0.5 * lv[i][j]) * e[i][j], 1e-5)));
    const [gMean, gLogVar] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(models.reparameterize(a, b, eps)))([mean, logVar]);
    expect(gMean.arraySync()).to.deep.equal([[1, 1], [1, 1]]);
    (gLogVar.arraySync() as number[][]).forEach((row, i) => row.forEach((v, j) => expect(v).to.be.closeTo(0.5 * Math.exp(0.5 * lv[i][j]) * e[i][j], 1e-5)));
    tf.dispose([mean, logVar, eps, gMean, gLogVar]);
  });

  it('klToStandardNormal equals the Gaussian KL of info (Float64) and a Monte Carlo estimate', () => {
    const rng = random.rng(1);
    const mu = Array.from(rng.normals(6, 0, 1));
    const logVar = Array.from(rng.uniforms(6, -2, 1));
    const sigma = logVar.map((l) => Math.exp(0.5 * l));
    const kl = models.klToStandardNormal(tf.tensor2d([mu]), tf.tensor2d([logVar])).dataSync()[0];
    const closed = info.gaussianKl(mu, sigma, new Array(6).fill(0), new Array(6).fill(1));
    expect(kl).to.be.closeTo(closed, 1e-4);
    // Monte Carlo: E_q[log q(z) − log p(z)] with z = μ + σε.
    const n = 200_000;
    let sum = 0;
    let sumSq = 0;
    for (let s = 0; s < n; s++) {
      let term = 0;
      for (let d = 0; d < 6; d++) {
        const eps = rng.normal();
        const z = mu[d] + sigma[d] * eps;
        term += -0.5 * eps * eps - Math.log(sigma[d]) + 0.5 * z * z;
      }
      sum += term;
      sumSq += term * term;
    }
    const mean = sum / n;
    const se = Math.sqrt((sumSq / n - mean * mean) / n);
    expect(Math.abs(mean - closed)).to.be.below(4 * se);
  });

  it('bernoulliNegLogLikelihood equals −Σ[x log σ(ℓ) + (1 − x) log(1 − σ(ℓ))], stable for large logits', () => {
    const logits = [[-3, 0, 2.5, 10], [40, -40, 0.1, -0.7]];
    const x = [[0, 1, 1, 0.3], [1, 0, 0, 1]];
    const got = models.bernoulliNegLogLikelihood(tf.tensor2d(logits), tf.tensor2d(x)).arraySync();
    const sig = (l: number) => 1 / (1 + Math.exp(-l));
    const expected = logits.map((row, i) =>
      row.reduce((s, l, j) => {
        // log σ(ℓ) = −log(1 + e^−ℓ); log(1 − σ(ℓ)) = −log(1 + e^ℓ); both finite in Float64 here.
        const logP = -Math.log1p(Math.exp(-l));
        const log1mP = -Math.log1p(Math.exp(l));
        return s - (x[i][j] * logP + (1 - x[i][j]) * log1mP);
      }, 0),
    );
    got.forEach((v, i) => expect(v).to.be.closeTo(expected[i], 1e-4));
    expect(sig(0)).to.equal(0.5);
    expect(Number.isFinite(got[1])).to.equal(true);
  });

  it('negativeElbo = reconstruction + KL, deterministic for a given ε, and sampled codes decode to [0, 1]', () => {
    const vae = models.Vae.dense({ inputDim: 12, hiddenUnits: [8], latentDim: 3, seed: 1 });
    const x = tf.tensor2d(Array.from({ length: 5 }, (_, i) => Array.from({ length: 12 }, (_, j) => ((i + j) % 3 === 0 ? 1 : 0))));
    const eps = tf.randomNormal([5, 3], 0, 1, 'float32', 4);
    const a = vae.negativeElbo(x, { epsilon: eps });
    const b = vae.negativeElbo(x, { epsilon: eps });
    expect(a.total.dataSync()[0]).to.equal(b.total.dataSync()[0]);
    expect(a.total.dataSync()[0]).to.be.closeTo(a.reconstruction.dataSync()[0] + a.kl.dataSync()[0], 1e-4);
    // By hand from the encoder and decoder outputs.
    const { mean, logVar } = vae.encode(x);
    const z = models.reparameterize(mean, logVar, eps);
    const rec = tf.mean(models.bernoulliNegLogLikelihood(vae.decodeLogits(z), x)).dataSync()[0];
    expect(a.reconstruction.dataSync()[0]).to.be.closeTo(rec, 1e-4);
    const s = vae.sample(7, 3);
    expect(s.shape).to.deep.equal([7, 12]);
    expect(s.min().dataSync()[0]).to.be.at.least(0);
    expect(s.max().dataSync()[0]).to.be.at.most(1);
    tf.dispose([x, eps, a.total, a.kl, a.reconstruction, b.total, b.kl, b.reconstruction, mean, logVar, z, s]);
  });

  it('training lowers the negative ELBO on MNIST; the IWAE estimate of log p(x) is above the ELBO; save/load keeps it', async () => {
    const set = data.mnist({ split: 'train', limit: 1000, binarize: true, seed: 3 });
    const examples = { data: set.images, count: set.count };
    const vae = models.Vae.dense({ inputDim: 784, hiddenUnits: [64], latentDim: 4, seed: 2 });
    const before = vae.evaluate({ data: set.images.subarray(0, 200 * 784), count: 200 }, { seed: 1 });
    const { history } = await models.trainVae(vae, examples, { steps: 120, batchSize: 64, learningRate: 3e-3, seed: 5 });
    const after = vae.evaluate({ data: set.images.subarray(0, 200 * 784), count: 200 }, { seed: 1 });
    expect(history).to.have.length(120);
    expect(after.negativeElbo).to.be.below(before.negativeElbo - 100);
    expect(after.negativeElbo).to.be.closeTo(after.reconstruction + after.kl, 1e-3);
    const x = tf.tensor2d(set.images.subarray(0, 50 * 784), [50, 784]);
    const iwae = tf.mean(vae.logLikelihoodEstimate(x, 64, 9)).dataSync()[0];
    const elbo = -vae.evaluate({ data: set.images.subarray(0, 50 * 784), count: 50 }, { seed: 9 }).negativeElbo;
    expect(iwae).to.be.above(elbo);
    // Checkpoint round trip through the train namespace.
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-vae-'));
    await train.saveModel(vae.encoder, path.join(dir, 'encoder'), { name: 'vae-test', command: 'test' });
    await train.saveModel(vae.decoder, path.join(dir, 'decoder'), { name: 'vae-test', command: 'test' });
    const loaded = new models.Vae(await train.loadModel(path.join(dir, 'encoder')), await train.loadModel(path.join(dir, 'decoder')));
    const eps = tf.randomNormal([50, 4], 0, 1, 'float32', 1);
    expect(loaded.negativeElbo(x, { epsilon: eps }).total.dataSync()[0]).to.be.closeTo(vae.negativeElbo(x, { epsilon: eps }).total.dataSync()[0], 1e-3);
    fs.rmSync(dir, { recursive: true });
    tf.dispose([x, eps]);
  });

  it('rejects mismatched encoder and decoder', () => {
    const a = models.Vae.dense({ inputDim: 4, hiddenUnits: [], latentDim: 2, seed: 1 });
    const b = models.Vae.dense({ inputDim: 4, hiddenUnits: [], latentDim: 3, seed: 1 });
    expect(() => new models.Vae(a.encoder, b.decoder)).to.throw(RangeError, /2·latentDim/);
    expect(() => models.Vae.dense({ inputDim: 4, latentDim: 0, seed: 1 })).to.throw(RangeError, /latentDim/);
  });
});
