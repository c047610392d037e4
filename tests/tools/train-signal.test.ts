/**
 * A training run by tsx stops on SIGTERM. tsx installs a SIGINT/SIGTERM handler in the script's
 * process, and a handler runs only when the event loop gets a turn; a training step's awaits are
 * microtasks, so `train.trainLoop` yields every YIELD_EVERY_MS. Before it did, `kill <pid>` (or
 * `timeout`) left a diffusion training running for good.
 */
import { expect } from 'chai';
import { execFileSync, spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');

describe('training scripts and signals', () => {
  it('train-diffusion.ts under tsx stops within seconds of a SIGTERM to its process', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-signal-'));
    const seed = String(7000 + (process.pid % 1000));
    const child = spawn(path.join(ROOT, 'node_modules', '.bin', 'tsx'), ['tools/scripts/train-diffusion.ts', 'ddpm-mnist-uncond', '--steps', '100000', '--channels', '8,16', '--seed', seed], {
      cwd: ROOT, env: { ...process.env, GENBOOK_THREADS: '1', GENBOOK_CHECKPOINTS: dir },
    });
    try {
      let out = '';
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (b: Buffer) => {
          out += b.toString();
          if (/ddpm-mnist-uncond 100\/100000/.test(out)) resolve();
        });
        child.on('exit', () => reject(new Error(`the training ended before it was signalled:\n${out}`)));
      });
      // the process that runs the script (tsx's child, with its preflight), not the tsx launcher
      const script = execFileSync('pgrep', ['-f', `preflight.cjs.*train-diffusion.ts.*--seed ${seed}`], { encoding: 'utf8' }).trim().split('\n').map(Number);
      expect(script).to.have.length(1);
      const signalled = performance.now();
      process.kill(script[0], 'SIGTERM');
      const code = await new Promise<number | null>((resolve) => {
        if (child.exitCode !== null) resolve(child.exitCode);
        child.on('exit', (c) => resolve(c));
        setTimeout(() => resolve(-1), 15_000);
      });
      expect(code, 'still running 15 s after SIGTERM').to.not.equal(-1);
      expect(code).to.equal(143);
      expect(performance.now() - signalled).to.be.below(15_000);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      try { execFileSync('pkill', ['-9', '-f', `train-diffusion.ts.*--seed ${seed}`]); } catch { /* none left */ }
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
