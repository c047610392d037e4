/**
 * Checkpoints for notebook 12-systems-in-practice:
 *
 *   npx tsx tools/scripts/train-systems.ts mnist14-ddpm [--steps N] [--seed S]
 *
 * trains the 14×14 MNIST MLP denoiser (the frozen base of ControlNet, the base of base + refiner)
 * and saves it in data/checkpoints/systems-mnist14-ddpm.
 */
import { backend, systems } from 'genbook';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value)) throw new RangeError(`--${name} needs a number; got ${process.argv[i + 1]}`);
  return value;
}

async function main(): Promise<void> {
  if (process.argv[2] !== 'mnist14-ddpm') {
    console.error('usage: npx tsx tools/scripts/train-systems.ts mnist14-ddpm [--steps N] [--seed S]');
    process.exit(2);
  }
  await backend.setup(undefined, { log: null });
  const steps = flag('steps', 3000);
  const seed = flag('seed', 11);
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
  console.error(e);
  process.exit(1);
});
