/**
 * How much of a U-Net training step (the shipped `ddpm-mnist-uncond`) goes to the optimizer and the
 * EMA, on the backend as set up: the whole step (forward, backward, gradient clipping, Adam, EMA),
 * then Adam's `applyGradients` alone and the EMA update alone, on the same variables, in wall ms.
 *
 *   npx tsx bench/optimizer-share.ts [--steps 10]   (GENBOOK_THREADS=N as everywhere)
 */
import * as os from 'os';
import { backend, diffusion, models, random, tf, train } from 'genbook';
import { parseFlags } from '../tools/src/util/flags';
import { medianWallMs } from './median-wall';

async function main(): Promise<void> {
  const steps = (parseFlags(process.argv.slice(2), { steps: 'number' }).steps as number | undefined) ?? 10;
  const setup = await backend.setup(undefined, { log: null });
  const unet = models.loadDiffusionCheckpoint(train.checkpointDir('ddpm-mnist-uncond')).network as models.DiffusionUNet;
  const variables = unet.variables();
  const schedule = diffusion.noiseSchedule('linear', 1000);
  const rng = random.rng(1);
  const x0 = tf.tidy(() => rng.normalTensor([64, 28, 28, 1]).clipByValue(-1, 1));
  const optimizer = tf.train.adam(1e-4);
  const ema = new train.ExponentialMovingAverage(variables, 0.9999);
  const t = Array.from({ length: 64 }, (_, i) => 1 + ((i * 97) % 1000));
  const labels = Array.from({ length: 64 }, () => unet.nullLabel); // ∅ for every example, as ddpm-mnist-uncond trains
  const grads = tf.tidy(() => {
    const eps = rng.normalTensor(x0.shape);
    return tf.variableGrads(() => diffusion.simpleLoss(eps, unet.apply(diffusion.qSample(schedule, x0, t, eps), t, labels)), variables).grads;
  });
  for (const g of Object.values(grads)) tf.keep(g);
  // (the trainer also clips the gradients by their global norm: a few reductions, left out here)
  const whole = medianWallMs(() => {
    const loss = tf.tidy(() => {
      const eps = rng.normalTensor(x0.shape);
      const { value, grads: g } = tf.variableGrads(() => diffusion.simpleLoss(eps, unet.apply(diffusion.qSample(schedule, x0, t, eps), t, labels)), variables);
      optimizer.applyGradients(g as tf.NamedTensorMap as Parameters<typeof optimizer.applyGradients>[0]);
      return value;
    });
    loss.dataSync();
    ema.update();
    return loss;
  }, 2, steps);
  const adam = medianWallMs(() => tf.tidy(() => {
    optimizer.applyGradients(grads as Parameters<typeof optimizer.applyGradients>[0]);
    return tf.scalar(0);
  }), 2, steps);
  const emaOnly = medianWallMs(() => {
    ema.update();
    return tf.scalar(0);
  }, 2, steps);
  const n = variables.reduce((s, v) => s + v.size, 0);
  console.log(`# npx tsx bench/optimizer-share.ts --steps ${steps}: ${setup.name}, ${backend.threadsInUse() ?? 1} thread(s), ${variables.length} variables, ${n} parameters, load average ${os.loadavg()[0].toFixed(2)}`);
  console.log(`whole step ${whole.toFixed(1)} ms; Adam applyGradients ${adam.toFixed(1)} ms (${((100 * adam) / whole).toFixed(1)} %); EMA update ${emaOnly.toFixed(1)} ms (${((100 * emaOnly) / whole).toFixed(1)} %)`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
