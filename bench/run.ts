/**
 * `npm run bench`: training-step time of the four benchmark models (bench/models.ts) on every
 * TensorFlow.js backend that is available — genbook's wasm at 1 thread and at every core — and of
 * the same models in PyTorch at 1 thread and at its default thread count, in one run. Prints a
 * headline table in wall-clock ms (what a user waits for), ratios from the same run, and a
 * secondary table in process CPU ms; writes bench/results/step-times.json.
 *
 * Load: what matters is whether *other* processes used the CPU while the benchmark ran. The load
 * average cannot tell (the benchmark's own threads count in it: PyTorch's helper threads and the
 * threaded wasm worker alone push it past the core count). So on Linux the run reads the machine's
 * busy CPU time (/proc/stat) and its own process tree's (this process and its reaped workers,
 * /proc/self/stat utime + stime + cutime + cstime) before and after: the difference over the wall
 * time is the CPU other processes took, in cores. A run is a "headline" run only when that stayed
 * at or below OTHER_CPU_HEADLINE (0.2 of a core); otherwise the tables are still printed (the
 * ratios compare interleaved steps of the same run) but marked as measured under load. The 1-minute
 * load average is printed too; elsewhere than Linux it is the criterion (max ≤ cores).
 *
 * Each backend runs in its own worker process (bench/worker.ts; the PyTorch reference is
 * bench/reference/torch_models.py). After warm-up steps, the workers of a model take turns in
 * rounds of a few steps, so a change in machine load affects all of them alike. Reported: median,
 * min and max over the timed steps, in wall-clock and in process-CPU milliseconds (CPU time is
 * less sensitive to other processes on a busy machine).
 *
 * Options: --models a,b  --backends cpu,wasm-stock,wasm,tensorflow,torch  --steps N (20)
 *          --warmup N (3)  --cpu-steps N (conv models on cpu, no warm-up; 1)
 *          --cpu-models a,b (models timed on cpu; default mlp-ae,conv-vae,dcgan: one unet-ddpm step
 *          on cpu takes minutes)  --round N (5)  --out FILE
 *          --quick (steps 5, warm-up 1)  --profile (per-kernel profile instead)
 */
import { spawn, type ChildProcessWithoutNullStreams } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as readline from 'readline';
import { MODEL_NAMES, type ModelName } from './models';
import { machineBusySeconds, ownTreeSeconds, quitAndReap } from './cpu-accounting';

type Backend = 'cpu' | 'wasm-stock' | 'wasm-1' | 'wasm' | 'tensorflow' | 'torch' | 'torch-all';
const ALL_BACKENDS: Backend[] = ['cpu', 'wasm-stock', 'wasm-1', 'wasm', 'tensorflow', 'torch', 'torch-all'];
const CORES = os.cpus().length;
const LABEL: Record<Backend, string> = {
  cpu: 'tfjs cpu',
  'wasm-stock': 'tfjs wasm (stock)',
  'wasm-1': 'genbook wasm 1 thread',
  wasm: `genbook wasm ${CORES} threads`,
  tensorflow: 'tfjs tensorflow',
  torch: 'PyTorch 1 thread',
  'torch-all': 'PyTorch default threads',
};

interface Options {
  models: ModelName[];
  backends: Backend[];
  steps: number;
  warmup: number;
  cpuSteps: number;
  cpuModels: ModelName[];
  round: number;
  out: string;
}

interface Stats {
  median: number;
  min: number;
  max: number;
}

interface Cell {
  backend: Backend;
  status: 'ok' | 'failed' | 'unavailable' | 'skipped';
  error?: string;
  detail?: string;
  parameters?: number;
  batch?: number;
  steps?: number;
  warmup?: number;
  wall?: Stats;
  cpu?: Stats;
  wallSamples?: number[];
  cpuSamples?: number[];
  /** tf.memory().numTensors after the warm-up and after the last step (flat = no leak). */
  tensors?: [number, number];
  loss?: number;
}

function parseOptions(argv: string[]): Options {
  const value = (flag: string): string | undefined => {
    const i = argv.indexOf(flag);
    return i >= 0 ? argv[i + 1] : undefined;
  };
  const quick = argv.includes('--quick');
  const positive = (flag: string, fallback: number): number => {
    const raw = value(flag);
    if (raw === undefined) return fallback;
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`${flag} must be a positive integer; got ${raw}`);
    return n;
  };
  const list = <T extends string>(flag: string, allowed: readonly T[], fallback: T[]): T[] => {
    const raw = value(flag);
    if (raw === undefined) return fallback;
    const items = raw.split(',').map((s) => s.trim());
    for (const item of items) {
      if (!(allowed as readonly string[]).includes(item)) throw new RangeError(`${flag}: unknown ${item}; use ${allowed.join(', ')}`);
    }
    return items as T[];
  };
  return {
    models: list('--models', MODEL_NAMES, [...MODEL_NAMES]),
    backends: list('--backends', ALL_BACKENDS, ALL_BACKENDS),
    steps: positive('--steps', quick ? 5 : 20),
    warmup: positive('--warmup', quick ? 1 : 3),
    cpuSteps: positive('--cpu-steps', 1),
    cpuModels: list('--cpu-models', MODEL_NAMES, ['mlp-ae', 'conv-vae', 'dcgan']),
    round: positive('--round', 5),
    out: value('--out') ?? path.join(__dirname, 'results', 'step-times.json'),
  };
}

/** A worker process answering one JSON line per command. */
class Worker {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly replies: string[] = [];
  private waiting: ((line: string) => void) | undefined;
  private stderr = '';

  constructor(command: string, args: string[]) {
    this.child = spawn(command, args, { cwd: path.join(__dirname, '..'), stdio: 'pipe' });
    readline.createInterface({ input: this.child.stdout }).on('line', (line) => {
      if (!line.startsWith('{')) return;
      if (this.waiting) {
        const resolve = this.waiting;
        this.waiting = undefined;
        resolve(line);
      } else this.replies.push(line);
    });
    this.child.stderr.on('data', (d: Buffer) => {
      this.stderr = (this.stderr + d.toString()).slice(-2000);
    });
    this.child.on('exit', () => {
      if (this.waiting) {
        const resolve = this.waiting;
        this.waiting = undefined;
        resolve(JSON.stringify({ error: `worker exited: ${this.stderr.trim().split('\n').pop() ?? ''}` }));
      }
    });
    this.child.on('error', (e) => {
      this.stderr += String(e);
    });
  }

  async ask(command: string): Promise<Record<string, unknown>> {
    if (this.child.exitCode !== null) return { error: `worker exited: ${this.stderr.trim().split('\n').pop() ?? ''}` };
    const line = new Promise<string>((resolve) => {
      const queued = this.replies.shift();
      if (queued) resolve(queued);
      else this.waiting = resolve;
    });
    this.child.stdin.write(`${command}\n`);
    return JSON.parse(await line) as Record<string, unknown>;
  }

  /** Ask the worker to quit and wait until it has exited and been reaped, so its CPU time is in ours. */
  close(): Promise<void> {
    return quitAndReap(this.child);
  }
}

function pythonWithTorch(): string {
  const fromEnv = process.env.GENBOOK_PYTHON;
  if (fromEnv) return fromEnv;
  // Debian's python3-torch lives in the system Python; a pyenv `python3` on PATH usually lacks it.
  return fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
}

function startWorker(backend: Backend): Worker {
  if (backend === 'torch' || backend === 'torch-all') {
    const threads = backend === 'torch' ? '1' : 'default';
    return new Worker(pythonWithTorch(), [path.join(__dirname, 'reference', 'torch_models.py'), '--serve', '--threads', threads]);
  }
  return new Worker(process.execPath, [...process.execArgv, path.join(__dirname, 'worker.ts'), backend]);
}

function stats(samples: number[]): Stats {
  const sorted = samples.slice().sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
  return { median, min: sorted[0], max: sorted[sorted.length - 1] };
}

function stepsFor(backend: Backend, model: ModelName, options: Options): { steps: number; warmup: number } {
  // A conv model's step on cpu takes minutes: a few steps without warm-up (its kernels have no
  // set-up cost worth excluding at that scale).
  if (backend === 'cpu' && model !== 'mlp-ae') return { steps: options.cpuSteps, warmup: 0 };
  return { steps: options.steps, warmup: options.warmup };
}

/** Other processes may use at most this many cores, on average, for a run to be a headline run. */
const OTHER_CPU_HEADLINE = 0.2;

/** 1-minute load averages sampled during the run (see the file comment). */
const loadSamples: number[] = [];
function sampleLoad(): number {
  const load = os.loadavg()[0];
  loadSamples.push(load);
  return load;
}

async function benchModel(model: ModelName, options: Options, log: (line: string) => void): Promise<Cell[]> {
  const cells = new Map<Backend, Cell>();
  const workers = new Map<Backend, Worker>();
  for (const backend of options.backends) {
    if (backend === 'cpu' && !options.cpuModels.includes(model)) {
      cells.set(backend, { backend, status: 'skipped', error: 'not timed on cpu (--cpu-models)' });
      continue;
    }
    const worker = startWorker(backend);
    const built = await worker.ask(`build ${model}`);
    if (typeof built.error === 'string') {
      const unavailable = built.error.startsWith('unavailable') || /No module named|not found/i.test(built.error);
      cells.set(backend, { backend, status: unavailable ? 'unavailable' : 'failed', error: built.error });
      await worker.close();
      continue;
    }
    const { steps, warmup } = stepsFor(backend, model, options);
    const cell: Cell = {
      backend,
      status: 'ok',
      detail: typeof built.detail === 'string' ? built.detail : typeof built.torch === 'string' ? `torch ${built.torch}, ${built.threads} thread(s), ${String(built.blas)}` : undefined,
      parameters: built.parameters as number,
      batch: built.batch as number,
      steps,
      warmup,
      wallSamples: [],
      cpuSamples: [],
    };
    const warm = warmup > 0 ? await worker.ask(`steps ${warmup}`) : await worker.ask('steps 0');
    if (typeof warm.error === 'string') {
      cells.set(backend, { backend, status: 'failed', error: warm.error, parameters: cell.parameters, batch: cell.batch });
      await worker.close();
      continue;
    }
    cell.tensors = [warm.tensors as number, warm.tensors as number];
    cells.set(backend, cell);
    workers.set(backend, worker);
    log(`  ${model}: ${LABEL[backend]} ready (${cell.parameters} parameters, batch ${cell.batch})`);
  }
  // Rounds: every worker with steps left runs up to `round` steps in turn.
  let pending = [...workers.keys()];
  while (pending.length > 0) {
    sampleLoad();
    for (const backend of pending) {
      const cell = cells.get(backend) as Cell;
      const left = (cell.steps as number) - (cell.wallSamples as number[]).length;
      const reply = await (workers.get(backend) as Worker).ask(`steps ${Math.min(options.round, left)}`);
      if (typeof reply.error === 'string') {
        cells.set(backend, { ...cell, status: 'failed', error: reply.error });
        continue;
      }
      cell.wallSamples?.push(...(reply.wall as number[]));
      cell.cpuSamples?.push(...(reply.cpu as number[]));
      cell.loss = reply.loss as number;
      if (typeof reply.tensors === 'number' && cell.tensors) cell.tensors[1] = reply.tensors;
    }
    pending = pending.filter((b) => {
      const cell = cells.get(b) as Cell;
      return cell.status === 'ok' && (cell.wallSamples as number[]).length < (cell.steps as number);
    });
  }
  // Await the exits: a worker not yet reaped is missing from our tree's CPU time and would count as
  // another process's (that made every run with PyTorch workers look like a shared machine).
  await Promise.all([...workers.values()].map((worker) => worker.close()));
  const out: Cell[] = [];
  for (const backend of options.backends) {
    const cell = cells.get(backend) as Cell;
    if (cell.status === 'ok') {
      cell.wall = stats(cell.wallSamples as number[]);
      cell.cpu = stats(cell.cpuSamples as number[]);
    }
    out.push(cell);
  }
  return out;
}

function formatMs(ms: number): string {
  return ms >= 100 ? ms.toFixed(0) : ms >= 10 ? ms.toFixed(1) : ms.toFixed(2);
}

function describeCell(cell: Cell | undefined, field: 'wall' | 'cpu'): string {
  if (!cell) return '—';
  if (cell.status === 'unavailable') return 'unavailable';
  if (cell.status === 'skipped') return 'not timed';
  if (cell.status === 'failed') {
    const kernel = /Kernel '(\w+)' not registered/.exec(cell.error ?? '');
    return kernel ? `fails: no ${kernel[1]}` : 'fails';
  }
  const s = cell[field] as Stats;
  const few = (cell.steps as number) < 20 ? ` [${cell.steps} step${cell.steps === 1 ? '' : 's'}]` : '';
  return `${formatMs(s.median)} (${formatMs(s.min)}–${formatMs(s.max)})${few}`;
}

function ratio(a: Cell | undefined, b: Cell | undefined, field: 'wall' | 'cpu'): string {
  if (!a?.[field] || !b?.[field]) return '—';
  return `${(a[field] as Stats).median / (b[field] as Stats).median >= 10 ? ((a[field] as Stats).median / (b[field] as Stats).median).toFixed(0) : ((a[field] as Stats).median / (b[field] as Stats).median).toFixed(2)}×`;
}

/** Ratio columns: [header, numerator, denominator], each shown when both backends ran. */
const RATIOS: ReadonlyArray<readonly [string, Backend, Backend]> = [
  ['genbook 1 thread ÷ PyTorch 1 thread', 'wasm-1', 'torch'],
  [`genbook ${CORES} threads ÷ PyTorch default`, 'wasm', 'torch-all'],
  [`genbook speed-up, 1 → ${CORES} threads`, 'wasm-1', 'wasm'],
  ['cpu ÷ genbook 1 thread', 'cpu', 'wasm-1'],
];

export function table(results: Record<string, Cell[]>, backends: Backend[], field: 'wall' | 'cpu'): string {
  const ratios = RATIOS.filter(([, a, b]) => backends.includes(a) && backends.includes(b));
  const header = ['model', ...backends.map((b) => LABEL[b]), ...ratios.map(([h]) => h)];
  const rows = Object.entries(results).map(([model, cells]) => {
    const find = (b: Backend) => cells.find((c) => c.backend === b);
    return [model, ...backends.map((b) => describeCell(find(b), field)), ...ratios.map(([, a, b]) => ratio(find(a), find(b), field))];
  });
  const lines = [header, header.map(() => '---'), ...rows].map((r) => `| ${r.join(' | ')} |`);
  return lines.join('\n');
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--profile')) {
    const { main: profile } = await import('./profile');
    await profile(argv.filter((a) => a !== '--profile'));
    return;
  }
  const options = parseOptions(argv);
  const log = (line: string) => process.stderr.write(`${line}\n`);
  const started = new Date();
  const loadBefore = [sampleLoad()];
  const cpuBefore = { machine: machineBusySeconds(), own: ownTreeSeconds(), wall: Date.now() };
  /** Cores' worth of CPU used by other processes since the start (undefined off Linux). */
  const otherCores = (): number | undefined => {
    const machine = machineBusySeconds();
    const own = ownTreeSeconds();
    if (machine === undefined || own === undefined || cpuBefore.machine === undefined || cpuBefore.own === undefined) return undefined;
    const wall = (Date.now() - cpuBefore.wall) / 1000;
    return Math.max(0, (machine - cpuBefore.machine - (own - cpuBefore.own)) / wall);
  };
  const results: Record<string, Cell[]> = {};
  const command = `npm run bench${argv.length ? ` -- ${argv.join(' ')}` : ''}`;
  const makeReport = () => ({
    command,
    started: started.toISOString(),
    seconds: (Date.now() - started.getTime()) / 1000,
    machine: {
      cpu: os.cpus()[0]?.model ?? 'unknown',
      cores: os.cpus().length,
      node: process.version,
      loadAverage1m: { before: loadBefore[0], after: os.loadavg()[0], max: Math.max(...loadSamples, os.loadavg()[0]) },
    },
    otherProcessesCores: otherCores(),
    headline: (() => {
      const other = otherCores();
      return other !== undefined ? other <= OTHER_CPU_HEADLINE : Math.max(...loadSamples, os.loadavg()[0]) <= CORES;
    })(),
    options: { ...options, out: path.relative(path.join(__dirname, '..'), options.out) },
    note: 'milliseconds per training step; median (min–max) over the timed steps after warm-up; "cpu" conv models use fewer steps (--cpu-steps)',
    results,
  });
  fs.mkdirSync(path.dirname(options.out), { recursive: true });
  for (const model of options.models) {
    log(`${model} …`);
    results[model] = await benchModel(model, options, log);
    // Written after every model, so a long run leaves its finished part behind.
    fs.writeFileSync(options.out, `${JSON.stringify(makeReport(), null, 1)}\n`);
  }
  sampleLoad();
  const report = makeReport();
  fs.writeFileSync(options.out, `${JSON.stringify(report, null, 1)}\n`);
  const load = report.machine.loadAverage1m;
  const other = report.otherProcessesCores;
  const otherText = other !== undefined ? `other processes used ${other.toFixed(2)} cores on average` : `the load average reached ${load.max.toFixed(1)}`;
  const verdict = report.headline
    ? `headline run: ${otherText} (at most ${other !== undefined ? `${OTHER_CPU_HEADLINE} of a core` : `${CORES} cores`})`
    : `NOT a headline run: ${otherText}, more than ${other !== undefined ? `${OTHER_CPU_HEADLINE} of a core` : `the ${CORES} cores`}, so they shared the ` +
      'CPU; compare numbers within this run only (the ratios pair interleaved steps), do not quote them as speeds';
  console.log(`\nTraining step, wall-clock ms, median (min–max); ${command}`);
  console.log(
    `${report.machine.cpu}, ${report.machine.cores} cores, Node ${process.version}, ` +
      `load average (1 min) ${load.before.toFixed(1)} before, ${load.max.toFixed(1)} max, ${load.after.toFixed(1)} after`,
  );
  console.log(`${verdict}\n`);
  console.log(table(results, options.backends, 'wall'));
  // Which PyTorch ran, and on which BLAS: Debian's python3-torch with the reference BLAS runs dense
  // layers about 10× slower than with OpenBLAS, which would flatter genbook.
  const torchDetails = new Set(Object.values(results).flat().filter((c) => c.backend.startsWith('torch') && c.detail).map((c) => `${LABEL[c.backend]}: ${c.detail}`));
  for (const detail of torchDetails) console.log(detail);
  if ([...torchDetails].some((d) => d.includes('reference BLAS'))) {
    console.log('WARNING: PyTorch runs on the reference BLAS: its dense products are about 10× slower than with OpenBLAS. Install libopenblas0-pthread for a fair comparison.');
  }
  console.log('\nSame steps, process CPU ms:\n');
  console.log(table(results, options.backends, 'cpu'));
  console.log(`\nwritten: ${path.relative(process.cwd(), options.out)}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
