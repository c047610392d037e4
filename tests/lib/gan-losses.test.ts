import { expect } from 'chai';
import { gan, tf } from 'genbook';

// Independent references: plain double-precision formulas, written out from the papers.
const sigmoid = (t: number) => 1 / (1 + Math.exp(-t));
const mean = (v: number[]) => v.reduce((s, x) => s + x, 0) / v.length;

/** Value and gradient of a loss with respect to each input tensor, as plain arrays. */
function valueAndGrads(f: (...xs: tf.Tensor[]) => tf.Scalar, ...inputs: number[][]): { value: number; grads: number[][] } {
  const tensors = inputs.map((v) => tf.tensor1d(v));
  const { value, grads } = tf.valueAndGrads((...xs: tf.Tensor[]) => f(...xs))(tensors);
  const out = { value: value.dataSync()[0], grads: grads.map((g) => Array.from(g.dataSync())) };
  tf.dispose([value, ...grads, ...tensors]);
  return out;
}

describe('gan losses (from logits)', () => {
  it('softplus is stable for large |t| and has gradient σ(t), also at t = 0', () => {
    const t = tf.tensor1d([-200, -20, 0, 3, 200]);
    const values = Array.from(gan.softplus(t).dataSync());
    expect(values[0]).to.be.closeTo(0, 1e-30);
    expect(values[1]).to.be.closeTo(Math.exp(-20), 1e-12);
    expect(values[2]).to.be.closeTo(Math.LN2, 1e-6);
    expect(values[3]).to.be.closeTo(Math.log(1 + Math.exp(3)), 1e-5);
    expect(values[4]).to.be.closeTo(200, 1e-3);
    const grad = Array.from(tf.grad((x: tf.Tensor) => tf.sum(gan.softplus(x)))(t).dataSync());
    [-200, -20, 0, 3, 200].forEach((v, i) => expect(grad[i]).to.be.closeTo(sigmoid(v), 1e-6));
    t.dispose();
  });

  it('discriminatorLoss = −mean log D(x) − mean log(1 − D(G(z))), with the gradient signs of Algorithm 1', () => {
    const real = [0, 2, -0.5];
    const fake = [-1, 1];
    const { value, grads } = valueAndGrads((r, f) => gan.discriminatorLoss(r, f), real, fake);
    const expected = mean(real.map((l) => -Math.log(sigmoid(l)))) + mean(fake.map((l) => -Math.log(1 - sigmoid(l))));
    expect(value).to.be.closeTo(expected, 1e-6);
    // Hand value: (ln 2 + ln(1+e^−2) + ln(1+e^0.5))/3 + (ln(1+e^−1) + ln(1+e))/2
    expect(value).to.be.closeTo((0.693147 + 0.126928 + 0.974077) / 3 + (0.313262 + 1.313262) / 2, 1e-5);
    // ∂L/∂ℓ_real = −(1 − σ(ℓ))/m < 0: raising a real logit lowers the loss; ∂L/∂ℓ_fake = σ(ℓ)/m > 0.
    real.forEach((l, i) => expect(grads[0][i]).to.be.closeTo(-(1 - sigmoid(l)) / real.length, 1e-6).and.below(0));
    fake.forEach((l, i) => expect(grads[1][i]).to.be.closeTo(sigmoid(l) / fake.length, 1e-6).and.above(0));
  });

  it('discriminatorLoss is log 4 at ℓ = 0 and finite for saturated logits (no log of a rounded 0)', () => {
    expect(valueAndGrads((r, f) => gan.discriminatorLoss(r, f), [0], [0]).value).to.be.closeTo(Math.log(4), 1e-6);
    const confidentRight = valueAndGrads((r, f) => gan.discriminatorLoss(r, f), [100], [-100]).value;
    const confidentWrong = valueAndGrads((r, f) => gan.discriminatorLoss(r, f), [-100], [100]);
    expect(confidentRight).to.be.closeTo(0, 1e-6);
    expect(confidentWrong.value).to.be.closeTo(200, 1e-3);
    expect(confidentWrong.grads.flat().every(Number.isFinite)).to.equal(true);
  });

  it('saturating loss mean log(1 − D(G(z))): value, gradient −σ(ℓ)/m, vanishing where D rejects the fakes', () => {
    const fake = [-10, -2, 0, 3];
    const { value, grads } = valueAndGrads((f) => gan.generatorLossSaturating(f), fake);
    expect(value).to.be.closeTo(mean(fake.map((l) => Math.log(1 - sigmoid(l)))), 1e-6);
    fake.forEach((l, i) => expect(grads[0][i]).to.be.closeTo(-sigmoid(l) / fake.length, 1e-7).and.below(0));
    expect(Math.abs(grads[0][0])).to.be.below(2e-5); // σ(−10)/4 ≈ 1.1e−5: the saturation of lecture 001
  });

  it('non-saturating loss −mean log D(G(z)): value, gradient −(1 − σ(ℓ))/m, strong where D rejects the fakes', () => {
    const fake = [-10, -2, 0, 3];
    const { value, grads } = valueAndGrads((f) => gan.generatorLossNonSaturating(f), fake);
    expect(value).to.be.closeTo(mean(fake.map((l) => -Math.log(sigmoid(l)))), 1e-5);
    fake.forEach((l, i) => expect(grads[0][i]).to.be.closeTo(-(1 - sigmoid(l)) / fake.length, 1e-7).and.below(0));
    expect(grads[0][0]).to.be.closeTo(-0.25, 1e-4);
    // Both losses have the same stationary point in D: their gradients share a sign everywhere.
    const sat = valueAndGrads((f) => gan.generatorLossSaturating(f), fake).grads[0];
    sat.forEach((g, i) => expect(Math.sign(g)).to.equal(Math.sign(grads[0][i])));
  });

  it('WGAN critic loss mean f(fake) − mean f(real) and generator loss −mean f(fake), with gradients ∓1/m', () => {
    const real = [1.5, -0.5, 2];
    const fake = [0.25, -3];
    const critic = valueAndGrads((r, f) => gan.wassersteinCriticLoss(r, f), real, fake);
    expect(critic.value).to.be.closeTo(mean(fake) - mean(real), 1e-6);
    expect(critic.value).to.be.closeTo(-1.375 - 1, 1e-6);
    critic.grads[0].forEach((g) => expect(g).to.be.closeTo(-1 / 3, 1e-7));
    critic.grads[1].forEach((g) => expect(g).to.be.closeTo(1 / 2, 1e-7));
    const generator = valueAndGrads((f) => gan.wassersteinGeneratorLoss(f), fake);
    expect(generator.value).to.be.closeTo(1.375, 1e-6);
    generator.grads[0].forEach((g) => expect(g).to.be.closeTo(-1 / 2, 1e-7));
  });

  it('hinge losses: mean relu(1 − ℓ_real) + mean relu(1 + ℓ_fake) and −mean ℓ_fake', () => {
    const real = [2, 0.5, -1]; // hinge terms 0, 0.5, 2
    const fake = [-3, 0]; // hinge terms 0, 1
    const d = valueAndGrads((r, f) => gan.hingeDiscriminatorLoss(r, f), real, fake);
    expect(d.value).to.be.closeTo(2.5 / 3 + 0.5, 1e-6);
    [0, -1 / 3, -1 / 3].forEach((v, i) => expect(d.grads[0][i]).to.be.closeTo(v, 1e-7));
    expect(d.grads[1][0]).to.equal(0);
    expect(d.grads[1][1]).to.be.closeTo(0.5, 1e-7);
    const g = valueAndGrads((f) => gan.hingeGeneratorLoss(f), fake);
    expect(g.value).to.be.closeTo(1.5, 1e-6);
  });

  it('rejects empty logits with a RangeError naming the argument', () => {
    const empty = tf.tensor1d([]);
    const one = tf.tensor1d([0]);
    expect(() => gan.discriminatorLoss(empty, one)).to.throw(RangeError, /realLogits/);
    expect(() => gan.generatorLossNonSaturating(empty)).to.throw(RangeError, /fakeLogits/);
    tf.dispose([empty, one]);
  });
});

describe('gan.gradientPenalty (WGAN-GP)', () => {
  const real = tf.tensor2d([[1, 2], [0, -1], [3, 0.5]]);
  const fake = tf.tensor2d([[-1, 0], [2, 2], [0.5, -2]]);
  const epsilon = tf.tensor1d([0.1, 0.5, 0.9]);

  function linearCritic(w: number[], b = 0.3): (x: tf.Tensor) => tf.Tensor {
    const weight = tf.tensor2d(w, [w.length, 1]);
    return (x: tf.Tensor) => tf.add(tf.matMul(x as tf.Tensor2D, weight), b);
  }

  it('is zero for a linear critic with a unit-norm weight (1-Lipschitz, gradient norm 1 everywhere)', () => {
    const gp = gan.gradientPenalty(linearCritic([0.6, 0.8]), real, fake, { epsilon });
    expect(gp.dataSync()[0]).to.be.closeTo(0, 1e-6);
  });

  it('is (‖w‖ − 1)² for a linear critic with another norm, and positive for a nonlinear critic', () => {
    const twice = gan.gradientPenalty(linearCritic([1.2, 1.6]), real, fake, { epsilon });
    expect(twice.dataSync()[0]).to.be.closeTo(1, 1e-5);
    const half = gan.gradientPenalty(linearCritic([0.3, 0.4]), real, fake, { epsilon });
    expect(half.dataSync()[0]).to.be.closeTo(0.25, 1e-5);
    // f(x) = ½‖x‖²: ∇f(x̂) = x̂, so GP = mean (‖x̂‖ − 1)², computed by hand at the interpolates.
    const quadratic = (x: tf.Tensor) => tf.mul(0.5, tf.sum(tf.square(x), 1));
    const gp = gan.gradientPenalty(quadratic, real, fake, { epsilon }).dataSync()[0];
    const r = real.arraySync();
    const f = fake.arraySync();
    const e = [0.1, 0.5, 0.9];
    const expected = mean(r.map((ri, i) => (Math.hypot(...ri.map((v, j) => e[i] * v + (1 - e[i]) * f[i][j])) - 1) ** 2));
    expect(gp).to.be.closeTo(expected, 1e-5);
    expect(gp).to.be.above(0);
  });

  it('is differentiable with respect to the critic weights (the gradient pushes ‖w‖ towards 1)', () => {
    const w = tf.variable(tf.tensor2d([[1.2], [1.6]]));
    const critic = (x: tf.Tensor) => tf.matMul(x as tf.Tensor2D, w);
    const { grads } = tf.variableGrads(() => gan.gradientPenalty(critic, real, fake, { epsilon }), [w]);
    // d/dw (‖w‖ − 1)² = 2(‖w‖ − 1) w/‖w‖ = 2·1·[0.6, 0.8]
    const g = Array.from(grads[w.name].dataSync());
    expect(g[0]).to.be.closeTo(1.2, 1e-4);
    expect(g[1]).to.be.closeTo(1.6, 1e-4);
    tf.dispose([w, grads[w.name]]);
  });

  it('works on image batches [B, H, W, C] and checks shapes', () => {
    const imagesReal = tf.ones([2, 3, 3, 1]);
    const imagesFake = tf.zeros([2, 3, 3, 1]);
    // f(x) = Σ x / 3: gradient entries 1/3 on 9 pixels → norm 1.
    const critic = (x: tf.Tensor) => tf.div(tf.sum(x, [1, 2, 3]), 3);
    expect(gan.gradientPenalty(critic, imagesReal, imagesFake, { seed: 3 }).dataSync()[0]).to.be.closeTo(0, 1e-6);
    expect(() => gan.gradientPenalty(critic, imagesReal, tf.zeros([3, 3, 3, 1]))).to.throw(RangeError, /same shape/);
    expect(() => gan.gradientPenalty(critic, imagesReal, imagesFake, { epsilon: tf.tensor1d([0.5]) })).to.throw(RangeError, /epsilon/);
  });
});
