/**
 * Train one of the course's MNIST GANs and save its generator in data/checkpoints/<variant>/ —
 * the same as `npm run train -- <variant>`, with the iteration count, seed and k as flags:
 *
 *   npx tsx tools/scripts/train-gan.ts <dcgan|cgan|acgan|wgan|wgan-gp> [--iterations N] [--seed S] [--k K] [--base-filters F] [--lr L] [--lr-d L] [--r1 G] [--dir D] [--resume]
 *
 * The generator is saved every 250 iterations and at the end, with the state `--resume` needs in
 * <dir>/resume/; meta.json records the first command and every resume (`resumedWith`).
 * `--dir` trains somewhere else than data/checkpoints/<variant> (e.g. to compare before replacing).
 * `--base-filters F` sets G's and D's width (default the shipped checkpoint's: 64 for dcgan, 32 for the
 * others; doubling it quadruples the convolutions' multiply-adds); a resume keeps the saved width.
 * `--lr L` sets both players' learning rate (default: the paper's, see lib/src/gan/mnist.ts; on a
 * resume, the saved training's last rate). A new rate on a resume is a step decay; meta.json's
 * `learningRates` lists every rate with the iteration it started at. `--lr-d L` gives D its own rate
 * (the two time-scale update rule, Heusel et al. 2017; e.g. `--lr 1e-4 --lr-d 4e-4`).
 * `--r1 G` adds the R1 penalty (G/2)·E_real ‖∇_x D(x)‖² to D's loss (Mescheder et al. 2018; e.g. `--r1 1`);
 * a resume keeps the saved weight unless given another (meta.json's `r1Weight`).
 */
import { backend, gan } from 'genbook';
import { parseFlags, UsageError } from '../src/util/flags';

async function main(): Promise<void> {
  const usage = `usage: npx tsx tools/scripts/train-gan.ts <${gan.MNIST_GAN_VARIANTS.join('|')}> [--iterations N] [--seed S] [--k K] [--base-filters F] [--lr L] [--lr-d L] [--r1 G] [--dir D] [--resume]`;
  const flags = parseFlags(process.argv.slice(2), { iterations: 'number', seed: 'number', k: 'number', 'base-filters': 'number', lr: 'number', 'lr-d': 'number', r1: 'number', dir: 'string', resume: 'boolean' });
  const [variant, ...extra] = flags._ as [gan.MnistGanVariant, ...string[]];
  if (!gan.MNIST_GAN_VARIANTS.includes(variant) || extra.length > 0) throw new UsageError(usage);
  const setup = await backend.setup(undefined, { log: null });
  console.log(setup.message);
  const result = await gan.makeMnistGanCheckpoint(variant, {
    iterations: flags.iterations as number | undefined,
    seed: flags.seed as number | undefined,
    k: flags.k as number | undefined,
    baseFilters: flags['base-filters'] as number | undefined,
    learningRate: flags.lr as number | undefined,
    discriminatorLearningRate: flags['lr-d'] as number | undefined,
    r1Weight: flags.r1 as number | undefined,
    dir: flags.dir as string | undefined,
    resume: flags.resume === true,
    quick: false,
    command: `npx tsx tools/scripts/train-gan.ts ${process.argv.slice(2).join(' ')}`,
    onProgress: (p) => {
      const losses = Object.entries(p.losses).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ');
      console.log(`${variant}: iteration ${p.step}/${p.steps}: ${losses} (~${p.etaSeconds.toFixed(0)} s left)`);
    },
  });
  console.log(`done: ${JSON.stringify(result)}`);
}

main().catch((e) => {
  console.error(e instanceof UsageError ? e.message : e);
  process.exit(e instanceof UsageError ? 2 : 1);
});
