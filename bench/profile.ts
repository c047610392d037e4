/**
 * Which kernels dominate a training step: `npm run bench:profile -- [model…] [--backend wasm]`.
 *
 * Runs a few steps of each benchmark model under `tf.profile` and prints, per kernel name, the
 * time per step, the number of calls and the share of the step. Kernel times are the process's
 * CPU time around each (synchronous) kernel call, not wall-clock time, so other processes on a
 * busy machine do not inflate them. Kernels that genbook registers include the time of the
 * stock kernels they call.
 *
 * `--threads N` (wasm): profile each model twice in one process, on 1 thread and on N, by
 * wall-clock time per kernel (CPU time would count the pool's workers too), and print per kernel
 * the ms at 1 and at N threads and the speedup. The kernels that do not speed up are the one-thread
 * remainder that bounds the step's speedup (Amdahl). Wall time counts what else the machine runs:
 * run it on an idle machine and say the load average (it prints it).
 */
import { backend, tf } from 'genbook';
import { buildModel, MODEL_NAMES, type ModelName } from './models';

interface KernelTotal {
  name: string;
  ms: number;
  calls: number;
}

/** With `--shapes`, kernels are told apart by their input shapes too. */
const byShape = process.argv.includes('--shapes');

export async function profileModel(name: ModelName, steps: number, warmup: number): Promise<{ stepMs: number; kernels: KernelTotal[] }> {
  const model = buildModel(name);
  for (let i = 0; i < warmup; i++) model.step();
  const totals = new Map<string, KernelTotal>();
  let cpu = 0;
  for (let i = 0; i < steps; i++) {
    const c0 = process.cpuUsage();
    const info = await tf.profile(() => {
      model.step();
    });
    const used = process.cpuUsage(c0);
    cpu += (used.user + used.system) / 1000;
    for (const k of info.kernels) {
      // tf.profile also lists op wrappers (`fusedConv2d__op`) around their kernels: count kernels only.
      if (k.name.endsWith('__op')) continue;
      const key = byShape ? `${k.name} ${JSON.stringify(k.inputShapes)}` : k.name;
      const entry = totals.get(key) ?? { name: key, ms: 0, calls: 0 };
      entry.ms += typeof k.kernelTimeMs === 'number' ? k.kernelTimeMs : 0;
      entry.calls += 1;
      totals.set(key, entry);
    }
  }
  model.dispose();
  const kernels = [...totals.values()]
    .map((k) => ({ name: k.name, ms: k.ms / steps, calls: k.calls / steps }))
    .sort((a, b) => b.ms - a.ms);
  return { stepMs: cpu / steps, kernels };
}

/** Make the active backend time kernels by process CPU time (wasm and cpu run kernels synchronously). */
export function timeKernelsByCpu(): void {
  const active = tf.backend() as unknown as { time: (f: () => void) => Promise<{ kernelMs: number }> };
  active.time = async (f: () => void) => {
    const start = process.cpuUsage();
    f();
    const used = process.cpuUsage(start);
    return { kernelMs: (used.user + used.system) / 1000 };
  };
}

/** Make the active backend time kernels by wall clock (for comparing thread counts). */
export function timeKernelsByWallClock(): void {
  const active = tf.backend() as unknown as { time: (f: () => void) => Promise<{ kernelMs: number }> };
  active.time = async (f: () => void) => {
    const start = performance.now();
    f();
    return { kernelMs: performance.now() - start };
  };
}

/** Per kernel: wall ms per step on 1 thread and on `threads`, the speedup, and the whole step's. */
async function compareThreads(models: ModelName[], threads: number, steps: number): Promise<void> {
  const os = await import('os');
  console.log(`# npx tsx bench/profile.ts ${models.join(' ')} --threads ${threads} --steps ${steps}: wall ms per step, load average ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} CPUs`);
  for (const name of models) {
    const runs: { stepMs: number; kernels: Map<string, KernelTotal> }[] = [];
    for (const n of [1, threads]) {
      await backend.setup('wasm', { threads: n, log: null });
      timeKernelsByWallClock();
      const t0 = performance.now();
      const { kernels } = await profileModel(name, steps, 2);
      runs.push({ stepMs: (performance.now() - t0) / (steps + 2), kernels: new Map(kernels.map((k) => [k.name, k])) });
    }
    const [one, many] = runs;
    const total = (r: (typeof runs)[number]) => [...r.kernels.values()].reduce((s, k) => s + k.ms, 0);
    console.log(`\n${name}: kernels ${total(one).toFixed(1)} ms on 1 thread, ${total(many).toFixed(1)} ms on ${threads} (${(total(one) / total(many)).toFixed(2)}×)`);
    const width = byShape ? 72 : 28;
    console.log('kernel'.padEnd(width) + '1 thread'.padStart(10) + `${threads} threads`.padStart(11) + 'speedup'.padStart(9) + 'share at N'.padStart(12));
    const rows = [...one.kernels.values()].sort((a, b) => b.ms - a.ms).slice(0, byShape ? 40 : 20);
    for (const k of rows) {
      const at = many.kernels.get(k.name)?.ms ?? NaN;
      console.log(k.name.slice(0, width - 1).padEnd(width) + k.ms.toFixed(2).padStart(10) + at.toFixed(2).padStart(11) + `${(k.ms / at).toFixed(2)}×`.padStart(9) + `${((100 * at) / total(many)).toFixed(1)}%`.padStart(12));
    }
  }
}

export async function main(argv: string[] = process.argv.slice(2)): Promise<void> {
  const args = argv.filter((a) => a !== '--shapes');
  const threadsIndex = args.indexOf('--threads');
  const compareTo = threadsIndex >= 0 ? Number(args.splice(threadsIndex, 2)[1]) : undefined;
  const backendIndex = args.indexOf('--backend');
  const backendName = backendIndex >= 0 ? args.splice(backendIndex, 2)[1] : 'wasm';
  const stepsIndex = args.indexOf('--steps');
  const steps = stepsIndex >= 0 ? Number(args.splice(stepsIndex, 2)[1]) : 5;
  const models = (args.length ? args : [...MODEL_NAMES]) as ModelName[];
  if (compareTo !== undefined) {
    if (!Number.isInteger(compareTo) || compareTo < 2) throw new Error(`--threads must be an integer >= 2; got ${compareTo}`);
    return compareThreads(models, compareTo, steps);
  }
  await backend.setup(backendName as 'wasm' | 'cpu', { log: null });
  timeKernelsByCpu();
  for (const name of models) {
    const { stepMs, kernels } = await profileModel(name, steps, 2);
    const kernelMs = kernels.reduce((s, k) => s + k.ms, 0);
    console.log(`\n${name} on ${backendName}: ${stepMs.toFixed(1)} ms CPU per profiled step, ${kernelMs.toFixed(1)} ms inside kernels`);
    const width = byShape ? 90 : 40;
    console.log('kernel'.padEnd(width) + 'ms/step'.padStart(10) + 'calls'.padStart(8) + 'share'.padStart(8));
    for (const k of kernels.slice(0, byShape ? 30 : 15)) {
      console.log(k.name.slice(0, width - 1).padEnd(width) + k.ms.toFixed(2).padStart(10) + k.calls.toFixed(0).padStart(8) + `${((100 * k.ms) / kernelMs).toFixed(1)}%`.padStart(8));
    }
  }
}

if (require.main === module) {
  main().catch((e) => {
    console.error(e);
    process.exit(1);
  });
}
