/**
 * genbook's wasm Add, Sub, Multiply and RealDiv (lib/src/backend/wasm/broadcast-rows.ts: the
 * broadcast operand tiled into longer rows) against the stock kernels, value for value: each
 * output is the same float32 operation on the same two inputs. Covered: the regrouped path in
 * both operand orders (a per-channel vector, a [1, 1, 1, C] one, a vector longer than the rank of
 * the other), and the cases left to the stock kernel (a scalar, a broadcast along a middle axis,
 * long rows, int32, small tensors). Also the definition itself, by index arithmetic.
 */
import { expect } from 'chai';
import { backend, random, tf } from 'genbook';
import { MAX_ROW, MIN_ROWS_SIZE } from '../../lib/src/backend/wasm/broadcast-rows';
import { useWasm } from './wasm-compare';

const OPS: [string, (a: tf.Tensor, b: tf.Tensor) => tf.Tensor, (x: number, y: number) => number][] = [
  ['add', tf.add, (x, y) => x + y],
  ['sub', tf.sub, (x, y) => x - y],
  ['mul', tf.mul, (x, y) => x * y],
  ['div', tf.div, (x, y) => x / y],
];

function values(rng: random.Rng, shape: number[], dtype: 'float32' | 'int32'): number[] {
  const n = shape.reduce((p, d) => p * d, 1);
  return Array.from({ length: n }, () => (dtype === 'int32' ? rng.int(1, 1000) : rng.normal() + (rng.uniform() < 0.5 ? 3 : -3)));
}

describe('wasm Add, Sub, Multiply and RealDiv with a broadcast vector, regrouped into long rows', function () {
  this.timeout(60000);

  before(useWasm);
  after(async () => {
    await backend.setup('cpu', { log: null });
  });

  it('equal the stock kernels and the definition on the regrouped path and on every fallback', () => {
    const rng = random.rng(611);
    const cases: [number[], number[], 'float32' | 'int32', boolean][] = [
      // [big, small, dtype, regrouped]
      [[64, 14, 14, 24], [24], 'float32', true],
      [[64, 7, 7, 128], [1, 1, 1, 128], 'float32', true],
      [[16, 32, 40], [1, 1, 1, 40], 'float32', true], // the vector has the higher rank
      [[1000, 3, 7], [3, 7], 'float32', true], // a trailing [3, 7] block
      [[4, 4, 64, 128], [], 'float32', false], // a scalar
      [[64, 14, 14, 24], [64, 1, 1, 24], 'float32', false], // broadcast along middle axes
      [[64, 2 * MAX_ROW], [2 * MAX_ROW], 'float32', false], // rows long already
      [[64, 14, 14, 24], [24], 'int32', false],
      [[8, 8, 3], [3], 'float32', false], // below MIN_ROWS_SIZE
    ];
    for (const [bigShape, smallShape, dtype, regrouped] of cases) {
      const size = bigShape.reduce((p, d) => p * d, 1);
      const c = smallShape.reduce((p, d) => p * d, 1);
      expect(regrouped, `[${bigShape}] · [${smallShape}] ${dtype} is ${regrouped ? '' : 'not '}a regrouped case`).to.equal(
        dtype === 'float32' && size >= MIN_ROWS_SIZE && c >= 2 && c <= MAX_ROW && size % c === 0,
      );
      const bigValues = values(rng, bigShape, dtype);
      const smallValues = values(rng, smallShape, dtype);
      for (const [name, op, definition] of OPS) {
        if (dtype === 'int32' && name === 'div') continue;
        for (const smallFirst of [false, true]) {
          const what = `${name} ${smallFirst ? `[${smallShape}], [${bigShape}]` : `[${bigShape}], [${smallShape}]`} ${dtype}`;
          const run = () =>
            tf.tidy(() => {
              const big = tf.tensor(bigValues, bigShape, dtype);
              const small = tf.tensor(smallValues, smallShape, dtype);
              const out = smallFirst ? op(small, big) : op(big, small);
              return { shape: out.shape, data: Array.from(out.dataSync()) };
            });
          const ours = run();
          backend.unregisterWasmTrainingKernels();
          const stock = run();
          backend.registerWasmTrainingKernels();
          expect(ours.shape, what).to.deep.equal(stock.shape);
          const bad = ours.data.findIndex((v, i) => !Object.is(v, stock.data[i]));
          expect(bad, `${what}: first value differing from the stock kernel`).to.equal(-1);
          // The definition, where the vector is a trailing block: out[i] = big[i] ∘ small[i mod c].
          if (smallShape.length === 4 && smallShape[0] !== 1) continue; // broadcast along middle axes
          const round = dtype === 'float32' ? Math.fround : (x: number) => x | 0;
          const wrong = ours.data.findIndex((v, i) => {
            const [x, y] = [bigValues[i % size], smallValues[i % c]].map((t) => (dtype === 'float32' ? Math.fround(t) : t));
            return v !== round(smallFirst ? definition(y, x) : definition(x, y));
          });
          expect(wrong, `${what}: first value differing from the definition`).to.equal(-1);
        }
      }
    }
  });
});
