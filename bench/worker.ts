/**
 * One benchmark worker process: a TensorFlow.js backend that builds a model and times training
 * steps on request, speaking the same line protocol as bench/reference/torch_models.py:
 *
 *   > build <model>   < {"model", "parameters", "batch", "backend", "detail"}   or {"error"}
 *   > steps <n>       < {"wall": [ms…], "cpu": [ms…], "loss", "tensors"}        or {"error"}
 *   > quit
 *
 * Started by bench/run.ts as `worker.ts <backend>` with backend one of cpu, wasm-1 (genbook's
 * kernels, 1 thread), wasm (genbook's kernels, one thread per core), wasm-stock (the stock wasm
 * kernels only, 1 thread) or tensorflow.
 */
import * as os from 'os';
import * as readline from 'readline';
import { backend, tf } from 'genbook';
import { buildModel, MODEL_NAMES, type BenchModel, type ModelName } from './models';

export const WORKER_BACKENDS = ['cpu', 'wasm-stock', 'wasm-1', 'wasm', 'tensorflow'] as const;
export type WorkerBackend = (typeof WORKER_BACKENDS)[number];

function errorText(e: unknown): string {
  return (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 200);
}

function cpuMs(): number {
  const used = process.cpuUsage();
  return (used.user + used.system) / 1000;
}

async function activate(name: WorkerBackend): Promise<string> {
  const base = name === 'wasm-stock' || name === 'wasm-1' ? 'wasm' : name;
  // Explicit thread counts: the benchmark must not depend on a GENBOOK_THREADS in the environment.
  const threads = name === 'wasm' ? os.cpus().length : 1;
  const result = await backend.setup(base, { log: null, threads });
  if (name === 'wasm-stock') {
    backend.unregisterWasmTrainingKernels();
    return 'WebAssembly SIMD, single thread, stock tfjs-backend-wasm kernels only';
  }
  return result.reason;
}

async function main(): Promise<void> {
  const name = process.argv[2] as WorkerBackend;
  if (!(WORKER_BACKENDS as readonly string[]).includes(name)) {
    throw new RangeError(`backend must be one of ${WORKER_BACKENDS.join(', ')}; got ${name}`);
  }
  let setupError: string | undefined;
  let detail = '';
  try {
    detail = await activate(name);
  } catch (e) {
    setupError = errorText(e);
  }
  let model: BenchModel | undefined;
  const reply = (value: object) => process.stdout.write(`${JSON.stringify(value)}\n`);
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    const [command, arg] = line.trim().split(/\s+/);
    if (command === 'quit') break;
    if (setupError) {
      reply({ error: `unavailable: ${setupError}` });
      continue;
    }
    try {
      if (command === 'build') {
        if (!(MODEL_NAMES as readonly string[]).includes(arg)) throw new RangeError(`unknown model ${arg}`);
        model?.dispose();
        model = buildModel(arg as ModelName);
        reply({ model: arg, parameters: model.parameters, batch: model.batch, backend: name, detail });
      } else if (command === 'steps') {
        if (!model) throw new Error('no model built');
        const wall: number[] = [];
        const cpu: number[] = [];
        let loss = NaN;
        for (let i = 0; i < Number(arg); i++) {
          const w0 = performance.now();
          const c0 = cpuMs();
          loss = model.step();
          cpu.push(cpuMs() - c0);
          wall.push(performance.now() - w0);
        }
        reply({ wall, cpu, loss, tensors: tf.memory().numTensors });
      } else {
        throw new Error(`unknown command ${command}`);
      }
    } catch (e) {
      reply({ error: errorText(e) });
    }
  }
  model?.dispose();
}

main().catch((e) => {
  process.stderr.write(`${errorText(e)}\n`);
  process.exit(1);
});
