/**
 * The notebook namespace: the helpers every notebook shares print what a reader needs and stop
 * (throw) or carry on exactly as the notebooks expect. Expected values are hand-computed.
 */
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { backend, notebook, random, tf, train, viz } from 'genbook';

/** Runs `f` with console.log captured; returns the printed lines and f's result or error. */
function printed<T>(f: () => T): { lines: string[]; value?: T; error?: unknown } {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
  };
  try {
    return { lines, value: f() };
  } catch (error) {
    return { lines, error };
  } finally {
    console.log = original;
  }
}

/** `printed` for async code: console.log is captured until the promise settles. */
async function printedAsync<T>(f: () => Promise<T>): Promise<{ lines: string[]; value?: T; error?: unknown }> {
  const lines: string[] = [];
  const original = console.log;
  console.log = (...args: unknown[]) => {
    lines.push(args.map(String).join(' '));
  };
  try {
    return { lines, value: await f() };
  } catch (error) {
    return { lines, error };
  } finally {
    console.log = original;
  }
}

/** A fresh GENBOOK_ROOT for the enclosing describe block (checkpoints land there), removed after it. */
function useTempRoot(prefix: string): () => string {
  let root = '';
  const savedRoot = process.env.GENBOOK_ROOT;
  before(() => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    process.env.GENBOOK_ROOT = root;
  });
  after(() => {
    if (savedRoot === undefined) delete process.env.GENBOOK_ROOT;
    else process.env.GENBOOK_ROOT = savedRoot;
    fs.rmSync(root, { recursive: true });
  });
  return () => root;
}

describe('notebook: the helpers notebooks share', () => {
  before(async () => {
    await backend.setup('cpu', { log: null });
  });

  describe('check', () => {
    it('prints "✓ label: left vs right" when the sides agree, and returns', () => {
      const r = printed(() => notebook.check('1 + 2 = 3', 1 + 2, 3));
      expect(r.error).to.equal(undefined);
      expect(r.lines).to.deep.equal(['✓ 1 + 2 = 3: 3 vs 3']);
    });

    it('is relative above 1 and absolute below: |l − r| ≤ tol · max(1, |l|, |r|)', () => {
      // 1e6 vs 1e6 + 0.5 at 1e-6: allowed 1e-6 · (1e6 + 0.5) ≈ 1 ≥ 0.5
      expect(printed(() => notebook.check('big', 1e6, 1e6 + 0.5, 1e-6)).error).to.equal(undefined);
      // 1e6 vs 1e6 + 2 at 1e-6: allowed ≈ 1 < 2
      expect(printed(() => notebook.check('big', 1e6, 1e6 + 2, 1e-6)).error).to.be.instanceOf(Error);
      // 1e-12 vs 0 at the default 1e-9: absolute 1e-9 ≥ 1e-12
      expect(printed(() => notebook.check('tiny', 1e-12, 0)).error).to.equal(undefined);
      // 0.1 vs 0.1000001 at the default: difference 1e-7 > 1e-9
      expect(printed(() => notebook.check('close', 0.1, 0.1000001)).error).to.be.instanceOf(Error);
      // tolerance 0 asks for equality
      expect(printed(() => notebook.check('exact', 0.5, 0.5, 0)).error).to.equal(undefined);
      expect(printed(() => notebook.check('exact', 0.5, 0.5000000001, 0)).error).to.be.instanceOf(Error);
    });

    it('treats Infinity = Infinity as equal and NaN as equal to nothing', () => {
      expect(printed(() => notebook.check('KL with q = 0', Infinity, Infinity)).error).to.equal(undefined);
      expect(printed(() => notebook.check('nan', NaN, NaN)).error).to.be.instanceOf(Error);
      expect(printed(() => notebook.check('nan', 1, NaN, 1e9)).error).to.be.instanceOf(Error);
    });

    it('on failure prints "✗ label: left vs right" and throws an Error naming the label, both sides and the gap', () => {
      const r = printed(() => notebook.check('variance of x_t vs 1 − ᾱ_t', 0.5, 0.25, 0.1));
      expect(r.lines).to.deep.equal(['✗ variance of x_t vs 1 − ᾱ_t: 0.5 vs 0.25']);
      expect(r.error).to.be.instanceOf(Error);
      const message = (r.error as Error).message;
      expect(message).to.match(/^variance of x_t vs 1 − ᾱ_t: 0\.5 != 0\.25 /);
      // |0.5 − 0.25| = 0.25 > allowed 0.1 · max(1, 0.5, 0.25) = 0.1
      expect(message).to.contain('|left − right| = 0.25 > allowed 0.1');
    });

    it('rejects a negative or NaN tolerance with a RangeError, before printing', () => {
      for (const tolerance of [-1e-9, NaN]) {
        const r = printed(() => notebook.check('x', 1, 1, tolerance));
        expect(r.error).to.be.instanceOf(RangeError);
        expect((r.error as Error).message).to.contain('tolerance must be a number ≥ 0');
        expect(r.lines).to.deep.equal([]);
      }
    });
  });

  describe('expectThat', () => {
    it('prints "✓ label" when the condition holds', () => {
      const r = printed(() => notebook.expectThat('training lowered the bound', true));
      expect(r.lines).to.deep.equal(['✓ training lowered the bound']);
      expect(r.error).to.equal(undefined);
    });

    it('prints "✗ label" and throws "expected: label" when it does not', () => {
      const r = printed(() => notebook.expectThat('8/8 modes covered', false));
      expect(r.lines).to.deep.equal(['✗ 8/8 modes covered']);
      expect((r.error as Error).message).to.equal('expected: 8/8 modes covered');
    });
  });

  describe('attempt', () => {
    it('returns what the function returns', () => {
      expect(notebook.attempt('entropy', () => 1.5)).to.equal(1.5);
    });

    it('turns a thrown error into a one-line Markdown message naming the task and the error', () => {
      const shown = notebook.attempt('entropy', () => {
        throw new Error('hw01: entropy is not implemented yet\n(write it in hw01.ts)');
      });
      expect(shown).to.be.instanceOf(viz.Markdown);
      expect((shown as viz.Markdown).source).to.equal('**entropy** — Error: hw01: entropy is not implemented yet (write it in hw01.ts)');
      const range = notebook.attempt('kl', () => {
        throw new RangeError('p must sum to 1');
      });
      expect((range as viz.Markdown).source).to.equal('**kl** — RangeError: p must sum to 1');
      const thrownString = notebook.attempt('odd', () => {
        throw 'a string';
      });
      expect((thrownString as viz.Markdown).source).to.equal('**odd** — a string');
    });
  });

  describe('moments', () => {
    it('gives the mean and the population variance (divided by n)', () => {
      // 1, 2, 3, 4: mean 2.5, squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5, / 4 = 1.25
      expect(notebook.moments([1, 2, 3, 4])).to.deep.equal({ mean: 2.5, variance: 1.25 });
      expect(notebook.moments(new Float32Array([2, 2, 2]))).to.deep.equal({ mean: 2, variance: 0 });
    });

    it('keeps the variance of numbers with a large offset (two passes, no Σx² − n·mean²)', () => {
      const m = notebook.moments([1e9 + 1, 1e9 + 2, 1e9 + 3]);
      expect(m.mean).to.equal(1e9 + 2);
      expect(m.variance).to.be.closeTo(2 / 3, 1e-12);
    });

    it('rejects no values', () => {
      expect(() => notebook.moments([])).to.throw(RangeError, 'moments: values is empty');
    });
  });

  describe('showGrid', () => {
    it('draws the images and frees them and every intermediate tensor', () => {
      const before = tf.memory().numTensors;
      const grid = notebook.showGrid(() => tf.mul(tf.ones([6, 4, 4, 1]), 0.5), { columns: 3 });
      expect(grid).to.be.instanceOf(viz.ImageGrid);
      expect([grid.count, grid.columns, grid.rows]).to.deep.equal([6, 3, 2]);
      expect(tf.memory().numTensors).to.equal(before);
    });

    it('frees the images when drawing fails, and passes the error on', () => {
      const before = tf.memory().numTensors;
      expect(() => notebook.showGrid(() => tf.zeros([3, 4, 4, 1]), { labels: ['only one'] })).to.throw(RangeError, /one entry per image/);
      expect(tf.memory().numTensors).to.equal(before);
    });
  });

  describe('loadGenerator', () => {
    const root = useTempRoot('genbook-notebook-');

    const tinyGenerator = (seed: number) =>
      tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 3, kernelInitializer: tf.initializers.glorotUniform({ seed }) })] });

    it('without a checkpoint says so and returns the generator trained in the notebook', async () => {
      const fallback = tinyGenerator(1);
      const { lines, value } = await printedAsync(() => notebook.loadGenerator('dcgan', fallback));
      const loaded = value!;
      expect(loaded.generator).to.equal(fallback);
      expect(loaded.meta).to.equal(undefined);
      expect(lines).to.deep.equal([`no checkpoint ${path.join(root(), 'data', 'checkpoints', 'dcgan')}: using the generator trained above`]);
      fallback.dispose();
    });

    it('loads the shipped checkpoint and prints how it was made', async () => {
      const trained = tinyGenerator(random.rng(2).tfSeed());
      await train.saveModel(trained, train.checkpointDir('tiny-gan'), { name: 'tiny-gan', command: 'npm run train -- tiny-gan', steps: 2500, trainSeconds: 61, backend: 'wasm' });
      const fallback = tinyGenerator(3);
      const { lines, value } = await printedAsync(() => notebook.loadGenerator('tiny-gan', fallback));
      const loaded: notebook.LoadedGenerator = value!;
      expect(lines).to.deep.equal(['tiny-gan: 2500 iterations, 61 s of training on wasm; reproduce with: npm run train -- tiny-gan']);
      expect(loaded.generator).to.not.equal(fallback);
      expect(loaded.meta).to.include({ steps: 2500, command: 'npm run train -- tiny-gan' });
      const z = tf.tensor2d([[0.3, -1.2]]);
      const [a, b] = [trained.predict(z) as tf.Tensor, loaded.generator.predict(z) as tf.Tensor];
      expect(b.arraySync()).to.deep.equal(a.arraySync());
      tf.dispose([z, a, b]);
      [trained, fallback, loaded.generator].forEach((m) => m.dispose());
    });

    it('rejects a name that is not a plain file name', async () => {
      const fallback = tinyGenerator(4);
      const { error } = await printedAsync(() => notebook.loadGenerator('../dcgan', fallback));
      expect(error).to.be.instanceOf(RangeError);
      fallback.dispose();
    });
  });

  describe('fidCurves', () => {
    useTempRoot('genbook-curves-');

    it('draws one line per sample count of each curve, names the model without one, and refuses to draw nothing', () => {
      const dir = train.checkpointDir('toy-gan');
      fs.mkdirSync(dir, { recursive: true });
      const header = { model: 'toy-gan', what: 'test', command: 'test' };
      train.addFidCurvePoint(dir, { iteration: 100, mnistFid: 80, samples: 2000 }, header);
      train.addFidCurvePoint(dir, { iteration: 300, mnistFid: 20, samples: 2000 }, header);
      train.addFidCurvePoint(dir, { iteration: 300, mnistFid: 18, samples: 5000 }, header);
      const { lines, value } = printed(() => notebook.fidCurves([['Toy', 'toy-gan'], ['Missing', 'no-gan']]));
      expect(lines).to.deep.equal(['no-gan: no fid-curve.json beside the checkpoint (npm run evaluate -- no-gan --curve adds one)']);
      const spec = value!.toJSON() as unknown as { data: { name: string; x: number[]; y: number[]; line: { dash?: string; color?: string } }[]; layout: { yaxis: { type?: string } } };
      expect(spec.data.map((d) => [d.name, d.x, d.y, d.line.dash])).to.deep.equal([
        ['Toy, 2000 samples', [100, 300], [80, 20], 'solid'],
        ['Toy, 5000 samples', [300], [18], 'dot'],
      ]);
      expect(spec.data[0].line.color).to.be.a('string').and.equal(spec.data[1].line.color); // one colour per model
      // another checkpoint's evaluation with its own sample count: its own colour, its smallest count solid
      const ddpm = train.checkpointDir('toy-ddpm');
      fs.mkdirSync(ddpm, { recursive: true });
      train.addFidCurvePoint(ddpm, { evaluation: 'toy-ddim50', iteration: 10, mnistFid: 50, samples: 1000 }, { ...header, model: 'toy-ddpm' });
      train.addFidCurvePoint(ddpm, { evaluation: 'toy-ddim20', iteration: 10, mnistFid: 60, samples: 1000 }, { ...header, model: 'toy-ddpm' });
      const both = printed(() => notebook.fidCurves([['Toy', 'toy-gan'], ['DDIM-50', 'toy-ddpm', 'toy-ddim50']])).value!.toJSON() as unknown as typeof spec;
      expect(both.data.map((d) => [d.name, d.y, d.line.dash])).to.deep.equal([
        ['Toy, 2000 samples', [80, 20], 'solid'],
        ['Toy, 5000 samples', [18], 'dot'],
        ['DDIM-50, 1000 samples', [50], 'solid'],
      ]);
      expect(both.data[2].line.color).to.not.equal(both.data[0].line.color);
      expect(spec.layout.yaxis.type).to.equal('log');
      const none = printed(() => notebook.fidCurves([['Missing', 'no-gan']]));
      expect(none.error).to.be.instanceOf(RangeError);
      expect((none.error as Error).message).to.equal('fidCurves: no curve for no-gan');
    });
  });

  describe('start and finish', () => {
    it('chooses the backend, reads quick mode, and reports the time and the tensors added at the end', async () => {
      const lines: string[] = [];
      let clock = 1000;
      const run = await notebook.start({ backend: 'cpu', env: { GENBOOK_QUICK: '1' }, log: (l) => lines.push(l), now: () => clock });
      expect(run.quick).to.equal(true);
      expect(run.mode).to.equal('quick');
      expect(run.backend.name).to.equal('cpu');
      expect(lines).to.deep.equal([run.backend.message, 'quick mode: true']);
      expect(lines[0]).to.match(/^genbook backend: cpu \(/);
      const kept = [tf.zeros([2]), tf.ones([3]), tf.scalar(1)];
      clock += 42_400;
      const report = run.finish();
      const alive = tf.memory().numTensors;
      expect(report.seconds).to.be.closeTo(42.4, 1e-9);
      expect(report.tensors).to.equal(alive);
      expect(report.tensorsAdded).to.equal(3);
      expect(report.line).to.equal(`notebook ran in 42 s (quick mode, backend cpu); ${alive} tensors alive, 3 more than at the start`);
      expect(lines[2]).to.equal(report.line);
      tf.dispose(kept);
    });

    it('is in full mode without GENBOOK_QUICK (or with 0), and quiet with log: null', async () => {
      for (const env of [{}, { GENBOOK_QUICK: '0' }]) {
        const { lines, value: run, error } = await printedAsync(async () => {
          const started = await notebook.start({ backend: 'cpu', env, log: null });
          started.finish();
          return started;
        });
        expect(error).to.equal(undefined);
        expect(run!.quick).to.equal(false);
        expect(run!.mode).to.equal('full');
        expect(lines, 'nothing printed').to.deep.equal([]);
      }
    });

    it('passes a forced backend that cannot start on as an error', async () => {
      const { error } = await printedAsync(() => notebook.start({ env: { GENBOOK_BACKEND: 'gpu-please' }, log: null }));
      expect(String(error)).to.contain('GENBOOK_BACKEND');
    });
  });
});
