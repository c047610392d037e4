/**
 * The corrected cpu kernel (lib/src/backend/cpu-fixes.ts): the gradient of
 * tf.image.resizeNearestNeighbor on a batch of 4 against the sums that the forward gather implies,
 * computed by hand (×2 upsampling: each input pixel is read by the 2×2 block above it), against
 * wasm, and the gradient of a batch against the sum of its halves' gradients (what data-parallel
 * training relies on); also a non-integer scale with alignCorners and halfPixelCenters against
 * the adjoint identity ⟨resize(x), y⟩ = ⟨x, resizeᵀ(y)⟩.
 */
import { expect } from 'chai';
import { backend, random, tf } from 'genbook';

const maxAbsDiff = (a: tf.Tensor, b: tf.Tensor): number => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);

function upsampleGrad(x: tf.Tensor4D, dy: tf.Tensor4D, size: [number, number], alignCorners = false, halfPixelCenters = false): tf.Tensor {
  return tf.grad((xs: tf.Tensor) => tf.sum(tf.mul(tf.image.resizeNearestNeighbor(xs as tf.Tensor4D, size, alignCorners, halfPixelCenters), dy)))(x);
}

describe('backend: the corrected cpu kernel for the upsampling gradient', () => {
  after(async () => {
    await backend.setup(undefined, { log: null });
  });

  it('×2 nearest upsampling of a batch of 4: every example\'s gradient is the 2×2 block sum of its dy (tfjs-backend-cpu 4.22 got examples 1–3 wrong)', async () => {
    await backend.setup('cpu', { log: null });
    const r = random.rng(3);
    const x = r.normalTensor([4, 7, 7, 3]) as tf.Tensor4D;
    const dy = r.normalTensor([4, 14, 14, 3]) as tf.Tensor4D;
    const expected = tf.tidy(() => tf.reshape(tf.sum(tf.reshape(dy, [4, 7, 2, 7, 2, 3]), [2, 4]), [4, 7, 7, 3]));
    const cpu = upsampleGrad(x, dy, [14, 14]);
    for (let b = 0; b < 4; b++) expect(maxAbsDiff(cpu.slice(b, 1), expected.slice(b, 1)), `example ${b}`).to.be.below(1e-5);
    // the gradient of the batch is the sum of its halves' gradients
    const halves = tf.concat([upsampleGrad(x.slice(0, 2), dy.slice(0, 2), [14, 14]), upsampleGrad(x.slice(2, 2), dy.slice(2, 2), [14, 14])]);
    expect(maxAbsDiff(cpu, halves)).to.be.below(1e-6);
    const cpuValues = cpu.arraySync();
    await backend.setup('wasm', { log: null });
    const wasm = upsampleGrad(tf.tensor(x.arraySync()) as tf.Tensor4D, tf.tensor(dy.arraySync()) as tf.Tensor4D, [14, 14]);
    expect(maxAbsDiff(wasm, tf.tensor(cpuValues))).to.be.below(1e-5);
  });

  for (const [alignCorners, halfPixelCenters] of [[false, false], [true, false], [false, true]] as const) {
    it(`7×5 → 11×13 (alignCorners ${alignCorners}, halfPixelCenters ${halfPixelCenters}): ⟨resize(x), y⟩ = ⟨x, ∂/∂x⟩ for a batch of 3`, async () => {
      await backend.setup('cpu', { log: null });
      const r = random.rng(11);
      const x = r.normalTensor([3, 7, 5, 2]) as tf.Tensor4D;
      const y = r.normalTensor([3, 11, 13, 2]) as tf.Tensor4D;
      const forward = tf.sum(tf.mul(tf.image.resizeNearestNeighbor(x, [11, 13], alignCorners, halfPixelCenters), y)).dataSync()[0];
      const g = upsampleGrad(x, y, [11, 13], alignCorners, halfPixelCenters);
      // the forward map is linear in x: its value equals ⟨x, gradient⟩
      expect(tf.sum(tf.mul(x, g)).dataSync()[0]).to.be.closeTo(forward, 1e-4);
      // …and per example, so no example borrows another's dy
      for (let b = 0; b < 3; b++) {
        const fb = tf.sum(tf.mul(tf.image.resizeNearestNeighbor(x.slice(b, 1), [11, 13], alignCorners, halfPixelCenters), y.slice(b, 1))).dataSync()[0];
        expect(tf.sum(tf.mul(x.slice(b, 1), g.slice(b, 1))).dataSync()[0], `example ${b}`).to.be.closeTo(fb, 1e-4);
      }
    });
  }
});
