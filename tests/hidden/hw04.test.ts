/** hw04 hidden tests: the virtual training criterion, stability, penalties and AdaIN statistics. */
import { expect } from 'chai';
import { tf } from 'genbook';
import type * as Hw04 from '../../notebooks/homework/hw04';
import { homework, ready } from '../homework/target';

const hw = homework<typeof Hw04>('hw04');

function values(t: tf.Tensor): number[] {
  const out = Array.from(t.dataSync(), Number);
  t.dispose();
  return out;
}

before(ready);

describe('GAN theory (hidden)', () => {
  it('V(D*, G) = −log 4 + 2·JSD(p_data ‖ p_g) on a discrete example [2 pts]', () => {
    const pd = [0.1, 0.4, 0.3, 0.2, 0];
    const pg = [0.3, 0.1, 0.1, 0.2, 0.3];
    const d = hw().optimalDiscriminator(pd, pg);
    let v = 0;
    pd.forEach((p, i) => {
      if (p > 0) v += p * Math.log(d[i]);
      if (pg[i] > 0) v += pg[i] * Math.log(1 - d[i]);
    });
    const m = pd.map((p, i) => (p + pg[i]) / 2);
    const kl = (a: number[]) => a.reduce((s, p, i) => s + (p > 0 ? p * Math.log(p / m[i]) : 0), 0);
    const jsd = 0.5 * kl(pd) + 0.5 * kl(pg);
    expect(v).to.be.closeTo(-Math.log(4) + 2 * jsd, 1e-12);
  });
  it('optimalDiscriminator rejects negative densities and length mismatches [1 pt]', () => {
    expect(() => hw().optimalDiscriminator([0.5, -0.1], [0.5, 0.5])).to.throw(RangeError);
    expect(() => hw().optimalDiscriminator([1], [0.5, 0.5])).to.throw(RangeError);
  });
  it('all three losses stay finite for logits of ±60 [1 pt]', () => {
    const big = tf.tensor1d([60, -60]);
    for (const loss of [hw().discriminatorLoss(big, big), hw().generatorLossSaturating(big), hw().generatorLossNonSaturating(big)]) {
      expect(Number.isFinite(values(loss)[0])).to.equal(true);
    }
    // −mean log σ(l) for l = (60, −60) ≈ (0 + 60)/2.
    expect(values(hw().generatorLossNonSaturating(big))[0]).to.be.closeTo(30, 1e-4);
  });
});

describe('Losses far out (hidden)', () => {
  it('the losses are exact at logits of ±500 [1 pt]', () => {
    // softplus(±500) = 500 or e^−500 ≈ 0: D loss = (0 + 500)/2 + (500 + 0)/2; −mean log σ(l) = (0 + 500)/2.
    const l = tf.tensor1d([500, -500]);
    expect(values(hw().discriminatorLoss(l, l))[0]).to.be.closeTo(500, 1e-2);
    expect(values(hw().generatorLossNonSaturating(l))[0]).to.be.closeTo(250, 1e-2);
    expect(values(hw().generatorLossSaturating(l))[0]).to.be.closeTo(-250, 1e-2);
  });
});

describe('Penalties and AdaIN (hidden)', () => {
  it('gradient penalty of D(x) = ½‖x‖²: ∇D(x̂) = x̂ [2 pts]', () => {
    const real = [[1, 1], [2, 0], [0, -3]];
    const fake = [[0, 0], [0, 2], [1, 1]];
    const alpha = [0.5, 0.25, 1];
    const gp = values(
      hw.remote(
        (m, [r, f, a]) => m.gradientPenalty((x: tf.Tensor2D) => x.square().sum(1).mul(0.5), r, f, a),
        [tf.tensor2d(real), tf.tensor2d(fake), tf.tensor2d(alpha.map((a) => [a]))],
      ),
    )[0];
    const expected = real.reduce((s, r, i) => {
      const xhat = r.map((v, j) => alpha[i] * v + (1 - alpha[i]) * fake[i][j]);
      return s + (Math.hypot(...xhat) - 1) ** 2;
    }, 0) / 3;
    expect(gp).to.be.closeTo(expected, 1e-4);
  });
  it('cycle loss averages over every entry [1 pt]', () => {
    const x = tf.tensor2d([[1, 2, 3]]);
    const y = tf.tensor2d([[0, 0, 0], [1, 1, 1]]);
    // G = identity, F adds (0, 0, 3). F(G(x)) − x = (0, 0, 3): mean 1; G(F(y)) − y = (0, 0, 3) per row: mean 1.
    const loss = hw.remote((m, [a, b], { tf }) => m.cycleConsistencyLoss((v: tf.Tensor2D) => v, (v: tf.Tensor2D) => v.add(tf.tensor1d([0, 0, 3])) as tf.Tensor2D, a, b), [x, y]);
    expect(values(loss)[0]).to.be.closeTo(2, 1e-6);
  });
  it('AdaIN output has mean y_b and standard deviation ≈ y_s per instance and channel [2 pts]', () => {
    const x = tf.randomNormal([2, 4, 3, 3], 1.5, 2, 'float32', 8) as tf.Tensor4D;
    const ys = [[1, 2, 0.5], [3, 1, 1]];
    const yb = [[0, -1, 2], [0.5, 0.5, -2]];
    const out = hw().adain(x, tf.tensor2d(ys), tf.tensor2d(yb));
    const { mean, variance } = tf.moments(out, [1, 2]);
    const m = values(mean);
    const v = values(variance);
    out.dispose();
    for (let n = 0; n < 2; n++) {
      for (let c = 0; c < 3; c++) {
        expect(m[n * 3 + c]).to.be.closeTo(yb[n][c], 1e-4);
        expect(Math.sqrt(v[n * 3 + c])).to.be.closeTo(ys[n][c], 1e-3);
      }
    }
  });
});
