/**
 * genbook's wasm Transpose (lib/src/backend/wasm/transpose.ts) against the stock kernel, on the
 * transposes training makes: `npx tsx bench/transpose.ts` (GENBOOK_THREADS=N as everywhere; both
 * kernels run on one thread either way).
 *
 * Per shape: median wall ms of 15 calls after 3 warm-up calls, each kernel on the same input, and
 * whether the two outputs are equal value for value. The 2-D shapes are the products' operands
 * ([B·H·W, C] of a conv layer seen as a matrix); [B, H, W, C] → [C, H, W, B] is the filter
 * gradient's transpose of x (lib/src/backend/wasm/conv2d-backprop-filter.ts).
 */
import * as os from 'os';
import { backend, tf } from 'genbook';
import { medianWallMs } from './median-wall';

async function main(): Promise<void> {
  const setup = await backend.setup('wasm', { log: null });
  console.log(`# npx tsx bench/transpose.ts: ${setup.threads ?? 1} thread(s), load average ${os.loadavg()[0].toFixed(2)}, Node ${process.version}`);
  const stock = tf.getKernel('Transpose', 'wasm');
  if (!stock) throw new Error('no wasm Transpose kernel');
  const cases: [number[], number[]][] = [
    [[12544, 64], [1, 0]],
    [[50176, 32], [1, 0]],
    [[6272, 64], [1, 0]],
    [[6272, 100], [1, 0]],
    [[64, 14, 14, 64], [3, 1, 2, 0]],
    [[64, 28, 28, 32], [3, 1, 2, 0]],
    [[64, 7, 7, 128], [3, 1, 2, 0]],
    [[64, 14, 14, 64], [1, 2, 0, 3]],
  ];
  console.log('| x → perm | stock | genbook | speed-up | equal |');
  console.log('| --- | --- | --- | --- | --- |');
  for (const [shape, perm] of cases) {
    const x = tf.randomNormal(shape);
    const withGenbook = () => tf.transpose(x, perm);
    backend.unregisterWasmTrainingKernels();
    const stockMs = medianWallMs(withGenbook, 3, 15);
    const want = tf.transpose(x, perm).dataSync();
    backend.registerWasmTrainingKernels();
    const genbookMs = medianWallMs(withGenbook, 3, 15);
    const got = tf.transpose(x, perm).dataSync();
    const equal = want.length === got.length && want.every((v, i) => v === got[i]);
    console.log(`| [${shape}] → [${perm}] | ${stockMs.toFixed(2)} ms | ${genbookMs.toFixed(2)} ms | ${(stockMs / genbookMs).toFixed(1)}× | ${equal ? 'yes' : 'NO'} |`);
    x.dispose();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
