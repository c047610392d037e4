/**
 * Train one of the course's MNIST GANs and save its generator as a checkpoint in
 * data/checkpoints/<variant>/ (the notebooks 05-gan-minimax and 06-conditional-gans load it in full
 * mode instead of training for an hour).
 *
 *   npx tsx tools/scripts/train-gan.ts <dcgan|cgan|wgan|wgan-gp> [--iterations N] [--seed S] [--k K]
 *
 * The generator is saved every 250 iterations and at the end (so a long run can be stopped and
 * still leaves a checkpoint); meta.json records the command, seed, iterations, wall time, backend,
 * the last losses and a thinned loss history.
 */
import { backend, gan, tf, train } from 'genbook';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value)) throw new RangeError(`--${name} needs a number; got ${process.argv[i + 1]}`);
  return value;
}

async function main(): Promise<void> {
  const variant = process.argv[2] as gan.MnistGanVariant;
  if (!gan.MNIST_GAN_VARIANTS.includes(variant)) {
    console.error(`usage: npx tsx tools/scripts/train-gan.ts <${gan.MNIST_GAN_VARIANTS.join('|')}> [--iterations N] [--seed S] [--k K]`);
    process.exit(2);
  }
  const iterations = flag('iterations', 3000);
  const seed = flag('seed', 2014);
  const kFlag = flag('k', 0);
  const setup = await backend.setup(undefined, { log: null });
  const trainer = gan.mnistGanTrainer({ variant, seed, k: kFlag > 0 ? kFlag : undefined });
  const dir = train.checkpointDir(variant);
  const command = `npx tsx tools/scripts/train-gan.ts ${process.argv.slice(2).join(' ')}`.trim();
  console.log(`${variant}: ${iterations} iterations, k = ${trainer.k}, batch ${trainer.batchSize}, backend ${setup.name} → ${dir}`);

  const save = async () => {
    const history = trainer.history.filter((_, i) => i % 10 === 9 || i === trainer.history.length - 1);
    await train.saveModel(trainer.generator as tf.LayersModel, dir, {
      name: variant,
      command,
      seed,
      steps: trainer.iteration,
      trainSeconds: Math.round(trainer.seconds),
      backend: setup.name,
      variant,
      objective: trainer.objective,
      k: trainer.k,
      batchSize: trainer.batchSize,
      latentDim: trainer.latentDim,
      numClasses: trainer.numClasses ?? null,
      lastLosses: trainer.history.at(-1) ?? {},
      history: history.map((h, i) => ({ iteration: Math.min((i + 1) * 10, trainer.iteration), ...h })),
    });
  };

  const chunk = 250;
  while (trainer.iteration < iterations) {
    const n = Math.min(chunk, iterations - trainer.iteration);
    await trainer.train(n, {
      reportEvery: 50,
      onProgress: (p) => {
        const losses = Object.entries(p.losses)
          .map(([k, v]) => `${k} ${v.toFixed(3)}`)
          .join(', ');
        console.log(`iteration ${trainer.iteration}/${iterations} (${trainer.seconds.toFixed(0)} s + ${p.elapsedSeconds.toFixed(0)} s): ${losses}`);
      },
    });
    await save();
  }
  console.log(`done: ${trainer.iteration} iterations in ${trainer.seconds.toFixed(0)} s; saved ${dir}`);
  trainer.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
