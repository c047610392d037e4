/**
 * `train.planThreadCounts`: meta.json's `threadCounts`, the threads of each part of a resumed
 * training (as `learningRates` keeps the rates), so seconds per step can be read against them.
 */
import { expect } from 'chai';
import { train } from 'genbook';

describe('train.planThreadCounts', () => {
  it('a new training: one entry from its first step', () => {
    expect(train.planThreadCounts(undefined, 0, 2)).to.deep.equal([{ fromStep: 0, threads: 2 }]);
    expect(train.planThreadCounts(undefined, 0, null)).to.deep.equal([{ fromStep: 0, threads: null }]);
  });

  it('a resume on the same count keeps the list; on another count appends it at the resume step', () => {
    const saved = { threadCounts: [{ fromStep: 0, threads: 1 }] };
    expect(train.planThreadCounts(saved, 500, 1)).to.deep.equal([{ fromStep: 0, threads: 1 }]);
    expect(train.planThreadCounts(saved, 500, 2)).to.deep.equal([{ fromStep: 0, threads: 1 }, { fromStep: 500, threads: 2 }]);
    expect(saved.threadCounts, 'the saved list is not changed').to.deep.equal([{ fromStep: 0, threads: 1 }]);
  });

  it('a checkpoint saved before the list existed counts as its `threads` from step 0 (null when it has none)', () => {
    expect(train.planThreadCounts({ threads: 1, steps: 27000 }, 27000, 2)).to.deep.equal([{ fromStep: 0, threads: 1 }, { fromStep: 27000, threads: 2 }]);
    expect(train.planThreadCounts({ steps: 100 }, 100, 2)).to.deep.equal([{ fromStep: 0, threads: null }, { fromStep: 100, threads: 2 }]);
  });

  it('a resume that ran no step before changing again replaces the last entry', () => {
    const saved = { threadCounts: [{ fromStep: 0, threads: 1 }, { fromStep: 500, threads: 2 }] };
    expect(train.planThreadCounts(saved, 500, 4)).to.deep.equal([{ fromStep: 0, threads: 1 }, { fromStep: 500, threads: 4 }]);
    expect(train.planThreadCounts(saved, 500, 1)).to.deep.equal([{ fromStep: 0, threads: 1 }]);
  });

  it('refuses a step before the last entry, a negative or fractional step and a bad thread count', () => {
    const saved = { threadCounts: [{ fromStep: 0, threads: 1 }, { fromStep: 500, threads: 2 }] };
    expect(() => train.planThreadCounts(saved, 400, 1)).to.throw(RangeError, /before the last saved thread count/);
    expect(() => train.planThreadCounts(undefined, -1, 1)).to.throw(RangeError, /step/);
    expect(() => train.planThreadCounts(undefined, 1.5, 1)).to.throw(RangeError, /step/);
    expect(() => train.planThreadCounts(undefined, 0, 0)).to.throw(RangeError, /threads/);
    expect(() => train.planThreadCounts(undefined, 0, 1.5)).to.throw(RangeError, /threads/);
  });
});
