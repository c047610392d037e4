/**
 * The wasm kernels genbook replaces for speed, against the stock ones in the same run:
 * `npx tsx bench/elementwise.ts` (GENBOOK_THREADS=N sets the thread count as everywhere).
 *
 * - LeakyRelu and its gradient (lib/src/backend/wasm/leaky-relu.ts): the stock kernels branch on
 *   each value's sign, which mispredicts half the time on activations;
 * - Sum and Mean over batch and spatial axes (lib/src/backend/wasm/reduce.ts): XNNPACK average
 *   pooling in place of a loop;
 * - FusedBatchNorm (lib/src/backend/wasm/batch-norm.ts): three broadcasting XNNPACK kernels in
 *   place of a loop with a square root and a division per value.
 * Per call: wall-clock ms, the median of 15 after 3 warm-up calls, on seeded normal data of the
 * dcgan and U-Net activation shapes; a Multiply of the same size is printed as the floor of an
 * elementwise kernel here. Prints the load average and the threads: compare within a run.
 */
import * as os from 'os';
import { backend, tf } from 'genbook';
import { medianWallMs } from './median-wall';

/** Median wall ms of 15 calls after 3 warm-up calls. */
const time = (f: () => tf.Tensor | tf.Tensor[]): number => medianWallMs(f, 3, 15);

async function main(): Promise<void> {
  const setup = await backend.setup('wasm', { log: null });
  console.log(`# npx tsx bench/elementwise.ts: ${setup.threads ?? 1} thread(s), load average ${os.loadavg()[0].toFixed(2)}`);
  const shapes: [number, number, number, number][] = [[64, 14, 14, 64], [64, 28, 28, 32], [64, 7, 7, 128], [64, 14, 14, 48]];
  const cases: [string, (x: tf.Tensor, dy: tf.Tensor, stats: Record<'mean' | 'variance' | 'offset' | 'scale', tf.Tensor1D>) => tf.Tensor | tf.Tensor[]][] = [
    ['LeakyRelu (α 0.2)', (x) => tf.leakyRelu(x, 0.2)],
    ['LeakyRelu gradient', (x, dy) => tf.grad((a: tf.Tensor) => tf.leakyRelu(a, 0.2))(x, dy)],
    ['Sum over B, H, W', (x) => tf.sum(x, [0, 1, 2])],
    ['Mean over B, H, W', (x) => tf.mean(x, [0, 1, 2])],
    ['Sum over H, W', (x) => tf.sum(x, [1, 2])],
    ['Mean over H, W, C/G (group norm, G = 8)', (x) => tf.tidy(() => {
      const [b, h, w, c] = x.shape as number[];
      return tf.mean(tf.reshape(x, [b, h, w, 8, c / 8]), [1, 2, 4]);
    })],
    ['FusedBatchNorm (per channel)', (x, _dy, stats) => tf.batchNorm(x, stats.mean, stats.variance, stats.offset, stats.scale, 1e-3)],
  ];
  console.log('| kernel | shape | stock wasm | genbook | speedup | Multiply (floor) |');
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const shape of shapes) {
    const x = tf.randomNormal(shape, 0, 1, 'float32', 1);
    const dy = tf.randomNormal(shape, 0, 1, 'float32', 2);
    const c = shape[3];
    const stats = {
      mean: tf.randomNormal([c], 0, 1, 'float32', 3) as tf.Tensor1D,
      variance: tf.randomUniform([c], 0.5, 2, 'float32', 4) as tf.Tensor1D,
      offset: tf.randomNormal([c], 0, 1, 'float32', 5) as tf.Tensor1D,
      scale: tf.randomNormal([c], 1, 0.1, 'float32', 6) as tf.Tensor1D,
    };
    const floor = time(() => tf.mul(x, dy));
    for (const [name, f] of cases) {
      backend.unregisterWasmTrainingKernels();
      const stock = time(() => f(x, dy, stats));
      backend.registerWasmTrainingKernels();
      const ours = time(() => f(x, dy, stats));
      console.log(`| ${name} | [${shape}] | ${stock.toFixed(2)} ms | ${ours.toFixed(2)} ms | ${(stock / ours).toFixed(1)}× | ${floor.toFixed(2)} ms |`);
    }
    tf.dispose([x, dy, ...Object.values(stats)]);
  }
  // Small elementwise kernels (an optimizer's updates are hundreds of them per step): µs per call by
  // size, to compare thread counts (run once with GENBOOK_THREADS=1, once with more).
  console.log('');
  console.log(`| values | Multiply | Add | Square | Sqrt | (µs per call, ${setup.threads ?? 1} thread(s)) |`);
  console.log('| --- | --- | --- | --- | --- | --- |');
  for (const n of [64, 1024, 16384, 131072, 1048576]) {
    const a = tf.randomUniform([n], 0.5, 2, 'float32', 7);
    const b = tf.randomUniform([n], 0.5, 2, 'float32', 8);
    const us = (f: () => tf.Tensor) => (1000 * time(f)).toFixed(1);
    console.log(`| ${n} | ${us(() => tf.mul(a, b))} | ${us(() => tf.add(a, b))} | ${us(() => tf.square(a))} | ${us(() => tf.sqrt(a))} | |`);
    tf.dispose([a, b]);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
