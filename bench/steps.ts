/**
 * Wall-clock time of training steps of one benchmark model, in one process, for comparing two
 * versions of genbook (run it in each checkout, in turn, on an idle machine):
 *
 *   npx tsx bench/steps.ts <mlp-ae|dcgan|conv-vae|unet-ddpm> [--steps N] [--warmup W]
 *
 * GENBOOK_THREADS=N sets the threads as everywhere. Prints one line: the model, threads, the median
 * and min–max wall ms per step over N steps (default 10) after W warm-up steps (default 2), and the
 * load average.
 */
import * as os from 'os';
import { backend } from 'genbook';
import { buildModel, MODEL_NAMES, type ModelName } from './models';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const name = args[0] as ModelName;
  if (!MODEL_NAMES.includes(name)) throw new Error(`usage: npx tsx bench/steps.ts <${MODEL_NAMES.join('|')}> [--steps N] [--warmup W]`);
  const flag = (f: string, d: number) => (args.includes(f) ? Number(args[args.indexOf(f) + 1]) : d);
  const [steps, warmup] = [flag('--steps', 10), flag('--warmup', 2)];
  const setup = await backend.setup('wasm', { log: null });
  const model = buildModel(name);
  for (let i = 0; i < warmup; i++) model.step();
  const ms: number[] = [];
  for (let i = 0; i < steps; i++) {
    const start = performance.now();
    model.step();
    ms.push(performance.now() - start);
  }
  model.dispose();
  ms.sort((a, b) => a - b);
  const median = ms.length % 2 ? ms[ms.length >> 1] : (ms[ms.length / 2 - 1] + ms[ms.length / 2]) / 2;
  console.log(`${name}: ${setup.threads ?? 1} thread(s), ${median.toFixed(1)} ms per step (median of ${steps}; ${ms[0].toFixed(1)}–${ms[ms.length - 1].toFixed(1)}), load average ${os.loadavg()[0].toFixed(2)}`);
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
