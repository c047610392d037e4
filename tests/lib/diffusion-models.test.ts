/**
 * diffusion training and networks: EMA arithmetic, Algorithm 1 (loss falls, p_uncond honoured, no
 * tensor leaks), the U-Net's shapes and conditioning, patch embedding, cross-attention, checkpoints.
 */
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { backend, diffusion, models, random, tf } from 'genbook';

describe('diffusion: EMA and training (Algorithm 1)', () => {
  before(async () => {
    await backend.setup('cpu', { log: null });
  });

  it('EMA follows θ̄ ← d·θ̄ + (1 − d)·θ with the warm-up d_n = min(d, (1 + n)/(10 + n))', async () => {
    const v = tf.variable(tf.tensor1d([1, 2]));
    const ema = new diffusion.ExponentialMovingAverage([v], 0.9);
    let expected = [1, 2];
    for (let n = 0; n < 30; n++) {
      v.assign(tf.tensor1d([n, -n]));
      const d = Math.min(0.9, (1 + n) / (10 + n));
      expect(ema.currentDecay()).to.be.closeTo(d, 1e-12);
      ema.update();
      expected = [d * expected[0] + (1 - d) * n, d * expected[1] - (1 - d) * n];
    }
    const got = ema.values()[0].arraySync() as number[];
    expect(got[0]).to.be.closeTo(expected[0], 1e-4);
    expect(got[1]).to.be.closeTo(expected[1], 1e-4);
    const inside = await ema.withAveraged(() => v.arraySync() as number[]);
    expect(inside[0]).to.be.closeTo(expected[0], 1e-4);
    expect((v.arraySync() as number[])[0]).to.equal(29);
    ema.dispose();
    v.dispose();
  });

  it('trains an MLP on a 2D Gaussian: L_simple falls, tensors stay flat, p_uncond drops labels', async () => {
    const sched = diffusion.noiseSchedule('linear', 100, { betaEnd: 0.1 });
    const net = new models.DiffusionMlp({ seed: 1, hiddenUnits: 32, layers: 2, numClasses: 3 });
    const rng = random.rng(4);
    const points = Float32Array.from(rng.normals(2000, 0, 0.2).map((v, i) => v + (i % 2 === 0 ? 1 : -1)));
    const labels = Int32Array.from({ length: 1000 }, (_, i) => i % 3);
    let seenNull = 0;
    let seenTotal = 0;
    const spy: diffusion.DiffusionNetwork = {
      numClasses: 3,
      nullLabel: 3,
      variables: () => net.variables(),
      apply: (x, t, ys) => {
        for (const y of Array.from(ys ?? [])) {
          seenTotal++;
          if (y === 3) seenNull++;
        }
        return net.apply(x, t, ys);
      },
    };
    const before = tf.memory().numTensors;
    const res = await diffusion.trainDiffusion({ network: spy, schedule: sched, data: diffusion.arrayBatches(points, [2], labels), steps: 150, batchSize: 64, seed: 2, learningRate: 3e-3, pUncond: 0.3 });
    const first = res.losses.slice(0, 20).reduce((s, v) => s + v, 0) / 20;
    const last = res.losses.slice(-20).reduce((s, v) => s + v, 0) / 20;
    expect(last).to.be.below(0.8 * first);
    expect(seenNull / seenTotal).to.be.closeTo(0.3, 0.03);
    res.ema!.dispose();
    expect(tf.memory().numTensors).to.equal(before);
    net.dispose();
  });

  it('rejects p_uncond for an unconditional network and a conditional network without labels', async () => {
    const sched = diffusion.noiseSchedule('linear', 10);
    const net = new models.DiffusionMlp({ seed: 1, hiddenUnits: 8, layers: 1 });
    const source = diffusion.arrayBatches(new Float32Array(20), [2]);
    let error: unknown;
    try {
      await diffusion.trainDiffusion({ network: net, schedule: sched, data: source, steps: 1, batchSize: 2, seed: 1, pUncond: 0.1 });
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.match(/pUncond > 0 needs a conditional network/);
    net.dispose();
    const cond = new models.DiffusionMlp({ seed: 1, hiddenUnits: 8, layers: 1, numClasses: 2 });
    error = undefined;
    try {
      await diffusion.trainDiffusion({ network: cond, schedule: sched, data: source, steps: 1, batchSize: 2, seed: 1 });
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.match(/needs one label per example/);
    cond.dispose();
  });
});

describe('diffusion networks', () => {
  it('space-to-depth and depth-to-space invert each other and place pixel (2i+di, 2j+dj) at channel 2di+dj', () => {
    const x = tf.range(0, 2 * 6 * 4 * 1).reshape([2, 6, 4, 1]) as tf.Tensor4D;
    const s = models.spaceToDepth2(x);
    expect(s.shape).to.deep.equal([2, 3, 2, 4]);
    const v = s.arraySync();
    // pixel (row 3, col 1) of image 1 = 1·24 + 3·4 + 1 = 37 → patch (1, 0), channel 2·1 + 1 = 3
    expect(v[1][1][0][3]).to.equal(37);
    expect(tf.max(tf.abs(tf.sub(models.depthToSpace2(s), x))).dataSync()[0]).to.equal(0);
  });

  it('the U-Net maps [B, 28, 28, 1] to the same shape, starts at ε = 0 (zero-init output), needs labels when conditional', () => {
    const net = new models.DiffusionUNet({ seed: 3, numClasses: 10 });
    expect(net.parameterCount()).to.equal(net.variables().reduce((s, v) => s + v.size, 0));
    const x = random.rng(1).normalTensor([2, 28, 28, 1]);
    const eps = net.apply(x, [5, 900], [3, 10]);
    expect(eps.shape).to.deep.equal([2, 28, 28, 1]);
    expect(tf.max(tf.abs(eps)).dataSync()[0]).to.equal(0);
    const flat = net.apply(tf.reshape(x, [2, 784]), [5, 900], [3, 10]);
    expect(flat.shape).to.deep.equal([2, 784]);
    expect(() => net.apply(x, [5, 900])).to.throw(RangeError, /labels must have one entry per example/);
    expect(() => net.apply(x, [5, 900], [3, 11])).to.throw(RangeError, /labels\[1\] must be an integer in \[0, 10\]/);
    tf.dispose([x, eps, flat]);
    net.dispose();
  });

  it('the U-Net responds to t and to the label once its output layer is non-zero; checkpoints round-trip', async () => {
    const net = new models.DiffusionUNet({ seed: 5, numClasses: 10, levelChannels: [8, 16], embeddingDim: 16, crossAttention: { dim: 8 } });
    for (const v of net.variables()) v.assign(tf.randomNormal(v.shape, 0, 0.2, 'float32', v.size));
    const x = random.rng(2).normalTensor([2, 28, 28, 1]);
    const a = net.apply(x, [10, 10], [1, 1]);
    const b = net.apply(x, [500, 10], [1, 2]);
    const diff = tf.sum(tf.abs(tf.sub(a, b)), [1, 2, 3]).arraySync() as number[];
    expect(diff[0]).to.be.above(1e-3); // t changed
    expect(diff[1]).to.be.above(1e-3); // label changed (through cross-attention only)
    net.keepAttention = true;
    tf.dispose(net.apply(x, [10, 10], [1, 10]));
    const w = net.lastAttention!;
    expect(w.shape).to.deep.equal([2, 49, 2]);
    const rowSums = tf.sum(w, 2).dataSync();
    for (const s of rowSums) expect(s).to.be.closeTo(1, 1e-5);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-ddpm-'));
    await models.saveDiffusionCheckpoint(net, dir, { name: 'test', command: 'test' });
    const { network, meta } = models.loadDiffusionCheckpoint(dir);
    expect(meta.kind).to.equal('DiffusionUNet');
    const c = (network as models.DiffusionUNet).apply(x, [10, 10], [1, 1]);
    expect(tf.max(tf.abs(tf.sub(a, c))).dataSync()[0]).to.be.below(1e-5);
    tf.dispose([x, a, b, c]);
    network.dispose();
    net.dispose();
    fs.rmSync(dir, { recursive: true });
  });

  it('resBlocks adds residual blocks per level, down and up; a network grown from a trained one computes its ε_θ exactly and can train the new blocks', () => {
    const config = { seed: 7, numClasses: 10, levelChannels: [8, 16], embeddingDim: 16 };
    const small = new models.DiffusionUNet(config);
    // "trained": every parameter random, the zero-initialized convs included
    for (const v of small.variables()) v.assign(tf.randomNormal(v.shape, 0, 0.2, 'float32', v.size));
    const grown = new models.DiffusionUNet({ ...config, seed: 8, resBlocks: 2 });
    // one more ResBlock(c) per level, down and up: GroupNorm 2c, conv 3×3 9c² + c, Dense E·c + c, GroupNorm 2c, conv 3×3 9c² + c
    const block = (c: number, e: number) => 2 * c + (9 * c * c + c) + (e * c + c) + 2 * c + (9 * c * c + c);
    expect(grown.parameterCount() - small.parameterCount()).to.equal(2 * (block(8, 16) + block(16, 16)));
    const fresh = grown.params.assignGrowing(small.params.record());
    expect(fresh.length, 'ten tensors in each of four new blocks').to.equal(40);
    expect(new Set(fresh.map((n) => n.split('/').slice(0, 2).join('/')))).to.deep.equal(new Set(['down0/res1', 'down1/res1', 'up1/res1', 'up0/res1']));
    const x = random.rng(4).normalTensor([3, 28, 28, 1]);
    const t = [1, 400, 1000];
    const labels = [2, 7, 10];
    const before = small.apply(x, t, labels);
    const after = grown.apply(x, t, labels);
    expect(tf.max(tf.abs(before)).dataSync()[0]).to.be.above(0.1);
    expect(tf.max(tf.abs(tf.sub(before, after))).dataSync()[0], 'the new blocks are the identity').to.equal(0);
    // the zero-initialized last conv of a new block still gets a gradient, so the block can learn
    const conv2 = grown.params.find('down0/res1/conv2/kernel');
    const { grads } = tf.variableGrads(() => tf.mean(tf.square(grown.apply(x, t, labels))) as tf.Scalar, [conv2]);
    expect(tf.max(tf.abs(grads[conv2.name])).dataSync()[0]).to.be.above(1e-6);
    // a saved network that has parameters the grown one lacks, or another shape, is refused
    const other = new models.DiffusionUNet({ ...config, levelChannels: [8, 24] });
    expect(() => small.params.assignGrowing(grown.params.record())).to.throw(RangeError, /the network has no parameter down0\/res1\//);
    expect(() => grown.params.assignGrowing(other.params.record())).to.throw(RangeError, /has shape/);
    expect(() => new models.DiffusionUNet({ ...config, resBlocks: 0 })).to.throw(RangeError, /resBlocks must be a positive integer/);
    tf.dispose([x, before, after, Object.values(grads)]);
    for (const n of [small, grown, other]) n.dispose();
  });

  it('a checkpoint of each network kind loads back as that kind; an unknown or inherited kind is refused by name', async () => {
    const nets: [string, models.DiffusionCheckpointNetwork][] = [
      ['NoisyClassifier', new models.NoisyClassifier({ seed: 1, levelChannels: [8, 16], embeddingDim: 16 })],
      ['LatentAutoencoder', new models.LatentAutoencoder({ seed: 1, channels: [8, 16] })],
    ];
    for (const [kind, net] of nets) {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-kind-'));
      await models.saveDiffusionCheckpoint(net, dir, { name: 'test', command: 'test' });
      const { network, meta } = models.loadDiffusionCheckpoint(dir);
      expect(meta.kind).to.equal(kind);
      expect(network.constructor.name).to.equal(kind);
      expect(network.params.count()).to.equal(net.params.count());
      for (const bad of ['Nope', 'toString', 'constructor']) {
        fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ ...meta, kind: bad }));
        expect(() => models.loadDiffusionCheckpoint(dir)).to.throw(`unknown network kind "${bad}" (known: DiffusionUNet, DiffusionMlp, NoisyClassifier, LatentAutoencoder)`);
      }
      network.dispose();
      net.dispose();
      fs.rmSync(dir, { recursive: true });
    }
  });

  it('the noisy classifier gives [B, 10] logits and the latent autoencoder a 7×7×4 latent', () => {
    const clf = new models.NoisyClassifier({ seed: 1, levelChannels: [8, 16], embeddingDim: 16 });
    const x = random.rng(3).normalTensor([3, 28, 28, 1]);
    const logits = clf.logits(x, [1, 2, 3]);
    expect(logits.shape).to.deep.equal([3, 10]);
    const grad = diffusion.classifierLogProbGradient(clf.asGuidanceClassifier(), [0, 1, 2])(x, 7);
    expect(grad.shape).to.deep.equal([3, 28, 28, 1]);
    const ae = new models.LatentAutoencoder({ seed: 1, channels: [8, 16] });
    const z = ae.encode(tf.sigmoid(x));
    expect(z.shape).to.deep.equal([3, 7, 7, 4]);
    const xHat = ae.decode(z);
    expect(xHat.shape).to.deep.equal([3, 28, 28, 1]);
    expect(tf.min(xHat).dataSync()[0]).to.be.at.least(0);
    tf.dispose([x, logits, grad, z, xHat]);
    clf.dispose();
    ae.dispose();
  });

  it('LatentAutoencoder.encodeAll equals encode of the whole set, whatever the batch size, and refuses a partial image', () => {
    const ae = new models.LatentAutoencoder({ seed: 2, channels: [8, 16] });
    const count = 7;
    const images = Float32Array.from({ length: count * 784 }, (_, i) => ((i * 7919) % 1000) / 1000);
    const whole = tf.tidy(() => ae.encode(tf.tensor4d(images, [count, 28, 28, 1])).dataSync() as Float32Array);
    expect(whole.length).to.equal(count * 49 * 4);
    for (const batch of [1, 3, 7, 100]) {
      const got = ae.encodeAll(images, batch);
      expect(got.length).to.equal(whole.length);
      let worst = 0;
      for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - whole[i]));
      expect(worst, `batch ${batch}`).to.be.below(1e-5);
    }
    expect(() => ae.encodeAll(images.subarray(0, 783))).to.throw(RangeError, /whole number of 28×28 images/);
    expect(() => ae.encodeAll(images, 0)).to.throw(RangeError, /batchSize/);
    ae.dispose();
  });
});
