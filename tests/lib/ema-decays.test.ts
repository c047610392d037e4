import { expect } from 'chai';
import { train } from 'genbook';

describe('train.planEmaDecays: EMA decays across resumes', () => {
  const plan = train.planEmaDecays;

  it('a new training averages with the default, or with the decay asked for, from step 0', () => {
    expect(plan(undefined, undefined, 0, undefined, 0.999)).to.deep.equal({ decay: 0.999, emaDecays: [{ fromStep: 0, decay: 0.999 }] });
    expect(plan([], undefined, 0, 0.9999, 0.999)).to.deep.equal({ decay: 0.9999, emaDecays: [{ fromStep: 0, decay: 0.9999 }] });
  });

  it('a resume of a training saved with only `emaDecay` counts that decay from step 0', () => {
    expect(plan(undefined, 0.999, 26000, 0.9999, 0.5)).to.deep.equal({
      decay: 0.9999,
      emaDecays: [{ fromStep: 0, decay: 0.999 }, { fromStep: 26000, decay: 0.9999 }],
    });
    // without a request it goes on with the saved decay, not the default
    expect(plan(undefined, 0.99, 300, undefined, 0.999)).to.deep.equal({ decay: 0.99, emaDecays: [{ fromStep: 0, decay: 0.99 }] });
  });

  it('a resume goes on with the last decay unless asked for another, which it appends at the resume step', () => {
    const saved = [{ fromStep: 0, decay: 0.999 }, { fromStep: 26000, decay: 0.9999 }];
    const same = plan(saved, 0.9999, 30000, undefined, 0.999);
    expect(same).to.deep.equal({ decay: 0.9999, emaDecays: saved });
    expect(same.emaDecays).to.not.equal(saved); // a copy
    expect(plan(saved, 0.9999, 30000, 0.9999, 0.999).emaDecays).to.deep.equal(saved);
    expect(plan(saved, 0.9999, 30000, 0.99, 0.999).emaDecays).to.deep.equal([...saved, { fromStep: 30000, decay: 0.99 }]);
  });

  it('refuses decays outside (0, 1), a bad step and a step before the last saved decay', () => {
    for (const bad of [0, 1, -0.5, 1.5, Number.NaN]) {
      expect(() => plan([], undefined, 0, bad, 0.999), String(bad)).to.throw(RangeError, 'in (0, 1)');
      expect(() => plan([], undefined, 0, undefined, bad), String(bad)).to.throw(RangeError, 'in (0, 1)');
    }
    expect(() => plan([{ fromStep: 0, decay: 2 }], undefined, 5, undefined, 0.999)).to.throw(RangeError, 'saved EMA decay from step 0');
    expect(() => plan([], undefined, 1.5, undefined, 0.999)).to.throw(RangeError, 'integer');
    expect(() => plan([{ fromStep: 500, decay: 0.999 }], undefined, 400, undefined, 0.999)).to.throw(RangeError, 'before the last saved');
  });
});
