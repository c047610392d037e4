/**
 * The adversarial autoencoder (AAE; Makhzani et al. 2016, "Adversarial Autoencoders"; lecture 000).
 * A plain autoencoder whose code distribution — the aggregate posterior q(z) = ∫ q(z|x) p_data(x) dx
 * — is pushed towards a chosen prior p(z) by a discriminator on z, as in a GAN (§2: "the
 * reconstruction phase" and "the regularization phase"). Unlike the VAE's KL term, any prior one
 * can sample from works, e.g. a mixture of 2D Gaussians.
 *
 * @see notebooks/04-vae-elbo
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random/rng';
import { trainLoop, Progress, Losses } from '../train/loop';
import { gatherRows } from '../data/batches';
import { batchStream, ExampleSet, reconstructionLoss, ReconstructionLoss, Activation } from './autoencoder';

/** Draws n codes from p(z) as an [n, latentDim] tensor; same seed, same codes. */
export type PriorSampler = (n: number, seed: number) => tf.Tensor2D;

/** p(z) = N(0, std²·I) in `latentDim` dimensions. */
export function gaussianPrior(latentDim: number, std = 1): PriorSampler {
  return (n, seed) => tf.randomNormal([n, latentDim], 0, std, 'float32', seed) as tf.Tensor2D;
}

/**
 * A 2D mixture of `modes` Gaussians on a circle of `radius` (std `std` each), equally weighted —
 * the AAE paper's Fig. 4 prior. Returns the sampler and, for plotting, the mode of each sample.
 */
export function ringPrior(modes = 10, radius = 4, std = 0.5): PriorSampler & { modeOf: (n: number, seed: number) => Int32Array } {
  const draw = (n: number, seed: number) => {
    const rng = new Rng(seed);
    const points = new Float32Array(2 * n);
    const labels = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const k = rng.int(0, modes);
      labels[i] = k;
      const angle = (2 * Math.PI * k) / modes;
      points[2 * i] = radius * Math.cos(angle) + std * rng.normal();
      points[2 * i + 1] = radius * Math.sin(angle) + std * rng.normal();
    }
    return { points, labels };
  };
  const sampler = ((n: number, seed: number) => tf.tensor2d(draw(n, seed).points, [n, 2])) as PriorSampler & {
    modeOf: (n: number, seed: number) => Int32Array;
  };
  sampler.modeOf = (n, seed) => draw(n, seed).labels;
  return sampler;
}

export interface AdversarialAutoencoderConfig {
  inputDim: number;
  hiddenUnits?: readonly number[];
  latentDim: number;
  /** Hidden widths of the discriminator on z. Default [256, 256]. */
  discriminatorUnits?: readonly number[];
  activation?: Activation;
  seed: number;
}

/** Encoder (deterministic code), decoder (sigmoid output) and discriminator D(z) → logit. */
export class AdversarialAutoencoder {
  readonly encoder: tf.LayersModel;
  readonly decoder: tf.LayersModel;
  readonly discriminator: tf.LayersModel;
  readonly latentDim: number;
  readonly inputDim: number;

  constructor(config: AdversarialAutoencoderConfig) {
    const { inputDim, hiddenUnits = [512, 256], latentDim, discriminatorUnits = [256, 256], activation = 'relu', seed } = config;
    for (const [v, name] of [[inputDim, 'inputDim'], [latentDim, 'latentDim']] as [number, string][]) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer; got ${v}`);
    }
    const rng = new Rng(seed);
    const dense = (units: number, act: Activation | 'linear') =>
      tf.layers.dense({ units, activation: act, kernelInitializer: tf.initializers.glorotUniform({ seed: rng.tfSeed() }) });
    const encoder = tf.sequential();
    encoder.add(tf.layers.inputLayer({ inputShape: [inputDim] }));
    for (const u of hiddenUnits) encoder.add(dense(u, activation));
    encoder.add(dense(latentDim, 'linear'));
    const decoder = tf.sequential();
    decoder.add(tf.layers.inputLayer({ inputShape: [latentDim] }));
    for (const u of [...hiddenUnits].reverse()) decoder.add(dense(u, activation));
    decoder.add(dense(inputDim, 'sigmoid'));
    const discriminator = tf.sequential();
    discriminator.add(tf.layers.inputLayer({ inputShape: [latentDim] }));
    for (const u of discriminatorUnits) discriminator.add(dense(u, activation));
    discriminator.add(dense(1, 'linear'));
    this.encoder = encoder;
    this.decoder = decoder;
    this.discriminator = discriminator;
    this.latentDim = latentDim;
    this.inputDim = inputDim;
  }
}

/** Binary cross-entropy on logits: mean of −[y log σ(ℓ) + (1 − y) log(1 − σ(ℓ))]. */
function bceWithLogits(logits: tf.Tensor, target: 0 | 1): tf.Scalar {
  return tf.tidy(() => tf.mean(tf.add(tf.sub(tf.relu(logits), tf.mul(logits, target)), tf.log1p(tf.exp(tf.neg(tf.abs(logits)))))) as tf.Scalar);
}

export interface TrainAaeOptions {
  steps: number;
  prior: PriorSampler;
  batchSize?: number;
  learningRate?: number;
  /** Learning rate of the discriminator. Default learningRate / 2. */
  discriminatorLearningRate?: number;
  /** Learning rate of the encoder in the regularisation phase (fooling D). Default learningRate / 2. */
  generatorLearningRate?: number;
  loss?: ReconstructionLoss;
  seed: number;
  onProgress?: (progress: Progress) => void;
}

/**
 * Trains an AAE: per step (1) reconstruction phase: encoder + decoder on the reconstruction loss;
 * (2) regularisation phase: D learns to tell prior samples (label 1) from codes (label 0), then the
 * encoder is updated to fool D (non-saturating −log D(E(x))). History: { reconstruction,
 * discriminator, generator } per step.
 */
export async function trainAdversarialAutoencoder(
  aae: AdversarialAutoencoder,
  examples: ExampleSet,
  options: TrainAaeOptions,
): Promise<{ history: Losses[]; seconds: number }> {
  const { steps, prior, batchSize = 128, learningRate = 1e-3, loss = 'bce', seed, onProgress } = options;
  const discriminatorLearningRate = options.discriminatorLearningRate ?? learningRate / 2;
  const generatorLearningRate = options.generatorLearningRate ?? learningRate / 2;
  const rng = new Rng(seed);
  const next = batchStream(examples.count, batchSize, rng);
  const vars = (m: tf.LayersModel) => m.trainableWeights.map((w) => w.read() as tf.Variable);
  const aeVars = [...vars(aae.encoder), ...vars(aae.decoder)];
  const optAe = tf.train.adam(learningRate);
  const optD = tf.train.adam(discriminatorLearningRate, 0.5);
  const optG = tf.train.adam(generatorLearningRate, 0.5);
  try {
    return await trainLoop({
      steps,
      onProgress,
      step: () => {
        const idx = next();
        const priorSeed = rng.tfSeed();
        return tf.tidy(() => {
          const x = tf.tensor2d(gatherRows(examples.data, aae.inputDim, idx), [idx.length, aae.inputDim]);
          const rec = optAe.minimize(
            () => tf.mean(reconstructionLoss(x, aae.decoder.apply(aae.encoder.apply(x, { training: true }), { training: true }) as tf.Tensor, loss)) as tf.Scalar,
            true,
            aeVars,
          )!;
          const zPrior = prior(idx.length, priorSeed);
          const d = optD.minimize(
            () => {
              const zCode = aae.encoder.apply(x) as tf.Tensor;
              const real = bceWithLogits(aae.discriminator.apply(zPrior, { training: true }) as tf.Tensor, 1);
              const fake = bceWithLogits(aae.discriminator.apply(zCode, { training: true }) as tf.Tensor, 0);
              return tf.add(real, fake) as tf.Scalar;
            },
            true,
            vars(aae.discriminator),
          )!;
          const g = optG.minimize(
            () => bceWithLogits(aae.discriminator.apply(aae.encoder.apply(x, { training: true })) as tf.Tensor, 1),
            true,
            vars(aae.encoder),
          )!;
          return { reconstruction: rec.dataSync()[0], discriminator: d.dataSync()[0], generator: g.dataSync()[0] };
        });
      },
    });
  } finally {
    optAe.dispose();
    optD.dispose();
    optG.dispose();
  }
}
