/**
 * Group normalisation with its written-out gradient (lib/src/models/group-norm.ts; Wu & He 2018):
 * values against a plain-JS float64 evaluation of the definition, gradients against central
 * finite differences of that evaluation and against tfjs's automatic gradient of the textbook form
 * (reshape to groups, tf.moments, normalise), on the cpu backend and on wasm.
 */
import { expect } from 'chai';
import { backend, models, random, tf } from 'genbook';

/** y = γ (x − μ_bg)/√(σ²_bg + ε) + β in float64 loops, x as a flat NHWC array. */
function reference(x: Float64Array | number[], shape: number[], gamma: number[], beta: number[], groups: number, epsilon = 1e-5): Float64Array {
  const [b, h, w, c] = shape;
  const per = c / groups;
  const y = new Float64Array(x.length);
  for (let n = 0; n < b; n++) {
    for (let g = 0; g < groups; g++) {
      const idx: number[] = [];
      for (let p = 0; p < h * w; p++) for (let ch = g * per; ch < (g + 1) * per; ch++) idx.push((n * h * w + p) * c + ch);
      const mean = idx.reduce((s, i) => s + x[i], 0) / idx.length;
      const variance = idx.reduce((s, i) => s + (x[i] - mean) ** 2, 0) / idx.length;
      for (const i of idx) y[i] = (gamma[i % c] * (x[i] - mean)) / Math.sqrt(variance + epsilon) + beta[i % c];
    }
  }
  return y;
}

/** The textbook form (the lecture's code): reshape to [B, H, W, G, C/G], moments, normalise. */
function textbook(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor, groups: number): tf.Tensor {
  const [b, h, w, c] = x.shape;
  const grouped = tf.reshape(x, [b, h, w, groups, c / groups]);
  const { mean, variance } = tf.moments(grouped, [1, 2, 4], true);
  return tf.add(tf.mul(tf.reshape(tf.div(tf.sub(grouped, mean), tf.sqrt(tf.add(variance, 1e-5))), [b, h, w, c]), gamma), beta);
}

function maxAbs(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

const CASES = [
  { shape: [2, 3, 4, 6], groups: 3 },
  { shape: [3, 2, 2, 4], groups: 1 }, // one group: layer norm over (H, W, C)
  { shape: [2, 4, 3, 4], groups: 4 }, // one channel per group: instance norm
];

for (const name of ['cpu', 'wasm'] as const) {
  describe(`models.groupNormalize on ${name}`, () => {
    before(async () => {
      await backend.setup(name, { log: null });
    });

    for (const { shape, groups } of CASES) {
      it(`[${shape}] in ${groups} group(s): values as the definition, gradients as finite differences and as the textbook form's autodiff`, () => {
        const [b, h, w, c] = shape;
        const rng = random.rng(shape.reduce((s, v) => 10 * s + v, groups));
        // offsets and scales that differ per channel, so that μ and σ matter
        const xValues = Array.from({ length: b * h * w * c }, (_, i) => 3 + (i % c) - 2 * (i % 5) + 2.5 * rng.normal());
        const gamma = Array.from({ length: c }, () => 1 + 0.5 * rng.normal());
        const beta = Array.from({ length: c }, () => 0.5 * rng.normal());
        const weights = Array.from({ length: xValues.length }, () => rng.normal()); // L = Σ y·w
        const x = tf.tensor4d(xValues, shape as [number, number, number, number]);
        const g = tf.tensor1d(gamma);
        const bt = tf.tensor1d(beta);
        const wt = tf.tensor(weights, shape);

        const before = tf.memory().numTensors;
        const y = models.groupNormalize(x, g, bt, groups);
        expect(y.shape).to.deep.equal(shape);
        const expected = reference(xValues, shape, gamma, beta, groups);
        expect(maxAbs(y.dataSync(), expected), 'y').to.be.below(2e-5 * Math.max(...expected.map(Math.abs)));
        y.dispose();

        const loss = (xs: tf.Tensor, gs: tf.Tensor, bs: tf.Tensor) => tf.sum(tf.mul(models.groupNormalize(xs as tf.Tensor4D, gs as tf.Tensor1D, bs as tf.Tensor1D, groups), wt));
        const [dx, dg, db] = tf.grads(loss)([x, g, bt]);
        const got = { dx: dx.dataSync(), dg: dg.dataSync(), db: db.dataSync() };
        tf.dispose([dx, dg, db]);
        expect(tf.memory().numTensors, 'no tensor left behind by forward and backward').to.equal(before);

        // central differences of the float64 reference
        const L = (xv: number[], gv: number[], bv: number[]) => reference(xv, shape, gv, bv, groups).reduce((s, v, i) => s + v * weights[i], 0);
        const step = 1e-4;
        const numeric = (values: number[], i: number, at: (v: number[]) => number) => {
          const plus = values.slice(), minus = values.slice();
          plus[i] += step;
          minus[i] -= step;
          return (at(plus) - at(minus)) / (2 * step);
        };
        for (const i of [0, 1, 7, xValues.length - 1, Math.floor(xValues.length / 2)]) {
          const d = numeric(xValues, i, (v) => L(v, gamma, beta));
          expect(got.dx[i], `∂L/∂x[${i}]`).to.be.closeTo(d, 2e-3 * Math.max(1, Math.abs(d)));
        }
        for (let ch = 0; ch < c; ch++) {
          const dgamma = numeric(gamma, ch, (v) => L(xValues, v, beta));
          const dbeta = numeric(beta, ch, (v) => L(xValues, gamma, v));
          expect(got.dg[ch], `∂L/∂γ[${ch}]`).to.be.closeTo(dgamma, 2e-3 * Math.max(1, Math.abs(dgamma)));
          expect(got.db[ch], `∂L/∂β[${ch}]`).to.be.closeTo(dbeta, 2e-3 * Math.max(1, Math.abs(dbeta)));
        }

        // the textbook form's automatic gradient, every entry
        const [tx, tg, tb] = tf.grads((xs: tf.Tensor, gs: tf.Tensor, bs: tf.Tensor) => tf.sum(tf.mul(textbook(xs as tf.Tensor4D, gs, bs, groups), wt)))([x, g, bt]);
        const scale = Math.max(...Array.from(tx.dataSync(), Math.abs));
        expect(maxAbs(got.dx, tx.dataSync()), 'dx vs textbook autodiff').to.be.below(5e-5 * scale);
        expect(maxAbs(got.dg, tg.dataSync()), 'dγ vs textbook autodiff').to.be.below(1e-4 * Math.max(1, ...Array.from(tg.dataSync(), Math.abs)));
        expect(maxAbs(got.db, tb.dataSync()), 'dβ vs textbook autodiff').to.be.below(1e-4 * Math.max(1, ...Array.from(tb.dataSync(), Math.abs)));
        tf.dispose([x, g, bt, wt, tx, tg, tb]);
      });
    }

    it('refuses groups that do not divide the channels, and γ/β of the wrong length', () => {
      const x = tf.zeros([1, 2, 2, 6]) as tf.Tensor4D;
      expect(() => models.groupNormalize(x, tf.ones([6]), tf.zeros([6]), 4)).to.throw(RangeError, /channels \(6\) must be divisible by groups \(4\)/);
      expect(() => models.groupNormalize(x, tf.ones([3]), tf.zeros([6]), 3)).to.throw(RangeError, /γ and β need 6 values/);
      x.dispose();
    });
  });
}
