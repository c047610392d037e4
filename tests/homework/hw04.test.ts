/** hw04 public tests: GAN losses, the optimal discriminator, gradient penalty, cycle loss, AdaIN. */
import { expect } from 'chai';
import { tf } from 'genbook';
import type * as Hw04 from '../../notebooks/homework/hw04';
import { homework, ready } from './target';

const hw = homework<typeof Hw04>('hw04');

function values(t: tf.Tensor): number[] {
  const out = Array.from(t.dataSync(), Number);
  t.dispose();
  return out;
}

const softplus = (v: number) => Math.log1p(Math.exp(v));

before(ready);

describe('Task 1: discriminatorLoss', () => {
  it('is log 4 when D outputs ½ everywhere (the game\'s value at equilibrium) [1 pt]', () => {
    expect(values(hw().discriminatorLoss(tf.tensor1d([0, 0]), tf.tensor1d([0])))[0]).to.be.closeTo(Math.log(4), 1e-6);
  });
  it('= mean softplus(−real) + mean softplus(fake) on other logits [2 pts]', () => {
    const expected = (softplus(-2) + softplus(1)) / 2 + softplus(0.5);
    expect(values(hw().discriminatorLoss(tf.tensor1d([2, -1]), tf.tensor1d([0.5])))[0]).to.be.closeTo(expected, 1e-6);
  });
});

describe('Tasks 1–3: stability at confident logits', () => {
  it('all three losses are exact at logits of ±200 (log σ from softplus, never log of sigmoid) [2 pts]', () => {
    // sigmoid(200) is 1 and sigmoid(−200) is 0 in float32, so log(sigmoid) would give ±Infinity.
    // softplus(200) = 200 + log(1 + e^−200) = 200 to float32 precision.
    expect(values(hw().discriminatorLoss(tf.tensor1d([-200]), tf.tensor1d([200])))[0]).to.be.closeTo(400, 1e-3);
    expect(values(hw().generatorLossSaturating(tf.tensor1d([200])))[0]).to.be.closeTo(-200, 1e-3);
    expect(values(hw().generatorLossNonSaturating(tf.tensor1d([-200])))[0]).to.be.closeTo(200, 1e-3);
  });
});

describe('Tasks 2–3: generator losses', () => {
  it('values: mean log(1 − D) and −mean log D [2 pts]', () => {
    const d = (l: number) => 1 / (1 + Math.exp(-l));
    const fake = [-1, 0.5];
    expect(values(hw().generatorLossSaturating(tf.tensor1d(fake)))[0]).to.be.closeTo((Math.log(1 - d(-1)) + Math.log(1 - d(0.5))) / 2, 1e-6);
    expect(values(hw().generatorLossNonSaturating(tf.tensor1d(fake)))[0]).to.be.closeTo(-(Math.log(d(-1)) + Math.log(d(0.5))) / 2, 1e-6);
  });
  it('the saturating loss\'s gradient vanishes where D rejects the fakes; the non-saturating one does not [2 pts]', () => {
    // At l = −5 (D ≈ 0.0067): d/dl log(1 − σ(l)) = −σ(l); d/dl −log σ(l) = −(1 − σ(l)).
    const sigma = 1 / (1 + Math.exp(5));
    const [dSaturating, dNonSaturating] = hw.remote(
      (m, logits, { tf }) => [
        tf.grad((l: tf.Tensor) => m.generatorLossSaturating(l as tf.Tensor1D))(logits),
        tf.grad((l: tf.Tensor) => m.generatorLossNonSaturating(l as tf.Tensor1D))(logits),
      ],
      tf.tensor1d([-5]),
    );
    const gs = values(dSaturating)[0];
    const gn = values(dNonSaturating)[0];
    expect(gs).to.be.closeTo(-sigma, 1e-6);
    expect(gn).to.be.closeTo(-(1 - sigma), 1e-6);
  });
});

describe('Task 4: optimalDiscriminator', () => {
  it('D* = p_data / (p_data + p_g), ½ where both are 0 [1 pt]', () => {
    const d = hw().optimalDiscriminator([0.2, 0.5, 0], [0.6, 0.5, 0]);
    expect(d[0]).to.be.closeTo(0.25, 1e-12);
    expect(d[1]).to.be.closeTo(0.5, 1e-12);
    expect(d[2]).to.be.closeTo(0.5, 1e-12);
  });
});

describe('Task 5: gradientPenalty', () => {
  it('is (‖w‖ − 1)² = 16 for the linear critic D(x) = x·w with w = (3, 4) [2 pts]', () => {
    // The critic is a function the student's code calls, so the call runs beside the submission.
    const gp = hw.remote(
      (m, [w, real, fake, alpha]) => m.gradientPenalty((x: tf.Tensor2D) => x.matMul(w).squeeze([1]), real, fake, alpha),
      [tf.tensor2d([[3], [4]]), tf.tensor2d([[1, 2], [0, 0]]), tf.tensor2d([[-1, 0], [5, 5]]), tf.tensor2d([[0.3], [0.9]])],
    );
    expect(values(gp)[0]).to.be.closeTo(16, 1e-4);
  });
});

describe('Task 5: gradientPenalty at the interpolates', () => {
  it('D(x) = ½‖x‖² has ∇D(x̂) = x̂, with x̂ = α·real + (1 − α)·fake [2 pts]', () => {
    // Sample 1: x̂ = 0.2·(3, 0) + 0.8·(0, 0) = (0.6, 0), (0.6 − 1)² = 0.16.
    // Sample 2: x̂ = 0.5·(0, 1) + 0.5·(0, −1) = (0, 0), (0 − 1)² = 1. Mean 0.58.
    const gp = hw.remote(
      (m, [real, fake, alpha]) => m.gradientPenalty((x: tf.Tensor2D) => x.square().sum(1).mul(0.5), real, fake, alpha),
      [tf.tensor2d([[3, 0], [0, 1]]), tf.tensor2d([[0, 0], [0, -1]]), tf.tensor2d([[0.2], [0.5]])],
    );
    expect(values(gp)[0]).to.be.closeTo(0.58, 1e-5);
  });
});

describe('Task 6: cycleConsistencyLoss', () => {
  it('is 0 for inverse mappings and 1 + 2 = 3 for shifted ones [2 pts]', () => {
    // G and F are functions the student's code calls, so the calls run beside the submission.
    const [inverse, shifted] = hw.remote(
      (m, [x, y]) => {
        const g = (a: tf.Tensor2D) => a.mul(2) as tf.Tensor2D;
        return [m.cycleConsistencyLoss(g, (b) => b.div(2) as tf.Tensor2D, x, y), m.cycleConsistencyLoss(g, (b) => b.div(2).add(1) as tf.Tensor2D, x, y)];
      },
      [tf.tensor2d([[1, -2], [0.5, 3]]), tf.tensor2d([[4, 0], [-1, 1]])],
    );
    expect(values(inverse)[0]).to.be.closeTo(0, 1e-6);
    // F(y) = y/2 + 1: F(G(x)) = x + 1 (error 1), G(F(y)) = y + 2 (error 2).
    expect(values(shifted)[0]).to.be.closeTo(3, 1e-6);
  });
});

describe('Task 7: adain', () => {
  it('normalises each feature map and applies the style scale and bias [2 pts]', () => {
    // One instance, a 2×2 map with values 1..4: μ = 2.5, variance 1.25.
    const x = tf.tensor4d([1, 2, 3, 4], [1, 2, 2, 1]);
    const out = values(hw().adain(x, tf.tensor2d([[2]]), tf.tensor2d([[1]])));
    const sigma = Math.sqrt(1.25 + 1e-5);
    expect(out).to.have.length(4);
    [1, 2, 3, 4].forEach((v, i) => expect(out[i]).to.be.closeTo((2 * (v - 2.5)) / sigma + 1, 1e-5));
  });
  it('uses each instance\'s and each channel\'s own statistics, with ε inside the square root [2 pts]', () => {
    // x is [N = 2, H = 1, W = 2, C = 2]; per (instance, channel) the two values and their mean, variance:
    // n0 c0: (1, 3), μ 2, var 1;  n0 c1: (0, 10), μ 5, var 25;
    // n1 c0: (−0.001, 0.001), μ 0, var 1e−6 (so ε = 1e−5 matters: σ = √1.1e−5);  n1 c1: (4, 4), var 0.
    const x = tf.tensor4d([1, 0, 3, 10, -0.001, 4, 0.001, 4], [2, 1, 2, 2]);
    const scale = [[2, 1], [1, 3]];
    const bias = [[0, -1], [0.5, 2]];
    const out = values(hw().adain(x, tf.tensor2d(scale), tf.tensor2d(bias)));
    const e = 1e-5;
    const expected = [
      (2 * (1 - 2)) / Math.sqrt(1 + e), (0 - 5) / Math.sqrt(25 + e) - 1, (2 * (3 - 2)) / Math.sqrt(1 + e), (10 - 5) / Math.sqrt(25 + e) - 1,
      -0.001 / Math.sqrt(1e-6 + e) + 0.5, 2, 0.001 / Math.sqrt(1e-6 + e) + 0.5, 2,
    ];
    expect(out).to.have.length(8);
    out.forEach((v, i) => expect(v, `[${i}]`).to.be.closeTo(expected[i], 2e-3));
  });
});
