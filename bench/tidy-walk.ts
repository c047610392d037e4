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
  console.log('| values | tf.tidy(() => x.dataSync()) (ms) | tidyValues(() => x) (ms) | µs per value walked |');
  console.log('| --- | --- | --- | --- |');
  // 465 476: the DDPM U-Net's parameters; 7 840 000: the MNIST test set's pixels (notebooks 03, 04)
  for (const n of [32_000, 200_000, 465_476, 7_840_000]) {
    const x = tf.randomNormal([n]);
    const inside = time(() => void tf.tidy(() => tf.mul(x, 1).dataSync()));
    const outside = time(() => void tidyValues(() => tf.mul(x, 1)));
    console.log(`| ${n} | ${inside.toFixed(1)} | ${outside.toFixed(1)} | ${(((inside - outside) * 1000) / n).toFixed(3)} |`);
    x.dispose();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
