/**
 * Exact resume of Algorithm 1 (diffusion/trainer.ts `resume`, train/optimizer-state.ts): 6 steps in
 * one run against 3 steps, a saved state and 3 more — the same weights, EMA and losses, bit for bit.
 */
import { expect } from 'chai';
import { backend, diffusion, models, random, tf } from 'genbook';

describe('diffusion training: exact resume', () => {
  before(async () => {
    await backend.setup('cpu', { log: null });
  });

  const schedule = diffusion.noiseSchedule('linear', 50, { betaEnd: 0.1 });
  const rng = random.rng(4);
  const points = Float32Array.from(rng.normals(400, 0, 0.3));
  const labels = Int32Array.from({ length: 200 }, (_, i) => i % 2);
  const common = { schedule, data: diffusion.arrayBatches(points, [2], labels), batchSize: 16, seed: 9, learningRate: 3e-3, pUncond: 0.2, emaDecay: 0.9 };
  const flat = (net: models.DiffusionMlp) => net.variables().map((v) => Array.from(v.dataSync()));

  it('3 steps + state + 3 steps equal 6 steps: weights, EMA and losses', async () => {
    const whole = new models.DiffusionMlp({ seed: 1, hiddenUnits: 16, layers: 2, numClasses: 2 });
    const a = await diffusion.trainDiffusion({ ...common, network: whole, steps: 6 });

    const first = new models.DiffusionMlp({ seed: 1, hiddenUnits: 16, layers: 2, numClasses: 2 });
    let saved: diffusion.DiffusionTrainerState | undefined;
    const b1 = await diffusion.trainDiffusion({
      ...common,
      network: first,
      steps: 3,
      onCheckpoint: async (_step, _ema, _losses, state) => {
        saved = await state();
      },
    });
    // a new process: a fresh network given the first one's raw weights, and the saved state
    const second = new models.DiffusionMlp({ seed: 123, hiddenUnits: 16, layers: 2, numClasses: 2 });
    second.variables().forEach((v, i) => v.assign(first.variables()[i]));
    const numTensors = tf.memory().numTensors;
    const b2 = await diffusion.trainDiffusion({ ...common, seed: 555, network: second, steps: 3, resume: saved! });
    expect([...b1.losses, ...b2.losses]).to.deep.equal(a.losses);
    expect(flat(second)).to.deep.equal(flat(whole));
    expect(b2.ema!.values().map((v) => Array.from(v.dataSync()))).to.deep.equal(a.ema!.values().map((v) => Array.from(v.dataSync())));
    expect(b2.ema!.count).to.equal(6);
    // the resumed run owns only its EMA (returned) beyond what it was given
    b2.ema!.dispose();
    expect(tf.memory().numTensors).to.equal(numTensors);
    tf.dispose(Object.values(saved!.tensors));
    [a.ema, b1.ema].forEach((e) => e?.dispose());
    [whole, first, second].forEach((n) => n.dispose());
  });

  it('refuses a state whose EMA setting differs', async () => {
    const net = new models.DiffusionMlp({ seed: 1, hiddenUnits: 8, layers: 1, numClasses: 2 });
    let saved: diffusion.DiffusionTrainerState | undefined;
    const r = await diffusion.trainDiffusion({ ...common, network: net, steps: 1, emaDecay: 0, onCheckpoint: async (_s, _e, _l, state) => void (saved = await state()) });
    expect(r.ema).to.equal(null);
    let error: unknown;
    try {
      await diffusion.trainDiffusion({ ...common, network: net, steps: 1, resume: saved! });
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.match(/the saved state has no EMA; this training keeps EMA/);
    tf.dispose(Object.values(saved!.tensors));
    net.dispose();
  });
});
