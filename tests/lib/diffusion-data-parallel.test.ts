/**
 * Data-parallel training of ε_θ over worker threads (lib/src/diffusion/data-parallel.ts): the
 * gradient over J shards, weighted by shard size, against the gradient of the whole batch computed
 * in one piece with tf.variableGrads; a seeded training with dataParallel 2 against the same
 * training in one thread, step for step; no tensor left behind; bad settings refused.
 */
import { expect } from 'chai';
import { backend, diffusion, models, random, tf } from 'genbook';

const SIZE = { levelChannels: [8, 16], embeddingDim: 16 };

/** A small U-Net with every weight random (its output layer starts at zero otherwise). */
function randomUNet(seed: number, numClasses = 0): models.DiffusionUNet {
  const net = new models.DiffusionUNet({ seed, numClasses, ...SIZE });
  const rng = random.rng(seed + 100);
  for (const v of net.variables()) v.assign(tf.tidy(() => rng.normalTensor(v.shape).mul(0.2)));
  return net;
}

function maxAbsDiff(a: tf.Tensor, b: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
}

function maxAbs(a: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(a)).dataSync()[0]);
}

async function compareGradients(numClasses: number, batch: number, shards: number, tolerance: number, minSnr = 0): Promise<void> {
  const net = randomUNet(4, numClasses);
  const variables = net.variables();
  const rng = random.rng(9);
  const xt = rng.normalTensor([batch, 28, 28, 1]);
  const eps = rng.normalTensor([batch, 28, 28, 1]);
  // with Min-SNR, low-noise steps (SNR > γ, weights below 1 and unequal) in every shard
  const t = Array.from({ length: batch }, (_, i) => (minSnr > 0 ? 1 + ((i * 29) % 120) : 1 + ((i * 317) % 1000)));
  const labels = numClasses > 0 ? Array.from({ length: batch }, (_, i) => i % (numClasses + 1)) : null;
  const lossWeights = minSnr > 0 ? diffusion.minSnrWeights(diffusion.noiseSchedule('linear', 1000), t, minSnr) : null;
  const whole = tf.variableGrads(() => (lossWeights ? diffusion.weightedSimpleLoss(eps, net.apply(xt, t, labels), lossWeights) : diffusion.simpleLoss(eps, net.apply(xt, t, labels))), variables);
  const parallel = await diffusion.DataParallelGradients.start(net, shards);
  try {
    const sharded = await parallel.gradients(variables, xt, eps, t, labels, lossWeights);
    expect(sharded.loss).to.be.closeTo(whole.value.dataSync()[0], tolerance * Math.abs(whole.value.dataSync()[0]));
    expect(sharded.grads).to.have.length(variables.length);
    variables.forEach((v, k) => {
      const g = whole.grads[v.name];
      expect(sharded.grads[k].shape, v.name).to.deep.equal(g.shape);
      expect(maxAbsDiff(sharded.grads[k], g), v.name).to.be.at.most(tolerance * Math.max(maxAbs(g), 1e-3));
    });
    tf.dispose(sharded.grads);
  } finally {
    await parallel.dispose();
    tf.dispose([xt, eps, whole.value, ...Object.values(whole.grads)]);
    net.dispose();
  }
}

describe('diffusion: data-parallel gradients over worker threads', function () {
  this.timeout(120_000);

  it('shardSizes cuts a batch as evenly as possible, larger shards first; refuses fewer examples than shards', () => {
    expect(diffusion.shardSizes(64, 2)).to.deep.equal([32, 32]);
    expect(diffusion.shardSizes(7, 3)).to.deep.equal([3, 2, 2]);
    expect(diffusion.shardSizes(5, 1)).to.deep.equal([5]);
    expect(() => diffusion.shardSizes(2, 3)).to.throw(RangeError, /at least one example per shard/);
    expect(() => diffusion.shardSizes(8, 0)).to.throw(RangeError, /shards must be a positive integer/);
  });

  describe('on the cpu backend (the same arithmetic in every thread: agreement to 1e-5)', () => {
    before(async () => {
      await backend.setup('cpu', { log: null });
    });

    it('3 shards (2 workers) of an unconditional batch of 5 give the whole batch\'s L_simple and gradient', async () => {
      await compareGradients(0, 5, 3, 1e-5);
    });

    it('a conditional U-Net (labels and ∅ cut with the batch): 2 shards of 4', async () => {
      await compareGradients(10, 4, 2, 1e-5);
    });

    it('Min-SNR-γ loss weights (cut with the batch): 3 shards of 7 give the whole batch\'s weighted loss and gradient', async () => {
      await compareGradients(0, 7, 3, 1e-5, 5);
    });
  });

  describe('on wasm (what the training uses): workers with single-threaded backends', () => {
    before(async () => {
      await backend.setup('wasm', { log: null });
    });

    it('2 shards of 6 give the whole batch\'s gradient to float32 rounding (XNNPACK threads may round differently)', async () => {
      await compareGradients(0, 6, 2, 1e-4);
    });

    it('trainDiffusion with dataParallel 2 takes the same steps as in one thread (losses and weights), with and without Min-SNR-γ, and leaves no tensor', async () => {
      const data = random.rng(5).normalTensor([64, 28, 28, 1]).clipByValue(-1, 1);
      const rows = data.dataSync() as Float32Array;
      data.dispose();
      const run = async (dataParallel: number, minSnrGamma = 0) => {
        const net = randomUNet(6);
        const before = tf.memory().numTensors;
        const r = await diffusion.trainDiffusion({
          network: net, schedule: diffusion.noiseSchedule('linear', 1000), data: diffusion.arrayBatches(rows, [28, 28, 1]),
          steps: 3, batchSize: 8, seed: 2, learningRate: 1e-3, emaDecay: 0, dataParallel, minSnrGamma,
        });
        expect(tf.memory().numTensors, `tensors left by dataParallel ${dataParallel}`).to.equal(before);
        return { net, losses: r.losses };
      };
      const plain = await run(1);
      plain.net.dispose();
      for (const minSnr of [0, 5]) {
        const one = await run(1, minSnr);
        const two = await run(2, minSnr);
        try {
          expect(two.losses).to.have.length(3);
          two.losses.forEach((l, i) => expect(l, `γ ${minSnr}: loss ${i}`).to.be.closeTo(one.losses[i], 1e-4 * one.losses[i]));
          // Min-SNR-γ's weights are in effect: the same draws give other losses than L_simple's
          if (minSnr > 0) expect(Math.max(...one.losses.map((l, i) => Math.abs(l - plain.losses[i]) / plain.losses[i]))).to.be.above(1e-3);
          // the weights moved (lr 1e-3 for 3 steps), and by the same amounts
          const a = one.net.variables();
          const b = two.net.variables();
          const fresh = randomUNet(6);
          expect(Math.max(...fresh.variables().map((v, k) => maxAbsDiff(v, a[k])))).to.be.above(1e-4);
          fresh.dispose();
          a.forEach((v, k) => expect(maxAbsDiff(v, b[k]), `γ ${minSnr}: ${v.name}`).to.be.at.most(1e-4));
        } finally {
          one.net.dispose();
          two.net.dispose();
        }
      }
    });

    it('refuses dataParallel below 1 or above the batch size, and a network it cannot rebuild in a worker', async () => {
      const net = randomUNet(7);
      const base = { network: net, schedule: diffusion.noiseSchedule('linear', 1000), data: diffusion.arrayBatches(new Float32Array(784 * 4), [28, 28, 1]), steps: 1, batchSize: 4, seed: 1 };
      try {
        for (const bad of [0, 1.5]) {
          let error: unknown;
          await diffusion.trainDiffusion({ ...base, dataParallel: bad }).catch((e: unknown) => (error = e));
          expect((error as Error)?.message, String(bad)).to.match(/dataParallel must be a positive integer/);
        }
        let error: unknown;
        await diffusion.trainDiffusion({ ...base, dataParallel: 5 }).catch((e: unknown) => (error = e));
        expect((error as Error)?.message).to.match(/dataParallel \(5\) must not exceed the batch size \(4\)/);
        const custom: diffusion.DiffusionNetwork = { apply: (x) => x, variables: () => [], numClasses: 0, nullLabel: 0 };
        error = undefined;
        await diffusion.DataParallelGradients.start(custom, 2).catch((e: unknown) => (error = e));
        expect((error as Error)?.message).to.match(/is not one of DiffusionUNet/);
      } finally {
        net.dispose();
      }
    });
  });

});
