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
import { parseFlags, UsageError } from '../src/util/flags';

const USAGE = `usage: npx tsx tools/scripts/train-autoencoders.ts <${models.AUTOENCODER_CHECKPOINTS.join('|')}> [--steps N] [--seed S]`;

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), { steps: 'number', seed: 'number' });
  const name = flags._[0] as models.AutoencoderCheckpointName;
  if (flags._.length !== 1 || !(models.AUTOENCODER_CHECKPOINTS as readonly string[]).includes(name)) throw new UsageError(USAGE);
  const setup = await backend.setup(undefined, { log: null });
  console.log(`${name}: ${setup.message}`);
  let lastReport = 0;
  const summary = await models.makeAutoencoderCheckpoint(name, {
    steps: flags.steps as number | undefined,
    seed: flags.seed as number | undefined,
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
  console.error(e instanceof UsageError ? e.message : e);
  process.exit(e instanceof UsageError ? 2 : 1);
});
