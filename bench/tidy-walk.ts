/**
 * What returning a typed array from `tf.tidy` costs (lib/src/util/tidy-values.ts): tfjs-core 4.22
 * walks the tidy's result element by element through a typed array. Times `tf.tidy(() => x.dataSync())` for a
 * tensor x of n values (median of 3) against `tidyValues`' way (the tidy returns a tensor,
 * its values are read after), and prints µs per value. Wall clock; prints the load average.
 *
 *   npx tsx bench/tidy-walk.ts
 */
import * as os from 'os';
import { tf } from 'genbook';
import { tidyValues } from '../lib/src/util/tidy-values';

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

function time(fn: () => void, repeats = 3): number {
  const ms: number[] = [];
  for (let i = 0; i < repeats; i++) {
    const t0 = performance.now();
    fn();
    ms.push(performance.now() - t0);
  }
  return median(ms);
}

async function main(): Promise<void> {
  await tf.setBackend('cpu');
  console.log(`# npx tsx bench/tidy-walk.ts: Node ${process.version}, ${os.cpus().length} CPUs, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')}`);
  console.log('| values | distinct | tf.tidy(() => x.dataSync()) (ms) | tidyValues(() => x) (ms) | µs per value walked |');
  console.log('| --- | --- | --- | --- | --- |');
  // tidy adds each value it walks to a Set, so the cost grows with the distinct values: random
  // normals (all distinct, like gradients) and MNIST-like pixels (mostly 0, 256 levels)
  const pixels = (n: number): tf.Tensor => tf.tensor1d(Float32Array.from({ length: n }, (_, i) => (i % 7 === 0 ? (i % 256) / 255 : 0)));
  const cases: [number, string, () => tf.Tensor][] = [
    [32_000, 'all', () => tf.randomNormal([32_000])],
    [200_000, 'all', () => tf.randomNormal([200_000])],
    [465_476, 'all', () => tf.randomNormal([465_476])], // the DDPM U-Net's parameters
    [7_840_000, 'all', () => tf.randomNormal([7_840_000])], // as many as MNIST's test set has pixels
    [7_840_000, '256', () => pixels(7_840_000)],
  ];
  for (const [n, distinct, make] of cases) {
    const x = make();
    const inside = time(() => void tf.tidy(() => tf.mul(x, 1).dataSync()));
    const outside = time(() => void tidyValues(() => tf.mul(x, 1)));
    console.log(`| ${n} | ${distinct} | ${inside.toFixed(1)} | ${outside.toFixed(1)} | ${(((inside - outside) * 1000) / n).toFixed(3)} |`);
    x.dispose();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
