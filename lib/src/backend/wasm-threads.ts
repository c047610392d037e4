/**
 * Multi-threaded WebAssembly in Node: run `@tensorflow/tfjs-backend-wasm` 4.22's threaded SIMD
 * binary (XNNPACK with a pthreadpool) on `worker_threads`.
 *
 * Why tfjs does not do it by itself: its `WASM_HAS_MULTITHREAD_SUPPORT` flag is false whenever
 * `IS_NODE` (tfjs issue #3830; the Node-workers pull request #8059 was closed unmerged), and its
 * `init()` hands Emscripten a pthread worker made from a `Blob` URL plus a main script made from a
 * `Blob`. Node's `Worker` accepts only file paths and `file:` URLs, so forcing the flag fails with
 * `ERR_WORKER_PATH … "blob:nodedata:…"`.
 *
 * What this file does instead, at load time and without editing node_modules: it calls the
 * Emscripten factory of the threaded build (`wasm-out/tfjs-backend-wasm-threaded-simd.js`) itself,
 * with the three Emscripten module settings tfjs sets, pointed at files:
 * - `locateFile('….worker.js')` → a copy of tfjs's pthread worker script (`wasmWorkerContents`,
 *   the stock Emscripten worker, which already has Emscripten's Node branch: `worker_threads`
 *   wrapped with `self`/`postMessage`/`onmessage`/`importScripts` shims), written once per process
 *   into a private directory under the OS temp dir (`fs.mkdtempSync`, mode 0700), removed at exit;
 * - `mainScriptUrlOrBlob` → the path of the glue file itself in node_modules (each worker
 *   `importScripts` it, which its Node shim implements as `fs.readFileSync` + indirect eval);
 * - `instantiateWasm` → compiles the `.wasm` from node_modules and instantiates it with one import
 *   replaced: `emscripten_num_logical_cores`. tfjs's C++ (`backend.cc`) caps the pool at
 *   `emscripten_num_logical_cores() / 2` (it assumes two hyper-threads per core), so on a 2-core
 *   machine it would never use more than 1 thread. We report 16 logical cores, which lifts that cap
 *   to tfjs's own maximum of 8; the pool size is then exactly what `setThreadsCount` asks for.
 * The module gets the same `tfjs` cwrap table tfjs's `init()` builds, and the stock `BackendWasm`
 * class wraps it, so every stock kernel (and genbook's training kernels) runs unchanged.
 *
 * Exiting: Emscripten `ref()`s a worker while its pthread runs, and XNNPACK's pool threads run
 * for the life of the module, so the process would never exit. After the pool is up we `unref()`
 * its workers (they die with the process) and keep threads − 1 of the 8 workers Emscripten
 * pre-spawned as spares (for Ctrl+C recovery, `guardAgainstInterrupts`), terminating the rest.
 * `BackendWasm.dispose` (e.g. `tf.removeBackend('wasm')`) terminates all of them.
 *
 * @see notebooks/00-getting-started
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';

/** tfjs-backend-wasm's own cap on the XNNPACK pool (`max_num_threads` in backend.cc). */
export const MAX_WASM_THREADS = 8;

/** Number of CPU cores Node reports (what "every core" means). */
export function cpuCount(): number {
  const available = (os as { availableParallelism?: () => number }).availableParallelism;
  return Math.max(1, typeof available === 'function' ? available() : os.cpus().length);
}

/** Parse a thread count (a positive integer); anything else is a RangeError naming the source. */
export function parseThreadCount(value: string | number, source: string): number {
  const text = String(value).trim();
  const n = typeof value === 'number' ? value : /^\d+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(n) || n < 1) {
    throw new RangeError(`${source} must be a positive integer number of threads; got ${JSON.stringify(value)}`);
  }
  return n;
}

/**
 * Why this process cannot start worker threads, or undefined when it can. Node's permission model
 * (`--experimental-permission` / `--permission`, used by the grader) forbids them unless
 * `--allow-worker` is given.
 */
export function workerThreadsUnavailable(): string | undefined {
  const permission = (process as { permission?: { has(scope: string): boolean } }).permission;
  if (permission && typeof permission.has === 'function' && !permission.has('worker')) {
    return "Node's permission model forbids worker threads";
  }
  if (typeof SharedArrayBuffer === 'undefined') return 'SharedArrayBuffer is not available';
  return undefined;
}

// ----- the Emscripten module -------------------------------------------------------------------

/** The parts of the Emscripten module used here. */
interface ThreadedModule {
  [exported: string]: unknown;
  cwrap(name: string, ret: string | null, args: string[]): (...args: number[]) => number;
  asm: Record<string, unknown>;
  stackSave(): number;
  stackRestore(pointer: number): void;
  _init_with_threads_count(threads: number): void;
  PThread: {
    runningWorkers: WorkerLike[];
    unusedWorkers: WorkerLike[];
    pthreads: Record<number, WorkerLike>;
    allocateUnusedWorker(): void;
    loadWasmModuleToWorker(worker: WorkerLike, onFinishedLoading?: () => void): void;
  };
  tfjs?: unknown;
}
interface WorkerLike {
  unref(): void;
  terminate(): unknown;
  loaded?: boolean;
  pthread_ptr?: number;
}
interface EmscriptenSettings {
  locateFile(file: string, prefix: string): string;
  mainScriptUrlOrBlob: string;
  instantiateWasm(
    imports: { env: Record<string, unknown> },
    receive: (instance: WebAssembly.Instance, module: WebAssembly.Module) => void,
  ): object;
  onAbort(what: unknown): void;
}
type Factory = (settings: EmscriptenSettings) => Promise<ThreadedModule>;

function packageDirectory(): string {
  return path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json'));
}

const GLUE = 'wasm-out/tfjs-backend-wasm-threaded-simd.js';
const WORKER = 'wasm-out/tfjs-backend-wasm-threaded-simd.worker.js';
const BINARY = 'dist/tfjs-backend-wasm-threaded-simd.wasm';

let workerScriptPath: string | undefined;

/**
 * Write tfjs's pthread worker script to a file once per process and return its path. tfjs ships it
 * as a JS string whose `\n` escapes became real newlines in the template literal; tfjs re-escapes
 * them before making its Blob, and so do we.
 */
export function threadedWorkerScript(): string {
  if (workerScriptPath && fs.existsSync(workerScriptPath)) return workerScriptPath;
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { wasmWorkerContents } = require(path.join(packageDirectory(), WORKER)) as { wasmWorkerContents: string };
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-wasm-threads-'));
  const file = path.join(dir, 'tfjs-backend-wasm-threaded-simd.worker.js');
  fs.writeFileSync(file, wasmWorkerContents.replace(/\n/g, '\\n'), { mode: 0o600 });
  process.once('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  workerScriptPath = file;
  return file;
}

/** Reported to the wasm module as the machine's logical core count (see the file comment). */
const REPORTED_LOGICAL_CORES = 2 * MAX_WASM_THREADS;

/** Instantiate the threaded build and give it the `tfjs` table that tfjs's own `init()` builds. */
async function createThreadedModule(): Promise<ThreadedModule> {
  const dir = packageDirectory();
  const glue = path.join(dir, GLUE);
  const workerScript = threadedWorkerScript();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const factory = require(glue) as Factory;
  let fail: (reason: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  const module = await Promise.race([
    factory({
      locateFile: (file, prefix) => (file.endsWith('.worker.js') ? workerScript : prefix + file),
      mainScriptUrlOrBlob: glue,
      instantiateWasm: (imports, receive) => {
        imports.env.emscripten_num_logical_cores = () => REPORTED_LOGICAL_CORES;
        void fs.promises
          .readFile(path.join(dir, BINARY))
          .then((bytes) => WebAssembly.compile(bytes))
          .then(async (compiled) => receive(await WebAssembly.instantiate(compiled, imports as WebAssembly.Imports), compiled))
          .catch((e: unknown) => fail(new Error(`could not instantiate ${BINARY}: ${String(e)}`)));
        return {};
      },
      onAbort: (what) => fail(new Error(`the threaded wasm module aborted: ${String(what)}`)),
    }),
    failed,
  ]);
  module.tfjs = {
    init: module.cwrap('init', null, []),
    initWithThreadsCount: module.cwrap('init_with_threads_count', null, ['number']),
    getThreadsCount: module.cwrap('get_threads_count', 'number', []),
    registerTensor: module.cwrap('register_tensor', null, ['number', 'number', 'number']),
    disposeData: module.cwrap('dispose_data', null, ['number']),
    dispose: module.cwrap('dispose', null, []),
  };
  return module;
}

// ----- registering the backend -----------------------------------------------------------------

type WasmPackage = typeof import('@tensorflow/tfjs-backend-wasm');
type BackendFactory = () => tf.KernelBackend | Promise<tf.KernelBackend>;

/** tfjs-backend-wasm registers `wasm` with priority 2 (base.js). */
const WASM_PRIORITY = 2;

let stockFactory: BackendFactory | undefined;
/** Why the threaded build last failed to start (for the backend report). */
let lastFailure = '';

/** Why the threaded build last failed to start, or '' if it never did. */
export function threadedWasmFailure(): string {
  return lastFailure;
}
/** Thread count the registered `wasm` factory builds (1 = tfjs's own single-threaded factory). */
let registeredThreads = 1;

function wasmPackage(): WasmPackage {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('@tensorflow/tfjs-backend-wasm') as WasmPackage;
}

/** Replace the registered `wasm` factory (disposing an initialised backend of the old kind). */
function reregister(factory: BackendFactory): void {
  // removeBackend disposes the instance: BackendWasm.dispose terminates a threaded module's workers.
  tf.removeBackend('wasm');
  tf.registerBackend('wasm', factory, WASM_PRIORITY);
}

/**
 * Make the `wasm` backend use `threads` threads the next time it is initialised: 1 is tfjs's own
 * single-threaded SIMD build, 2…8 the threaded build loaded as described above. A wasm backend
 * already initialised with another count is disposed (its tensors with it). Idempotent.
 */
export function configureWasmThreads(threads: number): void {
  const n = Math.min(parseThreadCount(threads, 'wasm thread count'), MAX_WASM_THREADS);
  const wasm = wasmPackage();
  if (stockFactory === undefined) {
    const factory = tf.findBackendFactory('wasm');
    if (factory === null) throw new Error('no wasm backend registered');
    stockFactory = factory;
  }
  wasm.setThreadsCount(n);
  if (n === registeredThreads) return;
  if (n === 1) {
    reregister(stockFactory);
  } else {
    reregister(async () => {
      let module: ThreadedModule;
      try {
        module = await createThreadedModule();
      } catch (e) {
        lastFailure = (e instanceof Error ? e.message : String(e)).split('\n')[0].slice(0, 200);
        throw e;
      }
      wasm.setThreadsCount(n);
      // The constructor calls init_with_threads_count(n), which creates the pool's n − 1 threads.
      const instance = new wasm.BackendWasm(module as unknown as ConstructorParameters<typeof wasm.BackendWasm>[0]);
      for (const worker of module.PThread.runningWorkers) worker.unref();
      keepSpares(module, n - 1);
      guardAgainstInterrupts(module, n);
      return instance;
    });
  }
  registeredThreads = n;
}

/**
 * Keep exactly `count` loaded, idle workers besides the pool (Emscripten pre-spawns 8): enough to
 * rebuild the pool after an interrupt (see below) without waiting for a worker to load, which the
 * blocked main thread could not do. Extra ones are terminated; missing ones are spawned and load
 * in the background (unref'd by Emscripten once loaded).
 */
function keepSpares(module: ThreadedModule, count: number): void {
  const pthread = module.PThread;
  while (pthread.unusedWorkers.length > count) void (pthread.unusedWorkers.pop() as WorkerLike).terminate();
  while (pthread.unusedWorkers.length < count) {
    pthread.allocateUnusedWorker();
    pthread.loadWasmModuleToWorker(pthread.unusedWorkers[pthread.unusedWorkers.length - 1]);
  }
}

/**
 * Replace the module's pthread pool by a new one of `threads` threads: terminate the running
 * workers (forgetting their pthreads), `init_with_threads_count(threads)` (which takes its
 * `threads − 1` workers from the loaded spares; the old pool, its mutex included, is abandoned),
 * `unref` the new pool's workers so they never keep the process alive, and load spares for the
 * next replacement. Used by the Ctrl+C recovery below and by `bench/interrupt-recovery.ts`.
 */
function replacePool(module: ThreadedModule, threads: number): void {
  const pthread = module.PThread;
  const old = pthread.runningWorkers.slice();
  for (const worker of old) {
    if (worker.pthread_ptr !== undefined) delete pthread.pthreads[worker.pthread_ptr];
    void worker.terminate();
  }
  pthread.runningWorkers = pthread.runningWorkers.filter((w) => !old.includes(w));
  module._init_with_threads_count(threads);
  for (const worker of pthread.runningWorkers) worker.unref();
  keepSpares(module, threads - 1);
}

/**
 * Diagnostics only (`bench/interrupt-recovery.ts --rebuild-only`): replace the threaded wasm
 * backend's pool by one of `threads` threads, as the Ctrl+C recovery does, without an interrupt.
 * Throws if the active backend is not genbook's threaded wasm build.
 */
export function replaceWasmPoolForDiagnostics(module: unknown, threads: number): void {
  const m = module as Partial<ThreadedModule> | undefined;
  if (m === undefined || typeof m._init_with_threads_count !== 'function' || m.PThread === undefined) {
    throw new Error('replaceWasmPoolForDiagnostics: the module is not the threaded wasm build (set up wasm with 2 or more threads)');
  }
  replacePool(m as ThreadedModule, parseThreadCount(threads, 'threads'));
}

/**
 * Threads of the pool rebuilt after an interrupt: 1. `GENBOOK_WASM_RECOVERY_THREADS=N` rebuilds it
 * with N instead — a diagnostic for `bench/interrupt-recovery.ts` only, which shows why 1 is the
 * default (a rebuilt 2-thread pool computes wrong values now and then, and can deadlock).
 */
function recoveryThreads(): number {
  const text = process.env.GENBOOK_WASM_RECOVERY_THREADS;
  return text === undefined || text === '' ? 1 : Math.min(parseThreadCount(text, 'GENBOOK_WASM_RECOVERY_THREADS'), MAX_WASM_THREADS);
}

/**
 * Ctrl+C in a notebook: the kernel runs a cell with `breakOnSigint`, and SIGINT makes V8 terminate
 * the cell wherever it is, most likely inside a wasm kernel. In the threaded build the main thread
 * then still holds XNNPACK's pthreadpool execution mutex (taken for the whole parallel operation),
 * and the next operation deadlocks on it: the kernel hangs for good.
 *
 * So every kernel entry point of the module (`_Conv2D`, `__FusedMatMul`, …, the functions the stock
 * kernels `cwrap`) is wrapped to mark the call in flight and clear the mark when it returns. A
 * terminated call never clears it (V8 termination cannot be caught: it skips `catch` blocks and the
 * rest of the function), so a call that finds the mark set knows the previous one was cut short, and first
 * recovers: it restores the wasm stack pointer saved at the cut call's entry, replaces the pool
 * (`init_with_threads_count`; the old pool, its mutex included, is abandoned — a few hundred bytes)
 * and terminates the old pool's workers. The replacement runs on **one thread** for the rest of the
 * process, and says so once on stderr: a rebuilt multi-threaded pool computed wrong values now and
 * then (CI, under load: a 300×300 matmul of ones after an interrupt summed to 26 996 400, not 27 000 000 —
 * twelve output entries never written), and a wrong number is worse than a slower one. Restarting
 * the kernel brings every thread back.
 * Not covered: an interrupt inside `malloc` (microseconds, called between kernels), whose lock in
 * the threaded build would stay taken.
 */
function guardAgainstInterrupts(module: ThreadedModule, threads: number): void {
  let inFlight = false;
  let poolThreads = threads;
  let stackAtEntry = 0;
  const recover = (): void => {
    module.stackRestore(stackAtEntry);
    const rebuilt = recoveryThreads();
    replacePool(module, rebuilt);
    inFlight = false;
    if (rebuilt > 1) return;
    if (poolThreads > 1) {
      process.stderr.write(
        `genbook: a wasm operation on ${poolThreads} threads was interrupted; the backend goes on with 1 thread (restart the kernel to use ${poolThreads} again)\n`,
      );
    }
    poolThreads = 1;
  };
  for (const key of Object.keys(module)) {
    if (!/^__?[A-Z]/.test(key)) continue;
    const raw = module.asm[key.slice(1)];
    if (typeof raw !== 'function') continue;
    const call = raw as (...args: unknown[]) => unknown;
    module[key] = (...args: unknown[]): unknown => {
      if (inFlight) recover();
      stackAtEntry = module.stackSave();
      inFlight = true;
      let result: unknown;
      try {
        result = call(...args);
      } catch (e) {
        // An ordinary exception (a wasm trap) ended the call; only termination skips this.
        inFlight = false;
        throw e;
      }
      inFlight = false;
      return result;
    };
  }
}

/**
 * Threads the wasm backend's pool runs now (after it is initialised): asked of the live module, so
 * it is 1 after a Ctrl+C recovery (tfjs's own `getThreadsCount()` keeps the count of the start).
 */
export function wasmThreadsInUse(): number {
  const instance = tf.findBackend('wasm') as { wasm?: { tfjs?: { getThreadsCount?: () => number } } } | null;
  const live = instance?.wasm?.tfjs?.getThreadsCount;
  return typeof live === 'function' ? live() : wasmPackage().getThreadsCount();
}
