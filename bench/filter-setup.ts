/**
 * What the stock wasm Conv2D pays, on the main thread, for a filter XNNPACK has not seen: it
 * transposes the filter from [k_h·k_w·c_in, c_out] to [c_out, k_h·k_w·c_in], then XNNPACK packs it.
 * In training every filter gradient's convolution (its filter is dyᵀ) and every phase of an input
 * gradient (conv2d-backprop-input.ts) is such a filter, and the work runs on one thread whatever
 * the thread count. Like the stock Transpose kernel (transpose.ts), that transpose thrashes the
 * cache when k_h·k_w·c_in is a multiple of 256; the table shows it, per filter value, next to
 * shapes one input channel away:
 *
 *   npx tsx bench/filter-setup.ts      (GENBOOK_THREADS=N as everywhere)
 *
 * Each row: the median wall time of 15 convolutions of a tiny input with a new filter minus the
 * median of the same convolutions with a filter already packed, over the filter's size, after a
 * first pass over all shapes (the first large filters also pay for growing the heap).
 */
import * as os from 'os';
import { backend, tf } from 'genbook';

type Shape4 = [number, number, number, number];
const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];

/** ms a convolution pays for a new filter of `shape` (new minus already packed, medians of 15). */
function newFilterMs(shape: Shape4): number {
  const x = tf.zeros([1, shape[0], shape[1], shape[2]]) as tf.Tensor4D;
  const filters = Array.from({ length: 16 }, () => tf.zeros(shape) as tf.Tensor4D);
  tf.conv2d(x, filters[0], 1, 'valid').dispose(); // the first call touches the memory packing needs
  const fresh: number[] = [];
  const packed: number[] = [];
  for (const f of filters.slice(1)) {
    let t = performance.now();
    tf.conv2d(x, f, 1, 'valid').dispose();
    fresh.push(performance.now() - t);
    t = performance.now();
    tf.conv2d(x, f, 1, 'valid').dispose();
    packed.push(performance.now() - t);
  }
  tf.dispose([x, ...filters]);
  return median(fresh) - median(packed);
}

async function main(): Promise<void> {
  const setup = await backend.setup('wasm', { log: null });
  console.log(`# npx tsx bench/filter-setup.ts: ${setup.threads ?? 1} thread(s), load average ${os.loadavg()[0].toFixed(2)}, Node ${process.version}`);
  console.log('| new filter | k_h·k_w·c_in | ms | ns a value |');
  console.log('| --- | --- | --- | --- |');
  // dcgan's 4×4 layer, its input gradient's phase sub-filters (c_in = dy's 128 channels, then 129
  // as genbook pads them), its filter gradient's dyᵀ, and each shape with one input channel more.
  const shapes: Shape4[] = [[4, 4, 64, 128], [4, 4, 65, 128], [2, 2, 128, 64], [2, 2, 129, 64], [7, 7, 64, 128], [7, 7, 65, 128], [3, 3, 64, 64], [3, 3, 65, 64]];
  for (const shape of shapes) newFilterMs(shape); // a first pass: the heap grows to what packing needs
  for (const shape of shapes) {
    const k = shape[0] * shape[1] * shape[2];
    const ms = newFilterMs(shape);
    console.log(`| [${shape}] | ${k}${k % 256 === 0 ? ' (256 × ' + k / 256 + ')' : ''} | ${ms.toFixed(3)} | ${((ms * 1e6) / (k * shape[3])).toFixed(2)} |`);
  }
}

main().catch((e) => {
  console.error(e instanceof Error ? e.message : e);
  process.exit(1);
});
