/**
 * Measured results of every model trained in the course, one JSON file per model in
 * `data/results/<model>.json`. The evaluation notebook's leaderboard reads them all, so it grows
 * with the course. Quick-mode runs (the tests) write to `build/results/` instead, so a test never
 * overwrites a reader's full-mode numbers.
 */
import * as fs from 'fs';
import * as path from 'path';
import { projectPath } from '../paths';
import { quickModeEnv } from './mode';

export interface ModelResult {
  /** Model id, also the file name: 'dcgan', 'ddpm-mnist', 'vae-mnist'. */
  model: string;
  /** Family for the trilemma table: 'VAE', 'GAN', 'Diffusion', 'Autoregressive', 'Flow', 'AE', 'Classifier'. */
  family: string;
  /** The notebook that trains or evaluates it: '05-gan-minimax'. */
  notebook: string;
  /** Measured numbers, named with their unit or metric: { mnistFid: 12.3, nllNats: 88.1 }. */
  metrics: Record<string, number>;
  /** Seconds to draw one sample on the machine that measured it. */
  secondsPerSample?: number;
  /** Training wall time in seconds. */
  trainSeconds?: number;
  /** The command that reproduces these numbers. */
  command: string;
  /** 'full' (a reader's budget) or 'quick' (the tests'). */
  mode: 'full' | 'quick';
  /** ISO time of the measurement (filled in by writeResult). */
  measuredAt?: string;
  /** Free-form notes: backend, steps, caveats. */
  notes?: string;
}

/** Where results of this mode are written: data/results (full) or build/results (quick). */
export function resultsDir(mode: 'full' | 'quick' = quickModeEnv() ? 'quick' : 'full'): string {
  return mode === 'full' ? projectPath('data', 'results') : projectPath('build', 'results');
}

/** Write one model's result; returns the file written. */
export function writeResult(result: ModelResult): string {
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(result.model)) {
    throw new RangeError(`result.model must be letters, digits, '.', '_' or '-'; got ${JSON.stringify(result.model)}`);
  }
  for (const [key, value] of Object.entries(result.metrics)) {
    if (typeof value !== 'number' || Number.isNaN(value)) throw new RangeError(`result.metrics.${key} must be a number; got ${value}`);
  }
  const dir = resultsDir(result.mode);
  fs.mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${result.model}.json`);
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify({ ...result, measuredAt: result.measuredAt ?? new Date().toISOString() }, null, 2) + '\n');
  fs.renameSync(tmp, file);
  return file;
}

/** All results in a folder (default: the full-mode results), sorted by model id. */
export function readResults(dir: string = resultsDir('full')): ModelResult[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as ModelResult);
}
