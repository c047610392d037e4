/**
 * The 14×14 conditional GAN of the BigGAN section and the small classifier that scores it:
 * `cbnGanTrainer` pairs the class-conditional-BN generator (systems/biggan) with the course's MLP
 * discriminator (models/gan-mlp, label appended to x) in gan.GanTrainer (non-saturating loss);
 * `trainMnist14Classifier` is a 196 → 128 → 10 MLP used for conditional accuracy (조건부 정확도).
 *
 * @see notebooks/12-systems-in-practice
 */
import * as tf from '@tensorflow/tfjs';
import { GanTrainer } from '../gan/trainer';
import { Rng } from '../random/rng';
import { Matrix } from '../linalg/matrix';
import { frechetDistance } from '../metrics/frechet';
import { statisticsOf } from '../metrics/mnist-metrics';
import { CbnMlpGenerator, ProjectionMlpDiscriminator } from './biggan';
import { tidyValues } from '../util/tidy-values';

/** A GanTrainer for the conditional 14×14 GAN on rows `x0` ([N·196] in [−1, 1]) with `labels`. */
export function cbnGanTrainer(options: { x0: Float32Array; labels: ArrayLike<number>; seed: number; latentDim?: number; batchSize?: number }): {
  trainer: GanTrainer;
  generator: CbnMlpGenerator;
} {
  const latentDim = options.latentDim ?? 32;
  const n = options.x0.length / 196;
  if (!Number.isInteger(n) || options.labels.length !== n) throw new RangeError(`x0 must hold one 196-row per label; got ${options.x0.length} values, ${options.labels.length} labels`);
  const rng = new Rng(options.seed);
  const generator = new CbnMlpGenerator({ latentDim, numClasses: 10, dataDim: 196, seed: rng.tfSeed() });
  const discriminator = new ProjectionMlpDiscriminator({ dataDim: 196, numClasses: 10, seed: rng.tfSeed() });
  const trainer = new GanTrainer({
    generator,
    discriminator,
    latentDim,
    numClasses: 10,
    batchSize: options.batchSize ?? 64,
    objective: 'non-saturating',
    seed: rng.tfSeed(),
    sampleReal: (m, r) => {
      const idx = Array.from({ length: m }, () => r.int(0, n));
      const rows = new Float32Array(m * 196);
      idx.forEach((k, i) => rows.set(options.x0.subarray(k * 196, (k + 1) * 196), i * 196));
      return { x: tf.tensor2d(rows, [m, 196]), labels: Int32Array.from(idx, (k) => options.labels[k]) };
    },
  });
  return { trainer, generator };
}

/** A 196 → 128 → 10 classifier of 14×14 digits ([0, 1] pixels), trained with Adam on cross-entropy. */
export async function trainMnist14Classifier(options: { pixels: Float32Array; labels: ArrayLike<number>; steps: number; seed: number; batchSize?: number }): Promise<tf.LayersModel> {
  const n = options.pixels.length / 196;
  if (!Number.isInteger(n) || options.labels.length !== n) throw new RangeError('pixels must hold one 196-row per label');
  const rng = new Rng(options.seed);
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [196], units: 128, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: rng.tfSeed() }) }),
      tf.layers.dense({ units: 10, kernelInitializer: tf.initializers.glorotUniform({ seed: rng.tfSeed() }) }),
    ],
  });
  const optimizer = tf.train.adam(1e-3);
  const m = options.batchSize ?? 64;
  for (let s = 0; s < options.steps; s++) {
    const idx = Array.from({ length: m }, () => rng.int(0, n));
    const rows = new Float32Array(m * 196);
    idx.forEach((k, i) => rows.set(options.pixels.subarray(k * 196, (k + 1) * 196), i * 196));
    tf.tidy(() => {
      const x = tf.tensor2d(rows, [m, 196]);
      const y = tf.oneHot(tf.tensor1d(idx.map((k) => options.labels[k]), 'int32'), 10);
      optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x) as tf.Tensor) as tf.Scalar);
    });
  }
  optimizer.dispose();
  return model;
}

/** Fraction of rows ([N·196] pixels in [0, 1]) the classifier assigns to their label. */
export function classifierAccuracy(model: tf.LayersModel, pixels: Float32Array, labels: ArrayLike<number>): number {
  const n = labels.length;
  if (pixels.length !== n * 196) throw new RangeError(`pixels must hold ${n} rows of 196; got ${pixels.length} values`);
  const pred = tidyValues(() => tf.argMax(model.predict(tf.tensor2d(pixels, [n, 196])) as tf.Tensor, 1));
  let right = 0;
  for (let i = 0; i < n; i++) if (pred[i] === labels[i]) right++;
  return right / n;
}

/**
 * A Fréchet distance on 14×14 digits ("MNIST14-FID"): μ, Σ of the classifier's 128 hidden ReLU
 * features for two sets of [0, 1] pixel rows, then metrics.frechetDistance (Heusel et al. 2017
 * eq. 6). Lower is closer. Only comparable between runs that use the same classifier.
 */
export function mnist14Fid(model: tf.LayersModel, pixelsA: Float32Array, pixelsB: Float32Array): number {
  const features = (pixels: Float32Array): Matrix => {
    const n = pixels.length / 196;
    if (!Number.isInteger(n) || n < 2) throw new RangeError(`pixels must hold at least two rows of 196; got ${pixels.length} values`);
    const hidden = tidyValues(() => model.layers[0].apply(tf.tensor2d(pixels, [n, 196])) as tf.Tensor);
    return new Matrix(n, hidden.length / n, Float64Array.from(hidden));
  };
  const a = statisticsOf(features(pixelsA));
  const b = statisticsOf(features(pixelsB));
  return frechetDistance(a.mean, a.covariance, b.mean, b.covariance);
}
