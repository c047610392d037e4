/**
 * systems: super-resolution diffusion (SR3 / SD2 upscaler idea) — the denoiser depends on the
 * low-resolution condition, training lowers the loss on a toy set, and the low-resolution
 * consistency measure against hand-computed values.
 */
import { expect } from 'chai';
import { backend, diffusion, systems, tf } from 'genbook';

describe('systems: super-resolution diffusion', () => {
  before(async () => {
    await backend.setup('wasm', { log: null });
  });

  it('ε_θ(x_t, t, x_low) has x_t’s shape and changes with x_low', () => {
    const net = new systems.SuperResolutionMlp({ size: 4, hiddenUnits: 8, layers: 2, seed: 1 });
    expect(net.highDim).to.equal(16);
    expect(net.lowDim).to.equal(4);
    const x = tf.randomNormal([3, 16], 0, 1, 'float32', 2);
    const a = net.apply(x, [1, 2, 3], tf.zeros([3, 4]));
    const b = net.apply(x, [1, 2, 3], tf.ones([3, 4]));
    expect(a.shape).to.deep.equal([3, 16]);
    expect(tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]).to.be.greaterThan(1e-4);
    expect(() => net.apply(x, [1, 2, 3], tf.zeros([3, 5]))).to.throw(RangeError, /low/);
    tf.dispose([x, a, b]);
    net.dispose();
  });

  it('training on 4×4 images lowers the loss, and lowResConsistency is the mean |pool(x) − x_low|', async () => {
    const net = new systems.SuperResolutionMlp({ size: 4, hiddenUnits: 16, layers: 2, seed: 3 });
    const x0 = Float32Array.from({ length: 16 * 32 }, (_, i) => ((Math.floor(i / 16) + i) % 3 === 0 ? 1 : -1));
    const { losses } = await systems.trainSuperResolution({ network: net, schedule: diffusion.noiseSchedule('cosine', 20), x0, steps: 60, batchSize: 16, seed: 4, learningRate: 3e-3 });
    const mean = (v: number[]) => v.reduce((s, y) => s + y, 0) / v.length;
    expect(mean(losses.slice(-10))).to.be.lessThan(mean(losses.slice(0, 10)));
    // the 4×4 image 0 … 15: its 2×2 blocks average to 2.5, 4.5, 10.5, 12.5 (by hand)
    const img = Float32Array.from({ length: 16 }, (_, i) => i);
    expect(systems.lowResConsistency(img, Float32Array.from([2.5, 4.5, 10.5, 12.5]), 4)).to.equal(0);
    expect(systems.lowResConsistency(img, Float32Array.from([3.5, 4.5, 10.5, 11.5]), 4)).to.equal(0.5);
    net.dispose();
  });

  it('SuperResolutionUNet: the U-Net reads [x_t, nearest-upsampled x_low] as two channels; ε has x_t’s shape and changes with x_low', () => {
    const net = new systems.SuperResolutionUNet({ levelChannels: [8, 8], seed: 5 });
    expect(net.unet.config.channels).to.equal(2);
    // the U-Net zero-initialises its last convolutions (ε = 0 at init); give them values first
    for (const v of net.variables()) {
      if (tf.tidy(() => tf.max(tf.abs(v)).dataSync()[0]) === 0) tf.tidy(() => v.assign(tf.randomNormal(v.shape, 0, 0.1, 'float32', 4)));
    }
    tf.tidy(() => {
      const xt = tf.randomNormal([2, 784], 0, 1, 'float32', 1);
      const lowA = tf.randomUniform([2, 196], -1, 1, 'float32', 2);
      const lowB = tf.randomUniform([2, 196], -1, 1, 'float32', 3);
      const a = net.apply(xt, [3, 7], lowA);
      expect(a.shape).to.deep.equal([2, 784]);
      const diff = tf.max(tf.abs(tf.sub(a, net.apply(xt, [3, 7], lowB)))).dataSync()[0];
      expect(diff).to.be.above(1e-4);
      // the same as calling the U-Net on the concatenation by hand (upsampleNearest2 as the reference)
      const up = tf.tensor4d(systems.upsampleNearest2(lowA.dataSync() as Float32Array), [2, 28, 28, 1]);
      const byHand = tf.reshape(tf.slice(net.unet.apply(tf.concat([tf.reshape(xt, [2, 28, 28, 1]), up], 3), [3, 7]), [0, 0, 0, 0], [2, 28, 28, 1]), [2, 784]);
      expect(tf.max(tf.abs(tf.sub(a, byHand))).dataSync()[0]).to.be.below(1e-5);
    });
    expect(() => tf.tidy(() => net.apply(tf.zeros([1, 784]), [1], tf.zeros([1, 100])))).to.throw(RangeError, /low/);
    net.dispose();
  });
});
