import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { backend, random, tf, train } from 'genbook';

describe('train: checkpoints, results and the loop', () => {
  let root: string;
  const savedRoot = process.env.GENBOOK_ROOT;
  const savedQuick = process.env.GENBOOK_QUICK;

  before(async () => {
    await backend.setup('cpu', { log: null });
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-train-'));
    process.env.GENBOOK_ROOT = root;
  });
  after(() => {
    process.env.GENBOOK_ROOT = savedRoot;
    if (savedRoot === undefined) delete process.env.GENBOOK_ROOT;
    process.env.GENBOOK_QUICK = savedQuick;
    if (savedQuick === undefined) delete process.env.GENBOOK_QUICK;
    fs.rmSync(root, { recursive: true });
  });

  it('saves and loads a layers model: same predictions, meta data kept', async () => {
    const seed = random.rng(1);
    const model = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [3], units: 4, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: seed.tfSeed() }) }),
        tf.layers.dense({ units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: seed.tfSeed() }) }),
      ],
    });
    const dir = train.checkpointDir('tiny');
    expect(dir).to.equal(path.join(root, 'data', 'checkpoints', 'tiny'));
    await train.saveModel(model, dir, { name: 'tiny', command: 'npm run train -- tiny', seed: 1 });
    expect(train.hasCheckpoint(dir)).to.equal(true);
    const loaded = await train.loadModel(dir);
    const x = tf.tensor2d([[1, -2, 3], [0.5, 0.1, -1]]);
    const a = model.predict(x) as tf.Tensor;
    const b = loaded.predict(x) as tf.Tensor;
    expect(b.arraySync()).to.deep.equal(a.arraySync());
    expect(train.readMeta(dir)).to.include({ name: 'tiny', command: 'npm run train -- tiny', seed: 1 });
    tf.dispose([x, a, b]);
    expect(() => train.checkpointDir('../escape')).to.throw(RangeError);
  });

  it('saves and loads named variables', async () => {
    const dir = path.join(root, 'vars');
    const w = tf.tensor2d([[1, 2], [3, 4]]);
    const b = tf.tensor1d([0.5, -0.5]);
    await train.saveVariables({ w, b }, dir, { name: 'vars', command: 'test' });
    const loaded = train.loadVariables(dir);
    expect(loaded.w.arraySync()).to.deep.equal([[1, 2], [3, 4]]);
    expect(loaded.b.arraySync()).to.deep.equal([0.5, -0.5]);
    tf.dispose([w, b, loaded.w, loaded.b]);
    let caught: unknown;
    try {
      await train.loadModel(dir);
    } catch (e) {
      caught = e;
    }
    expect(String(caught)).to.contain('has no model topology');
  });

  it('saves a model of several parts (layers models and named tensors) and loads it back; a missing part reads as none', async () => {
    const seed = random.rng(2);
    const encoder = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2, kernelInitializer: tf.initializers.glorotUniform({ seed: seed.tfSeed() }) })] });
    const codebook = tf.tensor2d([[1, 2], [3, 4], [5, 6]]);
    // by name: data/checkpoints/<name>/<part>/, the name recorded in every part's meta.json
    const dir = await train.saveCheckpointParts({ name: 'parts' }, { encoder, codebook: { codebook } }, { command: 'test', seed: 2 });
    expect(dir).to.equal(path.join(root, 'data', 'checkpoints', 'parts'));
    expect(fs.readdirSync(dir).sort()).to.deep.equal(['codebook', 'encoder']);
    for (const part of ['encoder', 'codebook']) expect(train.readMeta(path.join(dir, part))).to.include({ name: 'parts', command: 'test', seed: 2 });
    const loaded = await train.loadCheckpointParts({ name: 'parts' }, { encoder: 'model', codebook: 'variables' });
    expect(loaded, 'checkpoint not found').to.not.equal(undefined);
    const x = tf.tensor2d([[1, -2, 3]]);
    const a = encoder.predict(x) as tf.Tensor;
    const b = loaded!.parts.encoder.predict(x) as tf.Tensor;
    expect(b.arraySync()).to.deep.equal(a.arraySync());
    expect(loaded!.parts.codebook.codebook.arraySync()).to.deep.equal([[1, 2], [3, 4], [5, 6]]);
    expect(loaded!.meta).to.include({ name: 'parts', command: 'test' });
    tf.dispose([x, a, b, codebook, ...Object.values(loaded!.parts.codebook)]);
    // into a folder: meta.json as given; a part that is not there makes the whole checkpoint absent
    const other = path.join(root, 'parts-dir');
    expect(await train.saveCheckpointParts(other, { encoder }, { name: 'as-given', command: 'test' })).to.equal(other);
    expect(train.readMeta(path.join(other, 'encoder'))).to.include({ name: 'as-given' });
    expect(await train.loadCheckpointParts(other, { encoder: 'model', decoder: 'model' })).to.equal(undefined);
    expect(await train.loadCheckpointParts({ name: 'no-such-checkpoint' }, { encoder: 'model' })).to.equal(undefined);
  });

  it('writes quick-mode results apart from full-mode ones and reads them back', () => {
    process.env.GENBOOK_QUICK = '1';
    const base = { family: 'GAN', notebook: '05-gan-minimax', command: 'npm run notebooks -- notebooks/05-gan-minimax.ipynb' };
    const quickFile = train.writeResult({ ...base, model: 'toy-gan', metrics: { mnistFid: 40 }, mode: 'quick' });
    const fullFile = train.writeResult({ ...base, model: 'toy-gan', metrics: { mnistFid: 12.5 }, mode: 'full' });
    expect(quickFile).to.equal(path.join(root, 'build', 'results', 'toy-gan.json'));
    expect(fullFile).to.equal(path.join(root, 'data', 'results', 'toy-gan.json'));
    const full = train.readResults();
    expect(full.map((r) => [r.model, r.metrics.mnistFid])).to.deep.equal([['toy-gan', 12.5]]);
    expect(train.resultsDir()).to.equal(path.join(root, 'build', 'results'));
    expect(() => train.writeResult({ ...base, model: 'x', metrics: { fid: Number.NaN }, mode: 'full' })).to.throw(RangeError, /metrics\.fid/);
  });

  it('runs steps, reports progress with an ETA, and keeps the loss history', async () => {
    const reports: train.Progress[] = [];
    const result = await train.trainLoop({ steps: 10, reportEvery: 5, step: (i) => ({ loss: 10 - i }), onProgress: (p) => reports.push(p) });
    expect(result.history.map((h) => h.loss)).to.deep.equal([10, 9, 8, 7, 6, 5, 4, 3, 2, 1]);
    expect(reports.map((r) => r.step)).to.deep.equal([5, 10]);
    expect(reports[1].etaSeconds).to.equal(0);
    expect(reports[0].etaSeconds).to.be.at.least(0);
  });

  it('fails loudly when a step leaks tensors', async () => {
    const kept: tf.Tensor[] = [];
    let caught: unknown;
    try {
      await train.trainLoop({ steps: 5, step: () => { kept.push(tf.scalar(1)); return { loss: 0 }; } });
    } catch (e) {
      caught = e;
    }
    expect(String(caught)).to.contain('the tensor count grew by 4 over 4 steps');
    tf.dispose(kept);
  });
});
