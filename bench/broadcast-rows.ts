/**
 * genbook's wasm Multiply with a broadcast vector (lib/src/backend/wasm/broadcast-rows.ts: the
 * vector tiled into long rows) against the stock kernel, in one run:
 * `npx tsx bench/broadcast-rows.ts` (GENBOOK_THREADS=N as everywhere). Per shape pair: median wall
 * µs of 41 calls after 5 warm-up calls. The scalar and the long-row cases keep the stock kernel.
 */
import * as os from 'os';
import { backend, tf } from 'genbook';

async function main(): Promise<void> {
  const setup = await backend.setup('wasm', { log: null });
  console.log(`# npx tsx bench/broadcast-rows.ts: ${setup.threads ?? 1} thread(s), load average ${os.loadavg()[0].toFixed(2)}`);
  const time = (fn: () => tf.Tensor): number => {
    for (let i = 0; i < 5; i++) fn().dispose();
    const ts: number[] = [];
    for (let i = 0; i < 41; i++) {
      const t0 = performance.now();
      const r = fn();
      ts.push(performance.now() - t0);
      r.dispose();
    }
    return ts.sort((p, q) => p - q)[20] * 1000;
  };
  const cases: [number[], number[]][] = [
    [[64, 14, 14, 24], [24]],
    [[64, 14, 14, 64], [1, 1, 1, 64]],
    [[64, 7, 7, 128], [128]],
    [[64, 6272], [1, 6272]],
    [[4, 4, 64, 128], []],
  ];
  console.log('| a · b | stock | genbook | speed-up |');
  console.log('| --- | --- | --- | --- |');
  for (const [sa, sb] of cases) {
    const a = tf.randomNormal(sa);
    const b = tf.randomNormal(sb);
    const ours = time(() => tf.mul(a, b));
    backend.unregisterWasmTrainingKernels();
    const stock = time(() => tf.mul(a, b));
    backend.registerWasmTrainingKernels();
    console.log(`| [${sa}] · [${sb}] | ${stock.toFixed(0)} µs | ${ours.toFixed(0)} µs | ${(stock / ours).toFixed(2)}× |`);
    tf.dispose([a, b]);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
