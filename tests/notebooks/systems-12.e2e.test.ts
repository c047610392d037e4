/**
 * Notebook 12-systems-in-practice runs end to end in quick mode on the genbook kernel with zero
 * errors and no stderr, every check passes (a "✓" line each, never a "✗"), and the ControlNet
 * claims are among them: the combined network equals the frozen one at initialisation and the
 * frozen weights are unchanged by training.
 */
import { expect } from 'chai';
import * as path from 'path';
import type { NotebookResult } from '../../tools/src/runner/run';
import { expectCleanRun, outputText, quickRuns } from './quick-runs';

const NAME = '12-systems-in-practice';

describe('notebook 12-systems-in-practice in quick mode (genbook kernel)', function () {
  this.timeout(900_000);
  let result: NotebookResult | undefined;

  before(async () => {
    const file = path.resolve(__dirname, '..', '..', 'notebooks', `${NAME}.ipynb`);
    [result] = await quickRuns([file], 1);
  });

  it('every cell runs, no stderr, every check passes', () => {
    expectCleanRun(result, NAME, 15);
  });

  it('ControlNet: exact equality at initialisation and frozen weights unchanged', () => {
    const text = outputText(result!);
    expect(text).to.contain('✓ max |ε_controlnet(x_t, t, c) − ε_frozen(x_t, t)| at initialisation: 0 vs 0');
    expect(text).to.contain('✓ max |Θ_frozen after − Θ_frozen before|: 0 vs 0');
    expect(text).to.contain('✓ the levels sum to the joint KL');
  });
});
