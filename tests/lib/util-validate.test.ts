/**
 * The library's shared argument checks (lib/src/util/validate.ts): what passes, and the exact
 * RangeError message for what does not (the messages the models, samplers and plots used before
 * they shared one home).
 */
import { expect } from 'chai';
import { tf } from 'genbook';
import { checkIntInRange, checkPositiveInt, checkSameShape } from '../../lib/src/util/validate';

describe('util/validate: argument checks', () => {
  it('checkPositiveInt accepts 1, 2, … and names the argument otherwise', () => {
    for (const v of [1, 2, 784]) expect(() => checkPositiveInt(v, 'units')).to.not.throw();
    for (const v of [0, -1, 1.5, NaN, Infinity]) {
      expect(() => checkPositiveInt(v, 'units')).to.throw(RangeError, `units must be a positive integer; got ${v}`);
    }
  });

  it('checkIntInRange accepts integers within [min, max], bounds included', () => {
    for (const v of [1, 32, 64]) expect(() => checkIntInRange(v, 'scale', 1, 64)).to.not.throw();
    for (const v of [0, 65, 2.5, NaN]) expect(() => checkIntInRange(v, 'scale', 1, 64)).to.throw(RangeError, `scale must be an integer in [1, 64]; got ${v}`);
    expect(() => checkIntInRange(0, 'columns', 1, Infinity)).to.throw(RangeError, 'columns must be an integer in [1, Infinity]; got 0');
  });

  it('checkSameShape compares rank and every dimension, naming both tensors in argument order', () => {
    const a = tf.zeros([2, 3]);
    const same = tf.ones([2, 3]);
    const transposed = tf.zeros([3, 2]);
    const flat = tf.zeros([6]);
    expect(() => checkSameShape(a, 'x0', same, 'eps')).to.not.throw();
    expect(() => checkSameShape(a, 'x0', transposed, 'eps')).to.throw(RangeError, 'x0 and eps must have the same shape; got [2,3] and [3,2]');
    expect(() => checkSameShape(flat, 'xt', a, 'x0')).to.throw(RangeError, 'xt and x0 must have the same shape; got [6] and [2,3]');
    tf.dispose([a, same, transposed, flat]);
  });
});
