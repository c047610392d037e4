/**
 * Ablation of the Denoising Diffusion GAN on the ring of 8 Gaussians (notebook 12 §6.1): trains
 * `systems.DenoisingDiffusionGan` in chunks of `every` iterations (chunk k uses seed 100 + k·every)
 * and prints mode coverage (`gan.modeCoverage`, radius 3σ, 1/32 of the samples) of 2000 samples
 * after each chunk. Settings as key=value:
 *
 *   npx tsx tools/scripts/ddgan-ablation.ts steps=2000 every=500 r1=0.01          (the default)
 *   npx tsx tools/scripts/ddgan-ablation.ts steps=1000 every=500 r1=0              (no R1)
 *   npx tsx tools/scripts/ddgan-ablation.ts steps=2000 every=500 r1=0.1            (strong R1)
 *   npx tsx tools/scripts/ddgan-ablation.ts steps=1000 every=500 r1=0.01 enc=sinusoidal
 *   npx tsx tools/scripts/ddgan-ablation.ts steps=1000 every=500 r1=0.01 z=1
 *   npx tsx tools/scripts/ddgan-ablation.ts steps=1000 every=500 r1=0.01 lrG=2e-3 lrD=2e-3
 *
 * Other keys: T (4), h (hidden widths, "128,128,128"), batch (256).
 */
import { backend, data, gan, systems, tf } from 'genbook';
import { parseFlags, UsageError } from '../src/util/flags';
async function main() {
  const a = parseFlags(
    process.argv.slice(2),
    { steps: 'number', T: 'number', z: 'number', r1: 'number', lrG: 'number', lrD: 'number', enc: 'string', h: 'string', every: 'number', batch: 'number' },
    { assignments: true },
  );
  const num = (name: string, fallback: number): number => (a[name] as number | undefined) ?? fallback;
  await backend.setup(undefined, { log: null });
  const steps = num('steps', 1000), T = num('T', 4), zdim = num('z', 4), r1 = num('r1', 0.1);
  const lrG = num('lrG', 1e-3), lrD = num('lrD', 1e-3), enc = ((a.enc as string | undefined) ?? 'one-hot') as systems.DdganTimeEncoding;
  const hidden = ((a.h as string | undefined) ?? '128,128,128').split(',').map(Number), every = num('every', 250), batch = num('batch', 256);
  const std = 0.05;
  const centres = Array.from({ length: 8 }, (_, k) => [2 * Math.cos((2 * Math.PI * k) / 8), 2 * Math.sin((2 * Math.PI * k) / 8)]);
  const model = new systems.DenoisingDiffusionGan({ T, latentDim: zdim, hiddenUnits: hidden, timeEncoding: enc, seed: 1 });
  let done = 0; const t0 = Date.now();
  while (done < steps) {
    const run = await systems.trainDdgan({ model, data: (rng, n) => data.toyTensor(data.ring8({ n, std, seed: rng.tfSeed() })), steps: every, batchSize: batch, seed: 100 + done, generatorLearningRate: lrG, discriminatorLearningRate: lrD, r1Weight: r1 });
    done += every;
    const { x0 } = model.sample(2000, 7);
    const c = gan.modeCoverage(x0.arraySync(), centres, 3 * std, 1 / 32);
    x0.dispose();
    const h = run.history.slice(-50); const m = (k: keyof systems.DdganLosses) => (h.reduce((s, r) => s + r[k], 0) / h.length).toFixed(3);
    console.log(`${done} ${((Date.now() - t0) / 1000).toFixed(0)}s modes ${c.modesCovered} HQ ${(100 * c.highQualityShare).toFixed(1)}% counts ${c.counts.join(' ')} dL ${m('discriminatorLoss')} gL ${m('generatorLoss')} r1 ${m('r1')} D ${m('dReal')}/${m('dFake')} tensors ${tf.memory().numTensors}`);
  }
}
main().catch((e) => {
  console.error(e instanceof UsageError ? e.message : e);
  process.exit(e instanceof UsageError ? 2 : 1);
});
