/**
 * Super-resolution 14×14 → 28×28 with the course's conv U-Net (`systems.SuperResolutionUNet`: the
 * upsampled x_low as a second input channel) instead of notebook 12's MLP, on a short budget; the
 * same measurements as notebook 12 §5 (consistency of pool(sample) with its own vs a shuffled x_low,
 * MSE to the true digit next to nearest-neighbour upsampling), on held-out digits.
 *
 *   npx tsx tools/scripts/sr-unet-experiment.ts [steps=300] [batch=32] [lr=1e-3] [n=100]
 */
import { backend, data, diffusion, systems, tf } from 'genbook';
import { parseFlags, UsageError } from '../src/util/flags';

async function main(): Promise<void> {
  const a = parseFlags(process.argv.slice(2), { steps: 'number', batch: 'number', lr: 'number', n: 'number' }, { assignments: true });
  await backend.setup(undefined, { log: null });
  const steps = (a.steps as number | undefined) ?? 300, batchSize = (a.batch as number | undefined) ?? 32;
  const learningRate = (a.lr as number | undefined) ?? 1e-3, nSr = (a.n as number | undefined) ?? 100;
  const schedule = diffusion.noiseSchedule('cosine', 100);
  const set = data.mnist({ split: 'train', limit: 10000, seed: 51 });
  const x0 = set.images.map((v) => 2 * v - 1);
  const net = new systems.SuperResolutionUNet({ seed: 52 });
  const run = await systems.trainSuperResolution({ network: net, schedule, x0, steps, batchSize, seed: 53, learningRate });
  const mean = (v: ArrayLike<number>) => Array.from(v).reduce((s, x) => s + x, 0) / v.length;
  console.log(`backend ${tf.getBackend()}; ${steps} steps (batch ${batchSize}, lr ${learningRate}) in ${run.seconds.toFixed(0)} s; loss (mean of first 20 / last 50) ${mean(run.losses.slice(0, 20)).toFixed(3)} → ${mean(run.losses.slice(-50)).toFixed(3)}`);
  const test = data.mnist({ split: 'test', limit: nSr, seed: 54 });
  const high = test.images.map((v) => 2 * v - 1);
  const low = systems.averagePool2(high);
  const lowTensor = tf.tensor2d(low, [nSr, 196]);
  const t0 = performance.now();
  const samples = await diffusion.ddpmSample(schedule, (xt, t) => net.apply(xt, new Array<number>(nSr).fill(t), lowTensor), { shape: [nSr, 784], seed: 55, clipX0: [-1, 1] });
  const values = samples.dataSync() as Float32Array;
  const shuffled = Float32Array.from({ length: low.length }, (_, i) => low[(i + 196 * Math.floor(nSr / 2)) % low.length]);
  const nearest = systems.upsampleNearest2(low);
  const mse = (p: Float32Array, q: Float32Array) => mean(Array.from(p, (v, i) => (v - q[i]) ** 2));
  console.log(`sampling ${nSr} digits, 100 DDPM steps: ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  console.log(`SR U-Net sample: mean |pool(x) − x_low| ${systems.lowResConsistency(values, low).toFixed(3)} (own) vs ${systems.lowResConsistency(values, shuffled).toFixed(3)} (shuffled x_low); MSE to the true digit ${mse(values, high).toFixed(3)}`);
  console.log(`nearest-neighbour upsampling: ${systems.lowResConsistency(nearest, low).toFixed(3)} vs ${systems.lowResConsistency(nearest, shuffled).toFixed(3)}; MSE ${mse(nearest, high).toFixed(3)}`);
}
main().catch((e) => {
  console.error(e instanceof UsageError ? e.message : e);
  process.exit(e instanceof UsageError ? 2 : 1);
});
