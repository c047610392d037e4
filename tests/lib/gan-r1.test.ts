/**
 * The R1 regulariser (Mescheder et al. 2018, eq. 9): R1 = E_real ‖∇_x D(x)‖², checked against
 * closed forms; the trainer adds (γ/2)·R1 to D's loss; the MNIST training records γ and a resume
 * keeps it.
 */
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { gan, models, random, tf, train } from 'genbook';
import { onWasmBackend } from './on-wasm';

const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;

describe('gan.r1Penalty', () => {
  const real = tf.tensor2d([[1, 2], [0, -1], [3, 0.5]]);

  function linear(w: number[], b = 0.3): (x: tf.Tensor) => tf.Tensor {
    const weight = tf.tensor2d(w, [w.length, 1]);
    return (x: tf.Tensor) => tf.add(tf.matMul(x as tf.Tensor2D, weight), b);
  }

  it('is ‖w‖² for a linear D (its gradient is w at every sample), whatever the bias', () => {
    expect(gan.r1Penalty(linear([1.2, 1.6]), real).dataSync()[0]).to.be.closeTo(4, 1e-5);
    expect(gan.r1Penalty(linear([0.6, 0.8], -7), real).dataSync()[0]).to.be.closeTo(1, 1e-6);
    expect(gan.r1Penalty(linear([0, 0]), real).dataSync()[0]).to.equal(0);
  });

  it('is the mean of ‖x‖² for D(x) = ½‖x‖² (gradient x), computed by hand', () => {
    const half = (x: tf.Tensor) => tf.mul(0.5, tf.sum(tf.square(x), 1));
    const expected = mean(real.arraySync().map((r) => r.reduce((s, v) => s + v * v, 0))); // (5 + 1 + 9.25) / 3
    expect(gan.r1Penalty(half, real).dataSync()[0]).to.be.closeTo(expected, 1e-5);
    expect(expected).to.be.closeTo(15.25 / 3, 1e-12);
  });

  it("is differentiable with respect to D's weights: d‖w‖²/dw = 2w", () => {
    const w = tf.variable(tf.tensor2d([[1.2], [-0.4]]));
    const { value, grads } = tf.variableGrads(() => gan.r1Penalty((x) => tf.matMul(x as tf.Tensor2D, w), real), [w]);
    expect(value.dataSync()[0]).to.be.closeTo(1.6, 1e-5);
    const g = Array.from(grads[w.name].dataSync());
    expect(g[0]).to.be.closeTo(2.4, 1e-4);
    expect(g[1]).to.be.closeTo(-0.8, 1e-4);
    tf.dispose([w, value, grads[w.name]]);
  });

  it('takes image batches [B, H, W, C] (the squared norm is over every pixel) and refuses bad input', () => {
    // D(x) = Σ x / 3 over 9 pixels: each gradient entry is 1/3, ‖∇‖² = 9/9 = 1
    const d = (x: tf.Tensor) => tf.div(tf.sum(x, [1, 2, 3]), 3);
    expect(gan.r1Penalty(d, tf.randomNormal([2, 3, 3, 1], 0, 1, 'float32', 4)).dataSync()[0]).to.be.closeTo(1, 1e-6);
    expect(() => gan.r1Penalty(d, tf.ones([2, 3, 3, 1], 'int32'))).to.throw(TypeError, /float32/);
    expect(() => gan.r1Penalty(d, tf.zeros([0, 3]))).to.throw(RangeError, /B ≥ 1/);
  });
});

describe('GanTrainer r1Weight', () => {
  onWasmBackend();
  const sampleReal = (m: number, rng: random.Rng) => tf.tensor2d(Float32Array.from(rng.normals(m, 4, 0.5)), [m, 1]);
  const toy = (r1Weight: number, objective: gan.GanObjective = 'non-saturating') =>
    gan.createTrainer({
      generator: models.mlpGenerator({ latentDim: 1, dataDim: 1, hiddenUnits: [8], seed: 1 }),
      discriminator: models.mlpDiscriminator({ dataDim: 1, hiddenUnits: [8], seed: 2 }),
      latentDim: 1,
      sampleReal,
      objective,
      batchSize: 16,
      r1Weight,
      seed: 3,
    });

  it("adds (γ/2)·R1 to D's loss: the same step without it differs by exactly that", async () => {
    const withR1 = toy(10);
    const without = toy(0);
    await withR1.train(1);
    await without.train(1);
    const a = withR1.history[0];
    const b = without.history[0];
    expect(a.r1).to.be.a('number').and.above(0);
    expect(b.r1).to.equal(undefined);
    // same seeds: the same real batch, z and D weights before the step
    expect(a.dReal).to.be.closeTo(b.dReal, 1e-6);
    expect(a.discriminatorLoss - b.discriminatorLoss).to.be.closeTo((10 / 2) * a.r1, 1e-4 * (1 + a.r1));
    withR1.dispose();
    without.dispose();
  });

  it('refuses a negative weight and the objectives without a discriminator to regularise', () => {
    expect(() => toy(-1)).to.throw(RangeError, /r1Weight must be a number >= 0/);
    expect(() => toy(1, 'wgan-gp')).to.throw(RangeError, /r1Weight \(R1\) is implemented for/);
  });

  it('makeMnistGanCheckpoint records r1Weight, and a resume keeps it', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-r1-'));
    try {
      await gan.makeMnistGanCheckpoint('dcgan', { quick: true, seed: 5, iterations: 1, dir, baseFilters: 4, r1Weight: 2, command: 'r1' });
      expect(train.readMeta(dir)!).to.include({ r1Weight: 2, steps: 1 });
      expect((train.readMeta(dir)!.lastLosses as Record<string, number>).r1).to.be.above(0);
      await gan.makeMnistGanCheckpoint('dcgan', { quick: true, seed: 5, iterations: 2, dir, resume: true });
      expect(train.readMeta(dir)!).to.include({ r1Weight: 2, steps: 2, baseFilters: 4 });
      expect(train.readMeta(path.join(dir, 'resume', 'trainer'))!.r1Weight).to.equal(2);
      expect(train.readMeta(dir)!.r1Weights).to.deep.equal([{ fromStep: 0, weight: 2 }]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a new training follows an R1 schedule: γ switches at its iteration, on record, and equals the same training switched by a resume', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-r1-'));
    try {
      const scheduled = path.join(dir, 'scheduled');
      const resumed = path.join(dir, 'resumed');
      const common = { quick: true, seed: 5, dir: scheduled, baseFilters: 4, saveEvery: 10 } as const;
      await gan.makeMnistGanCheckpoint('dcgan', { ...common, iterations: 3, r1Schedule: [{ fromStep: 0, weight: 0 }, { fromStep: 2, weight: 1 }], command: 'schedule' });
      const meta = train.readMeta(scheduled)!;
      expect(meta.r1Weights).to.deep.equal([{ fromStep: 0, weight: 0 }, { fromStep: 2, weight: 1 }]);
      expect(meta).to.include({ r1Weight: 1, steps: 3 });
      const history = meta.history as { iteration: number; r1?: number }[];
      expect(history.find((h) => h.iteration === 3)!.r1, 'R1 in the 3rd iteration').to.be.above(0);
      const all = JSON.parse(fs.readFileSync(path.join(scheduled, 'resume', 'trainer', 'history.json'), 'utf8')) as { r1?: number }[];
      expect(all.map((h) => h.r1 !== undefined)).to.deep.equal([false, false, true]);
      // the same by hand: 2 iterations without R1, then a resume with γ = 1
      await gan.makeMnistGanCheckpoint('dcgan', { ...common, dir: resumed, iterations: 2, command: 'plain' });
      await gan.makeMnistGanCheckpoint('dcgan', { ...common, dir: resumed, iterations: 3, resume: true, r1Weight: 1 });
      expect(fs.readFileSync(path.join(resumed, 'weights.bin')).equals(fs.readFileSync(path.join(scheduled, 'weights.bin'))), 'same generator').to.equal(true);
      expect(train.readMeta(resumed)!.r1Weights).to.deep.equal(meta.r1Weights);
      await gan.makeMnistGanCheckpoint('dcgan', { ...common, dir: path.join(dir, 'bad'), iterations: 1, r1Schedule: [{ fromStep: 1, weight: 1 }] }).then(
        () => expect.fail('a schedule that does not start at 0 was accepted'),
        (e: Error) => expect(e.message).to.match(/r1Schedule: steps from iteration 0/),
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the shipped DCGAN was trained as its recipe says: MNIST_GAN_ITERATIONS and MNIST_GAN_R1_SCHEDULE are its meta.json record', () => {
    const meta = train.readMeta(path.join(__dirname, '..', '..', 'data', 'checkpoints', 'dcgan'))!;
    expect(meta.steps).to.equal(gan.MNIST_GAN_ITERATIONS.dcgan);
    expect(meta.r1Weights).to.deep.equal(gan.MNIST_GAN_R1_SCHEDULE.dcgan);
    expect(meta.baseFilters).to.equal(gan.MNIST_GAN_BASE_FILTERS.dcgan);
  });

  it('records R1 switched on, changed or off by a resume in r1Weights, as learningRates records rates', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-r1-'));
    try {
      await gan.makeMnistGanCheckpoint('dcgan', { quick: true, seed: 5, iterations: 1, dir, baseFilters: 4, command: 'no r1' });
      expect(train.readMeta(dir)!).to.include({ r1Weight: 0 });
      expect((train.readMeta(dir)!.lastLosses as Record<string, number>).r1).to.equal(undefined);
      await gan.makeMnistGanCheckpoint('dcgan', { quick: true, seed: 5, iterations: 2, dir, resume: true, r1Weight: 1 });
      expect((train.readMeta(dir)!.lastLosses as Record<string, number>).r1).to.be.above(0);
      await gan.makeMnistGanCheckpoint('dcgan', { quick: true, seed: 5, iterations: 3, dir, resume: true });
      await gan.makeMnistGanCheckpoint('dcgan', { quick: true, seed: 5, iterations: 4, dir, resume: true, r1Weight: 0 });
      const steps = [{ fromStep: 0, weight: 0 }, { fromStep: 1, weight: 1 }, { fromStep: 3, weight: 0 }];
      expect(train.readMeta(dir)!.r1Weights).to.deep.equal(steps);
      expect(train.readMeta(path.join(dir, 'resume', 'trainer'))!.r1Weights).to.deep.equal(steps);
      expect(train.readMeta(dir)!).to.include({ r1Weight: 0, steps: 4 });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
