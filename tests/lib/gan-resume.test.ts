import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { backend, data, gan, random, tf, train } from 'genbook';
import { onWasmBackend } from './on-wasm';

/** All weights of the tf.layers model saved in `dir`, flattened. */
async function weightsOf(dir: string): Promise<Float32Array[]> {
  const model = await train.loadModel(dir);
  const out = model.getWeights().map((w) => w.dataSync() as Float32Array);
  model.dispose();
  return out;
}

describe('GAN training: EMA of G and exact resume', () => {
  onWasmBackend();
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-gan-resume-'));
  after(() => fs.rmSync(tmp, { recursive: true, force: true }));

  it('Rng.state() / Rng.fromState continue the same sequence, spare normal included', () => {
    const a = random.rng(5);
    a.normal(); // leaves a spare Box–Muller deviate
    a.uniform();
    const b = random.Rng.fromState(JSON.parse(JSON.stringify(a.state())));
    const fromA = [a.normal(), a.normal(), a.uniform(), a.int(0, 1000), a.tfSeed()];
    const fromB = [b.normal(), b.normal(), b.uniform(), b.int(0, 1000), b.tfSeed()];
    expect(fromB).to.deep.equal(fromA);
    expect(() => random.Rng.fromState({} as random.RngState)).to.throw(TypeError, /not an Rng state/);
  });

  it('generatorEmaDecay: after one step θ̄ = d₀·θ₀ + (1 − d₀)·θ₁ with the warm-up d₀ = min(d, 1/10)', async () => {
    const set = tinySet();
    const trainer = gan.mnistGanTrainer({ variant: 'dcgan', seed: 3, set, batchSize: 4, baseFilters: 4, latentDim: 8, generatorEmaDecay: 0.999 });
    const before = trainer.generator.trainableWeights.map((w) => w.read().dataSync().slice());
    await trainer.train(1);
    const after = trainer.generator.trainableWeights.map((w) => w.read().dataSync().slice());
    const averaged = trainer.generatorEma!.values().map((v) => v.dataSync());
    let largest = 0;
    for (let i = 0; i < before.length; i++) {
      for (let j = 0; j < before[i].length; j++) largest = Math.max(largest, Math.abs(averaged[i][j] - (0.1 * before[i][j] + 0.9 * after[i][j])));
    }
    expect(largest).to.be.below(1e-6);
    // withAveragedGenerator swaps the average in and puts the raw weights back
    const inside = await trainer.withAveragedGenerator(() => trainer.generator.trainableWeights[0].read().dataSync().slice());
    expect(Array.from(inside)).to.deep.equal(Array.from(averaged[0]));
    expect(Array.from(trainer.generator.trainableWeights[0].read().dataSync())).to.deep.equal(Array.from(after[0]));
    expect(() => gan.mnistGanTrainer({ variant: 'dcgan', seed: 3, set, generatorEmaDecay: 1 })).to.throw(RangeError, /generatorEmaDecay/);
    trainer.dispose();
  });

  it('makeMnistGanCheckpoint: 2 iterations + resume to 4 gives the same networks, EMA and history as 4 at once', async () => {
    const whole = path.join(tmp, 'whole');
    const split = path.join(tmp, 'split');
    const common = { quick: true, seed: 11, saveEvery: 100 } as const;
    await gan.makeMnistGanCheckpoint('dcgan', { ...common, iterations: 4, dir: whole, command: 'whole' });
    await gan.makeMnistGanCheckpoint('dcgan', { ...common, iterations: 2, dir: split, command: 'first' });
    const numTensors = tf.memory().numTensors;
    await gan.makeMnistGanCheckpoint('dcgan', { ...common, iterations: 4, dir: split, command: 'second', resume: true });
    expect(tf.memory().numTensors, 'resume leaks no tensors').to.equal(numTensors);
    for (const sub of ['', 'resume/generator', 'resume/discriminator']) {
      const [a, b] = [await weightsOf(path.join(whole, sub)), await weightsOf(path.join(split, sub))];
      expect(b.length).to.equal(a.length);
      a.forEach((w, i) => expect(Array.from(b[i]), `${sub || 'EMA generator'} weight ${i}`).to.deep.equal(Array.from(w)));
    }
    // the EMA generator differs from the raw one (the average is really saved)
    const [ema, raw] = [await weightsOf(whole), await weightsOf(path.join(whole, 'resume/generator'))];
    expect(ema.some((w, i) => w.some((v, j) => v !== raw[i][j]))).to.equal(true);
    const [ma, mb] = [train.readMeta(whole)!, train.readMeta(split)!];
    expect(mb.steps).to.equal(4);
    expect(mb.history).to.deep.equal(ma.history);
    expect(mb.command).to.equal('first');
    expect(mb.resumedWith).to.deep.equal(['second']);
    expect(String(mb.generatorWeights)).to.match(/EMA of G's weights, decay 0\.999/);
    // the threads it trained with (null off wasm), so a training's seconds can be read
    expect(mb.backend).to.equal(backend.name());
    expect(mb.threads).to.equal(backend.threadsInUse() ?? null);
    // one count all along (the same backend for both parts): one entry from iteration 0
    expect(mb.threadCounts).to.deep.equal([{ fromStep: 0, threads: backend.threadsInUse() ?? null }]);
  });

  it('a resume records its thread count from its iteration on (threadCounts), over a checkpoint that had only `threads`', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-gan-threads-'));
    try {
      await gan.makeMnistGanCheckpoint('dcgan', { quick: true, seed: 5, iterations: 2, dir });
      // as a checkpoint saved before threadCounts existed, trained on 7 threads
      const metaFile = path.join(dir, 'meta.json');
      const old = JSON.parse(fs.readFileSync(metaFile, 'utf8'));
      delete old.threadCounts;
      old.threads = 7;
      fs.writeFileSync(metaFile, JSON.stringify(old));
      await gan.makeMnistGanCheckpoint('dcgan', { quick: true, seed: 5, iterations: 3, dir, resume: true });
      const now = backend.threadsInUse() ?? null;
      expect(train.readMeta(dir)!.threadCounts).to.deep.equal([{ fromStep: 0, threads: 7 }, { fromStep: 2, threads: now }]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('resume refuses a missing state and a different seed', async () => {
    const empty = path.join(tmp, 'empty');
    let error: unknown;
    try {
      await gan.makeMnistGanCheckpoint('dcgan', { quick: true, iterations: 2, dir: empty, resume: true });
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.match(/nothing to resume/);
    error = undefined;
    try {
      await gan.makeMnistGanCheckpoint('dcgan', { quick: true, seed: 12, iterations: 6, dir: path.join(tmp, 'split'), resume: true });
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.match(/cannot resume: the saved training has seed 11, this one 12/);
  });

  it('learningRate: Adam\'s first step moves every weight with a gradient by α (|Δθ| = α·|g|/(|g| + ε)), and bad rates are refused', async () => {
    const set = tinySet();
    for (const alpha of [1e-3, 3e-5]) {
      const trainer = gan.mnistGanTrainer({ variant: 'dcgan', seed: 3, set, batchSize: 4, baseFilters: 4, latentDim: 8, learningRate: alpha });
      const before = trainer.generator.trainableWeights.map((w) => w.read().dataSync().slice());
      await trainer.train(1);
      const steps = trainer.generator.trainableWeights.flatMap((w, i) => Array.from(w.read().dataSync(), (v, j) => Math.abs(v - before[i][j])));
      const moved = steps.filter((d) => d > alpha / 10);
      expect(moved.length, 'most weights move').to.be.above(steps.length / 2);
      expect(Math.max(...steps)).to.be.closeTo(alpha, alpha * 1e-3);
      expect(moved.every((d) => d <= alpha * (1 + 1e-3))).to.equal(true);
      trainer.dispose();
    }
    // TTUR: D at its own rate
    const ttur = gan.mnistGanTrainer({ variant: 'dcgan', seed: 3, set, batchSize: 4, baseFilters: 4, latentDim: 8, learningRate: 1e-3, discriminatorLearningRate: 3e-5 });
    const largestStep = async (network: gan.GanNetwork, run: () => Promise<unknown>) => {
      const before = network.trainableWeights.map((w) => w.read().dataSync().slice());
      await run();
      return Math.max(...network.trainableWeights.flatMap((w, i) => Array.from(w.read().dataSync(), (v, j) => Math.abs(v - before[i][j]))));
    };
    const dBefore = ttur.discriminator.trainableWeights.map((w) => w.read().dataSync().slice());
    expect(await largestStep(ttur.generator, () => ttur.train(1))).to.be.closeTo(1e-3, 1e-6);
    const dStep = Math.max(...ttur.discriminator.trainableWeights.flatMap((w, i) => Array.from(w.read().dataSync(), (v, j) => Math.abs(v - dBefore[i][j]))));
    expect(dStep).to.be.closeTo(3e-5, 3e-8);
    ttur.dispose();
    expect(() => gan.mnistGanTrainer({ variant: 'dcgan', seed: 3, set, discriminatorLearningRate: 0 })).to.throw(RangeError, /discriminatorLearningRate must be a positive number/);
    expect(gan.ganLearningRate('non-saturating')).to.equal(2e-4);
    expect(gan.ganLearningRate('wgan-gp')).to.equal(1e-4);
    expect(gan.ganLearningRate('wgan')).to.equal(5e-5);
    for (const bad of [0, -1e-4, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => gan.mnistGanTrainer({ variant: 'dcgan', seed: 3, set, learningRate: bad }), String(bad)).to.throw(RangeError, /learningRate must be a positive number/);
    }
  });

  it('--lr on a resume is a step decay: recorded in learningRates, used, and kept by a later resume without it', async () => {
    const common = { quick: true, seed: 11, saveEvery: 100 } as const;
    const start = path.join(tmp, 'lr-start');
    await gan.makeMnistGanCheckpoint('dcgan', { ...common, iterations: 2, dir: start, command: 'first' });
    expect(train.readMeta(start)!.learningRates).to.deep.equal([{ fromStep: 0, lr: 2e-4 }]);
    const [oneGo, twoGoes, unchanged] = ['lr-one-go', 'lr-two-goes', 'lr-unchanged'].map((name) => {
      fs.cpSync(start, path.join(tmp, name), { recursive: true });
      return path.join(tmp, name);
    });
    await gan.makeMnistGanCheckpoint('dcgan', { ...common, iterations: 4, dir: oneGo, resume: true, learningRate: 1e-3 });
    await gan.makeMnistGanCheckpoint('dcgan', { ...common, iterations: 3, dir: twoGoes, resume: true, learningRate: 1e-3 });
    await gan.makeMnistGanCheckpoint('dcgan', { ...common, iterations: 4, dir: twoGoes, resume: true });
    await gan.makeMnistGanCheckpoint('dcgan', { ...common, iterations: 4, dir: unchanged, resume: true });
    // the resume without a rate went on at 1e-3: the same networks as the resume straight to 4
    for (const sub of ['', 'resume/generator', 'resume/discriminator']) {
      const [a, b] = [await weightsOf(path.join(oneGo, sub)), await weightsOf(path.join(twoGoes, sub))];
      a.forEach((w, i) => expect(Array.from(b[i]), `${sub || 'EMA generator'} weight ${i}`).to.deep.equal(Array.from(w)));
    }
    // ... and the new rate was really used: the default-rate resume ends elsewhere
    const [fast, slow] = [await weightsOf(path.join(oneGo, 'resume/generator')), await weightsOf(path.join(unchanged, 'resume/generator'))];
    expect(fast.some((w, i) => w.some((v, j) => v !== slow[i][j]))).to.equal(true);
    for (const dir of [oneGo, twoGoes]) {
      expect(train.readMeta(dir)!.learningRates).to.deep.equal([{ fromStep: 0, lr: 2e-4 }, { fromStep: 2, lr: 1e-3 }]);
      expect(train.readMeta(path.join(dir, 'resume', 'trainer'))!.learningRates).to.deep.equal([{ fromStep: 0, lr: 2e-4 }, { fromStep: 2, lr: 1e-3 }]);
    }
    expect(train.readMeta(unchanged)!.learningRates).to.deep.equal([{ fromStep: 0, lr: 2e-4 }]);
    // --lr-d alone gives D its own rate (TTUR) and keeps G's; a later resume keeps both; --lr alone sets both
    await gan.makeMnistGanCheckpoint('dcgan', { ...common, iterations: 5, dir: unchanged, resume: true, discriminatorLearningRate: 4e-4 });
    await gan.makeMnistGanCheckpoint('dcgan', { ...common, iterations: 6, dir: unchanged, resume: true });
    await gan.makeMnistGanCheckpoint('dcgan', { ...common, iterations: 7, dir: unchanged, resume: true, learningRate: 1e-4 });
    expect(train.readMeta(unchanged)!.learningRates).to.deep.equal([
      { fromStep: 0, lr: 2e-4 },
      { fromStep: 4, lr: 2e-4, discriminatorLr: 4e-4 },
      { fromStep: 6, lr: 1e-4 },
    ]);
    let error: unknown;
    try {
      await gan.makeMnistGanCheckpoint('dcgan', { ...common, iterations: 5, dir: unchanged, resume: true, learningRate: -1 });
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.match(/learningRate must be a positive number; got -1/);
  });

  it('baseFilters widens G and D, is recorded; a resume keeps the saved width and refuses another (old states count as 32)', async () => {
    const dir = path.join(tmp, 'narrow');
    await gan.makeMnistGanCheckpoint('dcgan', { quick: true, seed: 11, iterations: 1, dir, baseFilters: 8, command: 'narrow' });
    const generator = await train.loadModel(dir);
    // project: z (64) → 7·7·2F units; up14: a 4×4 transposed conv from 2F to F channels
    expect(generator.getLayer('project').getWeights()[0].shape).to.deep.equal([64, 7 * 7 * 16]);
    expect(generator.getLayer('up14').getWeights()[0].shape).to.deep.equal([4, 4, 8, 16]);
    generator.dispose();
    expect(train.readMeta(dir)!.baseFilters).to.equal(8);
    const refused = async (options: { baseFilters?: number }) => {
      try {
        await gan.makeMnistGanCheckpoint('dcgan', { quick: true, seed: 11, iterations: 2, dir, resume: true, ...options });
      } catch (e) {
        return String(e);
      }
      return 'resumed';
    };
    expect(await refused({ baseFilters: 16 })).to.match(/cannot resume: the saved training has baseFilters 8, this one 16/);
    // without a width, a resume keeps the saved one (not the shipped default, 64 for the DCGAN)
    expect(gan.MNIST_GAN_BASE_FILTERS.dcgan).to.equal(64);
    expect(await refused({})).to.equal('resumed');
    expect(train.readMeta(dir)!).to.include({ baseFilters: 8, steps: 2 });
    // a state saved before the width was recorded was trained at 32
    const stateMeta = path.join(dir, 'resume', 'trainer', 'meta.json');
    const meta = JSON.parse(fs.readFileSync(stateMeta, 'utf8'));
    delete meta.baseFilters;
    fs.writeFileSync(stateMeta, JSON.stringify(meta));
    expect(await refused({ baseFilters: 8 })).to.match(/cannot resume: the saved training has baseFilters 32, this one 8/);
  });
});

/** 16 random "images" in [0, 1] with labels: enough for a few minibatches. */
function tinySet(): data.MnistSet {
  const r = random.rng(1);
  return { images: Float32Array.from(r.uniforms(16 * 784)), labels: Uint8Array.from({ length: 16 }, (_, i) => i % 10), count: 16, height: 28, width: 28 };
}
