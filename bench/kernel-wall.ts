/**
 * Where a training step's wall-clock time goes, kernel by kernel, without tf.profile:
 * `npx tsx bench/kernel-wall.ts <mlp-ae|dcgan|conv-vae|unet-ddpm> [--shapes] [--steps N] [--top K]`
 * (GENBOOK_THREADS=N as everywhere; run it once per thread count to compare).
 *
 * Each kernel registered for wasm is wrapped so that its wall time is added up per kernel name
 * (or per name and input shapes with `--shapes`); a kernel called from inside another (genbook's
 * kernels call stock ones) counts only in the outer one. It prints the step's wall time, the sum
 * of the kernels and the rest (JavaScript: tfjs's bookkeeping, gradients, the optimiser's loop),
 * then the kernels by time per step with their calls per step. Unlike bench/profile.ts it adds
 * no per-kernel bookkeeping of its own beyond two clock reads, so small kernels are not inflated.
 * Run it on an idle machine (it prints the load average).
 */
import * as os from 'os';
import { backend, tf } from 'genbook';
import { buildModel, MODEL_NAMES, type ModelName } from './models';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const name = args[0] as ModelName;
  if (!MODEL_NAMES.includes(name)) throw new Error(`usage: npx tsx bench/kernel-wall.ts <${MODEL_NAMES.join('|')}> [--shapes] [--steps N] [--top K]`);
  const flag = (f: string, d: number) => (args.includes(f) ? Number(args[args.indexOf(f) + 1]) : d);
  const [steps, top] = [flag('--steps', 10), flag('--top', 25)];
  const byShape = args.includes('--shapes');
  const setup = await backend.setup('wasm', { log: null });
  const totals = new Map<string, { ms: number; calls: number }>();
  let counting = false;
  let depth = 0;
  for (const config of tf.getKernelsForBackend('wasm')) {
    const inner = config.kernelFunc;
    (config as { kernelFunc: tf.KernelFunc }).kernelFunc = (kernelArgs) => {
      if (!counting || depth > 0) return inner(kernelArgs);
      depth++;
      const start = performance.now();
      try {
        return inner(kernelArgs);
      } finally {
        const ms = performance.now() - start;
        depth--;
        const shapes = Object.values(kernelArgs.inputs).map((t) => JSON.stringify((t as tf.TensorInfo | undefined)?.shape ?? null));
        const key = byShape ? `${config.kernelName} ${shapes.join(' ')}` : config.kernelName;
        const entry = totals.get(key) ?? { ms: 0, calls: 0 };
        entry.ms += ms;
        entry.calls += 1;
        totals.set(key, entry);
      }
    };
  }
  const model = buildModel(name);
  for (let i = 0; i < 3; i++) model.step();
  counting = true;
  const start = performance.now();
  for (let i = 0; i < steps; i++) model.step();
  const stepMs = (performance.now() - start) / steps;
  counting = false;
  model.dispose();
  const kernelMs = [...totals.values()].reduce((s, k) => s + k.ms, 0) / steps;
  console.log(`# npx tsx bench/kernel-wall.ts ${args.join(' ')}: ${setup.threads ?? 1} thread(s), load average ${os.loadavg()[0].toFixed(2)}`);
  console.log(`${name}: step ${stepMs.toFixed(1)} ms (mean of ${steps}); kernels ${kernelMs.toFixed(1)} ms; the rest (JavaScript) ${(stepMs - kernelMs).toFixed(1)} ms`);
  const width = byShape ? 72 : 28;
  console.log('kernel'.padEnd(width) + 'ms/step'.padStart(10) + 'calls'.padStart(8));
  for (const [key, k] of [...totals.entries()].sort((a, b) => b[1].ms - a[1].ms).slice(0, top)) {
    console.log(key.slice(0, width - 1).padEnd(width) + (k.ms / steps).toFixed(2).padStart(10) + (k.calls / steps).toFixed(0).padStart(8));
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
