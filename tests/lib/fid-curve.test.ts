/**
 * train/fid-curve.ts: the FID-by-iteration file kept beside a checkpoint. Points are added, a
 * re-measurement (same iteration and sample count) replaces its point, the order is by iteration,
 * malformed files and points are refused with the file named; the shipped curves parse and are
 * the ones README cites (their last point equals the checkpoint's data/results entry).
 */
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { train } from 'genbook';
import { evaluators } from '../../tools/src/commands/evaluate';

const ROOT = path.resolve(__dirname, '..', '..');
const header = { model: 'toy', what: 'test', command: 'test' };

describe('FID curves (train/fid-curve.ts)', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-curve-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('adds points in iteration order; the same iteration and sample count replaces, another sample count is kept beside it', () => {
    expect(train.readFidCurve(dir)).to.equal(null);
    train.addFidCurvePoint(dir, { iteration: 2000, mnistFid: 40, samples: 2000 }, header);
    train.addFidCurvePoint(dir, { iteration: 500, mnistFid: 90, samples: 2000 }, header);
    train.addFidCurvePoint(dir, { iteration: 2000, mnistFid: 38, samples: 5000 }, header);
    const curve = train.addFidCurvePoint(dir, { iteration: 2000, mnistFid: 41, samples: 2000 }, { ...header, model: 'ignored' });
    expect(curve.model).to.equal('toy'); // the header of the first write stays
    expect(curve.points.map((p) => [p.iteration, p.samples, p.mnistFid])).to.deep.equal([[500, 2000, 90], [2000, 2000, 41], [2000, 5000, 38]]);
    expect(train.readFidCurve(dir)).to.deep.equal(curve);
    expect(train.fidCurveSeries(curve, 2000)).to.deep.equal({ x: [500, 2000], y: [90, 41] });
    expect(fs.readdirSync(dir)).to.deep.equal([train.FID_CURVE_FILE]); // no temp file left
  });

  it('keeps the evaluations of one checkpoint apart: same iteration and samples, different samplers, two points and two series', () => {
    const ddpm = { model: 'ddpm-mnist', what: 'test', command: 'test' };
    train.addFidCurvePoint(dir, { evaluation: 'ddpm-ddim50', iteration: 10000, mnistFid: 52, samples: 1000 }, ddpm);
    train.addFidCurvePoint(dir, { evaluation: 'ddpm-ddim20', iteration: 10000, mnistFid: 55, samples: 1000 }, ddpm);
    train.addFidCurvePoint(dir, { evaluation: 'ddpm-ddim50', iteration: 20000, mnistFid: 30, samples: 1000 }, ddpm);
    const curve = train.addFidCurvePoint(dir, { evaluation: 'ddpm-ddim50', iteration: 10000, mnistFid: 51, samples: 1000 }, ddpm);
    expect(curve.points.map((p) => [p.evaluation, p.iteration, p.mnistFid])).to.deep.equal([
      ['ddpm-ddim20', 10000, 55],
      ['ddpm-ddim50', 10000, 51],
      ['ddpm-ddim50', 20000, 30],
    ]);
    expect(train.fidCurveSeries(curve, 1000, 'ddpm-ddim50')).to.deep.equal({ x: [10000, 20000], y: [51, 30] });
    expect(train.fidCurveSeries(curve, 1000, 'ddpm-ddim20')).to.deep.equal({ x: [10000], y: [55] });
    expect(train.fidCurveSeries(curve, 1000)).to.deep.equal({ x: [], y: [] }); // no point is the checkpoint's own
  });

  it('refuses bad points and malformed files, naming the field or the file', () => {
    expect(() => train.addFidCurvePoint(dir, { iteration: -1, mnistFid: 1, samples: 10 }, header)).to.throw(/iteration must be a non-negative integer; got -1/);
    expect(() => train.addFidCurvePoint(dir, { iteration: 1, mnistFid: NaN, samples: 10 }, header)).to.throw(/mnistFid must be a finite number >= 0; got null/);
    expect(() => train.addFidCurvePoint(dir, { iteration: 1, mnistFid: 3, samples: 1 }, header)).to.throw(/samples must be an integer >= 2; got 1/);
    const file = path.join(dir, train.FID_CURVE_FILE);
    fs.writeFileSync(file, '{ nope');
    expect(() => train.readFidCurve(dir)).to.throw(`${file}: not JSON`);
    fs.writeFileSync(file, JSON.stringify({ model: 'x', points: [{ iteration: 1, mnistFid: 2 }] }));
    expect(() => train.readFidCurve(dir)).to.throw(`${file} points[0]: samples must be an integer >= 2`);
    fs.writeFileSync(file, JSON.stringify({ model: 'x' }));
    expect(() => train.addFidCurvePoint(dir, { iteration: 1, mnistFid: 2, samples: 2 }, header)).to.throw(/expected \{ model, what, command, points/);
  });

  for (const checkpoint of ['dcgan', 'cgan', 'wgan-gp', 'ddpm-mnist-uncond']) {
    it(`the shipped ${checkpoint} curve parses, reaches the checkpoint's iteration, and each evaluation's last point there with the result's sample count is its data/results entry`, () => {
      const dirOf = path.join(ROOT, 'data', 'checkpoints', checkpoint);
      const curve = train.readFidCurve(dirOf)!;
      expect(curve, `${checkpoint}/fid-curve.json`).to.not.equal(null);
      const steps = train.readMeta(dirOf)!.steps;
      const atEnd = curve.points.filter((p) => p.iteration === steps);
      expect(atEnd, `points at iteration ${steps}`).to.not.be.empty;
      for (const evaluation of new Set(atEnd.map((p) => p.evaluation ?? curve.model))) {
        const spec = evaluators[evaluation];
        expect(spec, `evaluate knows ${evaluation}`).to.not.equal(undefined);
        // the curve may hold several sample counts there (2000, the goals' count, and the default)
        const result = JSON.parse(fs.readFileSync(path.join(ROOT, 'data', 'results', `${spec.result}.json`), 'utf8'));
        const last = atEnd.filter((p) => (p.evaluation ?? curve.model) === evaluation && p.samples === result.metrics.fidSamples).at(-1);
        expect(last, `${evaluation}: a point with the result's ${result.metrics.fidSamples} samples at iteration ${steps}`).to.not.equal(undefined);
        expect(last!.mnistFid, evaluation).to.be.closeTo(result.metrics.mnistFid, 1e-3);
      }
    });
  }
});
