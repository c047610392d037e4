/**
 * PixelCNN and the 2D RealNVP flow against independent checks: the masks by input gradients (no
 * conditional depends on its own or a later pixel, and with mask A the first pixel depends on
 * nothing), the NLL against a direct Float64 Bernoulli sum, cropped sampling windows against full
 * images; the flow's log-likelihood against the change-of-variables formula on a known affine
 * transform, against a finite-difference Jacobian for a random network, inverse ∘ forward = id,
 * and ∫ p = 1 on a grid.
 */
import { expect } from 'chai';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { backend, models, random, tf } from 'genbook';

describe('models: PixelCNN', () => {
  before(async () => {
    await backend.setup(undefined, { log: null });
  });

  it('masks A and B: 1 above the centre and left of it; the centre only in B', () => {
    expect(Array.from(models.maskPlane('A', 3))).to.deep.equal([1, 1, 1, 1, 0, 0, 0, 0, 0]);
    expect(Array.from(models.maskPlane('B', 3))).to.deep.equal([1, 1, 1, 1, 1, 0, 0, 0, 0]);
    const m = models.pixelCnnMask('A', 5, 2, 3);
    expect(m.shape).to.deep.equal([5, 5, 2, 3]);
    const v = m.arraySync() as number[][][][];
    expect(v[2][2][1][2]).to.equal(0);
    expect(v[2][1][0][0]).to.equal(1);
    expect(v[1][4][1][1]).to.equal(1);
    expect(v[3][0][0][0]).to.equal(0);
    m.dispose();
    expect(() => models.pixelCnnMask('C' as 'A', 3)).to.throw(RangeError, /type/);
    expect(() => models.pixelCnnMask('A', 4)).to.throw(RangeError, /kernelSize/);
  });

  it('no output depends on the current or a later pixel (checked by input gradients)', () => {
    const H = 6;
    const W = 5;
    const net = new models.PixelCnn({ channels: 8, layers: 3, firstKernelSize: 5, kernelSize: 3, height: H, width: W, seed: 3 });
    // random non-zero weights everywhere (the default init is fine, but make biases non-zero too)
    const x = tf.tensor4d(Float32Array.from(random.rng(1).uniforms(H * W)), [1, H, W, 1]);
    let dependsOnEarlier = 0;
    for (let i = 0; i < H * W; i++) {
      const r = Math.floor(i / W);
      const c = i % W;
      const g = tf.grad((input: tf.Tensor) => net.logits(input as tf.Tensor4D).slice([0, r, c, 0], [1, 1, 1, 1]).sum())(x);
      const grad = g.dataSync();
      for (let j = i; j < H * W; j++) expect(grad[j], `∂ℓ(${r},${c})/∂x(${Math.floor(j / W)},${j % W})`).to.equal(0);
      for (let j = 0; j < i; j++) if (grad[j] !== 0) dependsOnEarlier++;
      g.dispose();
    }
    // the test can fail the other way too: the network does look at earlier pixels
    expect(dependsOnEarlier).to.be.above(100);
    x.dispose();
    net.dispose();
  });

  it('the stored top-rows kernels give the same logits as full k×k masked convolutions with same padding', () => {
    const net = new models.PixelCnn({ channels: 5, layers: 2, firstKernelSize: 5, kernelSize: 3, height: 7, width: 6, seed: 12 });
    const x = tf.tensor4d(Float32Array.from(random.rng(3).uniforms(2 * 42), (u) => (u < 0.5 ? 1 : 0)), [2, 7, 6, 1]);
    const reference = tf.tidy(() => {
      const v = net.variables;
      /** the full k×k kernel: stored rows on top, zeros below, times the full mask */
      const full = (kernel: tf.Tensor, type: 'A' | 'B') => {
        const [rows, k, cin, cout] = kernel.shape as number[];
        const padded = tf.concat([kernel, tf.zeros([k - rows, k, cin, cout])], 0);
        return tf.mul(padded, models.pixelCnnMask(type, k, cin, cout)) as tf.Tensor4D;
      };
      const conv = (h: tf.Tensor4D, kernel: tf.Tensor4D, bias: tf.Tensor) => tf.add(tf.conv2d(h, kernel, 1, 'same'), bias) as tf.Tensor4D;
      let h = tf.relu(conv(x, full(v['a.kernel'], 'A'), v['a.bias']));
      for (let l = 0; l < 2; l++) h = tf.add(h, tf.relu(conv(h, full(v[`b${l}.kernel`], 'B'), v[`b${l}.bias`]))) as tf.Tensor4D;
      h = tf.relu(conv(tf.relu(h), v['out1.kernel'] as tf.Tensor4D, v['out1.bias']));
      return conv(h, v['out2.kernel'] as tf.Tensor4D, v['out2.bias']).dataSync();
    });
    const got = net.logits(x).dataSync();
    reference.forEach((r, i) => expect(got[i]).to.be.closeTo(r, 1e-4));
    x.dispose();
    net.dispose();
  });

  it('NLL equals Σ −[x log σ(ℓ) + (1−x) log(1−σ(ℓ))] in Float64, and bits/dim = nats/(HW ln 2)', () => {
    const net = new models.PixelCnn({ channels: 4, layers: 1, height: 4, width: 4, seed: 2 });
    const rng = random.rng(9);
    const images = Float32Array.from({ length: 3 * 16 }, () => (rng.uniform() < 0.4 ? 1 : 0));
    const x = tf.tensor4d(images, [3, 4, 4, 1]);
    const logits = net.logits(x).dataSync();
    const nll = net.negativeLogLikelihood(x).dataSync();
    for (let n = 0; n < 3; n++) {
      let direct = 0;
      for (let p = 0; p < 16; p++) {
        const l = logits[n * 16 + p];
        const prob = 1 / (1 + Math.exp(-l));
        direct -= images[n * 16 + p] ? Math.log(prob) : Math.log(1 - prob);
      }
      expect(nll[n]).to.be.closeTo(direct, 1e-4);
    }
    const e = net.evaluate(images, 2);
    expect(e.nats).to.be.closeTo((nll[0] + nll[1] + nll[2]) / 3, 1e-4);
    expect(e.bitsPerDim).to.be.closeTo(e.nats / (16 * Math.LN2), 1e-9);
    x.dispose();
    net.dispose();
  });

  it('the cropped window used by sampling gives the same logits as the full image', () => {
    const net = new models.PixelCnn({ channels: 6, layers: 2, firstKernelSize: 5, height: 10, width: 6, seed: 4 });
    const reach = net.receptiveRows; // 2 + 2 = 4
    expect(reach).to.equal(4);
    const img = Float32Array.from(random.rng(2).uniforms(60), (u) => (u < 0.5 ? 1 : 0));
    const full = net.logits(tf.tensor4d(img, [1, 10, 6, 1])).dataSync();
    const r = 8;
    const top = r - reach;
    const window = net.logits(tf.tensor4d(img.subarray(top * 6, (r + 1) * 6), [1, r - top + 1, 6, 1])).dataSync();
    for (let c = 0; c < 6; c++) expect(window[(r - top) * 6 + c]).to.be.closeTo(full[r * 6 + c], 1e-5);
    net.dispose();
  });

  it('samples are binary, reproducible by seed, and the loop keeps the tensor count flat', async () => {
    const net = new models.PixelCnn({ channels: 4, layers: 1, height: 5, width: 5, seed: 5 });
    const before = tf.memory().numTensors;
    const a = await net.sample(3, 7);
    const b = await net.sample(3, 7);
    expect(a.shape).to.deep.equal([3, 5, 5, 1]);
    expect(Array.from(a.dataSync()).every((v) => v === 0 || v === 1)).to.equal(true);
    expect(Array.from(a.dataSync())).to.deep.equal(Array.from(b.dataSync()));
    tf.dispose([a, b]);
    expect(tf.memory().numTensors).to.equal(before);
    net.dispose();
  });

  it('training lowers the NLL of binarised images', async () => {
    const net = new models.PixelCnn({ channels: 8, layers: 1, height: 6, width: 6, seed: 6 });
    // stripes: row r is all ones when r is even — perfectly predictable from the row above
    const images = new Float32Array(32 * 36);
    for (let n = 0; n < 32; n++) for (let p = 0; p < 36; p++) images[n * 36 + p] = Math.floor(p / 6) % 2 === (n % 2) ? 1 : 0;
    const before = net.evaluate(images).nats;
    await models.trainPixelCnn(net, { images, steps: 60, batchSize: 16, learningRate: 1e-2, dynamicBinarization: false, seed: 1 });
    const after = net.evaluate(images).nats;
    expect(after).to.be.below(before / 4);
    net.dispose();
  });

  it('continuing a checkpoint saves only an improvement (last or Polyak-averaged weights), and the saved weights reproduce the reported NLL', async function () {
    this.timeout(120000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-pixelcnn-'));
    try {
      const made = await models.makePixelCnnCheckpoint({ quick: true, dir });
      expect(made.steps).to.equal(models.PIXELCNN_RECIPE.quick.steps);
      const read = (): { meta: string; weights: Buffer } => ({ meta: fs.readFileSync(path.join(dir, 'meta.json'), 'utf8'), weights: fs.readFileSync(path.join(dir, 'weights.bin')) });

      // 30 more steps from a 20-step model: the NLL (far above its floor) goes down and is saved
      const more = await models.continuePixelCnnCheckpoint({ dir, steps: 30, learningRate: 3e-3, command: 'first continuation' });
      expect(more.before).to.be.closeTo(made.testNats, 1e-9);
      expect(more.improved).to.equal(true);
      expect(more.testNats).to.be.below(made.testNats);
      const { model, meta } = models.loadPixelCnn(dir);
      expect(meta.steps).to.equal(made.steps + 30);
      expect(meta.resumedWith).to.deep.equal(['first continuation']);
      expect(meta.testNats).to.equal(more.testNats);
      expect((meta.lossCurve as number[][]).at(-1)![0]).to.equal(made.steps + 30);
      // independent of the run's own evaluation: reload and score the same 200 test images again
      expect(model.evaluate(models.binarizedMnistTest(meta.testCount as number)).nats).to.be.closeTo(more.testNats, 1e-3);
      model.dispose();

      // one Adam step of size 1 wrecks the weights: nothing on disk may change
      const saved = read();
      const worse = await models.continuePixelCnnCheckpoint({ dir, steps: 1, learningRate: 1, command: 'wrecking step' });
      expect(worse.improved).to.equal(false);
      expect(worse.testNats).to.be.above(more.testNats);
      expect(worse.steps).to.equal(made.steps + 30);
      const after = read();
      expect(after.meta).to.equal(saved.meta);
      expect(after.weights.equals(saved.weights)).to.equal(true);

      // with Polyak averaging both the last and the averaged weights are scored; the better is saved
      const averaged = await models.continuePixelCnnCheckpoint({ dir, steps: 20, learningRate: 3e-3, emaDecay: 0.9, command: 'averaged' });
      expect(averaged.improved).to.equal(true);
      expect(averaged.averagedNats).to.be.a('number');
      expect(averaged.averagedNats).to.not.equal(averaged.lastNats);
      expect(averaged.testNats).to.equal(Math.min(averaged.lastNats, averaged.averagedNats!));
      const reloaded = models.loadPixelCnn(dir);
      expect(reloaded.meta.resumedWith).to.deep.equal(['first continuation', 'averaged']);
      expect(reloaded.meta.weights).to.match(averaged.testNats === averaged.averagedNats ? /^EMA \(decay 0\.9\)/ : /last step/);
      expect(reloaded.model.evaluate(models.binarizedMnistTest(200)).nats).to.be.closeTo(averaged.testNats, 1e-3);
      reloaded.model.dispose();

      await expectRejection(models.continuePixelCnnCheckpoint({ dir, steps: 1, emaDecay: 1, command: 'x' }), /emaDecay/);
      await expectRejection(models.continuePixelCnnCheckpoint({ dir, steps: 0, command: 'x' }), /steps/);
      await expectRejection(models.continuePixelCnnCheckpoint({ dir: path.join(dir, 'missing'), steps: 1, command: 'x' }), /no PixelCNN checkpoint/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

async function expectRejection(promise: Promise<unknown>, pattern: RegExp): Promise<void> {
  try {
    await promise;
  } catch (e) {
    expect((e as Error).message).to.match(pattern);
    return;
  }
  expect.fail(`expected a rejection matching ${pattern}`);
}

describe('models: Gated PixelCNN', () => {
  before(async () => {
    await backend.setup(undefined, { log: null });
  });

  it('is causal and has no blind spot: every earlier pixel in reach gets a gradient, no later one does', () => {
    const H = 9;
    const W = 9;
    const net = new models.GatedPixelCnn({ channels: 6, layers: 3, firstKernelSize: 3, kernelSize: 3, height: H, width: W, seed: 4 });
    const plain = new models.PixelCnn({ channels: 6, layers: 3, firstKernelSize: 3, kernelSize: 3, height: H, width: W, seed: 4 });
    const x = tf.tensor4d(Float32Array.from(random.rng(6).uniforms(H * W)), [1, H, W, 1]);
    const gradientAt = (logits: (t: tf.Tensor4D) => tf.Tensor4D, r: number, c: number) =>
      tf.tidy(() => tf.grad((input: tf.Tensor) => logits(input as tf.Tensor4D).slice([0, r, c, 0], [1, 1, 1, 1]).sum())(x).dataSync() as Float32Array);
    for (let i = 0; i < H * W; i++) {
      const g = gradientAt((t) => net.logits(t), Math.floor(i / W), i % W);
      for (let j = i; j < H * W; j++) expect(g[j], `gated: ∂ℓ${i}/∂x${j}`).to.equal(0);
    }
    // pixel (6, 4): the pixels above-right that the plain PixelCNN misses are seen by the gated one
    const r = 6;
    const c = 4;
    const gated = gradientAt((t) => net.logits(t), r, c);
    const masked = gradientAt((t) => plain.logits(t), r, c);
    const aboveRight = [[r - 1, c + 2], [r - 1, c + 3], [r - 2, c + 3]];
    for (const [rr, cc] of aboveRight) {
      expect(masked[rr * W + cc], `plain PixelCNN blind spot at (${rr},${cc})`).to.equal(0);
      expect(gated[rr * W + cc], `gated PixelCNN sees (${rr},${cc})`).to.not.equal(0);
    }
    // the whole window of 3 rows above (±3 columns) and the 3 pixels to the left is covered
    for (let rr = r - 3; rr < r; rr++) for (let cc = c - 3; cc <= c + 3; cc++) expect(gated[rr * W + cc], `(${rr},${cc})`).to.not.equal(0);
    for (let cc = c - 3; cc < c; cc++) expect(gated[r * W + cc], `(${r},${cc})`).to.not.equal(0);
    x.dispose();
    net.dispose();
    plain.dispose();
  });

  it('NLL is the Bernoulli sum of its logits and training lowers it', async () => {
    const net = new models.GatedPixelCnn({ channels: 4, layers: 1, height: 5, width: 5, seed: 1 });
    const images = Float32Array.from({ length: 8 * 25 }, (_, k) => (Math.floor((k % 25) / 5) % 2 === 0 ? 1 : 0));
    const x = tf.tensor4d(images, [8, 5, 5, 1]);
    const logits = net.logits(x).dataSync();
    let direct = 0;
    for (let p = 0; p < 25; p++) direct -= images[p] ? Math.log(1 / (1 + Math.exp(-logits[p]))) : Math.log(1 - 1 / (1 + Math.exp(-logits[p])));
    expect(net.negativeLogLikelihood(x).dataSync()[0]).to.be.closeTo(direct, 1e-4);
    const before = tf.tidy(() => tf.mean(net.negativeLogLikelihood(x)).dataSync()[0]);
    const optimizer = tf.train.adam(1e-2);
    for (let i = 0; i < 40; i++) optimizer.minimize(() => tf.mean(net.negativeLogLikelihood(x)) as tf.Scalar, true, net.trainableVariables())?.dispose();
    const after = tf.tidy(() => tf.mean(net.negativeLogLikelihood(x)).dataSync()[0]);
    expect(after).to.be.below(before / 2);
    optimizer.dispose();
    x.dispose();
    net.dispose();
  });
});

describe('models: RealNVP 2D flow', () => {
  before(async () => {
    await backend.setup(undefined, { log: null });
  });

  it('log p(x) matches the change of variables on a known affine transform', () => {
    // Two couplings whose s and t networks output constants (zero weights, chosen biases):
    // coupling 0 keeps x₀ and maps x₁ ↦ x₁·e^{s₀} + t₀; coupling 1 keeps that and maps x₀ ↦ x₀·e^{s₁} + t₁.
    const sRaw = [0.4, -0.7];
    const tVal = [1.5, -0.25];
    const weights: Record<string, tf.Tensor> = {};
    for (let k = 0; k < 2; k++) {
      weights[`c${k}.w0`] = tf.zeros([1, 2]);
      weights[`c${k}.b0`] = tf.tensor1d([sRaw[k], tVal[k]]);
    }
    const shift: [number, number] = [0.3, -0.2];
    const scale: [number, number] = [2, 0.5];
    const flow = new models.RealNvp2d({ couplings: 2, hiddenLayers: 0, shift, scale, seed: 0 }, weights);
    const s = sRaw.map(Math.tanh);
    const points = [[0.1, 0.2], [-1, 2], [3, -0.5]];
    const logp = flow.logProb(tf.tensor2d(points)).dataSync();
    points.forEach(([x0, x1], i) => {
      const u0 = (x0 - shift[0]) / scale[0];
      const u1 = (x1 - shift[1]) / scale[1];
      const z1 = u1 * Math.exp(s[0]) + tVal[0];
      const z0 = u0 * Math.exp(s[1]) + tVal[1];
      const logDet = s[0] + s[1] - Math.log(scale[0]) - Math.log(scale[1]);
      const expected = -0.5 * (z0 * z0 + z1 * z1) - Math.log(2 * Math.PI) + logDet;
      expect(logp[i]).to.be.closeTo(expected, 1e-5);
    });
    flow.dispose();
    tf.dispose(Object.values(weights));
  });

  it('log p(x) of a random flow matches log N(f(x)) + log|det J| with J by finite differences', () => {
    const flow = new models.RealNvp2d({ couplings: 4, hiddenUnits: 16, seed: 3 });
    // give the zero-initialised last layers random values so every coupling is non-trivial
    const rng = random.rng(8);
    for (const [name, v] of Object.entries(flow.variables)) {
      if (/\.w2$|\.b2$/.test(name)) v.assign(tf.tensor(Float32Array.from(rng.normals(v.size, 0, 0.5)), v.shape));
    }
    const f = (x: number[]): number[] => Array.from(flow.forward(tf.tensor2d([x])).z.dataSync());
    for (const x of [[0.2, -0.4], [1.3, 0.7]]) {
      const h = 1e-2;
      const J: number[][] = [[0, 0], [0, 0]];
      for (let j = 0; j < 2; j++) {
        const plus = x.slice();
        const minus = x.slice();
        plus[j] += h;
        minus[j] -= h;
        const fp = f(plus);
        const fm = f(minus);
        for (let i = 0; i < 2; i++) J[i][j] = (fp[i] - fm[i]) / (2 * h);
      }
      const z = f(x);
      const expected = -0.5 * (z[0] ** 2 + z[1] ** 2) - Math.log(2 * Math.PI) + Math.log(Math.abs(J[0][0] * J[1][1] - J[0][1] * J[1][0]));
      expect(flow.logProb(tf.tensor2d([x])).dataSync()[0]).to.be.closeTo(expected, 2e-3);
    }
    // inverse ∘ forward = identity
    const pts = tf.tensor2d(Float32Array.from(rng.normals(20)), [10, 2]);
    const back = flow.inverse(flow.forward(pts).z).dataSync();
    pts.dataSync().forEach((v, i) => expect(back[i]).to.be.closeTo(v, 1e-4));
    // the density integrates to 1 (midpoint rule on a grid that holds the mass)
    const n = 240;
    const lo = -8;
    const step = 16 / n;
    const grid = new Float32Array(n * n * 2);
    for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) grid.set([lo + (a + 0.5) * step, lo + (b + 0.5) * step], 2 * (a * n + b));
    const mass = tf.tidy(() => tf.sum(tf.exp(flow.logProb(tf.tensor2d(grid, [n * n, 2])))).dataSync()[0]) * step * step;
    expect(mass).to.be.closeTo(1, 0.01);
    flow.dispose();
  });

  it('training raises the log-likelihood of two moons; sampling is seeded', async () => {
    const { twoMoons } = await import('genbook').then((g) => g.data);
    const set = twoMoons({ n: 512, seed: 1 });
    const flow = new models.RealNvp2d({ couplings: 4, hiddenUnits: 32, ...models.standardization(set.points), seed: 2 });
    const before = flow.meanLogLikelihood(set.points);
    await models.trainFlow(flow, { points: set.points, steps: 80, batchSize: 128, seed: 1 });
    expect(flow.meanLogLikelihood(set.points)).to.be.above(before + 0.3);
    const a = flow.sample(5, 3).dataSync();
    const b = flow.sample(5, 3).dataSync();
    expect(Array.from(a)).to.deep.equal(Array.from(b));
    flow.dispose();
  });
});
