/**
 * Train one of the course's MNIST autoencoder-family models and save it as a checkpoint in
 * data/checkpoints/<name>/ (notebooks 03-pca-vs-autoencoder and 04-vae-elbo load them in full mode),
 * with its measured test numbers in meta.json and data/results/<name>.json — the same as
 * `npm run train -- <name>`, with the step count and seed as flags:
 *
 *   npx tsx tools/scripts/train-autoencoders.ts <name> [--steps N] [--seed S]
 *
 * names: ae-mnist-linear, ae-mnist-dense, ae-mnist-conv, dae-mnist (code size 16, MSE),
 *        vae-mnist (20-D latent), vae-mnist-2d (2-D latent), aae-mnist, vqvae-mnist
 */
import { backend, models } from 'genbook';

function flag(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value)) throw new RangeError(`--${name} needs a number; got ${process.argv[i + 1]}`);
  return value;
}

async function main(): Promise<void> {
  const name = process.argv[2] as models.AutoencoderCheckpointName;
  if (!(models.AUTOENCODER_CHECKPOINTS as readonly string[]).includes(name)) {
    console.error(`usage: npx tsx tools/scripts/train-autoencoders.ts <${models.AUTOENCODER_CHECKPOINTS.join('|')}> [--steps N] [--seed S]`);
    process.exit(2);
  }
  const setup = await backend.setup(undefined, { log: null });
  console.log(`${name}: ${setup.message}`);
  let lastReport = 0;
  const summary = await models.makeAutoencoderCheckpoint(name, {
    steps: flag('steps'),
    seed: flag('seed'),
    command: `npx tsx tools/scripts/train-autoencoders.ts ${process.argv.slice(2).join(' ')}`.trim(),
    onProgress: (p) => {
      if (p.elapsedSeconds - lastReport < 30 && p.step !== p.steps) return;
      lastReport = p.elapsedSeconds;
      const losses = Object.entries(p.losses).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ');
      console.log(`${name} ${p.step}/${p.steps} ${losses} · ${p.elapsedSeconds.toFixed(0)} s, ETA ${p.etaSeconds.toFixed(0)} s`);
    },
  });
  console.log(`${name}: done ${JSON.stringify(summary)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
