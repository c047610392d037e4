/**
 * The runner against the real `genbook` kernel on fixture notebooks that fail in every way a
 * notebook can: a throwing cell, a type error, a cell that never ends (interrupted), a cell that
 * ignores the interrupt (killed), a kernel that exits, invalid files; and the CLI around it
 * (progress lines, summary table, exit code, --inplace).
 */
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ICodeCell } from '@jupyterlab/nbformat';
import { notebooksCommand } from '../../tools/src/commands/notebooks';
import { NotebookResult, runNotebooks, threadsPerKernel } from '../../tools/src/runner/run';
import { readNotebook, joinLines } from '../../tools/src/runner/nbformat';

const FIXTURES = path.resolve(__dirname, '..', 'fixtures', 'runner');
const fixture = (name: string): string => path.join(FIXTURES, `${name}.ipynb`);

function codeCells(file: string): ICodeCell[] {
  return readNotebook(file).cells.filter((c): c is ICodeCell => c.cell_type === 'code');
}

function text(cell: ICodeCell): string {
  return cell.outputs.map((o) => joinLines((o.text as string | string[] | undefined) ?? '')).join('');
}

describe('runner on failing notebooks (genbook kernel)', function () {
  this.timeout(600_000);
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-runner-'));
  let results: Record<string, NotebookResult> = {};
  let cli: { code: number; out: string[]; err: string[] };

  before(async () => {
    const out: string[] = [];
    const err: string[] = [];
    // The CLI on a failing cell, a type error, a crash and two invalid files; meanwhile the API with
    // a short timeout on the two never-ending notebooks.
    const [code, timed] = await Promise.all([
      notebooksCommand(['--out-dir', outDir, '--jobs', '2', ...['failing', 'type-error', 'crash', 'invalid', 'not-json'].map(fixture)], {
        log: (l) => out.push(l),
        error: (l) => err.push(l),
      }),
      runNotebooks([fixture('timeout'), fixture('stuck')], { outDir: path.join(outDir, 'timed'), timeoutSeconds: 8, interruptGraceSeconds: 4, jobs: 2 }),
    ]);
    cli = { code, out, err };
    results = Object.fromEntries(timed.map((r) => [path.basename(r.file, '.ipynb'), r]));
  });

  after(() => fs.rmSync(outDir, { recursive: true, force: true }));

  it('exits non-zero and names each failing notebook, cell and error text', () => {
    expect(cli.code).to.equal(1);
    const err = cli.err.join('\n');
    expect(err).to.match(/failing\.ipynb: cell 2 \(code cell 2\/3, id failing-1\) failed:\n[^]*\n\s+Error: deliberate failure 42\n\s+at evalmachine/);
    expect(err).to.match(/type-error\.ipynb: cell 1 \(code cell 1\/2, id typeerror-0\) failed:\n\s+1:7 - Type 'string' is not assignable to type 'number'\./);
    expect(err).to.match(/crash\.ipynb: cell 2 \(code cell 2\/3, id crash-1\) killed the kernel:\n\s+the kernel died \(exit code 3\) while running this cell/);
    expect(err).to.match(/invalid\.ipynb: not a valid Jupyter notebook[^]*\/cells\/1 \(code\): must have required property 'source'/);
    expect(err).to.match(/not-json\.ipynb: not a valid Jupyter notebook[^]*not JSON/);
  });

  it('prints a progress line per executed cell and a summary table', () => {
    const out = cli.out.join('\n');
    expect(out).to.match(/failing\.ipynb\s+cell\s+1\s+code 1\/3\s+ok\s+[\d.]+ s/);
    expect(out).to.match(/failing\.ipynb\s+cell\s+2\s+code 2\/3\s+ERROR\s+[\d.]+ s: Error: deliberate failure 42/);
    expect(out).not.to.match(/failing\.ipynb\s+cell\s+3/);
    expect(out).to.match(/crash\.ipynb\s+cell\s+2\s+code 2\/3\s+KERNEL-DIED/);
    const outLines = out.split('\n');
    const table = outLines.slice(outLines.findIndex((l) => /^notebook\s+cells\s+errors\s+stderr\s+seconds$/.test(l)));
    expect(table.length).to.be.greaterThan(5);
    const row = (name: string): string[] => (table.find((l) => l.includes(`${name}.ipynb`)) ?? '').trim().split(/\s+/);
    expect(row('failing').slice(1, 3)).to.deep.equal(['2/3', '1']);
    expect(row('type-error').slice(1, 3)).to.deep.equal(['1/2', '1']);
    expect(row('crash').slice(1, 3)).to.deep.equal(['2/3', '1']);
    expect(row('invalid').slice(1, 3)).to.deep.equal(['-', '1']);
    expect(table.find((l) => l.startsWith('total'))?.trim().split(/\s+/).slice(0, 4)).to.deep.equal(['total', '(5', 'notebooks)', '5']);
  });

  it('writes the executed copy up to the failure; later cells keep no outputs and no count', () => {
    const cells = codeCells(path.join(outDir, 'tests', 'fixtures', 'runner', 'failing.ipynb'));
    expect(text(cells[0])).to.equal('first cell ran\n');
    expect(cells[0].execution_count).to.equal(1);
    expect(text(cells[1])).to.contain('Error: deliberate failure 42');
    expect(cells[2].outputs).to.deep.equal([]);
    expect(cells[2].execution_count).to.equal(null);
    const crashed = codeCells(path.join(outDir, 'tests', 'fixtures', 'runner', 'crash.ipynb'));
    expect(text(crashed[0])).to.equal('before the crash\n');
    expect(crashed[2].execution_count).to.equal(null);
  });

  it('interrupts a cell that runs past the timeout (SIGINT, the spec says interrupt_mode signal)', () => {
    const r = results.timeout;
    expect(r.report?.errors).to.have.length(1);
    const e = r.report!.errors[0];
    expect([e.index, e.status]).to.deep.equal([1, 'timeout']);
    expect(e.message).to.equal('the cell did not finish within 8 s; the kernel was interrupted');
    const cells = codeCells(r.output!);
    expect(text(cells[0])).to.equal('before the loop\n');
    expect(text(cells[1])).to.match(/Script execution was interrupted/);
    expect(cells[2].execution_count).to.equal(null);
  });

  it('kills the kernel when the interrupt does not stop the cell', () => {
    const e = results.stuck.report!.errors[0];
    expect([e.index, e.status]).to.deep.equal([0, 'timeout']);
    expect(e.message).to.equal('the cell did not finish within 8 s; the interrupt did not stop it within 4 s, so the kernel was killed');
  });
});

describe('runner --inplace', function () {
  this.timeout(300_000);

  it('writes outputs into the source atomically when it ran clean, and leaves a failing source untouched', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-inplace-'));
    const good = path.join(dir, 'good.ipynb');
    const bad = path.join(dir, 'bad.ipynb');
    const source = readNotebook(fixture('crash'));
    source.cells = source.cells.slice(0, 1);
    fs.writeFileSync(good, JSON.stringify(source));
    fs.copyFileSync(fixture('failing'), bad);
    const badBefore = fs.readFileSync(bad, 'utf8');
    const out: string[] = [];
    const code = await notebooksCommand(['--inplace', '--jobs', '2', good, bad], { log: (l) => out.push(l), error: (l) => out.push(l) });
    expect(code).to.equal(1);
    expect(text(codeCells(good)[0])).to.equal('before the crash\n');
    expect(fs.readFileSync(bad, 'utf8')).to.equal(badBefore);
    expect(out.join('\n')).to.match(/bad\.ipynb\s+not written back \(it failed\)/);
    expect(fs.readdirSync(dir).sort()).to.deep.equal(['bad.ipynb', 'good.ipynb']);
    fs.rmSync(dir, { recursive: true });
  });

  it('rejects bad options before starting anything', async () => {
    const err: string[] = [];
    const io = { log: () => undefined, error: (l: string) => err.push(l) };
    for (const args of [['--timeout', '0'], ['--jobs', '1.5'], ['--inplace', '--out-dir', '/tmp/x'], ['--frobnicate']]) {
      let thrown: unknown;
      try {
        await notebooksCommand(args, io);
      } catch (e) {
        thrown = e;
      }
      expect((thrown as Error)?.constructor.name, args.join(' ')).to.equal('UsageError');
    }
  });
});

describe('runner: wasm threads per kernel', () => {
  it('shares the cores among the kernels that run at once, at least one thread each', () => {
    expect(threadsPerKernel(1, 8)).to.equal(8);
    expect(threadsPerKernel(2, 8)).to.equal(4);
    expect(threadsPerKernel(3, 8)).to.equal(2);
    expect(threadsPerKernel(2, 2)).to.equal(1);
    expect(threadsPerKernel(16, 4)).to.equal(1);
  });
});
