/**
 * Ctrl+C on a threaded wasm operation, many times over (issue 18, part 3: "Ctrl+C still interrupts
 * a threaded notebook cell"): how often is the first result after the recovery wrong?
 *
 *   npx tsx bench/interrupt-recovery.ts [--trials N] [--settle MS] [--threads T]
 *   GENBOOK_WASM_RECOVERY_THREADS=2 npx tsx bench/interrupt-recovery.ts …   # rebuild with 2 threads
 *   npx tsx bench/interrupt-recovery.ts --rebuild-only [--trials N]          # the control: no interrupt
 *
 * Each trial runs 2×2 convolutions in an endless loop under `vm.runInContext(…, { breakOnSigint })`
 * (what tslab does with a cell), a worker thread sends this process SIGINT after 100–500 ms (V8
 * terminates the loop wherever it is, usually inside an XNNPACK operation), then — after --settle
 * ms of free event loop (default 1500; a kernel always has some, it replies and reads the next
 * request) — five checks compute values known in closed form: a 300×300 product of ones sums to
 * 300³ = 27 000 000, and a 3×3 'same' convolution of ones (8×16×16×32 by 3×3×32×64) has mean
 * 264.5. The first check after a cut runs `guardAgainstInterrupts`' recovery
 * (lib/src/backend/wasm-threads.ts). It prints one JSON line: trials, interrupts that cut the loop,
 * wrong checks (the first five listed), the thread counts, the load average.
 *
 * Measured (2026-12-05, 2 cores, load 2.6–2.8 with a training running beside it, 40 trials each):
 * the shipped recovery (1 thread) 0 wrong of 200 checks; GENBOOK_WASM_RECOVERY_THREADS=2 2 wrong of
 * 200, both the first operation after the rebuild (matmul sums 10 907 200 and 7.5·10⁻⁴¹: part or all
 * of the product never written, as if the parallel call returned before its workers' share). The
 * old pool's late writes are not the cause (the lead of the 2026-12-05 note): its workers had
 * 1.5 s to finish and were terminated before the rebuild. With --settle 0 the 2-thread rebuild
 * deadlocked at the second interrupt (the spare worker for the new pool had not loaded).
 *
 * The control, --rebuild-only: each trial replaces the 2-thread pool the way the recovery does
 * (terminate the pool's workers, `init_with_threads_count(2)` on a loaded spare) with no interrupt
 * before it, then runs the same checks: 0 wrong of 500 (--trials 100 --settle 300, load 2.9). So the
 * rebuild alone is sound; what the cut leaves behind in the main thread's state is what a later
 * rebuilt pool trips on — not found yet.
 */
import * as os from 'os';
import * as vm from 'vm';
import { Worker } from 'worker_threads';
import { backend, tf } from 'genbook';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isInteger(value) || value < 0) throw new RangeError(`--${name} needs a non-negative integer; got ${process.argv[i + 1]}`);
  return value;
}

/** Replace the 2-thread pool as the recovery does (lib/src/backend/wasm-threads.ts, replacePool). */
function rebuildPool(threads: number): void {
  backend.replaceWasmPoolForDiagnostics((tf.backend() as unknown as { wasm: unknown }).wasm, threads);
}

async function main(): Promise<void> {
  const trials = option('trials', 40);
  const settle = option('settle', 1500);
  const threads = option('threads', 2);
  await backend.setup('wasm', { threads, log: null });
  process.on('SIGINT', () => undefined); // outside runInContext a stray SIGINT must not kill the run
  const rebuildOnly = process.argv.includes('--rebuild-only');
  const context = vm.createContext({ tf });
  const spin =
    "{ const a = tf.randomNormal([64, 16, 16, 32]); const f = tf.randomNormal([3, 3, 32, 64]);\n" +
    "  while (true) tf.tidy(() => tf.conv2d(a, f, 1, 'same').sum().dataSync()); }";
  let cut = 0;
  const wrong: string[] = [];
  let checks = 0;
  for (let i = 0; i < trials; i++) {
    if (rebuildOnly) {
      rebuildPool(2);
    } else {
      const delay = 100 + Math.floor(Math.random() * 400);
      const sender = new Worker(`setTimeout(() => process.kill(process.pid, 'SIGINT'), ${delay});`, { eval: true });
      try {
        vm.runInContext(spin, context, { breakOnSigint: true });
      } catch {
        cut++;
      }
      await sender.terminate();
    }
    await new Promise((resolve) => setTimeout(resolve, settle));
    for (let k = 0; k < 5; k++, checks++) {
      const product = tf.tidy(() => tf.matMul(tf.ones([300, 300]), tf.ones([300, 300])).sum().dataSync()[0]);
      const conv = tf.tidy(() => tf.conv2d(tf.ones([8, 16, 16, 32]) as tf.Tensor4D, tf.ones([3, 3, 32, 64]) as tf.Tensor4D, 1, 'same').mean().dataSync()[0]);
      if (product !== 27e6 || conv !== 264.5) wrong.push(`trial ${i} check ${k}: matmul ${product}, conv ${conv}`);
    }
    process.stderr.write(`trial ${i + 1}/${trials}: ${wrong.length} wrong so far\n`);
  }
  console.log(JSON.stringify({
    trials, cut, checks, wrong: wrong.length, firstWrong: wrong.slice(0, 5), threads,
    mode: rebuildOnly ? 'rebuild only (no interrupt)' : 'interrupt', recoveryThreads: process.env.GENBOOK_WASM_RECOVERY_THREADS || '1', threadsInUseAtEnd: backend.threadsInUse(),
    settleMs: settle, loadAverage: os.loadavg()[0], cpus: os.cpus().length,
  }));
  process.exit(0);
}
void main();
