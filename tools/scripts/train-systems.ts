/**
 * Checkpoints for notebook 12-systems-in-practice:
 *
 *   npx tsx tools/scripts/train-systems.ts mnist14-ddpm [--steps N] [--seed S]
 *
 * trains the 14×14 MNIST MLP denoiser (the frozen base of ControlNet, the base of base + refiner)
 * and saves it in data/checkpoints/systems-mnist14-ddpm.
 */
import { backend, systems } from 'genbook';
import { parseFlags, UsageError } from '../src/util/flags';

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), { steps: 'number', seed: 'number' });
  if (flags._.length !== 1 || flags._[0] !== 'mnist14-ddpm') throw new UsageError('usage: npx tsx tools/scripts/train-systems.ts mnist14-ddpm [--steps N] [--seed S]');
  await backend.setup(undefined, { log: null });
  const steps = (flags.steps as number | undefined) ?? 3000;
  const seed = (flags.seed as number | undefined) ?? 11;
  const r = await systems.trainMnist14Denoiser({
    steps,
    seed,
    onProgress: (p) => console.log(`step ${p.step}/${p.steps} loss ${p.losses.loss.toFixed(4)} (~${p.etaSeconds.toFixed(0)} s left)`),
  });
  const finalLoss = r.losses.slice(-100).reduce((a, b) => a + b, 0) / Math.min(100, r.losses.length);
  const dir = await systems.saveMnist14Denoiser(r.network, { steps, seed, trainSeconds: Math.round(r.seconds), finalLoss });
  console.log(`saved ${dir}: ${steps} steps in ${r.seconds.toFixed(0)} s, mean loss of the last 100 steps ${finalLoss.toFixed(4)}`);
}

main().catch((e) => {
  console.error(e instanceof UsageError ? e.message : e);
  process.exit(e instanceof UsageError ? 2 : 1);
});
