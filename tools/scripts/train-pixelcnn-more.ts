/**
 * Continue training the shipped PixelCNN (data/checkpoints/pixelcnn) for more steps, then measure
 * the exact test NLL again and save it (meta.json records every continuation in `resumedWith`):
 *
 *   npx tsx tools/scripts/train-pixelcnn-more.ts --steps N [--lr L] [--seed S]
 *
 * The learning rate starts at L (default 1e-3) and decays linearly to 0.1·L, as in
 * `npm run train -- pixelcnn`; a fresh Adam state; dynamic binarisation with seed S (default 7).
 * The checkpoint and data/results/pixelcnn.json are replaced only when the test NLL improves.
 */
import { backend, data, models, tf, train } from 'genbook';

function flag(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0) return fallback;
  const value = Number(process.argv[i + 1]);
  if (!Number.isFinite(value) || value <= 0) throw new RangeError(`--${name} needs a positive number; got ${process.argv[i + 1]}`);
  return value;
}

async function main(): Promise<void> {
  const steps = flag('steps', 0);
  if (!Number.isInteger(steps) || steps < 1) {
    console.error('usage: npx tsx tools/scripts/train-pixelcnn-more.ts --steps N [--lr L] [--seed S]');
    process.exit(2);
  }
  const learningRate = flag('lr', 1e-3);
  const seed = flag('seed', 7);
  await backend.setup(undefined, { log: null });
  const dir = train.checkpointDir(models.PIXELCNN_CHECKPOINT);
  const { model, meta } = models.loadPixelCnn(dir);
  const before = meta.testNats as number;
  const batchSize = meta.batchSize as number;
  console.log(`loaded ${dir}: ${meta.steps} steps, test NLL ${before.toFixed(3)} nats; training ${steps} more (batch ${batchSize}, lr ${learningRate} → ${learningRate / 10})`);
  const set = data.mnist({ split: 'train', seed: 0 });
  const { history, seconds } = await models.trainPixelCnn(model, {
    images: set.images,
    steps,
    batchSize,
    learningRate,
    dynamicBinarization: true,
    seed,
    onProgress: (p) => console.log(`step ${p.step}/${p.steps} nats ${p.losses.nats.toFixed(3)} (~${p.etaSeconds.toFixed(0)} s left)`),
  });
  const test = model.evaluate(models.binarizedMnistTest());
  console.log(`test NLL after ${steps} more steps: ${test.nats.toFixed(3)} nats (${test.bitsPerDim.toFixed(4)} bits/dim) — before ${before.toFixed(3)}`);
  if (!(test.nats < before)) {
    console.log('no improvement: the checkpoint is left as it was');
    return;
  }
  const totalSteps = (meta.steps as number) + steps;
  const trainSeconds = (meta.trainSeconds as number) + seconds;
  const offset = meta.steps as number;
  const every = Math.max(1, Math.floor(history.length / 50));
  const curve = [...((meta.lossCurve as number[][]) ?? []), ...history.filter((_, i) => i % every === 0).map((h, i) => [offset + i * every + 1, h.nats])];
  const command = `npx tsx tools/scripts/train-pixelcnn-more.ts ${process.argv.slice(2).join(' ')}`;
  await train.saveVariables(model.variables, dir, {
    ...meta,
    steps: totalSteps,
    trainSeconds,
    resumedWith: [...((meta.resumedWith as string[]) ?? []), command],
    testNats: test.nats,
    testBitsPerDim: test.bitsPerDim,
    testCount: test.count,
    lossCurve: curve,
  });
  train.writeResult({
    model: models.PIXELCNN_CHECKPOINT,
    family: 'Autoregressive',
    notebook: '07-autoregressive-and-flows',
    metrics: { nllNats: test.nats, bitsPerDim: test.bitsPerDim },
    trainSeconds,
    command: `${meta.command} && ${command}`,
    mode: 'full',
    notes: `exact test NLL on ${test.count} stochastically binarised MNIST test images (the PixelRNN paper's data); ${totalSteps} steps of batch ${batchSize}, backend ${tf.getBackend()}`,
  });
  console.log(`saved ${dir} (${totalSteps} steps) and data/results/pixelcnn.json`);
  model.dispose();
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
