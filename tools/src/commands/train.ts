/**
 * `genbook train <name> [--seed N] [--quick]` (`npm run train -- <name>`): train one of the course's
 * shipped models from scratch and save its checkpoint in `data/checkpoints/<name>/` (with
 * `--quick` or GENBOOK_QUICK=1: a few steps, saved under `build/checkpoints/`). Each trainer is a
 * library function, so a notebook can run the same code; add yours as one line in `trainers`.
 */
import { parseFlags, UsageError } from '../util/flags';

interface TrainerOptions {
  seed?: number;
  quick?: boolean;
  onProgress: (p: { step: number; steps: number; losses: Record<string, number>; elapsedSeconds: number; etaSeconds: number }) => void;
}

type Trainer = { help: string; run: (options: TrainerOptions) => Promise<Record<string, unknown>> };

// The library is loaded lazily: `genbook --help` must not pay for TensorFlow.js.
type Genbook = typeof import('genbook');
const lib = (): Genbook => require('genbook') as Genbook; // eslint-disable-line @typescript-eslint/no-require-imports

export const trainers: Record<string, Trainer> = {
  'mnist-classifier': { help: 'the MNIST CNN behind MNIST-FID / MNIST-IS (notebook 11)', run: (o) => lib().metrics.makeMnistClassifierCheckpoint(o) },
  pixelcnn: { help: 'PixelCNN on binarised MNIST, exact test NLL (notebook 07)', run: async (o) => ({ ...(await lib().models.makePixelCnnCheckpoint(o)) }) },
  dcgan: { help: 'DCGAN generator on MNIST (notebook 05)', run: (o) => lib().gan.makeMnistGanCheckpoint('dcgan', o) },
  'wgan-gp': { help: 'WGAN-GP generator on MNIST (notebook 05)', run: (o) => lib().gan.makeMnistGanCheckpoint('wgan-gp', o) },
  cgan: { help: 'conditional DCGAN generator on MNIST (notebook 06)', run: (o) => lib().gan.makeMnistGanCheckpoint('cgan', o) },
  acgan: { help: 'AC-GAN generator (class-predicting discriminator) on MNIST (notebook 06)', run: (o) => lib().gan.makeMnistGanCheckpoint('acgan', o) },
  'ae-mnist-linear': { help: 'linear autoencoder, code 16, MNIST (notebook 03)', run: (o) => lib().models.makeAutoencoderCheckpoint('ae-mnist-linear', o) },
  'ae-mnist-dense': { help: 'dense ReLU autoencoder, code 16, MNIST (notebook 03)', run: (o) => lib().models.makeAutoencoderCheckpoint('ae-mnist-dense', o) },
  'ae-mnist-conv': { help: 'convolutional autoencoder, code 16, MNIST (notebook 03)', run: (o) => lib().models.makeAutoencoderCheckpoint('ae-mnist-conv', o) },
  'dae-mnist': { help: 'denoising dense autoencoder, MNIST (notebook 03)', run: (o) => lib().models.makeAutoencoderCheckpoint('dae-mnist', o) },
  'vae-mnist': { help: 'VAE with a 20-D latent on binarised MNIST (notebook 04)', run: (o) => lib().models.makeAutoencoderCheckpoint('vae-mnist', o) },
  'vae-mnist-2d': { help: 'VAE with a 2-D latent on binarised MNIST (notebook 04)', run: (o) => lib().models.makeAutoencoderCheckpoint('vae-mnist-2d', o) },
  'aae-mnist': { help: 'adversarial autoencoder, 2-D ring prior, MNIST (notebook 04)', run: (o) => lib().models.makeAutoencoderCheckpoint('aae-mnist', o) },
  'vqvae-mnist': { help: 'dense VQ-VAE, K = 64, binarised MNIST (notebook 04)', run: (o) => lib().models.makeAutoencoderCheckpoint('vqvae-mnist', o) },
};

function usage(): string {
  const width = Math.max(...Object.keys(trainers).map((n) => n.length));
  return ['usage: genbook train <name> [--seed N] [--quick]', '', ...Object.entries(trainers).map(([n, t]) => `  ${n.padEnd(width)}  ${t.help}`)].join('\n');
}

export async function trainCommand(args: string[]): Promise<number> {
  const flags = parseFlags(args, { seed: 'number', quick: 'boolean', help: 'boolean' });
  const [name, ...extra] = flags._;
  if (flags.help || !name) {
    console.log(usage());
    return name || flags.help ? 0 : 2;
  }
  if (extra.length) throw new UsageError(`one model at a time; got ${flags._.join(' ')}`);
  const trainer = trainers[name];
  if (!trainer) throw new UsageError(`unknown model "${name}"\n\n${usage()}`);
  const { backend } = lib();
  const setup = await backend.setup(undefined, { log: null });
  console.log(setup.message);
  let lastLine = 0;
  const summary = await trainer.run({
    seed: flags.seed as number | undefined,
    quick: flags.quick === true ? true : undefined,
    onProgress: (p) => {
      const now = Date.now();
      if (now - lastLine < 10000 && p.step !== p.steps) return;
      lastLine = now;
      const losses = Object.entries(p.losses).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ');
      console.log(`${name}: step ${p.step}/${p.steps}  ${losses}  ${p.elapsedSeconds.toFixed(0)} s elapsed, ~${p.etaSeconds.toFixed(0)} s left`);
    },
  });
  console.log(`${name}: done ${JSON.stringify(summary)}`);
  return 0;
}
