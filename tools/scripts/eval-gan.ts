/**
 * Measure a conditional MNIST GAN checkpoint the way notebook 06 does — 500 samples per digit
 * (latent vectors from seed 4, labels cycling 0…9), the course classifier's conditional accuracy
 * per digit, MNIST-FID and MNIST-IS against the test set — and print the numbers (notebook 06's
 * full mode writes them to data/results/). For following a training run checkpoint by checkpoint:
 *
 *   npx tsx tools/scripts/eval-gan.ts <cgan|acgan> [--count N]
 */
import { backend, metrics, models, random, tf, train } from 'genbook';

async function main(): Promise<void> {
  const name = process.argv[2];
  if (name !== 'cgan' && name !== 'acgan') {
    console.error('usage: npx tsx tools/scripts/eval-gan.ts <cgan|acgan> [--count N]');
    process.exit(2);
  }
  const i = process.argv.indexOf('--count');
  const count = i < 0 ? 5000 : Number(process.argv[i + 1]);
  if (!Number.isInteger(count) || count < 10 || count % 10 !== 0) throw new RangeError(`--count must be a multiple of 10 (>= 10); got ${process.argv[i + 1]}`);
  await backend.setup(undefined, { log: null });
  const dir = train.checkpointDir(name);
  const meta = train.readMeta(dir);
  const generator = await train.loadModel(dir);
  const labels = Array.from({ length: count }, (_, k) => k % 10);
  const z = random.rng(4).normalTensor([count, 64]);
  const images = tf.tidy(() => models.fromGanRange(generator.predict([z, tf.oneHot(tf.tensor1d(labels, 'int32'), 10).toFloat()], { batchSize: 256 }) as tf.Tensor)) as tf.Tensor4D;
  const classifier = await metrics.loadMnistClassifier();
  const evaluation = await metrics.evaluateSamples(images, { labels, classifier });
  const perDigit = metrics.perClassAccuracy(classifier.probabilities(images), labels).perClass.map((a) => a.toFixed(3));
  console.log(`${name}: ${meta?.steps} iterations (${meta?.trainSeconds} s); ${count} samples: conditional accuracy ${(100 * evaluation.conditionalAccuracy!).toFixed(2)} %, MNIST-FID ${evaluation.mnistFid.toFixed(2)}, MNIST-IS ${evaluation.mnistIs.toFixed(2)}`);
  console.log(`per digit 0–9: ${perDigit.join(' ')}`);
  tf.dispose([z, images]);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
