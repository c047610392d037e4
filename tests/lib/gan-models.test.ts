import { expect } from 'chai';
import { gan, models, random, tf } from 'genbook';
import { onWasmBackend } from './on-wasm';

describe('GAN models (shapes, steps, style mixing)', () => {
  onWasmBackend();

  it('DCGAN: G maps z to [B, 28, 28, 1] in [−1, 1] with transposed convolutions and no pooling; D gives one logit', () => {
    const g = models.dcganGenerator({ latentDim: 16, baseFilters: 8, seed: 1 });
    const d = models.dcganDiscriminator({ baseFilters: 8, seed: 2 });
    const layerTypes = g.layers.map((l) => l.getClassName());
    expect(layerTypes.filter((t) => t === 'Conv2DTranspose')).to.have.length(2);
    expect([...layerTypes, ...d.layers.map((l) => l.getClassName())].some((t) => /Pool/.test(t))).to.equal(false);
    tf.tidy(() => {
      const x = g.predict(tf.randomNormal([3, 16], 0, 1, 'float32', 1)) as tf.Tensor;
      expect(x.shape).to.deep.equal([3, 28, 28, 1]);
      expect(tf.max(tf.abs(x)).dataSync()[0]).to.be.at.most(1);
      expect((d.predict(x) as tf.Tensor).shape).to.deep.equal([3, 1]);
    });
  });

  it('conditional DCGAN takes [z, onehot] and [x, onehot]; the label changes the output', () => {
    const g = models.dcganGenerator({ latentDim: 8, baseFilters: 8, numClasses: 10, seed: 1 });
    const d = models.dcganDiscriminator({ baseFilters: 8, numClasses: 10, seed: 2 });
    tf.tidy(() => {
      const z = tf.randomNormal([2, 8], 0, 1, 'float32', 3);
      const a = g.predict([z, tf.oneHot([3, 3], 10).toFloat()]) as tf.Tensor;
      const b = g.predict([z, tf.oneHot([7, 7], 10).toFloat()]) as tf.Tensor;
      expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).to.be.above(0);
      expect((d.predict([a, tf.oneHot([3, 3], 10).toFloat()]) as tf.Tensor).shape).to.deep.equal([2, 1]);
    });
  });

  it('GanLeakyReLU equals LeakyReLU and survives a second derivative; it round-trips through save/load', async () => {
    const layer = models.ganLeakyReLU({ alpha: 0.2 });
    const x = tf.tensor1d([-2, -0.5, 0.5, 3]);
    expect(Array.from((layer.apply(x) as tf.Tensor).dataSync())).to.deep.equal(Array.from(tf.leakyRelu(x, 0.2).dataSync()));
    const d = models.mlpDiscriminator({ dataDim: 2, hiddenUnits: [4], seed: 1 });
    const penalty = gan.gradientPenalty((t) => d.apply(t) as tf.Tensor, tf.ones([2, 2]), tf.zeros([2, 2]), { seed: 1 });
    const vars = d.trainableWeights.map((w) => w.read() as tf.Variable);
    const { grads } = tf.variableGrads(() => gan.gradientPenalty((t) => d.apply(t) as tf.Tensor, tf.ones([2, 2]), tf.zeros([2, 2]), { seed: 1 }), vars);
    // Every kernel gets a gradient (the output bias does not move ∇_x D, so it has none).
    const kernels = vars.filter((v) => v.name.includes('kernel')).map((v) => v.name);
    expect(kernels).to.have.length(2);
    for (const name of kernels) expect(Object.keys(grads)).to.include(name);
    expect(penalty.dataSync()[0]).to.be.at.least(0);
    let saved: tf.io.ModelArtifacts | undefined;
    await d.save(tf.io.withSaveHandler(async (a) => {
      saved = a;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }));
    const loaded = await tf.loadLayersModel(tf.io.fromMemory(saved!));
    const input = tf.tensor2d([[0.3, -1]]);
    expect((loaded.predict(input) as tf.Tensor).dataSync()[0]).to.be.closeTo((d.predict(input) as tf.Tensor).dataSync()[0], 1e-6);
  });

  it('pix2pix: the U-Net keeps 28×28, the PatchGAN scores 7×7 patches, a step lowers nothing to NaN', () => {
    const g = models.unetGenerator({ baseFilters: 4, seed: 1 });
    const d = models.patchDiscriminator({ baseFilters: 4, seed: 2 });
    const p2p = new models.Pix2Pix({ generator: g, discriminator: d });
    const x = tf.randomUniform([2, 28, 28, 1], -1, 1, 'float32', 4);
    const y = tf.randomUniform([2, 28, 28, 1], -1, 1, 'float32', 5);
    expect(p2p.translate(x).shape).to.deep.equal([2, 28, 28, 1]);
    expect((d.predict([x, y]) as tf.Tensor).shape).to.deep.equal([2, 7, 7, 1]);
    const losses = p2p.step(x, y);
    expect(losses.generatorLoss).to.be.closeTo(losses.adversarial + 100 * losses.l1, 1e-3 * losses.generatorLoss);
    expect(Object.values(losses).every(Number.isFinite)).to.equal(true);
    p2p.dispose();
  });

  it('digitOutlines keeps boundary ink pixels and drops interior ones', () => {
    // A 4×4 block of ink in a 6×6 image: its 12 border pixels are the outline, the 4 inner ones are not.
    const img = new Float32Array(36);
    for (let r = 1; r <= 4; r++) for (let c = 1; c <= 4; c++) img[r * 6 + c] = 1;
    const outline = models.digitOutlines(img, 6, 6);
    expect(outline.reduce((s, v) => s + v, 0)).to.equal(12);
    expect(outline[2 * 6 + 2]).to.equal(0);
    expect(outline[1 * 6 + 1]).to.equal(1);
  });

  it('CycleGAN step: the cycle term is the L1 cycle loss of the batch; training lowers it on a 2D toy', () => {
    const mk = (seed: number) => models.mlpGenerator({ latentDim: 2, dataDim: 2, hiddenUnits: [16], seed });
    const cycle = new models.CycleGan({
      generatorXY: mk(1),
      generatorYX: mk(2),
      discriminatorX: models.mlpDiscriminator({ dataDim: 2, hiddenUnits: [16], seed: 3 }),
      discriminatorY: models.mlpDiscriminator({ dataDim: 2, hiddenUnits: [16], seed: 4 }),
      learningRate: 5e-3,
    });
    const rng = random.rng(9);
    const batch = (shift: number) => tf.tensor2d(Float32Array.from(rng.normals(64 * 2, shift, 0.5)), [64, 2]);
    const x = batch(-2);
    const y = batch(2);
    const before = cycle.cycleLoss(x, y);
    let last: Record<string, number> = {};
    for (let i = 0; i < 60; i++) last = cycle.step(x, y);
    expect(Object.values(last).every(Number.isFinite)).to.equal(true);
    expect(cycle.cycleLoss(x, y)).to.be.below(before);
    cycle.dispose();
  });

  it('StarGAN step reports L_adv, L_cls^r, L_cls^f and L_rec and combines them with λ_cls, λ_rec', () => {
    const star = new models.StarGan({
      generator: models.mlpGenerator({ latentDim: 2, dataDim: 2, conditionDim: 3, hiddenUnits: [8], seed: 1 }),
      discriminator: models.mlpDiscriminator({ dataDim: 2, hiddenUnits: [8], extraOutputs: 3, seed: 2 }),
      numDomains: 3,
      seed: 3,
    });
    const x = tf.randomNormal([8, 2], 0, 1, 'float32', 1);
    const losses = star.step(x, Int32Array.from([0, 1, 2, 0, 1, 2, 0, 1]));
    expect(losses.discriminatorLoss).to.be.closeTo(losses.dAdversarial + losses.clsReal, 1e-5);
    expect(losses.generatorLoss).to.be.closeTo(losses.gAdversarial + losses.clsFake + 10 * losses.reconstruction, 1e-4);
    expect(star.translate(x, Int32Array.from([2, 2, 2, 2, 2, 2, 2, 2])).shape).to.deep.equal([8, 2]);
    star.dispose();
  });

  it('ProGAN grows 7 → 14 → 28 and fades a new block in with α', () => {
    const g = new models.ProgressiveGenerator({ latentDim: 8, filters: [8, 4, 4], seed: 1 });
    const d = new models.ProgressiveDiscriminator({ filters: [8, 4, 4], seed: 2 });
    // Every layer exists before training, so a stage's weight list is complete from the start
    // (the optimizer's slots are kept by position).
    const names = (n: { trainableWeights: readonly { read(): tf.Tensor }[] }) => n.trainableWeights.map((w) => (w.read() as tf.Variable).name);
    expect(names(g)).to.include('pg_to_rgb7/kernel');
    expect(names(d)).to.include('pd_from_rgb7/kernel');
    const z = tf.randomNormal([2, 8], 0, 1, 'float32', 7);
    for (const stage of [0, 1, 2] as const) {
      g.setStage(stage, 1);
      d.setStage(stage, 1);
      const x = g.apply(z);
      expect(x.shape).to.deep.equal([2, models.PROGRESSIVE_RESOLUTIONS[stage], models.PROGRESSIVE_RESOLUTIONS[stage], 1]);
      expect(d.apply(x).shape).to.deep.equal([2, 1]);
    }
    // resizeForStage pools to the stage's resolution and always returns a new tensor.
    const real = tf.ones([2, 28, 28, 1]) as tf.Tensor4D;
    expect(models.resizeForStage(real, 0).shape).to.deep.equal([2, 7, 7, 1]);
    const same = models.resizeForStage(real, 2);
    real.dispose();
    expect(same.isDisposed).to.equal(false);
    expect(same.shape).to.deep.equal([2, 28, 28, 1]);
    // α = 0 at stage 1 is exactly the upsampled 7×7 output of stage 0.
    g.setStage(0, 1);
    const low = g.apply(z) as tf.Tensor4D;
    g.setStage(1, 0);
    const faded = g.apply(z);
    const upsampled = tf.image.resizeNearestNeighbor(low, [14, 14]);
    expect(tf.max(tf.abs(tf.sub(faded, upsampled))).dataSync()[0]).to.be.below(1e-6);
    // While fading, the old toRGB layer is trained too; afterwards it is not.
    const fading = g.trainableWeights.length;
    g.setStage(1, 1);
    expect(g.trainableWeights.length).to.be.below(fading);
  });

  it('StyleGAN: mapping z → w; mixing with crossover k takes layers < k from the first w; AdaIN sets the statistics', () => {
    const g = new models.StyleGenerator({ latentDim: 8, filters: 8, seed: 1 });
    const wA = g.map(tf.randomNormal([2, 8], 0, 1, 'float32', 1));
    const wB = g.map(tf.randomNormal([2, 8], 0, 1, 'float32', 2));
    expect(wA.shape).to.deep.equal([2, 8]);
    const allA = g.synthesize(new Array(5).fill(wA));
    const allB = g.synthesize(new Array(5).fill(wB));
    const maxDiff = (a: tf.Tensor, b: tf.Tensor) => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0];
    expect(maxDiff(g.mix(wA, wB, 5), allA)).to.equal(0);
    expect(maxDiff(g.mix(wA, wB, 0), allB)).to.equal(0);
    const mixed = g.mix(wA, wB, 2);
    expect(maxDiff(mixed, allA)).to.be.above(0);
    expect(maxDiff(mixed, allB)).to.be.above(0);
    expect(allA.shape).to.deep.equal([2, 28, 28, 1]);
    expect(() => g.mix(wA, wB, 6)).to.throw(RangeError, /crossover/);
  });

  it('mnistGanTrainer builds the conditional DCGAN with a labelled MNIST sampler; one iteration runs', async () => {
    const set = { images: new Float32Array(16 * 784).map((_, i) => (i % 7) / 7), labels: Uint8Array.from({ length: 16 }, (_, i) => i % 10), count: 16, height: 28 as const, width: 28 as const };
    const sample = gan.mnistSampler(set, true)(5, random.rng(1));
    if (sample instanceof tf.Tensor) throw new Error('expected labels with the images');
    expect(sample.x.shape).to.deep.equal([5, 28, 28, 1]);
    expect(tf.min(sample.x).dataSync()[0]).to.be.at.least(-1);
    expect(tf.max(sample.x).dataSync()[0]).to.be.at.most(1);
    expect(Array.from(sample.labels).every((y) => y >= 0 && y < 10)).to.equal(true);
    const trainer = gan.mnistGanTrainer({ variant: 'cgan', seed: 1, set, batchSize: 4, baseFilters: 4, latentDim: 8 });
    expect(trainer.numClasses).to.equal(10);
    await trainer.train(1);
    expect(trainer.history).to.have.length(1);
    expect(trainer.snapshot().shape).to.deep.equal([100, 28, 28, 1]);
    trainer.dispose();
    expect(() => gan.mnistGanTrainer({ variant: 'biggan' as gan.MnistGanVariant, seed: 1, set })).to.throw(RangeError, /variant/);
  });
});
