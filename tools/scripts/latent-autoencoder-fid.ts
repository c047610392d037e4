/**
 * The floor latent diffusion can reach (notebook 10; LDM, Rombach et al. 2022, §3.1): the MNIST-FID
 * of the latent autoencoder's reconstructions D(E(x)) of `count` training digits, next to the
 * MNIST-FID of those digits themselves (the small-sample bias), both against the 10 000 MNIST test
 * digits (metrics.mnistFid, as `npm run evaluate`). A latent model whose samples score far above the
 * first number is short of training; the autoencoder is not what limits it.
 *
 *   npx tsx tools/scripts/latent-autoencoder-fid.ts [--count 1000] [--seed 3]
 *
 * GENBOOK_CHECKPOINTS=DIR measures DIR/ddpm-latent-autoencoder instead of the shipped one.
 * Measured 2026-12-06 (1000 digits, seed 3): reconstructions 2.42, the digits 2.17.
 */
import { backend, data, metrics, models, tf, train } from 'genbook';
import { parseFlags } from '../src/util/flags';

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), { count: 'number', seed: 'number' });
  const count = (flags.count as number | undefined) ?? 1000;
  const seed = (flags.seed as number | undefined) ?? 3;
  await backend.setup(undefined, { log: null });
  const dir = train.checkpointDir('ddpm-latent-autoencoder');
  const ae = models.loadDiffusionCheckpoint(dir).network as models.LatentAutoencoder;
  const set = data.mnist({ split: 'train', limit: count, seed });
  const x = tf.tensor4d(set.images, [set.count, 28, 28, 1]);
  const reconstruction = tf.tidy(() => ae.decode(ae.encode(x)));
  const test = await metrics.mnistTestStatistics();
  const digits = await metrics.mnistFid(x, test);
  const reconstructions = await metrics.mnistFid(reconstruction, test);
  console.log(JSON.stringify({ checkpoint: dir, count: set.count, seed, mnistFidDigits: digits, mnistFidReconstructions: reconstructions }));
  tf.dispose([x, reconstruction]);
}

void main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
