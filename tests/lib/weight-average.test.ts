/**
 * train.averageVariables: the mean of saved weight sets (stochastic weight averaging, Izmailov et al.
 * 2018, eq. 2), against means computed by hand.
 */
import { expect } from 'chai';
import { backend, tf, train } from 'genbook';

describe('train.averageVariables (the mean of weight snapshots)', () => {
  before(async () => {
    await backend.setup('cpu', { log: null });
  });

  it('averages name by name, keeps the first set\'s order and the shapes (means by hand)', () => {
    const sets = [
      { 'b/kernel': tf.tensor2d([[3, -1]]), a: tf.tensor1d([1, 2]) },
      { a: tf.tensor1d([3, 5]), 'b/kernel': tf.tensor2d([[4, 0]]) },
      { a: tf.tensor1d([2, 2]), 'b/kernel': tf.tensor2d([[8, 4]]) },
    ];
    const mean = train.averageVariables(sets);
    expect(Object.keys(mean)).to.deep.equal(['b/kernel', 'a']);
    expect(mean.a.shape).to.deep.equal([2]);
    expect(mean['b/kernel'].shape).to.deep.equal([1, 2]);
    expect(Array.from(mean.a.dataSync())).to.deep.equal([2, 3]); // (1+3+2)/3, (2+5+2)/3
    expect(Array.from(mean['b/kernel'].dataSync())).to.deep.equal([5, 1]); // (3+4+8)/3, (−1+0+4)/3
    expect(mean.a.dtype).to.equal('float32');
    sets.forEach((s) => tf.dispose(Object.values(s)));
    tf.dispose(Object.values(mean));
  });

  it('sums in float64: 2^24, 1, 1 average to 5592406 exactly (a float32 running sum would lose both ones)', () => {
    const sets = [16777216, 1, 1].map((v) => ({ w: tf.tensor1d([v]) }));
    const float32Sum = Math.fround(Math.fround(16777216 + 1) + 1);
    expect(float32Sum, 'what a float32 sum would give').to.equal(16777216);
    const mean = train.averageVariables(sets);
    expect(mean.w.dataSync()[0]).to.equal(5592406);
    sets.forEach((s) => tf.dispose(Object.values(s)));
    tf.dispose(Object.values(mean));
  });

  it('one set averages to itself', () => {
    const set = { w: tf.tensor1d([0.1, -7.25]) };
    const mean = train.averageVariables([set]);
    expect(Array.from(mean.w.dataSync())).to.deep.equal(Array.from(set.w.dataSync()));
    tf.dispose([set.w, mean.w]);
  });

  it('refuses no sets, other names, other shapes and non-float weights, saying which', () => {
    const a = { x: tf.tensor1d([1, 2]), y: tf.scalar(1) };
    expect(() => train.averageVariables([])).to.throw(RangeError, /no weight sets/);
    const missing = { x: tf.tensor1d([1, 2]) };
    expect(() => train.averageVariables([a, missing])).to.throw(RangeError, /set 1 has other weights than set 0; missing y/);
    const extra = { x: tf.tensor1d([1, 2]), y: tf.scalar(1), z: tf.scalar(0) };
    expect(() => train.averageVariables([a, extra])).to.throw(RangeError, /extra z/);
    const reshaped = { x: tf.tensor2d([[1, 2]]), y: tf.scalar(1) };
    expect(() => train.averageVariables([a, reshaped])).to.throw(RangeError, /x has shape \[1,2\] in set 1 and \[2\] in set 0/);
    const ints = { x: tf.tensor1d([1, 2], 'int32'), y: tf.scalar(1) };
    expect(() => train.averageVariables([a, ints])).to.throw(RangeError, /x in set 1 is int32/);
    tf.dispose([...Object.values(a), ...Object.values(missing), ...Object.values(extra), ...Object.values(reshaped), ...Object.values(ints)]);
  });
});
