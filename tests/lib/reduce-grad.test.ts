/**
 * genbook's gradients of Sum and Mean (lib/src/backend/wasm/reduce-grad.ts: dy broadcast back by
 * tf.broadcastTo, no tensor of ones) against the definition, ∂/∂x_i of Σ_j c_j·y_j where y is the
 * sum (or mean) of x over some axes: c at i's reduced index (divided by the count for the mean),
 * computed here by index arithmetic; and against tfjs's own gradients, value for value, on wasm
 * and on cpu.
 */
import { expect } from 'chai';
import { backend, random, tf } from 'genbook';

/** The gradient of Σ c·reduce(x) with respect to x, by definition: c at each value's output index. */
function expectedGradient(shape: number[], axes: number[], c: Float32Array, mean: boolean): Float32Array {
  const size = shape.reduce((p, d) => p * d, 1);
  const count = axes.reduce((p, a) => p * shape[a], 1);
  const keptStrides = new Array<number>(shape.length).fill(0);
  let s = 1;
  for (let a = shape.length - 1; a >= 0; a--) {
    if (!axes.includes(a)) {
      keptStrides[a] = s;
      s *= shape[a];
    }
  }
  const out = new Float32Array(size);
  const index = new Array<number>(shape.length).fill(0);
  for (let i = 0; i < size; i++) {
    let o = 0;
    for (let a = 0; a < shape.length; a++) o += index[a] * keptStrides[a];
    out[i] = mean ? Math.fround(c[o] / count) : c[o];
    for (let a = shape.length - 1; a >= 0; a--) {
      if (++index[a] < shape[a]) break;
      index[a] = 0;
    }
  }
  return out;
}

function gradients(kind: 'sum' | 'mean', x: tf.Tensor, axes: number[], keepDims: boolean, c: tf.Tensor): Float32Array {
  const f = (t: tf.Tensor) => tf.sum(tf.mul(kind === 'sum' ? tf.sum(t, axes, keepDims) : tf.mean(t, axes, keepDims), c));
  return tf.tidy(() => tf.grad(f)(x).dataSync() as Float32Array);
}

describe('Sum and Mean gradients without a tensor of ones', function () {
  this.timeout(60000);

  after(async () => {
    await backend.setup('cpu', { log: null });
  });

  for (const name of ['wasm', 'cpu'] as const) {
    it(`equal the definition and tfjs's own gradients on ${name}: 20 random shapes, axes and keepDims`, async () => {
      await backend.setup(name, { log: null });
      const rng = random.rng(513);
      for (let i = 0; i < 20; i++) {
        const rank = 1 + (i % 4);
        const shape = Array.from({ length: rank }, () => rng.int(1, 7));
        if (i % 5 === 0) shape[0] = 64; // a batch axis, as batch normalisation reduces
        const axes = [...Array(rank).keys()].filter(() => rng.uniform() < 0.5);
        if (axes.length === 0) axes.push(rng.int(0, rank));
        const keepDims = i % 2 === 0;
        const xValues = Float32Array.from({ length: shape.reduce((p, d) => p * d, 1) }, () => rng.normal());
        const outShape = shape.map((d, a) => (axes.includes(a) ? 1 : d)).filter((_, a) => keepDims || !axes.includes(a));
        const cValues = Float32Array.from({ length: outShape.reduce((p, d) => p * d, 1) }, () => rng.normal());
        const x = tf.tensor(xValues, shape);
        const c = tf.tensor(cValues, outShape);
        for (const kind of ['sum', 'mean'] as const) {
          const what = `${name}: ${kind} of [${shape}] over [${axes}] keepDims ${keepDims}`;
          backend.registerWasmTrainingKernels(); // genbook's gradients (on every backend)
          const ours = gradients(kind, x, axes, keepDims, c);
          backend.unregisterWasmTrainingKernels(); // tfjs's own
          const theirs = gradients(kind, x, axes, keepDims, c);
          expect(Array.from(ours), `${what} against tfjs's gradient`).to.deep.equal(Array.from(theirs));
          expect(Array.from(ours), `${what} against the definition`).to.deep.equal(Array.from(expectedGradient(shape, axes, cValues, kind === 'mean')));
        }
        tf.dispose([x, c]);
      }
      if (name === 'wasm') backend.registerWasmTrainingKernels();
    });
  }

  it('registering puts genbook\'s gradients in place; unregistering restores tfjs\'s', async () => {
    await backend.setup('wasm', { log: null });
    const genbookSum = tf.getGradient('Sum');
    const genbookMean = tf.getGradient('Mean');
    backend.unregisterWasmTrainingKernels();
    const stockSum = tf.getGradient('Sum');
    expect(stockSum).to.not.equal(genbookSum);
    expect(tf.getGradient('Mean')).to.not.equal(genbookMean);
    backend.registerWasmTrainingKernels();
    expect(tf.getGradient('Sum')).to.equal(genbookSum);
    expect(tf.getGradient('Mean')).to.equal(genbookMean);
  });
});
