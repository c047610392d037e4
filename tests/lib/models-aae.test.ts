/** The adversarial autoencoder: the priors and one short training run's effect on the codes. */
import { expect } from 'chai';
import { backend, data, models, tf } from 'genbook';

describe('models: adversarial autoencoder', () => {
  before(async () => {
    await backend.setup(undefined, { log: null });
  });

  it('ringPrior draws modes on a circle; the same seed gives the same codes', () => {
    const prior = models.ringPrior(10, 4, 0.1);
    const z = prior(2000, 1).arraySync() as number[][];
    const modes = prior.modeOf(2000, 1);
    z.forEach(([x, y], i) => {
      const angle = (2 * Math.PI * modes[i]) / 10;
      expect(Math.hypot(x - 4 * Math.cos(angle), y - 4 * Math.sin(angle))).to.be.below(0.6);
    });
    expect(prior(5, 3).arraySync()).to.deep.equal(prior(5, 3).arraySync());
    const g = models.gaussianPrior(3, 2)(20000, 4);
    const std = tf.moments(g).variance.sqrt().dataSync()[0];
    expect(std).to.be.closeTo(2, 0.05);
  });

  it('the regularisation phase pulls the aggregate posterior towards N(0, I)', async function () {
    this.timeout(120_000);
    // Codes of data whose scale is far from the prior: two moons scaled by 10.
    const moons = data.twoMoons({ n: 1024, noise: 0.05, seed: 1 });
    const points = moons.points.map((v) => v / 3 + 0.2);
    const examples = { data: Float32Array.from(points), count: 1024 };
    const aae = new models.AdversarialAutoencoder({ inputDim: 2, hiddenUnits: [32], latentDim: 2, discriminatorUnits: [32], seed: 1 });
    // Scale the encoder's last layer so the initial codes are far from N(0, I).
    const last = aae.encoder.layers[aae.encoder.layers.length - 1];
    last.setWeights(last.getWeights().map((w) => w.mul(20)));
    const codeStats = () =>
      tf.tidy(() => {
        const z = aae.encoder.predict(tf.tensor2d(examples.data, [1024, 2])) as tf.Tensor;
        const { mean, variance } = tf.moments(z, 0);
        return { mean: Array.from(mean.dataSync()), std: Array.from(variance.sqrt().dataSync()) };
      });
    const before = codeStats();
    const { history } = await models.trainAdversarialAutoencoder(aae, examples, {
      steps: 300,
      prior: models.gaussianPrior(2),
      batchSize: 128,
      learningRate: 3e-3,
      loss: 'mse',
      seed: 2,
    });
    const after = codeStats();
    const distance = (s: { mean: number[]; std: number[] }) => s.mean.reduce((a, m, j) => a + Math.abs(m) + Math.abs(Math.log(s.std[j])), 0);
    expect(history.every((h) => Number.isFinite(h.reconstruction) && Number.isFinite(h.discriminator))).to.equal(true);
    expect(distance(after)).to.be.below(distance(before) / 2);
  });
});
