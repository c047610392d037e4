/**
 * DDIM sampler variants on one diffusion checkpoint (DDIM, Song et al. 2021, eqs. 12 and 16 and
 * §D.2; notebook 09): the same seeded x_T, S steps, and for each variant `spacing:η` the MNIST-FID
 * and MNIST-IS of `count` samples against the test digits (metrics.evaluateSamples, as
 * `npm run evaluate`), plus with `clip` the DDPM code's x̂_0 clipping to [−1, 1]. One JSON line
 * per variant.
 *
 *   npx tsx tools/scripts/ddim-variants.ts [--checkpoint ddpm-mnist-uncond] [--count 1000] [--steps 50] [--seed 1] \
 *       uniform:0 uniform:0.5 uniform:1 trailing:0 quadratic:0 uniform:0:clip
 *
 * The headline `npm run evaluate -- ddpm-ddim50` is `uniform:0` with the same seed and count.
 * GENBOOK_CHECKPOINTS=DIR measures DIR/<checkpoint> instead of the shipped one.
 */
import { backend, diffusion, metrics, models, tf, train } from 'genbook';
import { parseFlags, UsageError } from '../src/util/flags';

const SPACINGS = ['uniform', 'quadratic', 'trailing'] as const;

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), { checkpoint: 'string', count: 'number', steps: 'number', seed: 'number' });
  const checkpoint = (flags.checkpoint as string | undefined) ?? 'ddpm-mnist-uncond';
  const count = (flags.count as number | undefined) ?? 1000;
  const steps = (flags.steps as number | undefined) ?? 50;
  const seed = (flags.seed as number | undefined) ?? 1;
  const variants = (flags._.length ? flags._ : ['uniform:0', 'uniform:0.5', 'uniform:1']).map((v) => {
    const [spacing, eta, clip, ...rest] = String(v).split(':');
    const e = Number(eta);
    if (!SPACINGS.includes(spacing as (typeof SPACINGS)[number]) || !(e >= 0 && e <= 1) || (clip !== undefined && clip !== 'clip') || rest.length) {
      throw new UsageError(`a variant is spacing:η[:clip] with spacing ${SPACINGS.join('|')} and η in [0, 1]; got ${v}`);
    }
    return { spacing: spacing as (typeof SPACINGS)[number], eta: e, clip: clip === 'clip' };
  });
  if (!Number.isInteger(count) || count < 2) throw new UsageError(`--count must be an integer >= 2; got ${count}`);
  const setup = await backend.setup(undefined, { log: null });
  const dir = train.checkpointDir(checkpoint);
  const unet = models.loadDiffusionCheckpoint(dir).network as models.DiffusionUNet;
  const steps0 = train.readMeta(dir)?.steps;
  const classifier = await metrics.loadMnistClassifier();
  const reference = await metrics.mnistTestStatistics({ classifier });
  for (const v of variants) {
    const start = performance.now();
    const { samples } = await diffusion.generate({
      network: unet, schedule: diffusion.noiseSchedule('linear', 1000), sampleShape: [28, 28, 1], count, seed, batchSize: 100,
      sampler: 'ddim', steps, spacing: v.spacing, eta: v.eta, clipX0: v.clip ? [-1, 1] : null,
    });
    const seconds = (performance.now() - start) / 1000;
    const images = diffusion.toUnitRange(samples);
    const e = await metrics.evaluateSamples(images, { classifier, reference });
    tf.dispose([samples, images]);
    console.log(JSON.stringify({ checkpoint: dir, trainingSteps: steps0, ddimSteps: steps, ...v, samples: count, seed, mnistFid: e.mnistFid, mnistIs: e.mnistIs, samplingSeconds: seconds, backend: setup.name, threads: backend.threadsInUse() ?? null }));
  }
  unet.dispose();
}

main().catch((e) => {
  console.error(e instanceof UsageError ? e.message : e);
  process.exit(e instanceof UsageError ? 2 : 1);
});
