/**
 * Transpose for the wasm backend, for the permutations that are a swap of two axis groups.
 *
 * The stock kernel's 2-D transpose [R, C] → [C, R] is fast on some shapes and 4–12× slower on
 * others of about the same size: [6272, 64] takes 0.14 ms, [12544, 64] 1.8 ms and [50176, 32]
 * 11.6 ms on one thread here (`npx tsx bench/transpose.ts`; bench/results/transpose.txt). Its output
 * rows are written side by side with a stride of R values, and when R·4 bytes is a multiple of
 * 1 KiB (R a multiple of 256, as B·H·W is for batch 64 and 14 × 14 or 28 × 28 images) those rows
 * fall into a few cache sets and evict each other. So there the R rows are cut into blocks of
 * BLOCK_ROWS (a stride that does not alias), each block is transposed by the stock kernel, and its
 * C runs are copied into place.
 *
 * Covered, after merging neighbouring axes that stay neighbours:
 * - [R, C] → [C, R] where R aliases, and the same per leading index ([A, R, C] → [A, C, R]);
 * - [R, M, C] → [C, M, R] (the batch-to-channels transpose of the filter gradient, x [B, H, W, C]
 *   → [C, H, W, B]): [R, M·C] → [M·C, R] as above, then the stock kernel swaps M and C, moving
 *   runs of R (which it does well).
 * Everything else, small tensors and non-4-byte dtypes keep the stock kernel.
 */
import { type BackendWasm, type TensorInfo, type WasmKernelArgs, release, runStock } from './kernel-utils';
import { copyWords, heapWords, isWordType, sizeOf, wordOffset } from './heap';

/** Rows per block of the blocked 2-D transpose (3136·4 bytes is not a multiple of 1 KiB). */
export const BLOCK_ROWS = 3136;

/** Whether a 2-D transpose of `rows` rows takes the blocked path: longer than a block, aliasing stride. */
export function aliases(rows: number): boolean {
  return rows > BLOCK_ROWS && rows % 256 === 0;
}
/** Fewest values for which the blocked paths are used (below, the stock kernel is fast enough). */
export const MIN_BLOCKED_SIZE = 1 << 16;
/** Shortest R for which [R, M, C] → [C, M, R] is split in two (the second step moves runs of R). */
const MIN_RUN = 16;

/** Merge neighbouring input axes that stay neighbours (in order) in `perm`; size-1 axes vanish. */
export function collapsePermutation(shape: readonly number[], perm: readonly number[]): { shape: number[]; perm: number[] } {
  const kept = perm.filter((a) => shape[a] !== 1);
  // Groups of input axes, in output order.
  const groups: number[][] = [];
  for (const a of kept) {
    const last = groups[groups.length - 1];
    const prev = last?.[last.length - 1];
    // a follows prev in the input, skipping only size-1 axes.
    if (last && prev !== undefined && a > prev && shape.slice(prev + 1, a).every((d) => d === 1)) last.push(a);
    else groups.push([a]);
  }
  const order = groups.map((g) => g[0]).sort((p, q) => p - q);
  return {
    shape: order.map((first) => sizeOf(groups.find((g) => g[0] === first)!.map((a) => shape[a]))),
    perm: groups.map((g) => order.indexOf(g[0])),
  };
}

/**
 * Transpose `rows` × `cols` words at heap word `src` into `cols` × `rows` at `dst` (each output row
 * has stride `rows`), block by block through the stock kernel.
 */
function blockedSwap(backend: BackendWasm, x: TensorInfo, src: number, rows: number, cols: number, out: TensorInfo, dst: number): void {
  for (let r0 = 0; r0 < rows; r0 += BLOCK_ROWS) {
    const n = Math.min(BLOCK_ROWS, rows - r0);
    const block = backend.makeOutput([n, cols], x.dtype);
    let heap = heapWords(backend);
    heap.copyWithin(wordOffset(backend, block), src + r0 * cols, src + (r0 + n) * cols);
    const t = runStock('Transpose', backend, { x: block }, { perm: [1, 0] }); // [cols, n]
    heap = heapWords(backend);
    const from = wordOffset(backend, t);
    for (let c = 0; c < cols; c++) copyWords(heap, dst + c * rows + r0, from + c * n, n);
    release(backend, block, t);
  }
}

export function transpose(args: WasmKernelArgs<{ perm: number[] }>): TensorInfo {
  const { backend, attrs } = args;
  const { x } = args.inputs;
  const size = sizeOf(x.shape);
  if (!isWordType(x.dtype) || size < MIN_BLOCKED_SIZE) return runStock('Transpose', backend, args.inputs, attrs);
  const { shape, perm } = collapsePermutation(x.shape, attrs.perm);
  const outShape = attrs.perm.map((a) => x.shape[a]);
  const key = perm.join(',');
  if (key === '1,0' && aliases(shape[0])) {
    const out = backend.makeOutput(outShape, x.dtype);
    blockedSwap(backend, x, wordOffset(backend, x), shape[0], shape[1], out, wordOffset(backend, out));
    return out;
  }
  if (key === '0,2,1' && aliases(shape[1])) {
    const [a, r, c] = shape;
    const out = backend.makeOutput(outShape, x.dtype);
    for (let i = 0; i < a; i++) {
      blockedSwap(backend, x, wordOffset(backend, x) + i * r * c, r, c, out, wordOffset(backend, out) + i * r * c);
    }
    return out;
  }
  if (key === '2,1,0' && shape[0] >= MIN_RUN) {
    const [r, m, c] = shape;
    // [R, M·C] → [M·C, R] = [M, C, R] (blocked where it aliases), then swap M and C with runs of R:
    // two 2-D-like transposes the stock kernel does faster than its one 3-D one.
    let mcr: TensorInfo;
    if (aliases(r)) {
      mcr = backend.makeOutput([m * c, r], x.dtype);
      blockedSwap(backend, x, wordOffset(backend, x), r, m * c, mcr, wordOffset(backend, mcr));
    } else {
      mcr = runStock('Transpose', backend, { x: { ...x, shape: [r, m * c] } }, { perm: [1, 0] });
    }
    // The stock kernel moves runs of R well.
    const out = runStock('Transpose', backend, { x: { ...mcr, shape: [m, c, r] } }, { perm: [1, 0, 2] });
    release(backend, mcr);
    out.shape = outShape;
    return out;
  }
  return runStock('Transpose', backend, args.inputs, attrs);
}
