/**
 * The runner against a real peer: Debian's `jupyter nbconvert --execute` (nbclient 0.7) runs the
 * same notebooks on the same kernels, and both executed copies must hold the same outputs, apart
 * from timings and execution metadata (and the random element ids of plots). Three notebooks: the course's 00-getting-started, the
 * runner's every-output fixture on the genbook kernel, and a fixture on Python's ipykernel, which
 * sends what tslab never does (execute_input, clear_output, outputs updated from a later cell).
 *
 * Execution counts: nbconvert's ExecutePreprocessor takes them only from IOPub messages that carry
 * one (execute_input, execute_result); tslab sends no execute_input, so nbconvert leaves most genbook
 * cells at null where the runner records the kernel's count from execute_reply, as JupyterLab does.
 * Counts are compared wherever nbconvert has one.
 */
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { installKernelSpec, KernelSpec } from '../../tools/src/kernel/spec';
import { joinLines, Notebook, readNotebook } from '../../tools/src/runner/nbformat';
import { runNotebooks } from '../../tools/src/runner/run';
import { jupyter } from './nbconvert-peer';

const ROOT = path.resolve(__dirname, '..', '..');
const FIXTURES = path.join(ROOT, 'tests', 'fixtures', 'runner');

const PYTHON_SPEC: KernelSpec = {
  argv: ['/usr/bin/python3', '-m', 'ipykernel_launcher', '-f', '{connection_file}'],
  display_name: 'Python 3 (reference)',
  language: 'python',
  interrupt_mode: 'signal',
  env: {},
  metadata: {},
};

type Cell = { cell_type: string; execution_count?: number | null; outputs?: Record<string, unknown>[] };

/**
 * What is not output but run-specific in the genbook kernel's outputs: the random element id of
 * each plot's <div> (viz.Figure.html) and elapsed times on progress bars ("done in 0:01").
 */
function withoutRunSpecifics(text: string): string {
  return text.replace(/genbook-plot-[0-9a-f]{12}/g, 'genbook-plot-ID').replace(/\b(done in|ETA|elapsed) [\d:.]+( ?m?s)?/g, '$1 <time>');
}

/** Outputs as comparable values: multi-line strings joined (the two writers may split differently). */
function outputsOf(nb: Notebook, normalise: (s: string) => string = (s) => s): unknown[][] {
  const text = (v: unknown): unknown => (typeof v === 'string' || Array.isArray(v) ? normalise(joinLines(v as string[])) : v);
  return (nb.cells as unknown as Cell[]).map((c) =>
    (c.outputs ?? []).map((o) => {
      const out: Record<string, unknown> = { ...o };
      if (out.text !== undefined) out.text = text(out.text);
      if (out.data) out.data = Object.fromEntries(Object.entries(out.data as Record<string, unknown>).map(([k, v]) => [k, text(v)]));
      return out;
    }),
  );
}

async function nbconvert(file: string, kernelName: string, dataDir: string, outDir: string, env: Record<string, string>): Promise<Notebook> {
  const out = path.join(outDir, `nbclient-${path.basename(file)}`);
  await jupyter(
    ['nbconvert', '--to', 'notebook', '--execute', `--ExecutePreprocessor.kernel_name=${kernelName}`, '--ExecutePreprocessor.timeout=300', file, '--output', out],
    { cwd: path.dirname(file), env: { ...process.env, JUPYTER_DATA_DIR: dataDir, ...env } },
  );
  return readNotebook(out);
}

describe('runner vs nbclient (Debian jupyter nbconvert --execute) on the same notebooks', function () {
  this.timeout(900_000);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-nbclient-'));
  const dataDir = path.join(work, 'jupyter');
  const pairs: Record<string, { ours: Notebook; reference: Notebook }> = {};

  before(async () => {
    installKernelSpec(dataDir);
    fs.mkdirSync(path.join(dataDir, 'kernels', 'pyref'), { recursive: true });
    fs.writeFileSync(path.join(dataDir, 'kernels', 'pyref', 'kernel.json'), JSON.stringify(PYTHON_SPEC));
    const genbookFiles = [path.join(ROOT, 'notebooks', '00-getting-started.ipynb'), path.join(FIXTURES, 'outputs.ipynb')];
    const python = path.join(FIXTURES, 'python-outputs.ipynb');
    // Both clients give the kernels the same environment (our runner would otherwise pick the
    // wasm thread count itself, and the backend line names it).
    const quick = { GENBOOK_QUICK: '1', GENBOOK_THREADS: '1' };
    // Our runner (two kernels at a time) and nbclient, side by side.
    const [ours, oursPython, ...reference] = await Promise.all([
      runNotebooks(genbookFiles, { outDir: path.join(work, 'ours'), quick: true, jobs: 2, threadsPerKernel: 1 }),
      runNotebooks([python], { outDir: path.join(work, 'ours'), spec: PYTHON_SPEC }),
      ...genbookFiles.map((f) => nbconvert(f, 'genbook', dataDir, work, quick)),
    ]);
    const referencePython = await nbconvert(python, 'pyref', dataDir, work, {});
    for (const r of [...ours, ...oursPython]) {
      expect(r.failure, r.failure).to.equal(undefined);
    }
    pairs['00-getting-started'] = { ours: readNotebook(ours[0].output!), reference: reference[0] };
    pairs.outputs = { ours: readNotebook(ours[1].output!), reference: reference[1] };
    pairs['python-outputs'] = { ours: readNotebook(oursPython[0].output!), reference: referencePython };
  });

  after(() => fs.rmSync(work, { recursive: true, force: true }));

  for (const name of ['00-getting-started', 'outputs', 'python-outputs']) {
    it(`${name}: the same outputs in every cell, the same language_info, counts where nbclient has them`, () => {
      const { ours, reference } = pairs[name];
      expect(ours.cells.map((c) => c.id)).to.deep.equal(reference.cells.map((c) => c.id));
      // Fixtures compare exactly; the course notebook without plot ids and elapsed times.
      const normalise = name === '00-getting-started' ? withoutRunSpecifics : undefined;
      const [a, b] = [outputsOf(ours, normalise), outputsOf(reference, normalise)];
      a.forEach((outputs, i) => expect(outputs, `cell ${i}`).to.deep.equal(b[i]));
      expect(a.length).to.equal(b.length);
      expect(ours.metadata.language_info).to.deep.equal(reference.metadata.language_info);
      const refCells = reference.cells as unknown as Cell[];
      (ours.cells as unknown as Cell[]).forEach((c, i) => {
        const expected = refCells[i].execution_count;
        if (typeof expected === 'number') expect(c.execution_count, `cell ${i}`).to.equal(expected);
        if (c.cell_type === 'code' && (c.outputs ?? []).length > 0) expect(c.execution_count, `cell ${i} ran`).to.be.a('number');
      });
    });
  }

  it('00-getting-started runs clean in quick mode: no error, no stderr, the expected lines', () => {
    const outputs = outputsOf(pairs['00-getting-started'].ours).flat() as { output_type: string; name?: string; text?: string }[];
    expect(outputs.filter((o) => o.output_type === 'error' || o.name === 'stderr')).to.deep.equal([]);
    const text = outputs.map((o) => o.text ?? '').join('');
    expect(text).to.match(/genbook backend: (tensorflow|wasm|cpu)/);
    expect(text).to.contain('[ 1, 4, 9, 16, 25 ]');
    expect(text).to.contain('quick mode: small budgets');
  });

  it('the every-output fixture has what its cells promise (checked independently of nbclient)', () => {
    const cells = outputsOf(pairs.outputs.ours) as Record<string, unknown>[][];
    expect(cells[1]).to.deep.equal([{ output_type: 'stream', name: 'stdout', text: 'one\ntwo\nthree\ntrue\n' }]);
    expect(cells[2]).to.deep.equal([{ output_type: 'stream', name: 'stderr', text: 'a line on stderr\n' }]);
    expect(cells[3].map((o) => Object.keys(o.data as object))).to.deep.equal([['text/html'], ['text/markdown'], ['text/latex'], ['image/svg+xml'], ['image/png']]);
    // One display, updated in place by its own cell and then by the next one.
    expect(cells[4]).to.deep.equal([{ output_type: 'display_data', data: { 'text/plain': "'updated from a later cell'" }, metadata: {} }]);
    expect(cells[5]).to.deep.equal([]);
    expect(cells[6]).to.deep.equal([{ output_type: 'execute_result', data: { 'text/html': '<i>rich</i>', 'text/plain': 'rich' }, metadata: {}, execution_count: 6 }]);
    expect(cells[7]).to.deep.equal([{ output_type: 'stream', name: 'stdout', text: '100%\ntrue\n' }]);
    expect(cells[8].map((o) => o.output_type)).to.deep.equal(['stream', 'display_data', 'stream']);
    expect(JSON.parse(cells[9][0].text as string)).to.deep.equal({ cwd: FIXTURES, quick: '1' });
    expect(cells[12][0]).to.include({ output_type: 'error', ename: 'DisplayError' });
    expect(cells[13]).to.deep.equal([{ output_type: 'stream', name: 'stdout', text: 'after the allowed error\n' }]);
    const ours = pairs.outputs.ours.cells as unknown as Cell[];
    expect(ours[10].execution_count, 'the empty cell is not run').to.equal(null);
  });

  it('python fixture: clear_output(wait), a later-cell update, an allowed error, carriage returns', () => {
    const cells = outputsOf(pairs['python-outputs'].ours) as Record<string, unknown>[][];
    expect(cells[0]).to.deep.equal([
      { output_type: 'stream', name: 'stdout', text: 'a\nb\n' },
      { output_type: 'stream', name: 'stderr', text: 'err\n' },
    ]);
    expect(cells[1]).to.deep.equal([{ output_type: 'execute_result', data: { 'text/plain': '2' }, metadata: {}, execution_count: 2 }]);
    expect((cells[2][0].data as Record<string, string>)['text/markdown']).to.equal('**from a later cell**');
    expect(cells[4]).to.deep.equal([{ output_type: 'stream', name: 'stdout', text: '2\n' }]);
    expect(cells[5]).to.deep.equal([{ output_type: 'stream', name: 'stdout', text: '100%\n' }]);
    expect(cells[6][0]).to.include({ output_type: 'error', ename: 'ZeroDivisionError' });
    expect(cells[8]).to.deep.equal([{ output_type: 'stream', name: 'stdout', text: 'only this\n' }]);
  });
});
