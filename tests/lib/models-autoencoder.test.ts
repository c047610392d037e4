/**
 * Autoencoders: shapes, the corruption processes of the denoising AE, the reconstruction losses
 * against Float64 formulas, and the PCA bound: a linear autoencoder cannot beat PCA at the same code
 * size and gets close to it, while a non-linear one beats it on curved data.
 */
import { expect } from 'chai';
import { backend, linalg, models, random, tf } from 'genbook';

function mse(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += (a[i] - b[i]) ** 2;
  return s / a.length;
}

describe('models: autoencoders', () => {
  before(async () => {
    await backend.setup(undefined, { log: null });
  });

  it('dense and convolutional autoencoders map x → z → x̂ with the configured shapes', () => {
    const dense = models.denseAutoencoder({ inputDim: 20, hiddenUnits: [16, 8], codeSize: 3, seed: 1 });
    const x = tf.randomUniform([5, 20], 0, 1, 'float32', 1);
    expect((dense.encoder.predict(x) as tf.Tensor).shape).to.deep.equal([5, 3]);
    expect((dense.autoencoder.predict(x) as tf.Tensor).shape).to.deep.equal([5, 20]);
    const conv = models.convAutoencoder({ height: 8, width: 8, filters: [4, 8], codeSize: 6, seed: 1 });
    const img = tf.randomUniform([2, 8, 8, 1], 0, 1, 'float32', 2);
    expect((conv.encoder.predict(img) as tf.Tensor).shape).to.deep.equal([2, 6]);
    const out = conv.autoencoder.predict(img) as tf.Tensor;
    expect(out.shape).to.deep.equal([2, 8, 8, 1]);
    expect(out.min().dataSync()[0]).to.be.at.least(0);
    expect(() => models.convAutoencoder({ height: 10, width: 8, filters: [4, 8], codeSize: 2, seed: 1 })).to.throw(RangeError, /divisible/);
    // The chained model shares the encoder's and decoder's weights.
    const viaParts = dense.decoder.predict(dense.encoder.predict(x) as tf.Tensor) as tf.Tensor;
    expect(mse((dense.autoencoder.predict(x) as tf.Tensor).dataSync(), viaParts.dataSync())).to.be.below(1e-12);
  });

  it('same seed, same weights', () => {
    const a = models.denseAutoencoder({ inputDim: 6, codeSize: 2, seed: 7 });
    const b = models.denseAutoencoder({ inputDim: 6, codeSize: 2, seed: 7 });
    const c = models.denseAutoencoder({ inputDim: 6, codeSize: 2, seed: 8 });
    const w = (m: typeof a) => m.autoencoder.getWeights().flatMap((t) => Array.from(t.dataSync()));
    expect(w(a)).to.deep.equal(w(b));
    expect(w(a)).to.not.deep.equal(w(c));
  });

  it('corrupt: masking zeroes about a `level` fraction, Gaussian noise stays in [0, 1], salt-and-pepper sets 0/1', () => {
    const x = tf.fill([200, 50], 0.5);
    const masked = models.corrupt(x, { kind: 'masking', level: 0.3, seed: 1 }).dataSync();
    const zeros = masked.filter((v) => v === 0).length / masked.length;
    expect(zeros).to.be.closeTo(0.3, 4 * Math.sqrt((0.3 * 0.7) / masked.length));
    expect(masked.every((v) => v === 0 || v === 0.5)).to.equal(true);
    const noisy = models.corrupt(x, { kind: 'gaussian', level: 0.5, seed: 2 }).dataSync();
    expect(Math.min(...noisy)).to.be.at.least(0);
    expect(Math.max(...noisy)).to.be.at.most(1);
    const sp = models.corrupt(x, { kind: 'saltAndPepper', level: 0.2, seed: 3 }).dataSync();
    const hit = sp.filter((v) => v !== 0.5);
    expect(hit.length / sp.length).to.be.closeTo(0.2, 0.01);
    expect(hit.every((v) => v === 0 || v === 1)).to.equal(true);
    expect(Array.from(models.corrupt(x, { kind: 'masking', level: 0.3, seed: 1 }).dataSync())).to.deep.equal(Array.from(masked));
    expect(() => models.corrupt(x, { kind: 'masking', level: 2, seed: 1 })).to.throw(RangeError, /level/);
  });

  it('reconstructionLoss: per-example MSE and BCE equal their Float64 formulas', () => {
    const x = [[0, 1, 0.5], [1, 1, 0]];
    const r = [[0.1, 0.8, 0.5], [0.6, 0.99, 0.3]];
    const gotMse = models.reconstructionLoss(tf.tensor2d(x), tf.tensor2d(r), 'mse').dataSync();
    const gotBce = models.reconstructionLoss(tf.tensor2d(x), tf.tensor2d(r), 'bce').dataSync();
    x.forEach((row, i) => {
      expect(gotMse[i]).to.be.closeTo(mse(row, r[i]), 1e-6);
      const bce = row.reduce((s, v, j) => s - (v * Math.log(r[i][j]) + (1 - v) * Math.log(1 - r[i][j])), 0) / row.length;
      expect(gotBce[i]).to.be.closeTo(bce, 1e-5);
    });
  });

  it('a linear AE approaches but never beats PCA; a non-linear AE beats PCA on a curved manifold', async function () {
    this.timeout(120_000);
    // 3-D points near the curve (t, t², sin 2t), t ~ U(−1, 1): intrinsically 1-D but curved.
    const rng = random.rng(11);
    const n = 512;
    const rows = Array.from({ length: n }, () => {
      const t = rng.uniform(-1, 1);
      return [t, t * t, Math.sin(2 * t)].map((v) => v + rng.normal(0, 0.01));
    });
    const flat = Float32Array.from(rows.flat());
    const p = linalg.pca(rows, 1);
    const pcaMse = mse(flat, p.reconstruct(rows).data);
    const examples = { data: flat, count: n };
    const linear = models.denseAutoencoder({ inputDim: 3, hiddenUnits: [], codeSize: 1, activation: 'linear', outputActivation: 'linear', seed: 1 });
    await models.trainAutoencoder(linear, examples, { steps: 400, batchSize: 256, learningRate: 2e-2, seed: 2 });
    const linearMse = models.evaluateReconstruction(linear, examples);
    const nonlinear = models.denseAutoencoder({ inputDim: 3, hiddenUnits: [32, 32], codeSize: 1, activation: 'tanh', outputActivation: 'linear', seed: 1 });
    await models.trainAutoencoder(nonlinear, examples, { steps: 400, batchSize: 256, learningRate: 2e-2, seed: 2 });
    const nonlinearMse = models.evaluateReconstruction(nonlinear, examples);
    expect(linearMse).to.be.at.least(pcaMse * (1 - 1e-3));
    expect(linearMse).to.be.below(pcaMse * 1.1);
    expect(nonlinearMse).to.be.below(pcaMse / 2);
  });

  it('a denoising AE learns to undo masking noise better than it passes it through', async () => {
    const rng = random.rng(4);
    // Binary patterns: 8 prototypes of 16 values, repeated.
    const protos = Array.from({ length: 8 }, () => Array.from({ length: 16 }, () => (rng.uniform() < 0.5 ? 1 : 0)));
    const flat = Float32Array.from(Array.from({ length: 400 }, (_, i) => protos[i % 8]).flat());
    const examples = { data: flat, count: 400 };
    const dae = models.denseAutoencoder({ inputDim: 16, hiddenUnits: [32], codeSize: 4, seed: 1 });
    await models.trainAutoencoder(dae, examples, { steps: 200, batchSize: 64, learningRate: 2e-2, loss: 'bce', noise: { kind: 'masking', level: 0.25 }, seed: 3 });
    const noise = { kind: 'masking' as const, level: 0.25, seed: 99 };
    const denoised = models.evaluateReconstruction(dae, examples, { noise });
    const corrupted = mse(flat, models.corrupt(tf.tensor2d(flat, [400, 16]), noise).dataSync());
    expect(denoised).to.be.below(corrupted / 3);
  });
});
