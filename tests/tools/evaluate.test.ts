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
