/**
 * End to end: Debian's Jupyter (nbclient via `jupyter nbconvert --execute`) starts the registered
 * `genbook` kernel and runs 00-getting-started in quick mode with zero errors.
 */
import { expect } from 'chai';
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { installKernelSpec } from '../../tools/src/kernel/spec';

interface Output { output_type: string; text?: string | string[]; ename?: string; evalue?: string }
interface Cell { cell_type: string; outputs?: Output[] }

describe('00-getting-started through Debian Jupyter (nbclient)', function () {
  this.timeout(300_000);

  it('executes with zero errors and the expected outputs', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-jupyter-'));
    installKernelSpec(dataDir);
    const out = path.join(dataDir, 'executed.ipynb');
    const nb = path.resolve(__dirname, '..', '..', 'notebooks', '00-getting-started.ipynb');
    execFileSync(
      'jupyter',
      ['nbconvert', '--to', 'notebook', '--execute', '--ExecutePreprocessor.kernel_name=genbook', '--ExecutePreprocessor.timeout=240', nb, '--output', out],
      { env: { ...process.env, JUPYTER_DATA_DIR: dataDir, GENBOOK_QUICK: '1' }, stdio: 'pipe' },
    );
    const executed = JSON.parse(fs.readFileSync(out, 'utf8')) as { cells: Cell[] };
    const outputs = executed.cells.filter((c) => c.cell_type === 'code').flatMap((c) => c.outputs ?? []);
    const errors = outputs.filter((o) => o.output_type === 'error' || (o.output_type === 'stream' && (o as { name?: string }).name === 'stderr'));
    expect(errors, JSON.stringify(errors)).to.deep.equal([]);
    const text = outputs.map((o) => (Array.isArray(o.text) ? o.text.join('') : (o.text ?? ''))).join('');
    expect(text).to.match(/genbook backend: (tensorflow|wasm|cpu)/);
    expect(text).to.contain('[ 1, 4, 9, 16, 25 ]');
    expect(text).to.contain('quick mode: small budgets');
    fs.rmSync(dataDir, { recursive: true });
  });
});
