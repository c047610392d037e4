/**
 * Would the filter gradient be faster as im2col + one matrix product? `npx tsx
 * bench/filter-gradient-gemm.ts` (GENBOOK_THREADS=N as everywhere).
 *
 * genbook's Conv2DBackpropFilter (lib/src/backend/wasm/conv2d-backprop-filter.ts) runs one XNNPACK
 * convolution of x seen as [c_in, h, w, b] with dy seen as an oh × ow filter: an output of only
 * k_h·k_w·c_in pixels with a reduction over b·oh·ow (K = 50 176 for the U-Net's 28 × 28 layers). The
 * textbook alternative is dW = colsᵀ · dy with cols = im2col(x), [b·oh·ow, k_h·k_w·c_in], dy read as
 * [b·oh·ow, c_out] without a copy. This times, per shape and in one run (median wall ms of 7 calls
 * after 2 warm-ups): the forward convolution (the ceiling), genbook's kernel, the product as the
 * kernel would call it (genbook's BatchMatMul with transposeA), once with the same cols tensor every
 * call and once with a fresh one (a copy, timed alone in the next column), and an im2col by pad + 9
 * slices + concat (what tf ops would do).
 *
 * What it shows (bench/results/filter-gradient-gemm.txt): the product is fast only when cols is the
 * same tensor every call. The stock BatchMatMul keeps XNNPACK's packing of its right operand per
 * tensor; genbook's kernel computes colsᵀ·dy as (dyᵀ·cols)ᵀ, so cols is that operand, and a new
 * cols, as every training step makes, is packed anew (about 14 M values for the U-Net's 28 × 28
 * layers). With that packing the route is several times slower than the convolution, before any
 * im2col: genbook keeps the convolution.
 */
import { backend, tf } from 'genbook';
import * as os from 'os';
import { medianWallMs } from './median-wall';

/** Median wall ms of 7 calls after 2 warm-up calls. */
const time = (f: () => tf.Tensor): number => medianWallMs(f, 2, 7);

async function main(): Promise<void> {
  const setup = await backend.setup('wasm', { log: null });
  console.log(`# npx tsx bench/filter-gradient-gemm.ts: ${setup.threads ?? 1} thread(s), load average ${os.loadavg()[0].toFixed(2)}, Node ${process.version}`);
  console.log('| x → filter (3×3, stride 1, same) | forward conv | Conv2DBackpropFilter (genbook) | colsᵀ·dy, the same cols every call | colsᵀ·dy, a fresh cols every call | the copy making it fresh | im2col by pad, slices, concat |');
  console.log('| --- | --- | --- | --- | --- | --- | --- |');
  const cases: [number, number, number, number, number][] = [
    [64, 28, 28, 32, 32],
    [64, 14, 14, 64, 64],
    [64, 14, 14, 24, 24],
  ];
  for (const [b, h, w, ci, co] of cases) {
    const x = tf.randomNormal([b, h, w, ci]) as tf.Tensor4D;
    const filter = tf.randomNormal([3, 3, ci, co]) as tf.Tensor4D;
    const dy = tf.randomNormal([b, h, w, co]) as tf.Tensor4D;
    const cols = tf.randomNormal([b * h * w, 9 * ci]) as tf.Tensor2D;
    const dy2 = dy.reshape([b * h * w, co]) as tf.Tensor2D;
    const flops = 2 * b * h * w * 9 * ci * co;
    const cell = (ms: number) => `${ms.toFixed(1)} ms, ${(flops / ms / 1e6).toFixed(1)} GFLOP/s`;
    const forward = time(() => tf.tidy(() => tf.conv2d(x, tf.add(filter, 0) as tf.Tensor4D, 1, 'same')));
    const kernel = time(() =>
      tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'same', dataFormat: 'NHWC', filterShape: [3, 3, ci, co] } as unknown as tf.NamedAttrMap) as tf.Tensor,
    );
    const product = time(() => tf.matMul(cols, dy2, true, false));
    const copy = time(() => tf.add(cols, 0));
    const freshProduct = time(() => tf.tidy(() => tf.matMul(tf.add(cols, 0) as tf.Tensor2D, dy2, true, false)));
    const im2col = time(() =>
      tf.tidy(() => {
        const p = tf.pad(x, [[0, 0], [1, 1], [1, 1], [0, 0]]);
        const parts: tf.Tensor[] = [];
        for (let i = 0; i < 3; i++) for (let j = 0; j < 3; j++) parts.push(tf.slice(p, [0, i, j, 0], [b, h, w, ci]));
        return tf.concat(parts, 3);
      }),
    );
    console.log(`| [${b},${h},${w},${ci}] → ${co} | ${cell(forward)} | ${cell(kernel)} | ${cell(product)} | ${freshProduct.toFixed(1)} ms | ${copy.toFixed(1)} ms | ${im2col.toFixed(1)} ms |`);
    tf.dispose([x, filter, dy, cols, dy2]);
  }
}

main();
