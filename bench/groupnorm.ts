/**
 * Three formulations of group normalisation on the active backend (default wasm), forward and
 * backward, on the U-Net's largest activation [64, 14, 14, 48]:
 *
 * - grouped: reshape to [B, H, W, G, C/G], moments over (1, 2, 4), normalise, reshape back (the
 *   textbook form; lib/src/models/diffusion-nn.ts `groupNorm`);
 * - scale/shift: per-channel sums over (H, W), group statistics from those, then y = x·a + s with
 *   a, s of shape [B, 1, 1, C] (the same function; broadcasts along the contiguous channel axis);
 * - written gradient: `models.groupNormalize` (lib/src/models/group-norm.ts), what the library
 *   uses: statistics per channel as above, and the backward pass written out with tf.customGrad.
 *
 * Run: npx tsx bench/groupnorm.ts [--backend wasm|cpu]. Prints wall-clock ms per forward+backward
 * (median of 15 after 3 warm-up; CPU ms beside it) and the largest difference of each output from
 * the grouped one. Measure on an idle machine; it prints the load average.
 */
import * as os from 'os';
import { backend, models, tf } from 'genbook';

const [B, H, W, C, G] = [64, 14, 14, 48, 8];

function grouped(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const g = tf.reshape(x, [B, H, W, G, C / G]);
  const { mean, variance } = tf.moments(g, [1, 2, 4], true);
  const normed = tf.reshape(tf.div(tf.sub(g, mean), tf.sqrt(tf.add(variance, 1e-5))), [B, H, W, C]);
  return tf.add(tf.mul(normed, gamma), beta);
}

function scaleShift(x: tf.Tensor4D, gamma: tf.Tensor, beta: tf.Tensor): tf.Tensor {
  const perGroup = C / G;
  const count = H * W * perGroup;
  const groupSum = (t: tf.Tensor) => tf.sum(tf.reshape(tf.sum(t, [1, 2]), [B, G, perGroup]), 2); // [B, G]
  const mean = tf.div(groupSum(x), count);
  const variance = tf.sub(tf.div(groupSum(tf.square(x)), count), tf.square(mean));
  const inverse = tf.rsqrt(tf.add(variance, 1e-5));
  const perChannel = (t: tf.Tensor) => tf.reshape(tf.tile(tf.expandDims(t, 2), [1, 1, perGroup]), [B, 1, 1, C]);
  const scale = tf.mul(perChannel(inverse), gamma);
  const shift = tf.sub(beta, tf.mul(perChannel(tf.mul(mean, inverse)), gamma));
  return tf.add(tf.mul(x, scale), shift);
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

async function main(): Promise<void> {
  const i = process.argv.indexOf('--backend');
  const name = (i >= 0 ? process.argv[i + 1] : 'wasm') as 'wasm' | 'cpu';
  await backend.setup(name, { log: null });
  const x = tf.randomNormal([B, H, W, C], 0.5, 2, 'float32', 1) as tf.Tensor4D;
  const gamma = tf.randomNormal([C], 1, 0.1, 'float32', 2);
  const beta = tf.randomNormal([C], 0, 0.1, 'float32', 3);
  const dy = tf.randomNormal([B, H, W, C], 0, 1, 'float32', 4);
  const written = (a: tf.Tensor4D, g: tf.Tensor, b: tf.Tensor) => models.groupNormalize(a, g as tf.Tensor1D, b as tf.Tensor1D, G);
  const forms = [['grouped', grouped], ['scale/shift', scaleShift], ['written gradient', written]] as const;
  console.log(`# npx tsx bench/groupnorm.ts --backend ${name}: [${B}, ${H}, ${W}, ${C}], G = ${G}, ${backend.threadsInUse()} thread(s), load average ${os.loadavg()[0].toFixed(2)} on ${os.cpus().length} CPUs`);
  for (const [label, f] of forms) {
    const step = () =>
      tf.tidy(() => {
        const grads = tf.grads((a: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(a as tf.Tensor4D, g, b), dy)))([x, gamma, beta]);
        grads.forEach((t) => t.dataSync());
      });
    for (let k = 0; k < 3; k++) step();
    const wall: number[] = [];
    const cpu: number[] = [];
    for (let k = 0; k < 15; k++) {
      const c0 = cpuMs();
      const t0 = performance.now();
      step();
      wall.push(performance.now() - t0);
      cpu.push(cpuMs() - c0);
    }
    wall.sort((a, b) => a - b);
    cpu.sort((a, b) => a - b);
    const diff = tf.tidy(() => tf.max(tf.abs(tf.sub(grouped(x, gamma, beta), f(x, gamma, beta)))).dataSync()[0]);
    console.log(`${label.padEnd(16)} forward+backward: ${wall[7].toFixed(2)} ms wall (min ${wall[0].toFixed(2)}, max ${wall[14].toFixed(2)}), ${cpu[7].toFixed(2)} ms CPU; max |y − grouped y| ${diff.toExponential(2)}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
