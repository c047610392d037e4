/**
 * Train one of the course's MNIST GANs and save its generator in data/checkpoints/<variant>/ —
 * the same as `npm run train -- <variant>`, with the iteration count, seed and k as flags:
 *
 *   npx tsx tools/scripts/train-gan.ts <dcgan|cgan|acgan|wgan|wgan-gp> [--iterations N] [--seed S] [--k K] [--dir D] [--resume]
 *
 * The generator is saved every 250 iterations and at the end, with the state `--resume` needs in
 * <dir>/resume/; meta.json records the first command and every resume (`resumedWith`).
 * `--dir` trains somewhere else than data/checkpoints/<variant> (e.g. to compare before replacing).
 */
import { backend, gan } from 'genbook';

function text(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i < 0 ? undefined : process.argv[i + 1];
}

function flag(name: string): number | undefined {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return undefined;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value)) throw new RangeError(`--${name} needs a number; got ${process.argv[i + 1]}`);
  return value;
}

async function main(): Promise<void> {
  const variant = process.argv[2] as gan.MnistGanVariant;
  if (!gan.MNIST_GAN_VARIANTS.includes(variant)) {
    console.error(`usage: npx tsx tools/scripts/train-gan.ts <${gan.MNIST_GAN_VARIANTS.join('|')}> [--iterations N] [--seed S] [--k K] [--dir D] [--resume]`);
    process.exit(2);
  }
  const setup = await backend.setup(undefined, { log: null });
  console.log(setup.message);
  const result = await gan.makeMnistGanCheckpoint(variant, {
    iterations: flag('iterations'),
    seed: flag('seed'),
    k: flag('k'),
    dir: text('dir'),
    resume: process.argv.includes('--resume'),
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
  console.error(e);
  process.exit(1);
});
