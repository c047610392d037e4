/**
 * genbook's wasm Transpose (lib/src/backend/wasm/transpose.ts) against a plain index-arithmetic
 * transpose, value for value (a transpose moves values, so they must be equal, not close), on the
 * shapes that take each of its paths and on random shapes and permutations that fall back to the
 * stock kernel. Also: it frees every temporary, and its axis merging.
 */
import { expect } from 'chai';
import { backend, random, tf } from 'genbook';
import { aliases, collapsePermutation, BLOCK_ROWS, MIN_BLOCKED_SIZE } from '../../lib/src/backend/wasm/transpose';
import { useWasm } from './wasm-compare';

/** out[j] for every output index j: the input value at the permuted index (the definition). */
function referenceTranspose(values: ArrayLike<number>, shape: number[], perm: number[]): number[] {
  const rank = shape.length;
  const outShape = perm.map((a) => shape[a]);
  const inStrides = new Array<number>(rank);
  let s = 1;
  for (let a = rank - 1; a >= 0; a--) {
    inStrides[a] = s;
    s *= shape[a];
  }
  const out = new Array<number>(s);
  const index = new Array<number>(rank).fill(0);
  for (let j = 0; j < s; j++) {
    let src = 0;
    for (let o = 0; o < rank; o++) src += index[o] * inStrides[perm[o]];
    out[j] = values[src];
    for (let o = rank - 1; o >= 0; o--) {
      if (++index[o] < outShape[o]) break;
      index[o] = 0;
    }
  }
  return out;
}

function check(shape: number[], perm: number[], dtype: 'float32' | 'int32', rng: random.Rng): void {
  const size = shape.reduce((p, d) => p * d, 1);
  const values = Array.from({ length: size }, () => (dtype === 'int32' ? rng.int(-1000, 1000) : rng.normal()));
  const x = tf.tensor(values, shape, dtype);
  const before = tf.backend().numDataIds();
  const y = tf.transpose(x, perm);
  const got = Array.from(y.dataSync());
  y.dispose();
  expect(tf.backend().numDataIds(), `temporaries freed for [${shape}] perm [${perm}]`).to.equal(before);
  x.dispose();
  const want = referenceTranspose(dtype === 'float32' ? Float32Array.from(values) : values, shape, perm);
  expect(y.shape, `[${shape}] perm [${perm}]`).to.deep.equal(perm.map((a) => shape[a]));
  // Compare without chai's deep diff of 10⁵ values: find the first mismatch.
  const bad = got.findIndex((v, i) => v !== want[i]);
  expect(bad, `${dtype} [${shape}] perm [${perm}]: first differing value at ${bad}`).to.equal(-1);
}

describe('wasm Transpose (blocked for the shapes where the stock kernel thrashes the cache)', function () {
  this.timeout(60000);

  before(useWasm);
  after(async () => {
    await backend.setup('cpu', { log: null });
  });

  it('merges neighbouring axes that stay neighbours and drops size-1 axes', () => {
    expect(collapsePermutation([64, 14, 14, 64], [3, 1, 2, 0])).to.deep.equal({ shape: [64, 196, 64], perm: [2, 1, 0] });
    expect(collapsePermutation([64, 14, 14, 64], [1, 2, 0, 3])).to.deep.equal({ shape: [64, 196, 64], perm: [1, 0, 2] });
    expect(collapsePermutation([1, 64, 6272], [0, 2, 1])).to.deep.equal({ shape: [64, 6272], perm: [1, 0] });
    expect(collapsePermutation([5, 1, 7], [2, 1, 0])).to.deep.equal({ shape: [5, 7], perm: [1, 0] });
    expect(collapsePermutation([2, 3, 4], [0, 1, 2])).to.deep.equal({ shape: [24], perm: [0] });
    expect(collapsePermutation([1, 1], [1, 0])).to.deep.equal({ shape: [], perm: [] });
  });

  it('equals the definition on every blocked path: [R, C] → [C, R], batched, [R, M, C] → [C, M, R]; float32 and int32', () => {
    const rng = random.rng(411);
    const cases: [number[], number[]][] = [
      [[13 * 256, 21], [1, 0]], // one full block and a part
      [[12544, 64], [1, 0]], // the shape where the stock kernel is 4× slower
      [[3, 13 * 256, 7], [0, 2, 1]], // batched swap
      [[64, 14, 14, 64], [3, 1, 2, 0]], // x → [C, H, W, B] of the filter gradient, R ≤ one block
      [[16 * 256, 3, 8], [2, 1, 0]], // R aliases: its first step blocked
      [[1, 4096, 1, 20], [3, 2, 1, 0]], // size-1 axes around a swap
      [[20, 60, 60], [2, 1, 0]],
      [[3 * BLOCK_ROWS - 5, 23], [1, 0]], // long but not aliasing: the stock kernel
    ];
    expect([13 * 256, 12544, 16 * 256, 4096].every(aliases)).to.equal(true);
    expect([3 * BLOCK_ROWS - 5, 6272, 64, 2048].some(aliases)).to.equal(false);
    for (const [shape, perm] of cases) {
      expect(shape.reduce((p, d) => p * d, 1), `[${shape}] is large enough for the blocked paths`).to.be.at.least(MIN_BLOCKED_SIZE);
      check(shape, perm, 'float32', rng);
    }
    check([13 * 256, 21], [1, 0], 'int32', rng);
    check([64, 14, 14, 64], [3, 1, 2, 0], 'int32', rng);
  });

  it('equals the definition on 30 random shapes and permutations (rank 2–5, small and large)', () => {
    const rng = random.rng(412);
    for (let i = 0; i < 30; i++) {
      const rank = 2 + (i % 4);
      const large = i % 2 === 0;
      const shape = Array.from({ length: rank }, () => rng.int(1, large ? 12 : 6));
      // One long axis (up to past two blocks), the whole at most 300 000 values.
      if (large) shape[rng.int(0, rank)] = Math.max(1, Math.min(rng.int(300, 7000), Math.floor(300000 / shape.reduce((p, d) => p * d, 1))));
      const perm = Array.from({ length: rank }, (_, a) => a);
      for (let a = rank - 1; a > 0; a--) {
        const b = rng.int(0, a + 1);
        [perm[a], perm[b]] = [perm[b], perm[a]];
      }
      check(shape, perm, i % 5 === 4 ? 'int32' : 'float32', rng);
    }
  });
});
