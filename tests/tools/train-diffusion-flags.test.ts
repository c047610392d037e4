/**
 * `train-diffusion.ts ddpm-mnist --p-uncond P`: CFG's label-drop probability (Ho & Salimans 2022,
 * Algorithm 1). Bad values and a resume that would change the saved probability are refused before
 * any training step (and without touching the checkpoint). `ddpm-mnist-uncond` (the unconditional
 * DDPM of notebooks 08 and 09) is the same training with p_uncond 1.
 */
import { expect } from 'chai';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const SCRIPT = path.join(ROOT, 'tools', 'scripts', 'train-diffusion.ts');

function trainDiffusion(args: string[], env: Record<string, string> = {}): { status: number | null; output: string } {
  const r = spawnSync('npx', ['--no-install', 'tsx', SCRIPT, ...args], { cwd: ROOT, encoding: 'utf8', timeout: 120_000, env: { ...process.env, GENBOOK_THREADS: '1', ...env } });
  return { status: r.status, output: `${r.stdout}\n${r.stderr}` };
}

describe('train-diffusion.ts: --p-uncond, --self-attention, GENBOOK_CHECKPOINTS', () => {
  for (const bad of ['2', '-0.1']) {
    it(`refuses --p-uncond ${bad} (a probability is in [0, 1])`, () => {
      const r = trainDiffusion(['ddpm-mnist', '--steps', '1', '--p-uncond', bad]);
      expect(r.status).to.not.equal(0);
      expect(r.output).to.match(/--p-uncond: a probability in \[0, 1\]/);
      expect(r.output).to.not.match(/ddpm-mnist 1\/1|saved /);
    });
  }

  it('refuses --p-uncond other than 1 for ddpm-mnist-uncond (trained with every label dropped), before any step', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-puncond-'));
    try {
      const r = trainDiffusion(['ddpm-mnist-uncond', '--steps', '1', '--p-uncond', '0.2'], { GENBOOK_CHECKPOINTS: dir });
      expect(r.status).to.not.equal(0);
      expect(r.output).to.include('ddpm-mnist-uncond is trained with p_uncond 1');
      expect(r.output).to.not.match(/ddpm-mnist-uncond 1\/1|saved /);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('with GENBOOK_CHECKPOINTS naming an empty folder, trains into that folder and leaves the shipped checkpoint alone', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-output-'));
    const shipped = path.join(ROOT, 'data', 'checkpoints', 'ddpm-mnist-uncond');
    const snapshot = () => fs.readdirSync(shipped, { recursive: true, encoding: 'utf8' }).sort()
      .filter((f) => fs.statSync(path.join(shipped, f)).isFile())
      .map((f) => `${f} ${fs.statSync(path.join(shipped, f)).mtimeMs} ${fs.readFileSync(path.join(shipped, f)).toString('base64').length}`);
    const before = snapshot();
    try {
      const r = trainDiffusion(['ddpm-mnist-uncond', '--steps', '1'], { GENBOOK_CHECKPOINTS: dir });
      expect(r.status, r.output).to.equal(0);
      expect(r.output).to.include(`→ ${path.join(dir, 'ddpm-mnist-uncond')}`);
      const meta = JSON.parse(fs.readFileSync(path.join(dir, 'ddpm-mnist-uncond', 'meta.json'), 'utf8'));
      expect(meta.steps).to.equal(1);
      expect(snapshot()).to.deep.equal(before);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--self-attention adds the middle attention block; a resume keeps it (and records a new thread count), and refuses it for a U-Net saved without', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-selfattn-'));
    try {
      const meta = (folder: string) => JSON.parse(fs.readFileSync(path.join(dir, folder, 'ddpm-mnist-uncond', 'meta.json'), 'utf8'));
      let r = trainDiffusion(['ddpm-mnist-uncond', '--steps', '1', '--channels', '8,16', '--self-attention'], { GENBOOK_CHECKPOINTS: path.join(dir, 'a') });
      expect(r.status, r.output).to.equal(0);
      r = trainDiffusion(['ddpm-mnist-uncond', '--steps', '1', '--channels', '8,16'], { GENBOOK_CHECKPOINTS: path.join(dir, 'b') });
      expect(r.status, r.output).to.equal(0);
      expect(meta('a').config.selfAttention).to.equal(true);
      expect(meta('b').config.selfAttention).to.equal(false);
      expect(meta('a').parameters - meta('b').parameters, 'GroupNorm 2c + four dense maps c² + c at c = 16').to.equal(2 * 16 + 4 * (16 * 16 + 16));
      expect(meta('a').threadCounts).to.deep.equal([{ fromStep: 0, threads: 1 }]);
      // resumed on 2 threads: meta.json's threadCounts says from which step
      r = trainDiffusion(['ddpm-mnist-uncond', '--steps', '2', '--resume'], { GENBOOK_CHECKPOINTS: path.join(dir, 'a'), GENBOOK_THREADS: '2' });
      expect(r.status, r.output).to.equal(0);
      expect(meta('a').steps).to.equal(2);
      expect(r.output, 'the save line counts the steps of the whole training').to.match(/saved \S+ at step 2 \(1 of this run\)/);
      expect(meta('a').config.selfAttention).to.equal(true);
      expect(meta('a').threads).to.equal(2);
      expect(meta('a').threadCounts).to.deep.equal([{ fromStep: 0, threads: 1 }, { fromStep: 1, threads: 2 }]);
      const before = fs.readFileSync(path.join(dir, 'b', 'ddpm-mnist-uncond', 'weights.bin'));
      r = trainDiffusion(['ddpm-mnist-uncond', '--steps', '2', '--resume', '--self-attention'], { GENBOOK_CHECKPOINTS: path.join(dir, 'b') });
      expect(r.status).to.not.equal(0);
      expect(r.output).to.include('--resume: the saved U-Net has selfAttention false; the flags ask for true');
      expect(fs.readFileSync(path.join(dir, 'b', 'ddpm-mnist-uncond', 'weights.bin')).equals(before)).to.equal(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--ema-decay: recorded from step 0, changed on a resume from that step, kept by a later resume; a bad value refused before any step', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-ema-'));
    const env = { GENBOOK_CHECKPOINTS: dir };
    try {
      const meta = () => JSON.parse(fs.readFileSync(path.join(dir, 'ddpm-mnist-uncond', 'meta.json'), 'utf8'));
      let r = trainDiffusion(['ddpm-mnist-uncond', '--steps', '1', '--channels', '8,16'], env);
      expect(r.status, r.output).to.equal(0);
      expect(r.output).to.include('EMA decay 0.999,');
      expect(meta().emaDecay).to.equal(0.999);
      expect(meta().emaDecays).to.deep.equal([{ fromStep: 0, decay: 0.999 }]);
      r = trainDiffusion(['ddpm-mnist-uncond', '--steps', '2', '--resume', '--ema-decay', '0.9999'], env);
      expect(r.status, r.output).to.equal(0);
      expect(r.output).to.include('EMA decay 0.9999,');
      expect(meta().emaDecay).to.equal(0.9999);
      expect(meta().emaDecays).to.deep.equal([{ fromStep: 0, decay: 0.999 }, { fromStep: 1, decay: 0.9999 }]);
      r = trainDiffusion(['ddpm-mnist-uncond', '--steps', '3', '--resume'], env);
      expect(r.status, r.output).to.equal(0);
      expect(meta().steps).to.equal(3);
      expect(meta().emaDecay).to.equal(0.9999);
      expect(meta().emaDecays).to.deep.equal([{ fromStep: 0, decay: 0.999 }, { fromStep: 1, decay: 0.9999 }]);
      const before = fs.readFileSync(path.join(dir, 'ddpm-mnist-uncond', 'weights.bin'));
      for (const bad of ['1', '0', '-0.1']) {
        r = trainDiffusion(['ddpm-mnist-uncond', '--steps', '4', '--resume', '--ema-decay', bad], env);
        expect(r.status, bad).to.equal(2);
        expect(r.output).to.include(`--ema-decay: a number in (0, 1), e.g. 0.9999; got ${bad}`);
      }
      expect(meta().steps).to.equal(3);
      expect(fs.readFileSync(path.join(dir, 'ddpm-mnist-uncond', 'weights.bin')).equals(before)).to.equal(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--input-perturbation and --min-snr: absent until asked for, then recorded from the resume\'s step and kept; bad values refused before any step', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-ip-'));
    const env = { GENBOOK_CHECKPOINTS: dir };
    try {
      const meta = () => JSON.parse(fs.readFileSync(path.join(dir, 'ddpm-mnist-uncond', 'meta.json'), 'utf8'));
      let r = trainDiffusion(['ddpm-mnist-uncond', '--steps', '1', '--channels', '8,16'], env);
      expect(r.status, r.output).to.equal(0);
      expect(meta()).to.not.have.any.keys('inputPerturbations', 'minSnrGammas');
      r = trainDiffusion(['ddpm-mnist-uncond', '--steps', '2', '--resume', '--input-perturbation', '0.1', '--min-snr', '5'], env);
      expect(r.status, r.output).to.equal(0);
      expect(r.output).to.include('input perturbation γ 0.1, Min-SNR γ 5,');
      expect(meta().inputPerturbations).to.deep.equal([{ fromStep: 0, gamma: 0 }, { fromStep: 1, gamma: 0.1 }]);
      expect(meta().minSnrGammas).to.deep.equal([{ fromStep: 0, gamma: 0 }, { fromStep: 1, gamma: 5 }]);
      r = trainDiffusion(['ddpm-mnist-uncond', '--steps', '3', '--resume', '--min-snr', '0'], env);
      expect(r.status, r.output).to.equal(0);
      expect(r.output).to.include('input perturbation γ 0.1,').and.not.include('Min-SNR');
      expect(meta().steps).to.equal(3);
      expect(meta().inputPerturbations).to.deep.equal([{ fromStep: 0, gamma: 0 }, { fromStep: 1, gamma: 0.1 }]);
      expect(meta().minSnrGammas).to.deep.equal([{ fromStep: 0, gamma: 0 }, { fromStep: 1, gamma: 5 }, { fromStep: 2, gamma: 0 }]);
      const before = fs.readFileSync(path.join(dir, 'ddpm-mnist-uncond', 'weights.bin'));
      for (const [flag, bad, message] of [
        ['--input-perturbation', '-0.1', "--input-perturbation: DDPM-IP's γ, a number in [0, 1)"],
        ['--input-perturbation', '1', "--input-perturbation: DDPM-IP's γ, a number in [0, 1)"],
        ['--min-snr', '-5', "--min-snr: Min-SNR-γ's γ, a number >= 0"],
      ]) {
        r = trainDiffusion(['ddpm-mnist-uncond', '--steps', '4', '--resume', flag, bad], env);
        expect(r.status, `${flag} ${bad}`).to.equal(2);
        expect(r.output).to.include(message);
      }
      r = trainDiffusion(['ddpm-noisy-classifier', '--steps', '1', '--min-snr', '5'], env);
      expect(r.status).to.equal(2);
      expect(r.output).to.include('--min-snr: only the U-Nets');
      expect(meta().steps).to.equal(3);
      expect(fs.readFileSync(path.join(dir, 'ddpm-mnist-uncond', 'weights.bin')).equals(before)).to.equal(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--res-blocks: a resume may add residual blocks (the U-Net grows, recorded in meta.json) and later resumes keep them exactly; fewer blocks refused', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-grow-'));
    const env = { GENBOOK_CHECKPOINTS: dir };
    try {
      const meta = () => JSON.parse(fs.readFileSync(path.join(dir, 'ddpm-mnist-uncond', 'meta.json'), 'utf8'));
      let r = trainDiffusion(['ddpm-mnist-uncond', '--steps', '1', '--channels', '8,16'], env);
      expect(r.status, r.output).to.equal(0);
      const small = meta().parameters;
      expect(meta().config.resBlocks).to.equal(1);
      expect(meta()).to.not.have.any.keys('growths');
      r = trainDiffusion(['ddpm-mnist-uncond', '--steps', '2', '--resume', '--res-blocks', '2'], env);
      expect(r.status, r.output).to.equal(0);
      expect(r.output).to.include('growing the U-Net at step 1 from 1 to 2 residual blocks per level (40 new parameter tensors');
      // one ResBlock(c) more per level, down and up, with the time embedding's width 96: 2·Σ_c (4c + 9c² + c + 96c + c + 9c² + c)
      const grown = small + 2 * [8, 16].reduce((s, c) => s + 4 * c + 9 * c * c + c + 96 * c + c + 9 * c * c + c, 0);
      expect(meta().parameters).to.equal(grown);
      expect(meta().config.resBlocks).to.equal(2);
      expect(meta().config.levelChannels).to.deep.equal([8, 16]);
      expect(meta().growths).to.deep.equal([{ atStep: 1, resBlocks: [1, 2], parameters: [small, grown] }]);
      r = trainDiffusion(['ddpm-mnist-uncond', '--steps', '3', '--resume'], env);
      expect(r.status, r.output).to.equal(0);
      expect(r.output).to.include('resuming exactly from step 2');
      expect(meta().steps).to.equal(3);
      expect(meta().growths).to.have.length(1);
      const before = fs.readFileSync(path.join(dir, 'ddpm-mnist-uncond', 'weights.bin'));
      r = trainDiffusion(['ddpm-mnist-uncond', '--steps', '4', '--resume', '--res-blocks', '1'], env);
      expect(r.status).to.equal(2);
      expect(r.output).to.include('--resume: the saved U-Net has resBlocks 2; the flags ask for 1 (a resume can add residual blocks, not remove them)');
      r = trainDiffusion(['ddpm-mnist-uncond', '--steps', '4', '--resume', '--res-blocks', '0'], env);
      expect(r.status).to.equal(2);
      expect(r.output).to.include('--res-blocks: a positive integer');
      expect(meta().steps).to.equal(3);
      expect(fs.readFileSync(path.join(dir, 'ddpm-mnist-uncond', 'weights.bin')).equals(before)).to.equal(true);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('--data-parallel 2: the same losses as one thread, recorded in meta.json; refused when not a positive integer or for a network that is not a U-Net', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-dp-'));
    try {
      const losses = (sub: string, extra: string[]) => {
        const r = trainDiffusion(['ddpm-mnist-uncond', '--steps', '3', '--channels', '8,16', ...extra], { GENBOOK_CHECKPOINTS: path.join(dir, sub) });
        expect(r.status, r.output).to.equal(0);
        return { output: r.output, meta: JSON.parse(fs.readFileSync(path.join(dir, sub, 'ddpm-mnist-uncond', 'meta.json'), 'utf8')) };
      };
      const one = losses('one', []);
      const two = losses('two', ['--data-parallel', '2']);
      expect(two.output).to.include('2 data-parallel shards');
      expect(two.meta.dataParallel).to.equal(2);
      expect(one.meta.dataParallel).to.equal(undefined);
      const a = one.meta.lossHistory as { step: number; loss: number }[];
      const b = two.meta.lossHistory as { step: number; loss: number }[];
      expect(b.map((p) => p.step)).to.deep.equal([1, 2, 3]);
      b.forEach((p, i) => expect(p.loss, `loss at step ${p.step}`).to.be.closeTo(a[i].loss, 1e-4 * a[i].loss));
      for (const bad of ['0', '1.5']) {
        const r = trainDiffusion(['ddpm-mnist-uncond', '--steps', '1', '--data-parallel', bad], { GENBOOK_CHECKPOINTS: dir });
        expect(r.status, bad).to.equal(2);
        expect(r.output).to.include(`--data-parallel: a positive integer (shards of each batch, one per core); got ${bad}`);
      }
      const classifier = trainDiffusion(['ddpm-noisy-classifier', '--steps', '1', '--data-parallel', '2'], { GENBOOK_CHECKPOINTS: dir });
      expect(classifier.status).to.equal(2);
      expect(classifier.output).to.include('--data-parallel: only the U-Nets');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('ddpm-mnist-uncond is ddpm-mnist --p-uncond 1 bit for bit, in its own checkpoint (and differs from p_uncond 0.2)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-puncond-'));
    try {
      const weights: Record<string, Buffer> = {};
      for (const [folder, name, extra] of [['a', 'ddpm-mnist', ['--p-uncond', '1']], ['b', 'ddpm-mnist-uncond', []], ['c', 'ddpm-mnist', []]] as const) {
        fs.mkdirSync(path.join(dir, folder, name), { recursive: true });
        const r = trainDiffusion([name, '--steps', '2', ...extra], { GENBOOK_CHECKPOINTS: path.join(dir, folder) });
        expect(r.status, r.output).to.equal(0);
        const meta = JSON.parse(fs.readFileSync(path.join(dir, folder, name, 'meta.json'), 'utf8'));
        expect(meta.name).to.equal(name);
        expect(meta.pUncond).to.equal(extra.length || name === 'ddpm-mnist-uncond' ? 1 : 0.2);
        weights[folder] = fs.readFileSync(path.join(dir, folder, name, 'weights.bin'));
      }
      expect(weights.a.equals(weights.b), 'p_uncond 1 under both names').to.equal(true);
      expect(weights.a.equals(weights.c), 'p_uncond 1 against 0.2').to.equal(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a --resume whose --p-uncond differs from the saved one, and leaves the checkpoint as it was', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-puncond-'));
    try {
      const checkpoint = path.join(dir, 'ddpm-mnist');
      fs.mkdirSync(checkpoint);
      const meta = JSON.stringify({ name: 'ddpm-mnist', command: 'x', steps: 500, pUncond: 1, config: { levelChannels: [24, 48], middleBlocks: 1 } });
      fs.writeFileSync(path.join(checkpoint, 'meta.json'), meta);
      const r = trainDiffusion(['ddpm-mnist', '--steps', '1000', '--resume', '--p-uncond', '0.2'], { GENBOOK_CHECKPOINTS: dir });
      expect(r.status).to.not.equal(0);
      expect(r.output).to.include('the saved training drops labels with p_uncond 1; the flags ask for 0.2');
      expect(fs.readdirSync(checkpoint)).to.deep.equal(['meta.json']);
      expect(fs.readFileSync(path.join(checkpoint, 'meta.json'), 'utf8')).to.equal(meta);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
