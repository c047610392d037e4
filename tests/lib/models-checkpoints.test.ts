/**
 * makeAutoencoderCheckpoint (what `npm run train -- <name>` runs for notebooks 03 and 04): a short
 * quick-mode run writes a checkpoint and a result, and the loaders rebuild the same model.
 */
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { backend, models, tf, train } from 'genbook';

describe('models: autoencoder-family checkpoints', function () {
  this.timeout(120_000);
  let root: string;
  const savedRoot = process.env.GENBOOK_ROOT;

  before(async () => {
    await backend.setup(undefined, { log: null });
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-ae-ckpt-'));
    process.env.GENBOOK_ROOT = root;
  });
  after(() => {
    if (savedRoot === undefined) delete process.env.GENBOOK_ROOT;
    else process.env.GENBOOK_ROOT = savedRoot;
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('ae-mnist-linear: saved with its meta data, reloaded with the recipe\'s shape, result recorded as quick', async () => {
    const dir = train.checkpointDir('ae-mnist-linear');
    const summary = await models.makeAutoencoderCheckpoint('ae-mnist-linear', { quick: true, steps: 3, dir, command: 'test' });
    expect(summary.dir).to.equal(dir);
    const loaded = await models.loadAutoencoderCheckpoint('ae-mnist-linear');
    expect(loaded, 'checkpoint not found').to.not.equal(undefined);
    expect(loaded!.meta).to.include({ name: 'ae-mnist-linear', command: 'test', mode: 'quick', steps: 3 });
    expect(loaded!.model.codeSize).to.equal(models.AE_MNIST_CODE_SIZE);
    const result = train.readResults(train.resultsDir('quick')).find((r) => r.model === 'ae-mnist-linear');
    expect(result?.metrics.testMsePerPixel).to.equal(loaded!.meta!.testMse);
    expect(fs.existsSync(path.join(root, 'data', 'results'))).to.equal(false);
  });

  it('vqvae-mnist and vae-mnist-2d round-trip through their loaders', async () => {
    const x = tf.randomUniform([4, 784], 0, 1, 'float32', 1).round();
    await models.makeAutoencoderCheckpoint('vqvae-mnist', { quick: true, steps: 2, dir: train.checkpointDir('vqvae-mnist'), command: 'test' });
    const vq = await models.loadVqVaeCheckpoint('vqvae-mnist');
    expect(vq!.model.quantizer.codebook.shape).to.deep.equal([64, 8]);
    const again = await models.loadVqVaeCheckpoint('vqvae-mnist');
    expect(Array.from(vq!.model.reconstruct(x).dataSync())).to.deep.equal(Array.from(again!.model.reconstruct(x).dataSync()));
    await models.makeAutoencoderCheckpoint('vae-mnist-2d', { quick: true, steps: 2, dir: train.checkpointDir('vae-mnist-2d'), command: 'test' });
    const vae = await models.loadVaeCheckpoint('vae-mnist-2d');
    expect(vae!.vae.latentDim).to.equal(2);
    expect((vae!.meta as { test?: { negativeElbo: number } }).test?.negativeElbo).to.be.a('number');
    expect(await models.loadVaeCheckpoint('vae-mnist')).to.equal(undefined);
    let error: unknown;
    try {
      await models.makeAutoencoderCheckpoint('nope' as models.AutoencoderCheckpointName);
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(RangeError);
  });
});
