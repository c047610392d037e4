/**
 * Convolution gradient kernels against a forward convolution of the same FLOPs, on wasm:
 * `npx tsx bench/kernels.ts [--stock]` (`--stock`: the stock wasm kernels, where they exist).
 * CPU ms per call, median of 7 after 2 warm-up calls; every call gets fresh operands' ids as in
 * training (the filter of a forward conv is new each step, so XNNPACK repacks it each call).
 */
import { backend, tf } from 'genbook';

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

function time(f: () => tf.Tensor): string {
  for (let i = 0; i < 2; i++) tf.dispose(f());
  const samples: number[] = [];
  for (let i = 0; i < 7; i++) {
    const t0 = cpuMs();
    tf.dispose(f());
    samples.push(cpuMs() - t0);
  }
  samples.sort((a, b) => a - b);
  return `${samples[3].toFixed(1)} (min ${samples[0].toFixed(1)})`;
}

const run = (name: string, inputs: tf.NamedTensorMap, attrs: object) =>
  tf.engine().runKernel(name, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;

async function main(): Promise<void> {
  await backend.setup('wasm', { log: null });
  if (process.argv.includes('--stock')) backend.unregisterWasmTrainingKernels();
  // [x shape, filter shape, stride]: dcgan D conv2 / G convT1, conv-vae conv2 / convT1, a U-Net 3×3 conv, a 1-channel layer.
  const cases: [[number, number, number, number], [number, number, number, number], number][] = [
    [[64, 14, 14, 64], [4, 4, 64, 128], 2],
    [[128, 14, 14, 32], [3, 3, 32, 64], 2],
    [[64, 28, 28, 32], [3, 3, 32, 32], 1],
    [[64, 14, 14, 24], [3, 3, 24, 24], 1],
    [[64, 28, 28, 1], [4, 4, 1, 64], 2],
  ];
  console.log('x shape → filter, stride: CPU ms per call, forward conv | Conv2DBackpropInput | Conv2DBackpropFilter');
  for (const [xShape, filterShape, stride] of cases) {
    const x = tf.randomNormal(xShape) as tf.Tensor4D;
    const shape4 = xShape;
    const w = tf.randomNormal(filterShape) as tf.Tensor4D;
    const dy = tf.randomNormal(tf.conv2d(x, w, stride, 'same').shape);
    const attrs = { strides: stride, pad: 'same', dataFormat: 'NHWC' };
    const forward = time(() => tf.tidy(() => tf.conv2d(x, tf.add(w, 0) as tf.Tensor4D, stride, 'same')));
    let input = 'fails';
    let filter = 'fails';
    try {
      input = time(() => run('Conv2DBackpropInput', { dy, filter: w }, { ...attrs, inputShape: shape4 }));
    } catch {
      // stock wasm has no such kernel
    }
    try {
      filter = time(() => run('Conv2DBackpropFilter', { x, dy }, { ...attrs, filterShape }));
    } catch {
      // stock wasm has no such kernel
    }
    console.log(`[${xShape}] → [${filterShape}] s${stride}: ${forward} | ${input} | ${filter}`);
    tf.dispose([x, w, dy]);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
