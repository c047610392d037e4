import { expect } from 'chai';
import { gan, models, tf } from 'genbook';
import { onWasmBackend } from './on-wasm';

/** log Σ exp, in float64. */
function logSumExp(v: number[]): number {
  const m = Math.max(...v);
  return m + Math.log(v.reduce((s, x) => s + Math.exp(x - m), 0));
}
const softplus = (t: number) => Math.log1p(Math.exp(t));
/** −mean log softmax(row)[label], by hand. */
function crossEntropy(rows: number[][], labels: number[]): number {
  return rows.reduce((s, row, i) => s + logSumExp(row) - row[labels[i]], 0) / rows.length;
}

describe('AC-GAN (Odena et al. 2017): losses, discriminator heads, trainer', () => {
  onWasmBackend();

  const realLogits = [1.5, -0.3];
  const fakeLogits = [-2, 0.7];
  const realClass = [
    [2, 0, -1],
    [0.5, 0.5, 3],
  ];
  const fakeClass = [
    [-1, 1, 0],
    [0, 0, 0],
  ];
  const realLabels = [0, 1];
  const fakeLabels = [1, 2];

  it('L_D = −L_S − λ·L_C equals its hand value (softplus terms plus λ × two cross-entropies)', () => {
    const lambda = 0.7;
    const byHand =
      (softplus(-realLogits[0]) + softplus(-realLogits[1])) / 2 +
      (softplus(fakeLogits[0]) + softplus(fakeLogits[1])) / 2 +
      lambda * (crossEntropy(realClass, realLabels) + crossEntropy(fakeClass, fakeLabels));
    const value = tf.tidy(() =>
      gan.acganDiscriminatorLoss(tf.tensor1d(realLogits), tf.tensor1d(fakeLogits), tf.tensor2d(realClass), tf.tensor2d(fakeClass), realLabels, fakeLabels, lambda).dataSync()[0],
    );
    expect(value).to.be.closeTo(byHand, 1e-5);
    // uniform class logits cost log K per half: 2·log 3 at λ = 1 with ℓ = 0 (log 4 from L_S)
    const uniform = tf.tidy(() => gan.acganDiscriminatorLoss(tf.zeros([2]), tf.zeros([2]), tf.zeros([2, 3]) as tf.Tensor2D, tf.zeros([2, 3]) as tf.Tensor2D, [0, 1], [2, 0]).dataSync()[0]);
    expect(uniform).to.be.closeTo(Math.log(4) + 2 * Math.log(3), 1e-5);
  });

  it('L_G = −log D(G(z, c)) + λ·CE equals its hand value; raising the asked class logit lowers it', () => {
    const byHand = (softplus(-fakeLogits[0]) + softplus(-fakeLogits[1])) / 2 + 2 * crossEntropy(fakeClass, fakeLabels);
    const value = tf.tidy(() => gan.acganGeneratorLoss(tf.tensor1d(fakeLogits), tf.tensor2d(fakeClass), fakeLabels, 2).dataSync()[0]);
    expect(value).to.be.closeTo(byHand, 1e-5);
    const grad = tf.tidy(() => tf.grad((c: tf.Tensor) => gan.acganGeneratorLoss(tf.tensor1d(fakeLogits), c as tf.Tensor2D, fakeLabels, 1))(tf.tensor2d(fakeClass)).arraySync() as number[][]);
    // ∂CE/∂ℓ_c = (p_c − 1)/B < 0 for the asked class, p_j/B > 0 for the others
    expect(grad[0][1]).to.be.below(0);
    expect(grad[0][0]).to.be.above(0);
    expect(grad[1][2]).to.be.closeTo((1 / 3 - 1) / 2, 1e-6);
    expect(() => gan.acganGeneratorLoss(tf.tensor1d(fakeLogits), tf.tensor2d(fakeClass), fakeLabels, -1)).to.throw(RangeError, /weight/);
  });

  it('the AC-GAN discriminator sees the image alone and returns [logit [B, 1], class logits [B, K]]', () => {
    const d = models.dcganDiscriminator({ baseFilters: 4, auxiliaryClasses: 10, seed: 1 });
    expect(d.inputs).to.have.length(1);
    const out = tf.tidy(() => (d.predict(tf.zeros([3, 28, 28, 1])) as tf.Tensor[]).map((t) => t.shape));
    expect(out).to.deep.equal([
      [3, 1],
      [3, 10],
    ]);
  });

  it('mnistGanTrainer("acgan"): one iteration at initialisation costs ≈ log 10 in class loss; misuse is refused', async () => {
    const set = { images: new Float32Array(16 * 784).map((_, i) => (i % 7) / 7), labels: Uint8Array.from({ length: 16 }, (_, i) => i % 10), count: 16, height: 28 as const, width: 28 as const };
    const trainer = gan.mnistGanTrainer({ variant: 'acgan', seed: 1, set, batchSize: 8, baseFilters: 4, latentDim: 8 });
    expect(trainer.auxiliaryClassifierWeight).to.equal(1);
    const losses = trainer.step();
    // weights ~ N(0, 0.02²): class logits near 0, so the cross-entropy is near log K
    expect(losses.classLossReal).to.be.closeTo(Math.log(10), 0.05);
    expect(losses.discriminatorLoss).to.be.closeTo(Math.log(4) + 2 * Math.log(10), 0.2);
    expect(trainer.snapshot().shape).to.deep.equal([100, 28, 28, 1]);
    trainer.dispose();
    const g = models.dcganGenerator({ latentDim: 8, baseFilters: 4, seed: 1 });
    const d = models.dcganDiscriminator({ baseFilters: 4, auxiliaryClasses: 10, seed: 2 });
    const sampleReal = () => tf.zeros([2, 28, 28, 1]);
    expect(() => new gan.GanTrainer({ generator: g, discriminator: d, latentDim: 8, sampleReal, auxiliaryClassifierWeight: 1, seed: 1 })).to.throw(RangeError, /numClasses/);
    expect(
      () => new gan.GanTrainer({ generator: g, discriminator: d, latentDim: 8, numClasses: 10, objective: 'wgan-gp', sampleReal, auxiliaryClassifierWeight: 1, seed: 1 }),
    ).to.throw(RangeError, /non-saturating/);
  });
});
