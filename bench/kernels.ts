/**
 * Convolution gradient kernels against a forward convolution of the same FLOPs, on wasm:
 * `npx tsx bench/kernels.ts [--stock]` (`--stock`: the stock wasm kernels, where they exist;
 * GENBOOK_THREADS=N sets the thread count as everywhere). Per call: wall-clock ms (median of 7
 * after 2 warm-up calls) and the GFLOP/s it achieves, 2·B·OH·OW·KH·KW·C_in·C_out / wall time —
 * XNNPACK's own forward convolution on the same shapes is the practical ceiling of wasm SIMD128
 * here. Every call gets operands it has not seen before, as in training (the weights and dy are new
 * tensors every step, and XNNPACK caches what it packed per tensor): each timed call takes the next
 * of 9 copies made beforehand (until 2026-12-07 the gradients reused one dy, so the few-channel
 * filter gradient, which packs dy, was timed with its packing cached). Also prints the load
 * average: compare within a run.
 *
 * `--torch` adds PyTorch's kernels on the same shapes (bench/reference/torch_kernels.py, Debian's
 * python3-torch), at 1 thread and on every core, timed the same way, and the ratio genbook ÷ PyTorch
 * (every core) per kernel: how far wasm SIMD128 (XNNPACK's forward convolution, its
 * ceiling here) is from the native AVX code PyTorch runs, on the same machine in the same run.
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { backend, tf } from 'genbook';

type TorchConv = { forward: number; input: number; filter: number; threads: number; blas: string };
type TorchProduct = { product: number; threads: number; blas: string };

/** PyTorch's times for `cases` at `threads`, one JSON line per case. */
function torchTimes(cases: object[], threads: string): object[] {
  const python = fs.existsSync('/usr/bin/python3') ? '/usr/bin/python3' : 'python3';
  const script = path.join(__dirname, 'reference', 'torch_kernels.py');
  const run = spawnSync(python, [script, '--threads', threads], { input: JSON.stringify(cases), encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0) throw new Error(`--torch: ${python} ${script} failed (is Debian's python3-torch installed?)\n${run.stderr}`);
  return run.stdout.trim().split('\n').map((line) => JSON.parse(line) as object);
}

/** "12.3 ms, 45.6 GFLOP/s" for a PyTorch time. */
function torchCell(ms: number, flops: number): string {
  return `${ms.toFixed(1)} ms, ${(flops / ms / 1e6).toFixed(1)} GFLOP/s`;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Median wall ms and CPU ms of 7 calls after 2 warm-up calls. */
function time(f: () => tf.Tensor): { wall: number; cpu: number } {
  for (let i = 0; i < 2; i++) tf.dispose(f());
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < 7; i++) {
    const [w0, c0] = [performance.now(), cpuMs()];
    tf.dispose(f());
    wall.push(performance.now() - w0);
    cpu.push(cpuMs() - c0);
  }
  const median = (a: number[]) => a.sort((x, y) => x - y)[3];
  return { wall: median(wall), cpu: median(cpu) };
}

function cell(t: { wall: number; cpu: number } | undefined, flops: number): string {
  return t ? `${t.wall.toFixed(1)} ms, ${(flops / t.wall / 1e6).toFixed(1)} GFLOP/s` : 'fails';
}

/** 9 copies of `t` (one per timed call: 2 warm-up + 7), handed out in turn: new tensor ids every call. */
function copies(t: tf.Tensor): { next: () => tf.Tensor; dispose: () => void } {
  const list = Array.from({ length: 9 }, () => tf.add(t, 0));
  let i = 0;
  return { next: () => list[i++ % list.length], dispose: () => tf.dispose(list) };
}

const run = (name: string, inputs: tf.NamedTensorMap, attrs: object) =>
  tf.engine().runKernel(name, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;

async function main(): Promise<void> {
  const setup = await backend.setup('wasm', { log: null });
  console.log(`# npx tsx bench/kernels.ts ${process.argv.slice(2).join(' ')}: ${setup.threads ?? 1} thread(s), load average ${os.loadavg()[0].toFixed(2)}`);
  if (process.argv.includes('--stock')) backend.unregisterWasmTrainingKernels();
  // [x shape, filter shape, stride]: dcgan D conv2 / G convT1, conv-vae conv2 / convT1, a U-Net 3×3 conv, a 1-channel layer.
  const cases: [[number, number, number, number], [number, number, number, number], number][] = [
    [[64, 14, 14, 64], [4, 4, 64, 128], 2],
    [[128, 14, 14, 32], [3, 3, 32, 64], 2],
    [[64, 28, 28, 32], [3, 3, 32, 32], 1],
    [[64, 14, 14, 24], [3, 3, 24, 24], 1],
    [[64, 28, 28, 1], [4, 4, 1, 64], 2],
  ];
  const withTorch = process.argv.includes('--torch');
  const convCases = cases.map(([x, filter, stride]) => ({ kind: 'conv', x, filter, stride }));
  const allCores = String(os.cpus().length);
  const [torchConv1, torchConvAll] = withTorch ? ['1', allCores].map((t) => torchTimes(convCases, t) as TorchConv[]) : [[], []];
  if (withTorch) console.log(`# PyTorch at 1 and ${torchConvAll[0].threads} threads; its dense products run on ${torchConvAll[0].blas}`);
  const torchHead = withTorch
    ? ` PyTorch 1 thread: forward / input / filter | PyTorch ${torchConvAll[0].threads} threads: forward / input / filter | genbook ÷ PyTorch (${torchConvAll[0].threads} threads): forward / input / filter |`
    : '';
  console.log(`| x shape → filter, stride | forward conv (XNNPACK) | Conv2DBackpropInput | Conv2DBackpropFilter |${torchHead}`);
  console.log(`| --- | --- | --- | --- |${withTorch ? ' --- | --- | --- |' : ''}`);
  for (const [caseIndex, [xShape, filterShape, stride]] of cases.entries()) {
    const x = tf.randomNormal(xShape) as tf.Tensor4D;
    const shape4 = xShape;
    const w = tf.randomNormal(filterShape) as tf.Tensor4D;
    const dy = tf.randomNormal(tf.conv2d(x, w, stride, 'same').shape);
    const attrs = { strides: stride, pad: 'same', dataFormat: 'NHWC' };
    const [ws, dys] = [copies(w), copies(dy)];
    const forward = time(() => tf.conv2d(x, ws.next() as tf.Tensor4D, stride, 'same'));
    const [, oh, ow] = dy.shape;
    const flops = 2 * xShape[0] * oh * ow * filterShape[0] * filterShape[1] * filterShape[2] * filterShape[3];
    let input: { wall: number; cpu: number } | undefined;
    let filter: { wall: number; cpu: number } | undefined;
    try {
      input = time(() => run('Conv2DBackpropInput', { dy: dys.next(), filter: ws.next() }, { ...attrs, inputShape: shape4 }));
    } catch {
      // stock wasm has no such kernel
    }
    try {
      filter = time(() => run('Conv2DBackpropFilter', { x, dy: dys.next() }, { ...attrs, filterShape }));
    } catch {
      // stock wasm has no such kernel
    }
    let torchCells = '';
    if (withTorch) {
      const [one, all] = [torchConv1[caseIndex], torchConvAll[caseIndex]];
      const three = (t: TorchConv) => [t.forward, t.input, t.filter].map((ms) => torchCell(ms, flops)).join(' / ');
      const ratio = (ours: { wall: number } | undefined, theirs: number) => (ours ? `${(ours.wall / theirs).toFixed(1)}×` : '–');
      torchCells = ` ${three(one)} | ${three(all)} | ${ratio(forward, all.forward)} / ${ratio(input, all.input)} / ${ratio(filter, all.filter)} |`;
    }
    console.log(`| [${xShape}] → [${filterShape}] s${stride} | ${cell(forward, flops)} | ${cell(input, flops)} | ${cell(filter, flops)} |${torchCells}`);
    tf.dispose([x, w, dy]);
    ws.dispose();
    dys.dispose();
  }
  // Dense layers' gradient products (xᵀ·dy, dy·Wᵀ) against the plain product of the same FLOPs.
  console.log('');
  const products: [string, [number, number], [number, number], boolean, boolean][] = [
    ['dcgan D logit, dW = xᵀ·dy', [64, 6272], [64, 1], true, false],
    ['dcgan D logit, dx = dy·Wᵀ', [64, 1], [6272, 1], false, true],
    ['dcgan G project, dW = zᵀ·dy', [64, 64], [64, 6272], true, false],
    ['dcgan G project, dz = dy·Wᵀ', [64, 6272], [64, 6272], false, true],
    ['mlp 784→256, dW = xᵀ·dy', [128, 784], [128, 256], true, false],
  ];
  const mkn = products.map(([, aShape, bShape, transposeA, transposeB]) => {
    const [m, k] = transposeA ? [aShape[1], aShape[0]] : aShape;
    return { kind: 'matmul', m, k, n: transposeB ? bShape[0] : bShape[1] };
  });
  const [torchMm1, torchMmAll] = withTorch ? ['1', allCores].map((t) => torchTimes(mkn, t) as TorchProduct[]) : [[], []];
  const mmHead = withTorch ? ` PyTorch a·b, 1 thread | PyTorch a·b, ${torchMmAll[0].threads} threads | a·b: genbook ÷ PyTorch (${torchMmAll[0].threads} threads) |` : '';
  console.log(`| product (dense-layer gradient) | a·b (XNNPACK) | transposed as in the gradient |${mmHead}`);
  console.log(`| --- | --- | --- |${withTorch ? ' --- | --- | --- |' : ''}`);
  for (const [productIndex, [what, aShape, bShape, transposeA, transposeB]] of products.entries()) {
    const a = tf.randomNormal(aShape);
    const b = tf.randomNormal(bShape);
    const [m, k] = transposeA ? [aShape[1], aShape[0]] : aShape;
    const n = transposeB ? bShape[0] : bShape[1];
    const flops = 2 * m * k * n;
    const plainA = tf.randomNormal([m, k]);
    const plainB = tf.randomNormal([k, n]);
    const [plainBs, as, bs] = [copies(plainB), copies(a), copies(b)];
    const plain = time(() => tf.matMul(plainA, plainBs.next()));
    const gradient = time(() => tf.matMul(as.next(), bs.next(), transposeA, transposeB));
    [plainBs, as, bs].forEach((c) => c.dispose());
    const torchCells = withTorch
      ? ` ${torchCell(torchMm1[productIndex].product, flops)} | ${torchCell(torchMmAll[productIndex].product, flops)} | ${(plain.wall / torchMmAll[productIndex].product).toFixed(1)}× |`
      : '';
    console.log(`| ${what}: [${m}, ${k}]·[${k}, ${n}] | ${cell(plain, flops)} | ${cell(gradient, flops)} |${torchCells}`);
    tf.dispose([a, b, plainA, plainB]);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
