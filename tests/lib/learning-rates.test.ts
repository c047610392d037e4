import { expect } from 'chai';
import { train } from 'genbook';

describe('train.planLearningRates: step decays across resumes', () => {
  const plan = train.planLearningRates;

  it('a new training runs at the default, or at the rate asked for, from step 0', () => {
    expect(plan([], 0, {}, 5e-4)).to.deep.equal({ lr: 5e-4, discriminatorLr: 5e-4, learningRates: [{ fromStep: 0, lr: 5e-4 }] });
    expect(plan([], 0, { lr: 1e-3 }, 5e-4).learningRates).to.deep.equal([{ fromStep: 0, lr: 1e-3 }]);
    expect(plan([], 0, { lr: 1e-4, discriminatorLr: 4e-4 }, 2e-4)).to.deep.equal({
      lr: 1e-4,
      discriminatorLr: 4e-4,
      learningRates: [{ fromStep: 0, lr: 1e-4, discriminatorLr: 4e-4 }],
    });
  });

  it('a resume without a rate goes on at the last saved one, not the default (a decay is not undone)', () => {
    const saved = [{ fromStep: 0, lr: 5e-4 }, { fromStep: 16500, lr: 1e-4 }];
    const p = plan(saved, 22500, {}, 5e-4);
    expect(p.lr).to.equal(1e-4);
    expect(p.learningRates).to.deep.equal(saved);
    expect(p.learningRates).to.not.equal(saved); // a copy
  });

  it('a resume with another rate appends it at the resume step; the same rate appends nothing', () => {
    const saved = [{ fromStep: 0, lr: 5e-4 }, { fromStep: 16500, lr: 1e-4 }];
    expect(plan(saved, 22500, { lr: 5e-5 }, 5e-4).learningRates).to.deep.equal([...saved, { fromStep: 22500, lr: 5e-5 }]);
    expect(plan(saved, 22500, { lr: 1e-4 }, 5e-4).learningRates).to.deep.equal(saved);
  });

  it('TTUR: D\'s own rate is kept by a resume without rates, kept with a new D rate alone, and ended by a G rate alone', () => {
    const ttur = [{ fromStep: 0, lr: 2e-4 }, { fromStep: 100, lr: 2e-4, discriminatorLr: 4e-4 }];
    expect(plan(ttur, 200, {}, 2e-4)).to.deep.equal({ lr: 2e-4, discriminatorLr: 4e-4, learningRates: ttur });
    expect(plan(ttur, 200, { discriminatorLr: 8e-4 }, 2e-4).learningRates.at(-1)).to.deep.equal({ fromStep: 200, lr: 2e-4, discriminatorLr: 8e-4 });
    const ended = plan(ttur, 200, { lr: 1e-4 }, 2e-4);
    expect(ended.discriminatorLr).to.equal(1e-4);
    expect(ended.learningRates.at(-1)).to.deep.equal({ fromStep: 200, lr: 1e-4 });
    // D's rate set equal to G's again is a change, recorded without discriminatorLr
    expect(plan(ttur, 200, { discriminatorLr: 2e-4 }, 2e-4).learningRates.at(-1)).to.deep.equal({ fromStep: 200, lr: 2e-4 });
  });

  it('refuses rates that are not positive finite numbers, and a step before the last saved rate', () => {
    for (const bad of [0, -1e-4, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => plan([], 0, { lr: bad }, 1e-3), `lr ${bad}`).to.throw(RangeError, /learningRate must be a positive number/);
      expect(() => plan([], 0, { discriminatorLr: bad }, 1e-3), `D ${bad}`).to.throw(RangeError, /discriminatorLearningRate must be a positive number/);
    }
    expect(() => plan([{ fromStep: 500, lr: 1e-4 }], 400, {}, 1e-3)).to.throw(RangeError, /step 400 is before/);
    expect(() => plan([], -1, {}, 1e-3)).to.throw(RangeError, /step must be an integer >= 0/);
  });
});
