/**
 * What the threaded build's shared memory costs genbook's JavaScript kernels: the same typed-array
 * operations on an ArrayBuffer (the single-threaded build's heap) and on a SharedArrayBuffer (the
 * threaded build's), in µs per call, median of 200 after 20 warm-up calls:
 *
 *   npx tsx bench/shared-memory.ts
 *
 * V8 copies and fills shared memory with relaxed atomic accesses, so `fill` and `copyWithin` are
 * slower there: the reason conv2d-backprop-input.ts zeroes dx only when a phase has no taps.
 */
import * as os from 'os';

const median = (a: number[]) => [...a].sort((x, y) => x - y)[a.length >> 1];

function time(run: () => void): number {
  for (let i = 0; i < 20; i++) run();
  const us: number[] = [];
  for (let i = 0; i < 200; i++) {
    const start = performance.now();
    run();
    us.push((performance.now() - start) * 1000);
  }
  return median(us);
}

function main(): void {
  console.log(`# npx tsx bench/shared-memory.ts: load average ${os.loadavg()[0].toFixed(2)}, Node ${process.version}`);
  console.log('| operation | ArrayBuffer | SharedArrayBuffer |');
  console.log('| --- | --- | --- |');
  const n = 800_000; // dcgan's [64, 14, 14, 64]
  const rows: [string, (h: Int32Array) => void][] = [
    ['fill(0), 800 K words', (h) => h.fill(0, 4_000_000, 4_000_000 + n)],
    ['copyWithin, 800 K words', (h) => h.copyWithin(4_000_000, 100, 100 + n)],
    ['12 544 copyWithin of 64 words', (h) => {
      for (let r = 0; r < 12_544; r++) h.copyWithin(4_000_000 + r * 64, 100 + r * 64, 164 + r * 64);
    }],
  ];
  const heaps = [new Int32Array(new ArrayBuffer(64 << 20)), new Int32Array(new SharedArrayBuffer(64 << 20))];
  for (const [what, run] of rows) {
    const [plain, shared] = heaps.map((h) => time(() => run(h)));
    console.log(`| ${what} | ${plain.toFixed(1)} µs | ${shared.toFixed(1)} µs |`);
  }
}

main();
