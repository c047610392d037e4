/**
 * Measure the course's diffusion checkpoints with the evaluation metrics (notebook 11's MNIST
 * classifier as feature network) and write data/results/<model>.json for notebooks 08–11:
 *
 *   npx tsx tools/scripts/eval-diffusion.ts ddim [--count N]       DDIM 50, 20, 10 steps (η = 0), unconditional (∅)
 *   npx tsx tools/scripts/eval-diffusion.ts ddpm [--count N]       DDPM Algorithm 2, 1000 steps, unconditional (∅)
 *   npx tsx tools/scripts/eval-diffusion.ts cfg [--count N]        CFG sweep over w (DDIM 20): conditional accuracy, FID
 *   npx tsx tools/scripts/eval-diffusion.ts guidance [--count N]   classifier guidance s = 1, 10 (DDIM 50)
 *   npx tsx tools/scripts/eval-diffusion.ts latent [--count N]     latent diffusion with cross-attention, CFG sweep (DDIM 20)
 *
 * Default count 1000 samples per configuration (the metrics' advice for reported numbers). Every
 * configuration is seeded; seconds per sample are wall time on this machine, batch 100.
 */
import { backend, diffusion, metrics, models, tf, train } from 'genbook';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value)) throw new RangeError(`--${name} needs a number; got ${process.argv[i + 1]}`);
  return value;
}

const PARTS = ['ddim', 'ddpm', 'cfg', 'guidance', 'latent'] as const;
type Part = (typeof PARTS)[number];

async function main(): Promise<void> {
  const part = process.argv[2] as Part;
  if (!PARTS.includes(part)) {
    console.error(`usage: npx tsx tools/scripts/eval-diffusion.ts <${PARTS.join('|')}> [--count N]`);
    process.exit(2);
  }
  const count = flag('count', 1000);
  const batchSize = flag('batch', 100);
  const setup = await backend.setup(undefined, { log: null });
  const command = `npx tsx tools/scripts/eval-diffusion.ts ${process.argv.slice(2).join(' ')}`.trim();
  const log = (s: string) => console.log(`[${new Date().toISOString().slice(11, 19)}] ${s}`);
  const schedule = diffusion.noiseSchedule('linear', 1000);
  const classifier = await metrics.loadMnistClassifier();
  const reference = await metrics.mnistTestStatistics({ classifier });
  const labels = Array.from({ length: count }, (_, i) => i % 10);
  const onBatch = (done: number, n: number) => log(`  ${done}/${n}`);

  if (part === 'latent') {
    const ae = models.loadDiffusionCheckpoint(train.checkpointDir('ddpm-latent-autoencoder')).network as models.LatentAutoencoder;
    const { network, meta } = models.loadDiffusionCheckpoint(train.checkpointDir('ddpm-latent-cfg'));
    const net = network as models.DiffusionUNet;
    const metricsOut: Record<string, number> = {};
    let secondsPerSample = 0;
    for (const w of [0, 1, 2, 3]) {
      const { samples, seconds } = await diffusion.generate({ network: net, schedule, sampleShape: [7, 7, ae.config.latentChannels], count, seed: 7, batchSize, sampler: 'ddim', steps: 20, labels, guidanceWeight: w, onBatch });
      const start = performance.now();
      const images = ae.decode(samples);
      const decodeSeconds = (performance.now() - start) / 1000;
      const evaluation = await metrics.evaluateSamples(images, { labels, classifier, reference });
      log(`latent w = ${w}: ${JSON.stringify(evaluation)}; ${(seconds / count).toFixed(4)} s/sample + decode ${(decodeSeconds / count).toFixed(4)}`);
      metricsOut[`conditionalAccuracy_w${w}`] = evaluation.conditionalAccuracy ?? NaN;
      metricsOut[`mnistFid_w${w}`] = evaluation.mnistFid;
      if (w === 0) {
        metricsOut.mnistIs = evaluation.mnistIs;
        secondsPerSample = (seconds + decodeSeconds) / count;
      }
      tf.dispose([samples, images]);
    }
    const bestW = [0, 1, 2, 3].reduce((a, b) => (metricsOut[`conditionalAccuracy_w${b}`] > metricsOut[`conditionalAccuracy_w${a}`] ? b : a));
    metricsOut.mnistFid = metricsOut.mnistFid_w0;
    metricsOut.conditionalAccuracy = metricsOut[`conditionalAccuracy_w${bestW}`];
    metricsOut.bestW = bestW;
    train.writeResult({
      model: 'ddpm-latent-cfg', family: 'Diffusion', notebook: '10-latent-diffusion', metrics: metricsOut, secondsPerSample,
      trainSeconds: (meta.trainSeconds ?? 0) + ((models.loadDiffusionCheckpoint(train.checkpointDir('ddpm-latent-autoencoder')).meta.trainSeconds as number | undefined) ?? 0),
      command, mode: 'full', notes: `latent diffusion (7×7×4 latents, cross-attention to label tokens), DDIM 20 steps, ${count} samples per w, batch ${batchSize}, ${setup.name}; mnistFid and secondsPerSample at w = 0, conditionalAccuracy at the best w`,
    });
    return;
  }

  const { network, meta } = models.loadDiffusionCheckpoint(train.checkpointDir('ddpm-mnist'));
  const unet = network as models.DiffusionUNet;
  const trainSeconds = meta.trainSeconds;
  const base = { family: 'Diffusion', notebook: '09-ddim-guidance', command, mode: 'full' as const, trainSeconds };

  if (part === 'ddim' || part === 'ddpm') {
    const configs = part === 'ddpm' ? [{ model: 'ddpm-mnist', sampler: 'ddpm' as const, steps: 1000 }] : [50, 20, 10].map((S) => ({ model: `ddpm-mnist-ddim${S}`, sampler: 'ddim' as const, steps: S }));
    for (const c of configs) {
      log(`${c.model}: ${count} samples, ${c.sampler} ${c.steps} steps`);
      const { samples, seconds } = await diffusion.generate({ network: unet, schedule, sampleShape: [28, 28, 1], count, seed: 1, batchSize, sampler: c.sampler, steps: c.steps, onBatch });
      const images = diffusion.toUnitRange(samples);
      const evaluation = await metrics.evaluateSamples(images, { classifier, reference });
      log(`${c.model}: ${JSON.stringify(evaluation)}, ${(seconds / count).toFixed(4)} s/sample`);
      train.writeResult({
        ...base, model: c.model, notebook: c.sampler === 'ddpm' ? '08-diffusion-ddpm' : '09-ddim-guidance',
        metrics: { mnistFid: evaluation.mnistFid, mnistIs: evaluation.mnistIs, mnistIsSharpness: evaluation.mnistIsSharpness, mnistIsDiversity: evaluation.mnistIsDiversity, fidSamples: evaluation.fidSamples, steps: c.steps },
        secondsPerSample: seconds / count,
        notes: `U-Net ${unet.parameterCount()} parameters (ε(x_t, t, ∅) of the CFG-trained checkpoint), ${c.sampler === 'ddpm' ? 'Algorithm 2, σ_t² = β_t' : 'DDIM η = 0, uniform spacing'}, ${c.steps} steps, no clipping, ${count} samples, batch ${batchSize}, ${setup.name}`,
      });
      tf.dispose([samples, images]);
    }
    return;
  }

  if (part === 'cfg') {
    const out: Record<string, number> = {};
    let secondsW = 0;
    const ws = [0, 1, 2, 3, 5];
    for (const w of ws) {
      const { samples, seconds } = await diffusion.generate({ network: unet, schedule, sampleShape: [28, 28, 1], count, seed: 3, batchSize, sampler: 'ddim', steps: 20, labels, guidanceWeight: w, onBatch });
      const images = diffusion.toUnitRange(samples);
      const evaluation = await metrics.evaluateSamples(images, { labels, classifier, reference });
      log(`cfg w = ${w}: ${JSON.stringify(evaluation)}, ${(seconds / count).toFixed(4)} s/sample`);
      out[`conditionalAccuracy_w${w}`] = evaluation.conditionalAccuracy ?? NaN;
      out[`mnistFid_w${w}`] = evaluation.mnistFid;
      if (w === 2) secondsW = seconds / count;
      tf.dispose([samples, images]);
    }
    const bestW = ws.reduce((a, b) => (out[`conditionalAccuracy_w${b}`] > out[`conditionalAccuracy_w${a}`] ? b : a));
    train.writeResult({
      ...base, model: 'ddpm-mnist-cfg',
      metrics: { conditionalAccuracy: out[`conditionalAccuracy_w${bestW}`], bestW, mnistFid: out[`mnistFid_w${bestW}`], ...out },
      secondsPerSample: secondsW,
      notes: `classifier-free guidance, DDIM 20 steps (2 network passes per step), ${count} samples per w (classes 0–9 in turn), batch ${batchSize}, ${setup.name}; secondsPerSample at w = 2`,
    });
    return;
  }

  if (part === 'guidance') {
    const clf = models.loadDiffusionCheckpoint(train.checkpointDir('ddpm-noisy-classifier')).network as models.NoisyClassifier;
    const gradientFor = (ys: number[]) => diffusion.classifierLogProbGradient(clf.asGuidanceClassifier(), ys);
    const out: Record<string, number> = {};
    let secondsPerSample = 0;
    for (const scale of [0, 1, 10]) {
      const { samples, seconds } = await diffusion.generate({ network: unet, schedule, sampleShape: [28, 28, 1], count, seed: 5, batchSize, sampler: 'ddim', steps: 50, labels, classifierGuidance: { gradientFor, scale }, onBatch });
      const images = diffusion.toUnitRange(samples);
      const evaluation = await metrics.evaluateSamples(images, { labels, classifier, reference });
      log(`guidance s = ${scale}: ${JSON.stringify(evaluation)}, ${(seconds / count).toFixed(4)} s/sample`);
      out[`conditionalAccuracy_s${scale}`] = evaluation.conditionalAccuracy ?? NaN;
      out[`mnistFid_s${scale}`] = evaluation.mnistFid;
      if (scale === 10) secondsPerSample = seconds / count;
      tf.dispose([samples, images]);
    }
    train.writeResult({
      ...base, model: 'ddpm-mnist-classifier-guidance',
      metrics: { conditionalAccuracy: out.conditionalAccuracy_s10, mnistFid: out.mnistFid_s10, ...out },
      secondsPerSample,
      notes: `classifier guidance (Dhariwal & Nichol Algorithm 2, DDIM 50 steps) of ε(x_t, t, ∅) with the noisy classifier ddpm-noisy-classifier, ${count} samples per scale, batch ${batchSize}, ${setup.name}; headline numbers at s = 10`,
    });
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
