/**
 * A training's quality over time: MNIST-FID (and MNIST-IS) of the checkpoint at each iteration it
 * was measured, kept beside the weights in `<checkpoint>/fid-curve.json`. `npm run evaluate --
 * <model> --curve` adds the point of the checkpoint as it is now (during a training, measure the
 * folder it trains into with `--checkpoints`); notebooks 05 and 06 plot the shipped curves. When a
 * goal is not reached, the curve says whether more iterations would help (still falling) or not
 * (flat) — issue "models worth looking at"; lecture 004 on FID (Heusel et al. 2017).
 *
 *   { "model": "dcgan", "what": "…", "command": "…", "points": [{ "iteration": 750, "mnistFid": 107.3, … }] }
 *
 * One checkpoint can be measured several ways (the DDPM U-Net by Algorithm 2 and by DDIM with 50,
 * 20 or 10 steps): a point names its `evaluation` (the `npm run evaluate` model) when that differs
 * from the curve's `model`, and each evaluation is its own line.
 */
import * as fs from 'fs';
import * as path from 'path';

export interface FidCurvePoint {
  /** The `npm run evaluate` model that measured it, when not the curve's `model` ('ddpm-ddim50' on the 'ddpm-mnist' curve). */
  evaluation?: string;
  /** Training iterations (steps) of the checkpoint measured: its meta.json `steps`. */
  iteration: number;
  mnistFid: number;
  mnistIs?: number;
  /** Samples drawn: FIDs of different sample counts are biased differently, compare like with like. */
  samples: number;
  /** Seed of the samples (the evaluate protocol's default unless given). */
  seed?: number;
  /** Conditional models: the classifier's agreement with the asked labels. */
  conditionalAccuracy?: number;
  /** 1-minute load average while measuring (the measurement's own threads included). */
  loadAverage?: number;
  measuredAt?: string;
}

export interface FidCurve {
  /** The checkpoint (and the evaluation of points that name none). */
  model: string;
  /** What the points are, in words. */
  what: string;
  /** The command that measures one point. */
  command: string;
  /** Sorted by iteration, then by sample count. */
  points: FidCurvePoint[];
}

export const FID_CURVE_FILE = 'fid-curve.json';

/** The evaluation that measured `point`: its own name, or the curve's model. */
function evaluationOf(curve: Pick<FidCurve, 'model'>, point: FidCurvePoint): string {
  return point.evaluation ?? curve.model;
}

function checkPoint(point: FidCurvePoint, where: string): void {
  if (!Number.isInteger(point.iteration) || point.iteration < 0) throw new RangeError(`${where}: iteration must be a non-negative integer; got ${JSON.stringify(point.iteration)}`);
  if (typeof point.mnistFid !== 'number' || !Number.isFinite(point.mnistFid) || point.mnistFid < 0) {
    throw new RangeError(`${where}: mnistFid must be a finite number >= 0; got ${JSON.stringify(point.mnistFid)}`);
  }
  if (!Number.isInteger(point.samples) || point.samples < 2) throw new RangeError(`${where}: samples must be an integer >= 2; got ${JSON.stringify(point.samples)}`);
}

/** The curve saved in checkpoint folder `dir`, or null when it has none. Throws, naming the file, on a malformed one. */
export function readFidCurve(dir: string): FidCurve | null {
  const file = path.join(dir, FID_CURVE_FILE);
  if (!fs.existsSync(file)) return null;
  let curve: FidCurve;
  try {
    curve = JSON.parse(fs.readFileSync(file, 'utf8')) as FidCurve;
  } catch (e) {
    throw new Error(`${file}: not JSON (${(e as Error).message})`);
  }
  if (!curve || typeof curve !== 'object' || !Array.isArray(curve.points)) throw new Error(`${file}: expected { model, what, command, points: [...] }`);
  curve.points.forEach((p, i) => checkPoint(p, `${file} points[${i}]`));
  return curve;
}

/**
 * Add `point` to the curve in `dir` (created with `header` when there is none) and write it back
 * atomically. A point with the same iteration and sample count replaces the old one (a
 * re-measurement) when it is the same evaluation; points stay sorted. Returns the curve written.
 */
export function addFidCurvePoint(dir: string, point: FidCurvePoint, header: Omit<FidCurve, 'points'>): FidCurve {
  checkPoint(point, 'addFidCurvePoint');
  const curve = readFidCurve(dir) ?? { ...header, points: [] };
  const evaluation = (p: FidCurvePoint) => evaluationOf(curve, p);
  const points = curve.points.filter((p) => !(p.iteration === point.iteration && p.samples === point.samples && evaluation(p) === evaluation(point)));
  points.push(point);
  points.sort((a, b) => a.iteration - b.iteration || a.samples - b.samples || evaluation(a).localeCompare(evaluation(b)));
  const written: FidCurve = { ...curve, points };
  const file = path.join(dir, FID_CURVE_FILE);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, `${JSON.stringify(written, null, 1)}\n`);
  fs.renameSync(tmp, file);
  return written;
}

/** The points of `evaluation` (default: the curve's model) measured with `samples` samples, as x = iterations and y = MNIST-FID (for `viz.line`). */
export function fidCurveSeries(curve: FidCurve, samples: number, evaluation: string = curve.model): { x: number[]; y: number[] } {
  const points = curve.points.filter((p) => p.samples === samples && evaluationOf(curve, p) === evaluation);
  return { x: points.map((p) => p.iteration), y: points.map((p) => p.mnistFid) };
}

/** The sample counts `evaluation` (default: the curve's model) was measured with, smallest first. */
export function fidCurveSampleCounts(curve: FidCurve, evaluation: string = curve.model): number[] {
  const counts = curve.points.filter((p) => evaluationOf(curve, p) === evaluation).map((p) => p.samples);
  return [...new Set(counts)].sort((a, b) => a - b);
}
