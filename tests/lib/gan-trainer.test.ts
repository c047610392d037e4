import { expect } from 'chai';
import { gan, models, random, tf } from 'genbook';
import { onWasmBackend } from './on-wasm';

const target = { mean: 4, std: 0.5 };
const sampleReal = (m: number, rng: random.Rng) => tf.tensor2d(Float32Array.from(rng.normals(m, target.mean, target.std)), [m, 1]);

function toyTrainer(objective: gan.GanObjective, seed: number, lr = 1e-3): gan.GanTrainer {
  return gan.createTrainer({
    generator: models.mlpGenerator({ latentDim: 1, dataDim: 1, hiddenUnits: [16, 16], seed }),
    discriminator: models.mlpDiscriminator({ dataDim: 1, hiddenUnits: [32, 32], seed: seed + 1 }),
    latentDim: 1,
    sampleReal,
    objective,
    batchSize: 64,
    generatorOptimizer: tf.train.adam(lr, 0.5),
    discriminatorOptimizer: tf.train.adam(lr, 0.5),
    seed: seed + 2,
  });
}

function generatedMean(trainer: gan.GanTrainer): number {
  return tf.tidy(() => {
    const z = trainer.sampleLatent(1000);
    return tf.mean(trainer.generate(z)).dataSync()[0];
  });
}

describe('gan.GanTrainer (Algorithm 1)', () => {
  onWasmBackend();

  it('moves p_g towards p_data on a 1D toy without leaking tensors', async () => {
    const trainer = toyTrainer('non-saturating', 1);
    const before = generatedMean(trainer);
    // trainLoop throws if the tensor count grows across iterations.
    await trainer.train(300, { snapshotEvery: 100 });
    const after = generatedMean(trainer);
    expect(Math.abs(after - target.mean)).to.be.below(Math.abs(before - target.mean) / 2);
    expect(trainer.history).to.have.length(300);
    expect(trainer.snapshots.map((s) => s.step)).to.deep.equal([100, 200, 300]);
    expect(trainer.snapshots[0].shape).to.deep.equal([64, 1]);
    trainer.dispose();
  });

  it('is reproducible: the same seeds give the same loss history', async () => {
    const run = async () => {
      const trainer = toyTrainer('minimax', 7);
      await trainer.train(5);
      trainer.dispose();
      return trainer.history.map((h) => [h.discriminatorLoss, h.generatorLoss]);
    };
    const a = await run();
    const b = await run();
    expect(a).to.deep.equal(b);
    expect(a.flat().every(Number.isFinite)).to.equal(true);
  });

  it('runs k critic steps per generator step for WGAN-GP, recording the penalty, and clips weights for WGAN', async () => {
    const gp = toyTrainer('wgan-gp', 3, 1e-4);
    expect(gp.k).to.equal(5);
    await gp.train(3);
    const last = gp.history[2];
    expect(last.gradientPenalty).to.be.a('number').and.to.be.at.least(0);
    expect(last.wassersteinEstimate).to.be.a('number');
    gp.dispose();
    const clipped = toyTrainer('wgan', 4, 1e-2);
    await clipped.train(2);
    for (const w of clipped.discriminator.trainableWeights) {
      const max = tf.tidy(() => tf.max(tf.abs(w.read())).dataSync()[0]);
      expect(max).to.be.at.most(0.01 + 1e-7);
    }
    clipped.dispose();
  });

  it('trains a conditional GAN: G(z, y) and D(x, y) see one-hot labels, fixed labels go row by row', async () => {
    const numClasses = 3;
    const trainer = gan.createTrainer({
      generator: models.mlpGenerator({ latentDim: 2, dataDim: 1, conditionDim: numClasses, seed: 1 }),
      discriminator: models.mlpDiscriminator({ dataDim: 1, conditionDim: numClasses, seed: 2 }),
      latentDim: 2,
      numClasses,
      sampleReal: (m, rng) => {
        const labels = Int32Array.from({ length: m }, () => rng.int(0, numClasses));
        const x = tf.tensor2d(Float32Array.from(labels, (y) => 3 * y + 0.1 * rng.normal()), [m, 1]);
        return { x, labels };
      },
      fixedNoiseCount: 6,
      seed: 5,
    });
    expect(Array.from(trainer.fixedLabels!)).to.deep.equal([0, 0, 1, 1, 2, 2]);
    await trainer.train(3);
    expect(trainer.snapshot().shape).to.deep.equal([6, 1]);
    trainer.dispose();
  });

  it('rejects bad options with RangeErrors naming them', () => {
    const base = {
      generator: models.mlpGenerator({ latentDim: 1, dataDim: 1, seed: 1 }),
      discriminator: models.mlpDiscriminator({ dataDim: 1, seed: 2 }),
      latentDim: 1,
      sampleReal,
      seed: 1,
    };
    expect(() => gan.createTrainer({ ...base, k: 0 })).to.throw(RangeError, /k must/);
    expect(() => gan.createTrainer({ ...base, objective: 'lsgan' as gan.GanObjective })).to.throw(RangeError, /objective/);
    expect(() => gan.createTrainer({ ...base, numClasses: 1 })).to.throw(RangeError, /numClasses/);
  });
});
