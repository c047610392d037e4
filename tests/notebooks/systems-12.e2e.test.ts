/**
 * Notebook 12-systems-in-practice runs end to end in quick mode on the genbook kernel with zero
 * errors and no stderr, every check passes (a "✓" line each, never a "✗"), and the ControlNet
 * claims are among them: the combined network equals the frozen one at initialisation and the
 * frozen weights are unchanged by training.
 */
import { expect } from 'chai';
import * as path from 'path';
import type { ICodeCell } from '@jupyterlab/nbformat';
import type { NotebookResult } from '../../tools/src/runner/run';
import { quickRuns } from './quick-runs';
import { joinLines } from '../../tools/src/runner/nbformat';

const NAME = '12-systems-in-practice';

function outputText(result: NotebookResult): string {
  const cells = (result.report?.notebook.cells ?? []).filter((c): c is ICodeCell => c.cell_type === 'code');
  return cells
    .flatMap((c) => c.outputs)
    .map((o) => joinLines(((o.text as string | string[] | undefined) ?? (o.data as Record<string, string | string[]> | undefined)?.['text/plain'] ?? '') as string | string[]))
    .join('\n');
}

describe('notebook 12-systems-in-practice in quick mode (genbook kernel)', function () {
  this.timeout(900_000);
  let result: NotebookResult | undefined;

  before(async () => {
    const file = path.resolve(__dirname, '..', '..', 'notebooks', `${NAME}.ipynb`);
    [result] = await quickRuns([file], 1);
  });

  it('every cell runs, no stderr, every check passes', () => {
    const r = result!;
    expect(r, `${NAME} did not run`).to.not.equal(undefined);
    expect(r.failure, r.failure).to.equal(undefined);
    expect(r.report!.errors.map((e) => e.message)).to.deep.equal([]);
    expect(r.report!.executed).to.equal(r.report!.codeCount);
    expect(r.report!.cells.filter((c) => c.stderr).map((c) => c.index)).to.deep.equal([]);
    const text = outputText(r);
    expect(text).to.not.contain('✗');
    expect((text.match(/✓/g) ?? []).length).to.be.at.least(15);
  });

  it('ControlNet: exact equality at initialisation and frozen weights unchanged', () => {
    const text = outputText(result!);
    expect(text).to.contain('✓ max |ε_controlnet(x_t, t, c) − ε_frozen(x_t, t)| at initialisation: 0 vs 0');
    expect(text).to.contain('✓ max |Θ_frozen after − Θ_frozen before|: 0 vs 0');
    expect(text).to.contain('✓ the levels sum to the joint KL');
  });
});
