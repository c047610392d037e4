/**
 * `train-diffusion.ts --snapshots` keeps each save's EMA checkpoint; `average-checkpoints.ts` writes
 * the mean of a window of them as a checkpoint of its own (a longer EMA after the fact). The mean is
 * checked against one computed here from the snapshots' bytes.
 */
import { expect } from 'chai';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');

function tsx(script: string, args: string[], env: Record<string, string> = {}): { status: number | null; output: string } {
  const r = spawnSync('npx', ['--no-install', 'tsx', path.join(ROOT, 'tools', 'scripts', script), ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, GENBOOK_THREADS: '1', ...env } });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

const floats = (file: string) => {
  const b = fs.readFileSync(file);
  return new Float32Array(b.buffer, b.byteOffset, b.length / 4);
};
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8'));

describe('average-checkpoints.ts and train-diffusion.ts --snapshots', function () {
  this.timeout(300_000);
  let dir: string;
  let checkpoint: string;
  let snapshots: string;

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-average-'));
    checkpoint = path.join(dir, 'train', 'ddpm-mnist-uncond');
    snapshots = path.join(checkpoint, 'snapshots');
    const env = { GENBOOK_CHECKPOINTS: path.join(dir, 'train') };
    let r = tsx('train-diffusion.ts', ['ddpm-mnist-uncond', '--steps', '1', '--channels', '8,16', '--batch', '4', '--snapshots'], env);
    expect(r.status, r.output).to.equal(0);
    for (const steps of ['2', '3']) {
      r = tsx('train-diffusion.ts', ['ddpm-mnist-uncond', '--steps', steps, '--batch', '4', '--resume', '--snapshots'], env);
      expect(r.status, r.output).to.equal(0);
    }
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('--snapshots keeps a copy of every save, named by its step; the last is the checkpoint itself', () => {
    expect(fs.readdirSync(snapshots).sort()).to.deep.equal(['step-0000001', 'step-0000002', 'step-0000003']);
    expect(readJson(path.join(snapshots, 'step-0000002', 'meta.json')).steps).to.equal(2);
    expect(Buffer.compare(fs.readFileSync(path.join(snapshots, 'step-0000003', 'weights.bin')), fs.readFileSync(path.join(checkpoint, 'weights.bin')))).to.equal(0);
    // the snapshots differ (training moved the weights), or averaging them would prove nothing
    expect(Buffer.compare(fs.readFileSync(path.join(snapshots, 'step-0000001', 'weights.bin')), fs.readFileSync(path.join(snapshots, 'step-0000003', 'weights.bin')))).to.not.equal(0);
  });

  it('averages a folder of snapshots (or a --from/--to window of it) into a checkpoint with the mean weights, in the same layout', () => {
    const out = path.join(dir, 'avg', 'ddpm-mnist-uncond');
    let r = tsx('average-checkpoints.ts', ['--out', out, snapshots]);
    expect(r.status, r.output).to.equal(0);
    const parts = [1, 2, 3].map((s) => floats(path.join(snapshots, `step-000000${s}`, 'weights.bin')));
    const mean = floats(path.join(out, 'weights.bin'));
    expect(mean.length).to.equal(parts[0].length);
    let worst = 0;
    for (let i = 0; i < mean.length; i++) worst = Math.max(worst, Math.abs(mean[i] - Math.fround((parts[0][i] + parts[1][i] + parts[2][i]) / 3)));
    expect(worst).to.equal(0);
    expect(readJson(path.join(out, 'model.json'))).to.deep.equal(readJson(path.join(checkpoint, 'model.json')));
    const meta = readJson(path.join(out, 'meta.json'));
    expect(meta.steps).to.equal(3);
    expect(meta.averageOf).to.deep.equal([1, 2, 3]);
    expect(meta.weights).to.equal('mean of 3 checkpoints (EMA) at steps 1–3');
    expect(meta.config).to.deep.equal(readJson(path.join(checkpoint, 'meta.json')).config);

    const window = path.join(dir, 'avg2', 'ddpm-mnist-uncond');
    r = tsx('average-checkpoints.ts', ['--out', window, '--from', '2', snapshots]);
    expect(r.status, r.output).to.equal(0);
    expect(readJson(path.join(window, 'meta.json')).averageOf).to.deep.equal([2, 3]);
    const mean2 = floats(path.join(window, 'weights.bin'));
    for (let i = 0; i < mean2.length; i += 97) expect(mean2[i]).to.equal(Math.fround((parts[1][i] + parts[2][i]) / 2));
  });

  it('refuses fewer than two checkpoints, an output that is an input, a folder without checkpoints and networks of other sizes', () => {
    let r = tsx('average-checkpoints.ts', ['--out', path.join(dir, 'x'), '--from', '3', snapshots]);
    expect(r.status).to.equal(2);
    expect(r.output).to.include('1 checkpoint(s) between steps 3 and Infinity; an average needs at least 2');
    r = tsx('average-checkpoints.ts', ['--out', path.join(snapshots, 'step-0000002'), snapshots]);
    expect(r.status).to.equal(2);
    expect(r.output).to.include('is one of the inputs');
    r = tsx('average-checkpoints.ts', ['--out', path.join(dir, 'x'), dir]);
    expect(r.status).to.equal(2);
    expect(r.output).to.include('is not a checkpoint folder');
    const other = path.join(dir, 'other');
    const t = tsx('train-diffusion.ts', ['ddpm-mnist-uncond', '--steps', '1', '--channels', '8,24', '--batch', '4'], { GENBOOK_CHECKPOINTS: other });
    expect(t.status, t.output).to.equal(0);
    r = tsx('average-checkpoints.ts', ['--out', path.join(dir, 'x'), path.join(snapshots, 'step-0000002'), path.join(other, 'ddpm-mnist-uncond')]);
    expect(r.status).to.equal(1);
    expect(r.output).to.match(/has shape \[.*\] in set 1 and \[.*\] in set 0/);
    expect(fs.existsSync(path.join(dir, 'x'))).to.equal(false);
  });

  it('train-diffusion.ts refuses --snapshots for a network that is not a U-Net', () => {
    const r = tsx('train-diffusion.ts', ['ddpm-noisy-classifier', '--steps', '1', '--snapshots'], { GENBOOK_CHECKPOINTS: path.join(dir, 'nc') });
    expect(r.status).to.equal(2);
    expect(r.output).to.include('--snapshots: only the U-Nets');
  });
});
