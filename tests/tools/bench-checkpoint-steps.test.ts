/**
 * bench/checkpoint-steps.ts (issue 18, part 5): it must time every shipped checkpoint — a new
 * folder in data/checkpoints without a trainer here fails this test — refuse names it does not
 * know, and its child process must build and step a real trainer. No timings are asserted.
 */
import { expect } from 'chai';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import {
  CHECKPOINT_NAMES,
  CHECKPOINT_STEPS,
  CHECKPOINTS_DIR,
  checkpointDirOf,
  differences,
  layersParameters,
  metaStepTime,
  parseOptions,
  readCheckpointMeta,
  shippedParameters,
  type ChildResult,
} from '../../bench/checkpoint-steps';

const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'bench', 'checkpoint-steps.ts');
const TSX = require.resolve('tsx/cli');

describe('bench/checkpoint-steps.ts', () => {
  it('times exactly the checkpoints in data/checkpoints, plus those still training in the folder they name', () => {
    const shipped = fs.readdirSync(CHECKPOINTS_DIR, { withFileTypes: true }).filter((d) => d.isDirectory()).map((d) => d.name).sort();
    const training = CHECKPOINT_STEPS.filter((c) => !shipped.includes(c.name));
    // every shipped checkpoint has a trainer here (none forgotten)…
    expect(shipped.filter((n) => !CHECKPOINT_NAMES.includes(n)), 'checkpoints without a benchmarked trainer').to.deep.equal([]);
    // …and every other name is a training in progress whose folder exists (none stale)
    for (const c of training) {
      expect(c.trainingDir, `${c.name} is not in data/checkpoints and names no training folder`).to.be.a('string');
      expect(fs.existsSync(path.join(ROOT, c.trainingDir!, 'meta.json')), `${c.trainingDir}/meta.json`).to.equal(true);
    }
    expect(new Set(CHECKPOINT_NAMES).size).to.equal(CHECKPOINT_NAMES.length);
  });

  it('reads every checkpoint’s time per step from its meta.json and its parameter counts from its model.json files', () => {
    for (const entry of CHECKPOINT_STEPS) {
      const reference = metaStepTime(readCheckpointMeta(entry).meta);
      expect(reference, `${entry.name}: trainSeconds / steps`).to.not.equal(undefined);
      expect(reference!.msPerStep, entry.name).to.be.greaterThan(0);
      const parts = shippedParameters(entry);
      expect(Object.keys(parts).slice(0, Object.keys(entry.parts).length), entry.name).to.deep.equal(Object.keys(entry.parts));
      for (const [part, n] of Object.entries(parts)) expect(n, `${entry.name} ${part}`).to.be.greaterThan(0);
      expect(fs.existsSync(checkpointDirOf(entry)), entry.name).to.equal(true);
    }
  });

  it('refuses an unknown checkpoint name with the list of known ones, before starting anything', () => {
    expect(() => parseOptions(['dcgan', 'no-such-model'])).to.throw(/unknown checkpoint: no-such-model[\s\S]*known checkpoints: .*dcgan/);
    const r = spawnSync(process.execPath, [TSX, SCRIPT, 'ae-mnist-linear', 'no-such-model'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).to.equal(2);
    expect(r.stdout).to.equal('');
    expect(r.stderr).to.contain('unknown checkpoint: no-such-model');
    for (const name of CHECKPOINT_NAMES) expect(r.stderr).to.contain(name);
  });

  it('parses its options: defaults, thread counts, and the warm-up + steps bound of per-step progress', () => {
    expect(parseOptions([], 2)).to.deep.include({ names: [...CHECKPOINT_NAMES], steps: 5, warmup: 1, threads: [1, 2], rounds: 1 });
    expect(parseOptions([], 1).threads).to.deep.equal([1]);
    expect(parseOptions([], 16).threads).to.deep.equal([1, 8]);
    expect(parseOptions(['vae-mnist', '--threads', '2,1', '--steps', '3', '--warmup', '0'], 2)).to.deep.include({ names: ['vae-mnist'], threads: [2, 1], steps: 3, warmup: 0 });
    expect(() => parseOptions(['--threads', '0'])).to.throw(/--threads/);
    expect(() => parseOptions(['--steps', '199', '--warmup', '1'])).to.throw(/below 200/);
    expect(() => parseOptions(['--step', '3'])).to.throw(/unknown option --step/);
  });

  it('flags a network of another width than the shipped one (the DCGAN ships at width 64, not mnistGanTrainer’s 32)', async () => {
    // building, not training: on whichever backend is active
    const { gan, models } = await import('genbook');
    const entry = CHECKPOINT_STEPS.find((c) => c.name === 'dcgan')!;
    const shipped = shippedParameters(entry);
    expect(Object.keys(shipped)).to.deep.equal(['generator', 'discriminator']);
    const sized = (baseFilters: number) => {
      const g = models.dcganGenerator({ latentDim: 64, baseFilters, seed: 1 });
      const d = models.dcganDiscriminator({ baseFilters, seed: 2 });
      const parameters = { generator: layersParameters(g), discriminator: layersParameters(d) };
      g.dispose();
      d.dispose();
      return parameters;
    };
    const shippedWidth = gan.MNIST_GAN_BASE_FILTERS.dcgan;
    expect(differences(shipped, { parameters: sized(shippedWidth), checks: [['baseFilters', shippedWidth, 64]] })).to.deep.equal([]);
    const narrow = differences(shipped, { parameters: sized(32), checks: [['baseFilters', 32, 64]] });
    expect(narrow).to.have.length(3);
    expect(narrow[0]).to.match(/^generator: \d+ parameters built, \d+ shipped$/);
    expect(narrow[2]).to.equal('baseFilters: 32 here, 64 in meta.json');
  });

  it('a child process builds the shipped network, steps it, and reports each step’s time', function () {
    this.timeout(120_000);
    const entry = CHECKPOINT_STEPS.find((c) => c.name === 'ae-mnist-linear')!;
    const r = spawnSync(process.execPath, [TSX, SCRIPT, '--child', entry.name, '--steps', '2', '--warmup', '1'], {
      cwd: ROOT,
      encoding: 'utf8',
      env: { ...process.env, GENBOOK_THREADS: '1' },
    });
    expect(r.status, r.stderr).to.equal(0);
    const result = JSON.parse(r.stdout.trim().split('\n').pop()!) as ChildResult;
    expect(result).to.include({ checkpoint: 'ae-mnist-linear', threads: 1, backend: 'wasm', batch: 128 });
    expect(result.ms).to.have.length(2);
    for (const ms of result.ms) expect(ms).to.be.greaterThan(0);
    expect(result.parameters).to.deep.equal(shippedParameters(entry));
    expect(result.checks).to.deep.equal([['codeSize', 16, 16]]);
  });
});
