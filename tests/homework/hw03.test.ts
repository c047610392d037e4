/** hw03 public tests: reparameterisation, KL to N(0, I), the negative ELBO, VQ quantisation and loss. */
import { expect } from 'chai';
import { tf } from 'genbook';
import type * as Hw03 from '../../notebooks/homework/hw03';
import { homework, ready } from './target';

const hw = homework<typeof Hw03>('hw03');

/** A tensor's values as plain numbers, then disposed. */
function values(t: tf.Tensor): number[] {
  const out = Array.from(t.dataSync(), Number);
  t.dispose();
  return out;
}

function expectAllClose(actual: number[], expected: number[], tol: number): void {
  expect(actual).to.have.length(expected.length);
  actual.forEach((v, i) => expect(v, `[${i}]`).to.be.closeTo(expected[i], tol));
}

before(ready);

describe('Task 1: reparameterize', () => {
  it('computes z = μ + exp(½ log σ²)·ε [1 pt]', () => {
    const z = hw().reparameterize(tf.tensor2d([[1, 2]]), tf.tensor2d([[0, Math.log(4)]]), tf.tensor2d([[0.5, -1]]));
    // σ = (1, 2): z = (1 + 0.5, 2 − 2).
    expectAllClose(values(z), [1.5, 0], 1e-6);
  });
  it('lets gradients reach μ and log σ² [2 pts]', () => {
    const [dMu, dLogVar] = hw.remote(
      (m, [mu, logVar, eps], { tf }) => tf.grads((a: tf.Tensor, b: tf.Tensor) => m.reparameterize(a as tf.Tensor2D, b as tf.Tensor2D, eps).sum())([mu, logVar]),
      [tf.tensor2d([[1, 2]]), tf.tensor2d([[0, Math.log(4)]]), tf.tensor2d([[0.5, -1]])],
    );
    // ∂z/∂μ = 1; ∂z/∂logσ² = ½·σ·ε = (0.25, −1).
    expectAllClose(values(dMu), [1, 1], 1e-6);
    expectAllClose(values(dLogVar), [0.25, -1], 1e-6);
  });
});

describe('Task 2: klToStandardNormal', () => {
  it('is 0 at N(0, I) and ½(2 − ln 2) for μ = (1, 0), σ² = (1, 2) [2 pts]', () => {
    const kl = hw().klToStandardNormal(tf.tensor2d([[0, 0], [1, 0]]), tf.tensor2d([[0, 0], [0, Math.log(2)]]));
    expect(kl.shape).to.deep.equal([2]);
    expectAllClose(values(kl), [0, 0.5 * (2 - Math.log(2))], 1e-6);
  });
});

describe('Task 3: negativeElbo', () => {
  it('matches reconstruction cross-entropy + KL, averaged over the batch [3 pts]', () => {
    const x = [[1, 0], [0, 1]];
    const logits = [[0, 2], [-1, 1]];
    const sigmoid = (l: number) => 1 / (1 + Math.exp(-l));
    const bce = (xi: number, l: number) => -(xi * Math.log(sigmoid(l)) + (1 - xi) * Math.log(1 - sigmoid(l)));
    // Row 0: μ = 0, σ² = 1 → KL 0. Row 1: μ = 1, σ² = 1 → KL ½.
    const row0 = bce(1, 0) + bce(0, 2);
    const row1 = bce(0, -1) + bce(1, 1) + 0.5;
    const loss = hw().negativeElbo(tf.tensor2d(x), tf.tensor2d(logits), tf.tensor2d([[0], [1]]), tf.tensor2d([[0], [0]]));
    expect(loss.shape).to.deep.equal([]);
    expect(values(loss)[0]).to.be.closeTo((row0 + row1) / 2, 1e-5);
  });
});

describe('Task 3: negativeElbo at extreme logits', () => {
  it('stays exact for confident logits of ±30 (the stable formula; sigmoid(30) rounds to 1 in float32) [2 pts]', () => {
    // x = (1, 0) with logits (−30, 30): each pixel costs softplus(30) = 30 + log(1 + e^−30); KL = 0.
    const loss = values(hw().negativeElbo(tf.tensor2d([[1, 0]]), tf.tensor2d([[-30, 30]]), tf.tensor2d([[0]]), tf.tensor2d([[0]])))[0];
    expect(loss).to.be.closeTo(2 * (30 + Math.log1p(Math.exp(-30))), 1e-3);
  });
});

describe('Task 4: vectorQuantize', () => {
  const codebook = () => tf.tensor2d([[0, 0], [1, 1], [-1, 2]]);
  it('picks the nearest codebook row [2 pts]', () => {
    const { indices, zq } = hw().vectorQuantize(tf.tensor2d([[0.9, 0.8], [-0.5, 1.5], [0.1, -0.2]]), codebook());
    expect(values(indices)).to.deep.equal([1, 2, 0]);
    expectAllClose(values(zq), [1, 1, -1, 2, 0, 0], 1e-6);
  });
  it('compares full distances: a long codebook vector is not closer just for its length [1 pt]', () => {
    // z = (1, 0): ‖z − (1, 0)‖ = 0 and ‖z − (3, 0)‖ = 2, although z·(3, 0) = 3 > z·(1, 0) = 1.
    const { indices, zq } = hw().vectorQuantize(tf.tensor2d([[1, 0], [2.6, 0.1]]), tf.tensor2d([[1, 0], [3, 0]]));
    expect(values(indices)).to.deep.equal([0, 1]);
    zq.dispose();
  });
  it('passes the gradient straight through to z_e [2 pts]', () => {
    const grad = hw.remote(
      (m, [ze, codebook, w], { tf }) => tf.grad((z: tf.Tensor) => m.vectorQuantize(z as tf.Tensor2D, codebook).zq.mul(w).sum())(ze),
      [tf.tensor2d([[0.9, 0.8], [-0.5, 1.5], [0.1, -0.2]]), codebook(), tf.tensor2d([[1, 2], [3, 4], [5, 6]])],
    );
    expectAllClose(values(grad), [1, 2, 3, 4, 5, 6], 1e-6);
  });
});

describe('Task 5: vqLoss', () => {
  it('equals mean‖z_e − e‖² · (1 + β) in value [1 pt]', () => {
    // Both terms are mean((1, 2)²) = 2.5: 2.5 + 0.25 · 2.5.
    expect(values(hw().vqLoss(tf.tensor2d([[1, 2]]), tf.tensor2d([[0, 0]]), 0.25))[0]).to.be.closeTo(3.125, 1e-6);
  });
  it('sends the codebook term to e and the β term to z_e [2 pts]', () => {
    const [dZe, dE] = hw.remote(
      (m, [ze, e], { tf }) => tf.grads((a: tf.Tensor, b: tf.Tensor) => m.vqLoss(a as tf.Tensor2D, b as tf.Tensor2D, 0.25))([ze, e]),
      [tf.tensor2d([[1, 2]]), tf.tensor2d([[0, 0]])],
    );
    // ∂/∂e mean((sg[z] − e)²) = −(z − e); ∂/∂z β·mean((z − sg[e])²) = β(z − e).
    expectAllClose(values(dE), [-1, -2], 1e-6);
    expectAllClose(values(dZe), [0.25, 0.5], 1e-6);
  });
});
