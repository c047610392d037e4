/**
 * BatchMatMul and _FusedMatMul for the wasm backend, fast with transposeA/transposeB and batches.
 *
 * The stock kernel sends a product to XNNPACK's fully-connected operator only when neither side
 * is transposed and both batch sizes are 1; everything else takes a scalar triple loop about 10×
 * slower (design.md fact 3: 21 ms against 1.7 ms for 128×784×256). Dense layers' gradients are
 * exactly such products (xᵀ·dy and dy·Wᵀ). Here a transposed operand is transposed first (a copy
 * on one thread; a contiguous one when a side of it is 1), and a batched
 * product runs one XNNPACK product per batch element. A plain product may instead be computed
 * transposed, op(A)·op(B) = (op(B)ᵀ·op(A)ᵀ)ᵀ, when that costs less, counting the values transposes
 * copy and the right operand XNNPACK packs: the weight gradient zᵀ·dy of a dense layer 64 → 6272
 * at batch 64 then packs z (64 × 64) instead of dy (64 × 6272).
 */
import {
  type BackendWasm,
  type TensorInfo,
  type WasmKernelArgs,
  heapF32,
  release,
  reshape,
  runStock,
  transpose,
} from './kernel-utils';

interface MatMulAttrs {
  transposeA: boolean;
  transposeB: boolean;
}

/**
 * The stock BatchMatMul caches XNNPACK's packing of its right operand by tensor id, whatever shape
 * the operand has: after x [6, 4] was a right operand, tf.reshape(x, [4, 6]) (the same data, so the
 * same id) multiplies with the stale [6, 4] packing and gives wrong numbers (tfjs-backend-wasm
 * 4.22; `tests/lib/wasm-kernels.test.ts` shows it). Each right operand's shape as the stock kernel
 * last saw it is kept here; a different shape gets a copy, which has an id of its own.
 */
const rightOperandShapes = new WeakMap<object, string>();

/**
 * Run the stock matmul `name`, copying the right operand `b` where the stock cache would go stale.
 * Every genbook kernel that calls the stock BatchMatMul goes through here.
 */
export function runStockMatMul(name: string, backend: BackendWasm, inputs: Record<string, TensorInfo>, attrs: object): TensorInfo {
  const { b } = inputs;
  const key = `${b.shape}|${(attrs as Partial<MatMulAttrs>).transposeB === true}`;
  const seen = rightOperandShapes.get(b.dataId);
  if (seen === undefined || seen === key) {
    rightOperandShapes.set(b.dataId, key);
    return runStock(name, backend, inputs, attrs);
  }
  const copy = backend.makeOutput(b.shape, b.dtype);
  heapF32(backend, copy).set(heapF32(backend, b));
  rightOperandShapes.set(copy.dataId, key);
  const out = runStock(name, backend, { ...inputs, b: copy }, attrs);
  release(backend, copy);
  return out;
}

/** Broadcast the leading (batch) dimensions of two shapes, numpy style. */
function broadcastBatch(a: number[], b: number[]): number[] {
  const rank = Math.max(a.length, b.length);
  const out: number[] = [];
  for (let i = 0; i < rank; i++) {
    const da = a[a.length - rank + i] ?? 1;
    const db = b[b.length - rank + i] ?? 1;
    if (da !== db && da !== 1 && db !== 1) {
      throw new Error(`matMul: batch dimensions [${a}] and [${b}] do not broadcast`);
    }
    out.push(Math.max(da, db));
  }
  return out;
}

/** Values a transpose of a [rows, cols] matrix (per batch element) copies: none when a side is 1. */
function transposeCost(rows: number, cols: number, transposed: boolean): number {
  return transposed && rows > 1 && cols > 1 ? rows * cols : 0;
}

/** [batch, rows, cols] with the last two axes swapped when `transposed`, as a new row-major tensor. */
function untransposed(backend: BackendWasm, x: TensorInfo, transposed: boolean): TensorInfo {
  const rank = x.shape.length;
  const batch = x.shape.slice(0, -2).reduce((p, d) => p * d, 1);
  const [rows, cols] = [x.shape[rank - 2], x.shape[rank - 1]];
  // A row or column vector reads the same in either order: its transpose is a contiguous copy. (Not
  // a reshape: the stock kernel caches XNNPACK's packed right operand by tensor id, whatever its
  // shape, so the same data seen as [k, 1] and as [1, k] would share one packing and go wrong.)
  if (transposed && transposeCost(rows, cols, true) === 0) {
    const out = backend.makeOutput([batch, cols, rows], 'float32');
    heapF32(backend, out).set(heapF32(backend, x));
    return out;
  }
  const x3 = reshape(backend, x, [batch, rows, cols]);
  if (!transposed) return x3;
  const t = transpose(backend, x3, [0, 2, 1]);
  release(backend, x3);
  return t;
}

/**
 * What packing a right operand costs, in values copied by a transpose: XNNPACK packs the right
 * operand of every new tensor on one thread at about 2.6 ns a value here, against 0.3–1 ns for a
 * transposed copy (`npx tsx bench/kernels.ts`: a product with a new [64, 6272] right operand takes
 * 2.1 ms, with the same one 0.6 ms).
 */
const PACK_COST = 3;

/**
 * A single plain product op(A)·op(B) computed as (op(B)ᵀ·op(A)ᵀ)ᵀ when that costs less: fewer
 * values copied by transposes, and a smaller right operand to pack (k·m values instead of k·n:
 * each operand's transpose flag flips, and the [n, m] result is transposed); null when direct is
 * cheaper. The right operand of a gradient product is a new tensor every call, so its packing is
 * always paid.
 */
function swappedProduct(backend: BackendWasm, a: TensorInfo, b: TensorInfo, transposeA: boolean, transposeB: boolean): TensorInfo | null {
  const [ra, ca] = a.shape.slice(-2);
  const [rb, cb] = b.shape.slice(-2);
  const [m, k, n] = [transposeA ? ca : ra, transposeA ? ra : ca, transposeB ? rb : cb];
  const direct = transposeCost(ra, ca, transposeA) + transposeCost(rb, cb, transposeB) + PACK_COST * k * n;
  const swapped = transposeCost(ra, ca, !transposeA) + transposeCost(rb, cb, !transposeB) + transposeCost(n, m, true) + PACK_COST * k * m;
  if (swapped >= direct) return null;
  const bT = untransposed(backend, b, !transposeB); // [1, n, k]
  const aT = untransposed(backend, a, !transposeA); // [1, k, m]
  const product = runStockMatMul('BatchMatMul', backend, { a: bT, b: aT }, { transposeA: false, transposeB: false }); // [1, n, m]
  release(backend, bT, aT);
  const out = untransposed(backend, product, true); // [1, m, n]
  release(backend, product);
  return out;
}

/**
 * a · b with both operands already row-major 3-D ([batchA, m, k], [batchB, k, n], batchA and batchB
 * 1 or equal to `batch`), through XNNPACK, one product per batch element when batch > 1.
 */
function product(
  backend: BackendWasm,
  a3: TensorInfo,
  b3: TensorInfo,
  batch: number,
  stockName: string,
  extraInputs: Record<string, TensorInfo>,
  extraAttrs: object,
): TensorInfo {
  const attrs = { ...extraAttrs, transposeA: false, transposeB: false };
  if (batch === 1) return runStockMatMul(stockName, backend, { a: a3, b: b3, ...extraInputs }, attrs);
  const [, m, k] = a3.shape;
  const n = b3.shape[2];
  const out = backend.makeOutput([batch, m, n], 'float32');
  for (let i = 0; i < batch; i++) {
    const ai = sliceBatch(backend, a3, a3.shape[0] === 1 ? 0 : i, m * k);
    const bi = sliceBatch(backend, b3, b3.shape[0] === 1 ? 0 : i, k * n);
    const oi = runStockMatMul(stockName, backend, { a: ai, b: bi, ...extraInputs }, attrs);
    heapF32(backend, out).set(heapF32(backend, oi), i * m * n);
    release(backend, ai, bi, oi);
  }
  return out;
}

/** Batch element `index` of a [batch, rows, cols] tensor, copied into a new [1, rows, cols] tensor. */
function sliceBatch(backend: BackendWasm, x: TensorInfo, index: number, size: number): TensorInfo {
  const out = backend.makeOutput([1, x.shape[1], x.shape[2]], 'float32');
  heapF32(backend, out).set(heapF32(backend, x).subarray(index * size, (index + 1) * size));
  return out;
}

function matMulWith(
  stockName: 'BatchMatMul' | '_FusedMatMul',
  args: WasmKernelArgs<MatMulAttrs & Record<string, unknown>>,
): TensorInfo {
  const { backend, attrs } = args;
  const { a, b, ...extraInputs } = args.inputs;
  const { transposeA, transposeB, ...extraAttrs } = attrs;
  const batchA = a.shape.slice(0, -2);
  const batchB = b.shape.slice(0, -2);
  const batchShape = broadcastBatch(batchA, batchB);
  const batch = batchShape.reduce((p, d) => p * d, 1);
  const sizeA = batchA.reduce((p, d) => p * d, 1);
  const sizeB = batchB.reduce((p, d) => p * d, 1);
  const fast =
    a.dtype === 'float32' &&
    b.dtype === 'float32' &&
    (sizeA === batch || sizeA === 1) &&
    (sizeB === batch || sizeB === 1) &&
    // Batched products whose batch shapes only broadcast partially keep the stock kernel.
    (batch === 1 || (sizeA === batch && sizeB === batch) || sizeA === 1 || sizeB === 1) &&
    // A fused bias or activation over a batch stays with the stock kernel.
    (batch === 1 || stockName === 'BatchMatMul');
  if (!fast || (!transposeA && !transposeB && batch === 1)) {
    return runStockMatMul(stockName, backend, args.inputs, attrs);
  }
  if (batch === 1 && stockName === 'BatchMatMul') {
    const swapped = swappedProduct(backend, a, b, transposeA, transposeB);
    if (swapped) {
      swapped.shape = [...batchShape, swapped.shape[1], swapped.shape[2]];
      return swapped;
    }
  }
  const a3 = untransposed(backend, a, transposeA);
  const b3 = untransposed(backend, b, transposeB);
  const out = product(backend, a3, b3, batch, stockName, extraInputs, extraAttrs);
  release(backend, a3, b3);
  const m = a3.shape[1];
  const n = b3.shape[2];
  out.shape = [...batchShape, m, n];
  return out;
}

export function batchMatMul(args: WasmKernelArgs<MatMulAttrs>): TensorInfo {
  return matMulWith('BatchMatMul', args as WasmKernelArgs<MatMulAttrs & Record<string, unknown>>);
}

export function fusedMatMul(args: WasmKernelArgs<MatMulAttrs & Record<string, unknown>>): TensorInfo {
  return matMulWith('_FusedMatMul', args);
}
