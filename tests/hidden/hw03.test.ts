/** hw03 hidden tests: KL against Monte Carlo, numerical stability, ELBO gradients, VQ details. */
import { expect } from 'chai';
import { tf } from 'genbook';
import type * as Hw03 from '../../notebooks/homework/hw03';
import { homework, ready } from '../homework/target';

const hw = homework<typeof Hw03>('hw03');

function values(t: tf.Tensor): number[] {
  const out = Array.from(t.dataSync(), Number);
  t.dispose();
  return out;
}

before(ready);

describe('VAE (hidden)', function () {
  this.timeout(60_000);
  it('the closed-form KL agrees with a Monte Carlo estimate E_q[log q − log p] [2 pts]', () => {
    const mu = [0.7, -1.2];
    const logVar = [Math.log(0.5), Math.log(1.8)];
    const closed = values(hw().klToStandardNormal(tf.tensor2d([mu]), tf.tensor2d([logVar])))[0];
    const n = 40000;
    const eps = tf.randomNormal([n, 2], 0, 1, 'float32', 123);
    const z = hw().reparameterize(tf.tile(tf.tensor2d([mu]), [n, 1]) as tf.Tensor2D, tf.tile(tf.tensor2d([logVar]), [n, 1]) as tf.Tensor2D, eps as tf.Tensor2D);
    const zs = z.arraySync() as number[][];
    const e = eps.arraySync() as number[][];
    let sum = 0;
    for (let i = 0; i < n; i++) {
      // log q(z) − log p(z) with z = μ + σε: −½Σ(ε² + log σ²) + ½Σ z².
      for (let j = 0; j < 2; j++) sum += -0.5 * (e[i][j] ** 2 + logVar[j]) + 0.5 * zs[i][j] ** 2;
    }
    tf.dispose([eps, z]);
    expect(sum / n).to.be.closeTo(closed, 0.03);
  });
  it('negativeElbo is stable for logits of ±100 [1 pt]', () => {
    const loss = values(hw().negativeElbo(tf.tensor2d([[1, 1, 0]]), tf.tensor2d([[100, -100, -100]]), tf.tensor2d([[0]]), tf.tensor2d([[0]])))[0];
    // Pixel 1 costs ~0, pixel 2 costs ~100, pixel 3 ~0.
    expect(loss).to.be.closeTo(100, 1e-3);
  });
  it('∂(−ELBO)/∂logits = (sigmoid(l) − x) / batch [1 pt]', () => {
    const l = [[0.3, -0.4], [1.2, 2]];
    const g = values(
      hw.remote(
        (m, [x, logits], { tf }) => tf.grad((a: tf.Tensor) => m.negativeElbo(x, a as tf.Tensor2D, tf.zeros([2, 1]) as tf.Tensor2D, tf.zeros([2, 1]) as tf.Tensor2D))(logits),
        [tf.tensor2d([[1, 0], [0, 1]]), tf.tensor2d(l)],
      ),
    );
    const xs = [1, 0, 0, 1];
    l.flat().forEach((li, i) => expect(g[i]).to.be.closeTo((1 / (1 + Math.exp(-li)) - xs[i]) / 2, 1e-5));
  });
});

describe('VQ (hidden)', () => {
  it('indices are int32 and match a brute-force search on random data [1 pt]', () => {
    const ze = tf.randomNormal([30, 4], 0, 1, 'float32', 5) as tf.Tensor2D;
    const codebook = tf.randomNormal([7, 4], 0, 1, 'float32', 6) as tf.Tensor2D;
    const z = ze.arraySync();
    const c = codebook.arraySync();
    const expected = z.map((row) => {
      let best = 0;
      let bestD = Infinity;
      c.forEach((e, k) => {
        const d = e.reduce((s, v, j) => s + (v - row[j]) ** 2, 0);
        if (d < bestD) [best, bestD] = [k, d];
      });
      return best;
    });
    const { indices, zq } = hw().vectorQuantize(ze, codebook);
    expect(indices.dtype).to.equal('int32');
    expect(values(indices)).to.deep.equal(expected);
    zq.dispose();
  });
  it('vqLoss with β = 0 sends no gradient to z_e [1 pt]', () => {
    const [dZe] = hw.remote(
      (m, [ze, e], { tf }) => tf.grads((a: tf.Tensor, b: tf.Tensor) => m.vqLoss(a as tf.Tensor2D, b as tf.Tensor2D, 0))([ze, e]),
      [tf.tensor2d([[1, -2], [0.5, 3]]), tf.tensor2d([[0, 1], [2, 2]])],
    );
    expect(values(dZe)).to.deep.equal([0, 0, 0, 0]);
  });
});
