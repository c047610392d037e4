/**
 * The VQ layer: nearest codes against brute force, the straight-through gradient, which losses
 * reach which variables (the stop-gradients of VQ-VAE eq. 3), and the codebook perplexity.
 */
import { expect } from 'chai';
import { backend, data, models, random, tf } from 'genbook';

describe('models: VQ layer', () => {
  before(async () => {
    await backend.setup(undefined, { log: null });
  });

  it('stopGradient passes values and blocks gradients', () => {
    const x = tf.tensor1d([1, -2, 3]);
    expect(Array.from(models.stopGradient(x).dataSync())).to.deep.equal([1, -2, 3]);
    const g = tf.grad((v: tf.Tensor) => tf.sum(tf.mul(models.stopGradient(v), v)))(x);
    // d/dv Σ sg[v]·v = sg[v] = v (only the second factor carries a gradient).
    expect(Array.from(g.dataSync())).to.deep.equal([1, -2, 3]);
  });

  it('straight-through: the forward value is e, the gradient reaches z_e unchanged', () => {
    const ze = tf.tensor2d([[0.2, 0.4], [1.5, -0.3]]);
    const e = tf.tensor2d([[0, 1], [2, 0]]);
    const w = tf.tensor2d([[3, -1], [0.5, 2]]);
    expect(models.straightThrough(ze, e).arraySync()).to.deep.equal(e.arraySync());
    const [gZe, gE] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(w, models.straightThrough(a, b))))([ze, e]);
    expect(gZe.arraySync()).to.deep.equal(w.arraySync());
    expect(gE.arraySync()).to.deep.equal([[0, 0], [0, 0]]);
  });

  it('nearest codes match a brute-force search', () => {
    const vq = new models.VectorQuantizer({ numEmbeddings: 7, embeddingDim: 3, seed: 1 });
    const rng = random.rng(2);
    const codebook = Array.from({ length: 7 }, () => Array.from(rng.normals(3)));
    vq.codebook.assign(tf.tensor2d(codebook));
    const vectors = Array.from({ length: 40 }, () => Array.from(rng.normals(3)));
    const codes = Array.from(vq.nearest(tf.tensor2d(vectors)).dataSync());
    const brute = vectors.map((v) => {
      let best = 0;
      let bestD = Infinity;
      codebook.forEach((c, k) => {
        const d = c.reduce((s, x, j) => s + (x - v[j]) ** 2, 0);
        if (d < bestD) [best, bestD] = [k, d];
      });
      return best;
    });
    expect(codes).to.deep.equal(brute);
    vq.dispose();
  });

  it('codebook loss moves only the codebook, commitment loss only z_e (VQ-VAE eq. 3)', () => {
    const vq = new models.VectorQuantizer({ numEmbeddings: 4, embeddingDim: 2, seed: 3 });
    vq.codebook.assign(tf.tensor2d([[0, 0], [1, 0], [0, 1], [1, 1]]));
    const ze = tf.tensor3d([[[0.1, 0.2], [0.9, 0.8]], [[0.7, 0.1], [0.2, 0.9]]]); // [N=2, L=2, D=2]
    const e = [[0, 0], [1, 1], [1, 0], [0, 1]];
    const flat = (ze.arraySync() as number[][][]).flat();
    const q = vq.quantize(ze);
    expect(Array.from(q.codes.dataSync())).to.deep.equal([0, 3, 1, 2]);
    expect((q.quantized.arraySync() as number[][][]).flat()).to.deep.equal(e);
    const mse = flat.reduce((s, v, i) => s + (v[0] - e[i][0]) ** 2 + (v[1] - e[i][1]) ** 2, 0) / 8;
    expect(q.codebookLoss.dataSync()[0]).to.be.closeTo(mse, 1e-6);
    expect(q.commitmentLoss.dataSync()[0]).to.be.closeTo(mse, 1e-6);
    const codebookGrads = tf.variableGrads(() => vq.quantize(ze).codebookLoss, [vq.codebook]);
    const commitGrads = tf.variableGrads(() => vq.quantize(ze).commitmentLoss, [vq.codebook]);
    // ∂/∂e_k mean‖sg[z_e] − e‖² = −2/8 Σ_{i: code k} (z_e,i − e_k).
    const expected = [[0, 0], [0, 0], [0, 0], [0, 0]];
    [0, 3, 1, 2].forEach((k, i) => [0, 1].forEach((j) => (expected[k][j] += (-2 / 8) * (flat[i][j] - e[i][j]))));
    (codebookGrads.grads[vq.codebook.name].arraySync() as number[][]).forEach((row, k) => row.forEach((v, j) => expect(v).to.be.closeTo(expected[k][j], 1e-6)));
    expect(codebookGrads.grads[vq.codebook.name].abs().sum().dataSync()[0]).to.be.above(0);
    expect(commitGrads.grads[vq.codebook.name].abs().sum().dataSync()[0]).to.equal(0);
    const gCommit = tf.grad((z: tf.Tensor) => vq.quantize(z).commitmentLoss)(ze);
    (gCommit.arraySync() as number[][][]).flat().forEach((v, i) => [0, 1].forEach((j) => expect(v[j]).to.be.closeTo((2 / 8) * (flat[i][j] - e[i][j]), 1e-6)));
    const gCodebookZe = tf.grad((z: tf.Tensor) => vq.quantize(z).codebookLoss)(ze);
    expect(gCodebookZe.abs().sum().dataSync()[0]).to.equal(0);
    vq.dispose();
  });

  it('perplexity is exp(entropy of code usage): K for uniform use, 1 for a single code', () => {
    expect(models.codebookPerplexity([0, 1, 2, 3, 0, 1, 2, 3], 4)).to.be.closeTo(4, 1e-12);
    expect(models.codebookPerplexity([2, 2, 2], 8)).to.equal(1);
    // Hand: usage (1/2, 1/4, 1/4) → H = 1.5 ln 2 → perplexity 2^1.5.
    expect(models.codebookPerplexity([0, 0, 1, 2], 3)).to.be.closeTo(2 ** 1.5, 1e-12);
    expect(() => models.codebookPerplexity([5], 3)).to.throw(RangeError, /codes\[0\]/);
  });

  it('a small VQ-VAE trains on MNIST: lower reconstruction, several codes in use', async () => {
    const set = data.mnist({ split: 'train', limit: 600, binarize: true, seed: 1 });
    const model = new models.VqVae({ inputDim: 784, hiddenUnits: [64], latentVectors: 4, embeddingDim: 4, numEmbeddings: 16, seed: 1 });
    const { history } = await models.trainVqVae(model, { data: set.images, count: set.count }, { steps: 80, batchSize: 64, learningRate: 3e-3, seed: 2 });
    const first = history.slice(0, 5).reduce((s, h) => s + h.reconstruction, 0) / 5;
    const last = history.slice(-5).reduce((s, h) => s + h.reconstruction, 0) / 5;
    expect(last).to.be.below(first - 50);
    expect(history[history.length - 1].perplexity).to.be.above(3);
  });
});
