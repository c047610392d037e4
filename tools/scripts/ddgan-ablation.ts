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
async function main() {
  await backend.setup(undefined, { log: null });
  const a = Object.fromEntries(process.argv.slice(2).map((s) => s.split('=')));
  const steps = Number(a.steps ?? 1000), T = Number(a.T ?? 4), zdim = Number(a.z ?? 4), r1 = Number(a.r1 ?? 0.1);
  const lrG = Number(a.lrG ?? 1e-3), lrD = Number(a.lrD ?? 1e-3), enc = (a.enc ?? 'one-hot') as systems.DdganTimeEncoding;
  const hidden = (a.h ?? '128,128,128').split(',').map(Number), every = Number(a.every ?? 250), batch = Number(a.batch ?? 256);
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
main();
