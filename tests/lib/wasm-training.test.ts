/**
 * The four benchmark models (bench/models.ts) train on wasm without leaking: after 200 training
 * steps of each, the engine's tensor count and the wasm backend's count of data buffers (which
 * would also catch a kernel temporary that is never freed) equal their values after the first step.
 *
 * Small variants keep this fast: the same architectures with a quarter of the channels and hidden
 * units (`width: 0.25`) and batches of 1–8. A leak is per kernel call, not per example or channel,
 * so these see every kernel the full models call. The benchmark itself (npm run bench) trains the
 * full models and batches, and its JSON records the tensor count before and after the timed steps.
 */
import { expect } from 'chai';
import { backend, tf } from 'genbook';
import { buildModel, MODEL_NAMES } from '../../bench/models';
import { useWasm } from './wasm-compare';

const STEPS = 200;
const SMALL_BATCH: Record<(typeof MODEL_NAMES)[number], number> = { 'mlp-ae': 8, dcgan: 2, 'conv-vae': 2, 'unet-ddpm': 1 };
const SMALL_WIDTH = 0.25;

describe('wasm training of the benchmark models', function () {
  // About 25 s of CPU for all four on this machine; generous wall-clock limit for a busy machine.
  this.timeout(300000);

  before(useWasm);
  after(async () => {
    await backend.setup('cpu', { log: null });
  });

  for (const name of MODEL_NAMES) {
    it(`${name}: ${STEPS} steps, tensor and buffer counts flat, losses finite`, () => {
      expect(tf.getBackend()).to.equal('wasm');
      const model = buildModel(name, { batch: SMALL_BATCH[name], width: SMALL_WIDTH });
      const first = model.step();
      const tensorsAfterFirst = tf.memory().numTensors;
      const buffersAfterFirst = tf.memory().numDataBuffers;
      let last = first;
      for (let i = 1; i < STEPS; i++) last = model.step();
      expect(tf.memory().numTensors, 'tensors').to.equal(tensorsAfterFirst);
      expect(tf.memory().numDataBuffers, 'wasm data buffers').to.equal(buffersAfterFirst);
      expect(Number.isFinite(first) && Number.isFinite(last), `losses ${first} → ${last}`).to.equal(true);
      if (name === 'mlp-ae') expect(last, 'the autoencoder fits its batch').to.be.lessThan(first);
      model.dispose();
    });
  }
});
