/**
 * Train one of the course's MNIST autoencoder-family models and save it as a checkpoint in
 * data/checkpoints/<name>/ (notebooks 03-pca-vs-autoencoder and 04-vae-elbo load them in full mode),
 * with its measured test numbers in meta.json and data/results/<name>.json.
 *
 *   npx tsx tools/scripts/train-autoencoders.ts <name> [--steps N] [--seed S]
 *
 * names: ae-mnist-linear, ae-mnist-dense, ae-mnist-conv, dae-mnist (code size 16, MSE),
 *        vae-mnist (20-D latent), vae-mnist-2d (2-D latent), aae-mnist, vqvae-mnist
 */
import { backend, data, models, tf, train } from 'genbook';

const NAMES = [...models.AE_MNIST_VARIANTS, 'vae-mnist', 'vae-mnist-2d', 'aae-mnist', 'vqvae-mnist'] as const;
type Name = (typeof NAMES)[number];

function flag(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value)) throw new RangeError(`--${name} needs a number; got ${process.argv[i + 1]}`);
  return value;
}

/** At most ~200 points: window means of the per-step losses. */
function thin(history: Record<string, number>[]): { step: number; [key: string]: number }[] {
  const window = Math.max(1, Math.ceil(history.length / 200));
  return models.smoothHistory(history, window).map(({ step, losses }) => ({ step, ...Object.fromEntries(Object.entries(losses).map(([k, v]) => [k, Number(v.toPrecision(6))])) }));
}

async function main(): Promise<void> {
  const name = process.argv[2] as Name;
  if (!(NAMES as readonly string[]).includes(name)) {
    console.error(`usage: npx tsx tools/scripts/train-autoencoders.ts <${NAMES.join('|')}> [--steps N] [--seed S]`);
    process.exit(2);
  }
  const seed = flag('seed') ?? 1;
  const stepsFlag = flag('steps');
  const setup = await backend.setup(undefined, { log: null });
  const command = `npx tsx tools/scripts/train-autoencoders.ts ${process.argv.slice(2).join(' ')}`.trim();
  let lastReport = 0;
  const onProgress = (p: { step: number; steps: number; losses: Record<string, number>; elapsedSeconds: number; etaSeconds: number }) => {
    if (p.elapsedSeconds - lastReport < 30 && p.step !== p.steps) return;
    lastReport = p.elapsedSeconds;
    const losses = Object.entries(p.losses).map(([k, v]) => `${k} ${v.toFixed(4)}`).join(', ');
    console.log(`${name} ${p.step}/${p.steps} ${losses} · ${p.elapsedSeconds.toFixed(0)} s, ETA ${p.etaSeconds.toFixed(0)} s`);
  };
  const common = { command, seed, backend: setup.name };
  console.log(`${name}: backend ${setup.name}, seed ${seed} → ${train.checkpointDir(name)}`);

  if ((models.AE_MNIST_VARIANTS as readonly string[]).includes(name)) {
    const variant = name as models.AeMnistVariant;
    const run = await models.trainAeMnist(variant, { steps: stepsFlag, seed, onProgress });
    const meta = { ...common, steps: run.steps, trainSeconds: Math.round(run.trainSeconds), codeSize: run.model.codeSize, testMse: run.testMse, history: thin(run.history) };
    await models.saveAutoencoderCheckpoint(run.model, name, meta);
    train.writeResult({
      model: name,
      family: 'AE',
      notebook: '03-pca-vs-autoencoder',
      metrics: { testMsePerPixel: run.testMse! },
      trainSeconds: Math.round(run.trainSeconds),
      command,
      mode: 'full',
      notes: `code size ${run.model.codeSize}, ${run.steps} steps, backend ${setup.name}${variant === 'dae-mnist' ? '; MSE of denoised Gaussian-noise (σ 0.5) inputs against clean test images' : ''}`,
    });
    console.log(`${name}: test MSE ${run.testMse!.toFixed(5)} per pixel, ${run.trainSeconds.toFixed(0)} s`);
  } else if (name === 'vae-mnist' || name === 'vae-mnist-2d') {
    const latentDim = name === 'vae-mnist' ? 20 : 2;
    const steps = stepsFlag ?? (name === 'vae-mnist' ? 5000 : 3000);
    const run = await models.trainVaeMnist({ latentDim, steps, seed, onProgress });
    const test = run.test!;
    const x = data.mnist({ split: 'test', limit: 1000, binarize: 'threshold' });
    const iwae = tf.tidy(() => tf.mean(run.vae.logLikelihoodEstimate(tf.tensor2d(x.images, [x.count, 784]), 100, 7)).dataSync()[0]);
    const meta = { ...common, ...run.config, trainSeconds: Math.round(run.trainSeconds), test, iwaeLogLikelihood1000: iwae, binarize: 'threshold', history: thin(run.history) };
    await models.saveVaeCheckpoint(run.vae, name, meta);
    train.writeResult({
      model: name,
      family: 'VAE',
      notebook: '04-vae-elbo',
      metrics: { testNegativeElboNats: test.negativeElbo, testReconstructionNats: test.reconstruction, testKlNats: test.kl, testNllIwae100Nats: -iwae },
      trainSeconds: Math.round(run.trainSeconds),
      command,
      mode: 'full',
      notes: `MNIST binarised at 0.5; latent ${latentDim}; ${steps} steps of batch 128; negative ELBO on all 10 000 test images (one ε each); IWAE (K = 100) on the first 1000; backend ${setup.name}`,
    });
    console.log(`${name}: test negative ELBO ${test.negativeElbo.toFixed(2)} nats (reconstruction ${test.reconstruction.toFixed(2)}, KL ${test.kl.toFixed(2)}); IWAE log p(x) ≈ ${iwae.toFixed(2)}; ${run.trainSeconds.toFixed(0)} s`);
  } else if (name === 'aae-mnist') {
    const run = await models.trainAaeMnist({ steps: stepsFlag, seed, onProgress });
    await models.saveAaeCheckpoint(run.aae, name, { ...common, steps: run.steps, trainSeconds: Math.round(run.trainSeconds), history: thin(run.history) });
    console.log(`${name}: ${run.trainSeconds.toFixed(0)} s, last ${JSON.stringify(run.history.at(-1))}`);
  } else {
    const run = await models.trainVqVaeMnist({ steps: stepsFlag, seed, onProgress });
    await models.saveVqVaeCheckpoint(run.model, name, { ...common, steps: run.steps, trainSeconds: Math.round(run.trainSeconds), history: thin(run.history) });
    console.log(`${name}: ${run.trainSeconds.toFixed(0)} s, last ${JSON.stringify(run.history.at(-1))}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
