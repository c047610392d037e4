/**
 * `npm run evaluate`: the one evaluation command. Runs the built CLI on the cheapest model (the DCGAN
 * checkpoint, 50 samples) in quick mode (results go to build/results/, never data/results/) and
 * checks the JSON line against the notebook 05 protocol recomputed here with the library
 * (z ~ N(0, I₆₄) from random.rng(12), G's tanh output mapped to [0, 1], metrics.evaluateSamples
 * against the MNIST test set); then the usage errors.
 */
import { expect } from 'chai';
import { spawn, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { backend, metrics, models, random, tf, train } from 'genbook';

const ROOT = path.resolve(__dirname, '..', '..');
const CLI = path.join(ROOT, 'tools', 'dist', 'cli.js');

function evaluate(args: string[], env: Record<string, string> = {}): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [CLI, 'evaluate', ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, GENBOOK_QUICK: '1', ...env } });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('evaluate command', () => {
  it('dcgan --count 50 --json: the last line is the JSON summary, equal to the notebook protocol recomputed; the result goes to build/results', async () => {
    const full = path.join(ROOT, 'data', 'results', 'dcgan.json');
    const fullBefore = fs.existsSync(full) ? fs.readFileSync(full, 'utf8') : undefined;
    const r = evaluate(['dcgan', '--count', '50', '--json']);
    expect(r.status, r.stderr).to.equal(0);
    const lines = r.stdout.trim().split('\n');
    const summary = JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
    expect(summary).to.include({ model: 'dcgan', result: 'dcgan', samples: 50, seed: 12, file: path.join('build', 'results', 'dcgan.json') });
    for (const k of ['mnistFid', 'mnistIs', 'mnistIsSharpness', 'mnistIsDiversity', 'realBaselineFid', 'secondsPerSample']) {
      expect(summary[k], k).to.be.a('number').and.satisfy(Number.isFinite);
    }
    expect(summary.conditionalAccuracy).to.equal(undefined);

    // the same numbers from the library, the way notebook 05 samples
    await backend.setup(undefined, { log: null });
    const generator = await train.loadModel(train.checkpointDir('dcgan'));
    const images = tf.tidy(() => models.fromGanRange(generator.predict(random.rng(12).normalTensor([50, 64]), { batchSize: 256 }) as tf.Tensor));
    const expected = await metrics.evaluateSamples(images);
    tf.dispose(images);
    generator.dispose();
    expect(summary.mnistFid as number).to.be.closeTo(expected.mnistFid, 1e-6 * expected.mnistFid);
    expect(summary.mnistIs as number).to.be.closeTo(expected.mnistIs, 1e-6);
    // 50 generated digits are further from the test set than 50 real ones
    expect(summary.mnistFid as number).to.be.above(summary.realBaselineFid as number);

    const written = JSON.parse(fs.readFileSync(path.join(ROOT, 'build', 'results', 'dcgan.json'), 'utf8'));
    expect(written).to.include({ model: 'dcgan', family: 'GAN', notebook: '05-gan-minimax', mode: 'quick', command: 'npm run evaluate -- dcgan --count 50 --seed 12' });
    expect(written.metrics.mnistFid).to.equal(summary.mnistFid);
    expect(written.metrics.fidSamples).to.equal(50);
    expect(fs.existsSync(full) ? fs.readFileSync(full, 'utf8') : undefined, 'data/results/dcgan.json untouched').to.equal(fullBefore);
  });

  it('--jobs 2: two workers draw the same samples as one thread, batch for batch (classifier guidance: labels and a classifier in each worker)', () => {
    // both on 1 thread per backend: XNNPACK's threaded convolutions may round differently
    const run = (jobs: number) => {
      const r = evaluate(['ddpm-guidance', '--count', '10', '--batch', '5', '--jobs', String(jobs), '--json'], { GENBOOK_THREADS: '1' });
      expect(r.status, r.stderr).to.equal(0);
      return JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    };
    const one = run(1);
    const two = run(2);
    for (const k of ['mnistFid', 'mnistIs', 'conditionalAccuracy', 'perDigitAccuracy', 'sweep']) expect(two[k], k).to.deep.equal(one[k]);
    // the guidance worked in the workers too: at s = 10 most samples are the digit asked for, at s = 0 few
    const sweep = two.sweep as Record<string, { conditionalAccuracy: number }>;
    expect(sweep.s10.conditionalAccuracy).to.be.above(sweep.s0.conditionalAccuracy);
  });

  it('an interrupted diffusion evaluation resumes from the batches it kept: only the missing ones are drawn, and the result equals an uninterrupted run', async () => {
    const draws = fs.mkdtempSync(path.join(require('os').tmpdir(), 'genbook-draws-'));
    const args = ['ddpm-ddim50', '--count', '12', '--batch', '2', '--json'];
    const env = { ...process.env, GENBOOK_QUICK: '1', GENBOOK_THREADS: '1' };
    const summaryOf = (stdout: string) => JSON.parse(stdout.trim().split('\n').pop()!) as Record<string, unknown>;
    try {
      const whole = evaluate(args, { GENBOOK_THREADS: '1' });
      expect(whole.status, whole.stderr).to.equal(0);
      const reference = summaryOf(whole.stdout);
      expect(reference.resumed).to.equal(undefined);
      // killed (SIGKILL: nothing can be tidied) once two batches are kept; drawn by 2 workers
      const child = spawn(process.execPath, [CLI, 'evaluate', ...args, '--jobs', '2', '--draws', draws], { cwd: ROOT, env });
      const batchFiles = (): string[] => fs.readdirSync(draws).flatMap((d) => {
        try {
          return fs.readdirSync(path.join(draws, d)).filter((f) => /^batch-\d+\.f32$/.test(f));
        } catch {
          return []; // (removed meanwhile: the run finished, and the exit code says so)
        }
      });
      const killed = await new Promise<number | null>((resolve) => {
        const poll = setInterval(() => {
          if (batchFiles().length >= 2) {
            clearInterval(poll);
            child.kill('SIGKILL');
          }
        }, 10);
        child.on('exit', () => {
          clearInterval(poll);
          resolve(child.signalCode === 'SIGKILL' ? 137 : child.exitCode);
        });
      });
      expect(killed, 'the first run was killed').to.equal(137);
      const stores = fs.readdirSync(draws);
      expect(stores).to.have.length(1);
      expect(stores[0]).to.match(/^ddpm-mnist-ddim50-[0-9a-f]{16}$/);
      const kept = batchFiles().length;
      expect(kept).to.be.within(2, 6);
      // a whole batch is 2 × 784 float32 values; a half-written one would be a .tmp file, not read
      for (const f of batchFiles()) expect(fs.statSync(path.join(draws, stores[0], f)).size, f).to.equal(2 * 784 * 4);
      const runs = JSON.parse(fs.readFileSync(path.join(draws, stores[0], 'runs.json'), 'utf8')) as { batches: number; seconds: number }[];
      expect(runs).to.have.length(1);
      expect(runs[0].batches).to.be.at.least(2);

      // resumed on one thread: the kept batches are read, the rest drawn, the numbers are the reference's
      const again = evaluate([...args, '--draws', draws], { GENBOOK_THREADS: '1' });
      expect(again.status, again.stderr).to.equal(0);
      expect(again.stdout).to.match(new RegExp(`resuming an interrupted draw: ${kept} of 6 batches \\(${2 * kept} samples\\) kept in `));
      const resumed = summaryOf(again.stdout);
      for (const k of ['mnistFid', 'mnistIs', 'mnistIsSharpness', 'mnistIsDiversity']) expect(resumed[k], k).to.equal(reference[k]);
      // (had the first run drawn every batch before the kill, the second only reads them: 1 run)
      const runsInAll = kept < 6 ? '2 runs' : '1 run';
      expect(resumed.resumed).to.deep.equal([`${kept} of 6 batches from earlier runs, ${runsInAll} in all`]);
      const written = JSON.parse(fs.readFileSync(path.join(ROOT, 'build', 'results', 'ddpm-mnist-ddim50.json'), 'utf8')) as { notes: string };
      expect(written.notes).to.contain(`an interrupted draw resumed (${kept} of 6 batches from earlier runs, ${runsInAll} in all): seconds`);
      expect(written.notes).to.match(/: seconds per sample add up the runs' wall times/);
      expect(fs.readdirSync(draws), 'the kept batches are removed once the result is written').to.deep.equal([]);
    } finally {
      fs.rmSync(draws, { recursive: true, force: true });
    }
  });

  it('--draws: refused for a model that keeps no batches, and with --grid', () => {
    const gan = evaluate(['dcgan', '--count', '50', '--draws', 'build/x']);
    expect(gan.status).to.equal(2);
    expect(gan.stderr).to.match(/--draws: dcgan draws in minutes and keeps no batches/);
    const grid = evaluate(['ddpm-ddim10', '--grid', '--draws', 'build/x']);
    expect(grid.status).to.equal(2);
    expect(grid.stderr).to.match(/--draws keeps the batches of an FID evaluation; --grid/);
  });

  it('--jobs: refused for a model that draws in one thread, and when not a positive integer', () => {
    const gan = evaluate(['dcgan', '--count', '50', '--jobs', '2']);
    expect(gan.status).to.equal(2);
    expect(gan.stderr).to.match(/--jobs: dcgan draws in one thread \(only ddpm, ddpm-ddim50, .*ddpm-guidance draw their batches over workers\)/);
    for (const bad of ['0', '1.5', 'two']) {
      const r = evaluate(['ddpm', '--count', '50', '--jobs', bad]);
      expect(r.status, bad).to.equal(2);
      expect(r.stderr, bad).to.match(/--jobs/);
      expect(r.stdout, bad).to.not.match(/drawing/);
    }
  });

  it('--checkpoints DIR: measures the generator in DIR/dcgan (the classifier still from data/checkpoints) and writes DIR/results, not build/results', async () => {
    const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'genbook-candidates-'));
    try {
      await backend.setup(undefined, { log: null });
      // an untrained generator: its FID is far from the shipped checkpoint's
      const untrained = models.dcganGenerator({ latentDim: 64, seed: 99 });
      await train.saveModel(untrained, path.join(dir, 'dcgan'), { name: 'dcgan', command: 'test: untrained', steps: 7 });
      const quickResult = path.join(ROOT, 'build', 'results', 'dcgan.json');
      const before = fs.existsSync(quickResult) ? fs.readFileSync(quickResult, 'utf8') : undefined;
      const r = evaluate(['dcgan', '--count', '50', '--json', '--checkpoints', dir]);
      expect(r.status, r.stderr).to.equal(0);
      const summary = JSON.parse(r.stdout.trim().split('\n').pop()!) as Record<string, number | string>;
      const images = tf.tidy(() => models.fromGanRange(untrained.predict(random.rng(12).normalTensor([50, 64]), { batchSize: 256 }) as tf.Tensor));
      const expected = await metrics.evaluateSamples(images);
      tf.dispose(images);
      untrained.dispose();
      expect(summary.mnistFid as number).to.be.closeTo(expected.mnistFid, 1e-6 * expected.mnistFid);
      const written = JSON.parse(fs.readFileSync(path.join(dir, 'results', 'dcgan.json'), 'utf8'));
      expect(written.metrics.mnistFid).to.equal(summary.mnistFid);
      expect(written.command).to.equal(`npm run evaluate -- dcgan --count 50 --seed 12 --checkpoints ${dir}`);
      expect(fs.existsSync(quickResult) ? fs.readFileSync(quickResult, 'utf8') : undefined, 'build/results/dcgan.json untouched').to.equal(before);
      // --curve: the same measurement becomes the point at the checkpoint's iteration (meta.json steps 7)
      const curved = evaluate(['dcgan', '--count', '50', '--json', '--checkpoints', dir, '--curve']);
      expect(curved.status, curved.stderr).to.equal(0);
      const curvedSummary = JSON.parse(curved.stdout.trim().split('\n').pop()!) as Record<string, number | string>;
      const curve = train.readFidCurve(path.join(dir, 'dcgan'))!;
      expect(curve.points).to.have.length(1);
      expect(curve.points[0]).to.include({ iteration: 7, samples: 50, seed: 12 });
      expect(curve.points[0].mnistFid).to.equal(curvedSummary.mnistFid);
      expect(curve.points[0].mnistFid).to.be.closeTo(expected.mnistFid, 1e-6 * expected.mnistFid);
      expect(curvedSummary.curve).to.equal(path.relative(ROOT, path.join(dir, 'dcgan', 'fid-curve.json')) || curvedSummary.curve);
      const noSteps = path.join(dir, 'dcgan', 'meta.json');
      const meta = JSON.parse(fs.readFileSync(noSteps, 'utf8'));
      delete meta.steps;
      fs.writeFileSync(noSteps, JSON.stringify(meta));
      const stepless = evaluate(['dcgan', '--count', '50', '--checkpoints', dir, '--curve']);
      expect(stepless.status).to.equal(1);
      expect(stepless.stderr).to.match(/--curve: .*meta\.json has no "steps"/);
      const shipped = evaluate(['dcgan', '--count', '50', '--curve']);
      expect(shipped.status).to.equal(2);
      expect(shipped.stderr).to.match(/--curve in quick mode \(GENBOOK_QUICK=1\) needs --checkpoints DIR/);
      const both = evaluate(['dcgan', '--curve', '--grid', '--checkpoints', dir]);
      expect(both.status).to.equal(2);
      expect(both.stderr).to.match(/give one of them/);
      // --grid measures nothing: a --count with it is refused, not silently ignored
      const counted = evaluate(['dcgan', '--grid', '--count', '2000', '--checkpoints', dir]);
      expect(counted.status).to.equal(2);
      expect(counted.stderr).to.match(/--grid draws the first 100 samples and measures nothing; --count is for the FID evaluation/);
      expect(counted.stdout).to.not.match(/drawing/);
      const missing = evaluate(['dcgan', '--checkpoints', path.join(dir, 'nope')]);
      expect(missing.status).to.equal(2);
      expect(missing.stderr).to.match(/--checkpoints: no folder/);
      // a folder without the model's own checkpoint is refused (it used to evaluate, and with
      // --curve write into, the shipped data/checkpoints/wgan-gp), before any sampling
      const curveFile = path.join(__dirname, '..', '..', 'data', 'checkpoints', 'wgan-gp', 'fid-curve.json');
      const shippedCurve = fs.readFileSync(curveFile, 'utf8');
      const elsewhere = evaluate(['wgan-gp', '--count', '50', '--checkpoints', dir, '--curve']);
      expect(elsewhere.status).to.equal(2);
      expect(elsewhere.stderr).to.match(/--checkpoints: no checkpoint .*wgan-gp \(DIR must hold wgan-gp\/, as data\/checkpoints does\)/);
      expect(elsewhere.stdout).to.not.match(/drawing/);
      expect(fs.readFileSync(curveFile, 'utf8')).to.equal(shippedCurve);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--checkpoints DIR measures a copy of DIR\'s checkpoint (a training may be saving it), removed at the end and on SIGTERM', async () => {
    const dir = fs.mkdtempSync(path.join(require('os').tmpdir(), 'genbook-candidates-'));
    const tmp = fs.mkdtempSync(path.join(require('os').tmpdir(), 'genbook-evaltmp-'));
    try {
      await backend.setup(undefined, { log: null });
      const untrained = models.dcganGenerator({ latentDim: 64, seed: 98 });
      await train.saveModel(untrained, path.join(dir, 'dcgan'), { name: 'dcgan', command: 'test: untrained', steps: 3 });
      untrained.dispose();
      const env = { ...process.env, GENBOOK_QUICK: '1', TMPDIR: tmp };
      const done = spawnSync(process.execPath, [CLI, 'evaluate', 'dcgan', '--count', '20', '--checkpoints', dir], { cwd: ROOT, encoding: 'utf8', env });
      expect(done.status, done.stderr).to.equal(0);
      expect(fs.readdirSync(tmp), 'the copy is removed after a run').to.deep.equal([]);
      // stopped while it measures: exit 143 (128 + SIGTERM), and the copy is gone as well
      const child = spawn(process.execPath, [CLI, 'evaluate', 'dcgan', '--count', '20000', '--checkpoints', dir], { cwd: ROOT, env });
      let out = '';
      const code = await new Promise<number | null>((resolve) => {
        child.stdout.on('data', (b: Buffer) => {
          out += b.toString();
          if (/drawing 20000 samples/.test(out) && !child.killed) {
            const copies = fs.readdirSync(tmp).filter((f) => f.startsWith('genbook-snapshot-'));
            expect(copies, 'a copy exists while it measures').to.have.length(1);
            expect(fs.readdirSync(path.join(tmp, copies[0]))).to.deep.equal(['dcgan']);
            child.kill('SIGTERM');
          }
        });
        child.on('exit', (c) => resolve(c));
      });
      expect(code, out).to.equal(143);
      // the draw goes batch by batch with a turn of the event loop between batches: the signal
      // stops it there, before any FID (it used to be handled only after the whole evaluation)
      expect(out).to.not.match(/MNIST-FID/);
      expect(fs.readdirSync(tmp)).to.deep.equal([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('names the known models on an unknown one, and rejects bad counts', () => {
    const r = evaluate(['no-such-model']);
    expect(r.status).to.equal(2);
    expect(r.stderr).to.match(/unknown model "no-such-model"; known models: dcgan, wgan-gp, cgan, acgan, pixelcnn, ddpm, ddpm-ddim50, ddpm-ddim20, ddpm-ddim10, ddpm-cfg, ddpm-guidance, latent-cfg/);
    const odd = evaluate(['cgan', '--count', '55']);
    expect(odd.status).to.equal(2);
    expect(odd.stderr).to.match(/--count must be a multiple of 10 for cgan/);
    const bad = evaluate(['dcgan', '--count', '1']);
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.match(/--count must be an integer >= 2/);
  });
});
