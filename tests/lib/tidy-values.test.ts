/**
 * lib/src/util/tidy-values.ts: `tidyValues(fn)` gives the values of the tensor `fn` computes and
 * leaves no tensor behind (neither `fn`'s intermediates nor the result), as `tf.tidy(() =>
 * fn().dataSync())` does, without tidy walking the returned typed array (bench/tidy-walk.ts).
 */
import { expect } from 'chai';
import { tf } from 'genbook';
import { tidyValues } from '../../lib/src/util/tidy-values';

describe('tidyValues', () => {
  it('returns the values of a matrix product computed by hand, and disposes every tensor it made', () => {
    const before = tf.memory().numTensors;
    // [[1, 2], [3, 4]] · [[5], [6]] = [[17], [39]]; + 1 = [18, 40]
    const values = tidyValues(() => tf.add(tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]])), 1));
    expect(Array.from(values)).to.deep.equal([18, 40]);
    expect(tf.memory().numTensors).to.equal(before);
  });

  it("keeps the dtype (argMax gives int32), and disposes fn's tensors when fn throws", () => {
    const before = tf.memory().numTensors;
    const values = tidyValues(() => tf.argMax(tf.tensor2d([[0.1, 0.7, 0.2], [0.9, 0.05, 0.05]]), 1));
    expect(values).to.be.instanceOf(Int32Array);
    expect(Array.from(values)).to.deep.equal([1, 0]);
    expect(() => tidyValues(() => {
      tf.ones([3]);
      throw new Error('boom');
    })).to.throw('boom');
    expect(tf.memory().numTensors).to.equal(before);
  });
});
