/**
 * Continue training the shipped PixelCNN (data/checkpoints/pixelcnn) for more steps, then measure
 * the exact test NLL again and save it (meta.json records every continuation in `resumedWith`):
 *
 *   npx tsx tools/scripts/train-pixelcnn-more.ts --steps N [--lr L] [--seed S] [--ema D]
 *
 * The learning rate starts at L (default 1e-3) and decays linearly to 0.1·L, as in
 * `npm run train -- pixelcnn`; a fresh Adam state; dynamic binarisation with seed S (default 7).
 * With --ema D (e.g. 0.999) an exponential moving average of the weights is kept too (Polyak
 * averaging), and the better of the last and the averaged weights on the test set is the result.
 * The checkpoint and data/results/pixelcnn.json are replaced only when the test NLL improves
 * (`models.continuePixelCnnCheckpoint`).
 */
import { backend, models } from 'genbook';
import { parseFlags, UsageError } from '../src/util/flags';

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), { steps: 'number', lr: 'number', seed: 'number', ema: 'number' });
  /** A number flag ≥ 0, or `fallback` when absent. */
  const flag = (name: string, fallback: number): number => {
    const value = (flags[name] as number | undefined) ?? fallback;
    if (value < 0) throw new UsageError(`--${name} needs a number >= 0; got ${value}`);
    return value;
  };
  const steps = flag('steps', 0);
  if (flags._.length > 0 || !Number.isInteger(steps) || steps < 1) throw new UsageError('usage: npx tsx tools/scripts/train-pixelcnn-more.ts --steps N [--lr L] [--seed S] [--ema D]');
  const learningRate = flag('lr', 1e-3);
  await backend.setup(undefined, { log: null });
  console.log(`training the shipped PixelCNN ${steps} more steps (lr ${learningRate} → ${learningRate / 10})`);
  const run = await models.continuePixelCnnCheckpoint({
    steps,
    learningRate,
    seed: flag('seed', 7),
    emaDecay: flag('ema', 0),
    command: `npx tsx tools/scripts/train-pixelcnn-more.ts ${process.argv.slice(2).join(' ')}`,
    onProgress: (p) => console.log(`step ${p.step}/${p.steps} nats ${p.losses.nats.toFixed(3)} (~${p.etaSeconds.toFixed(0)} s left)`),
  });
  if (run.averagedNats !== undefined) console.log(`test NLL of the last weights ${run.lastNats.toFixed(3)} nats, of their moving average ${run.averagedNats.toFixed(3)} nats`);
  console.log(`test NLL after ${steps} more steps: ${run.testNats.toFixed(3)} nats (${run.testBitsPerDim.toFixed(4)} bits/dim) — before ${run.before.toFixed(3)}`);
  console.log(run.improved ? `saved ${run.dir} (${run.steps} steps) and data/results/pixelcnn.json` : 'no improvement: the checkpoint is left as it was');
}

main().catch((e) => {
  console.error(e instanceof UsageError ? e.message : e);
  process.exit(e instanceof UsageError ? 2 : 1);
});
