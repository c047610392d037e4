/**
 * The variational autoencoder (VAE; Kingma & Welling 2014, "Auto-Encoding Variational Bayes";
 * lectures 000, 001, 002, 003 §2.2, 004).
 *
 * p_θ(x) = ∫ p(z) p_θ(x|z) dz is intractable (lecture 001), so the encoder q_φ(z|x) = N(μ, diag σ²)
 * approximates the posterior and training maximises the evidence lower bound (ELBO):
 *
 *   log p_θ(x) = E_q[log p_θ(x|z)] − KL(q_φ(z|x) ‖ p(z)) + KL(q_φ(z|x) ‖ p_θ(z|x))
 *             ≥ E_q[log p_θ(x|z)] − KL(q_φ(z|x) ‖ p(z))                        (ELBO)
 *
 * The loss is the negative ELBO per image, split into the reconstruction term −E_q[log p_θ(x|z)]
 * (a Bernoulli decoder: binary cross-entropy summed over pixels, in nats) and the regularisation
 * term KL(q ‖ N(0, I)) = ½ Σ (μ² + σ² − 1 − log σ²) (Kingma & Welling 2014, Appendix B). The
 * expectation is estimated with one sample through the reparameterisation z = μ + σ ⊙ ε,
 * ε ~ N(0, I) (§2.4), so gradients reach μ and σ.
 *
 * @see notebooks/04-vae-elbo
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random/rng';
import { trainLoop, Progress, Losses } from '../train/loop';
import { gatherRows } from '../data/batches';
import { batchStream, ExampleSet, Activation } from './autoencoder';

/** z = μ + σ ⊙ ε with σ = exp(½ log σ²) (the reparameterisation trick, Kingma & Welling §2.4). */
export function reparameterize(mean: tf.Tensor, logVar: tf.Tensor, epsilon: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), epsilon)));
}

/** KL(N(μ, diag σ²) ‖ N(0, I)) = ½ Σⱼ (μⱼ² + σⱼ² − 1 − log σⱼ²) per example, shape [N], nats. */
export function klToStandardNormal(mean: tf.Tensor, logVar: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => tf.mul(tf.sum(tf.sub(tf.add(tf.square(mean), tf.exp(logVar)), tf.add(logVar, 1)), -1), 0.5) as tf.Tensor1D);
}

/**
 * −log p(x|z) of a Bernoulli decoder with logits ℓ (p = sigmoid(ℓ)), summed over the values of each
 * example, shape [N], nats. Written stably as Σ max(ℓ, 0) − ℓ·x + log(1 + e^−|ℓ|) (binary
 * cross-entropy on logits). x may be binary or in [0, 1].
 */
export function bernoulliNegLogLikelihood(logits: tf.Tensor, x: tf.Tensor): tf.Tensor1D {
  return tf.tidy(() => {
    const n = x.shape[0];
    const l = logits.reshape([n, -1]);
    const t = x.reshape([n, -1]);
    const perValue = tf.add(tf.sub(tf.relu(l), tf.mul(l, t)), tf.log1p(tf.exp(tf.neg(tf.abs(l)))));
    return tf.sum(perValue, 1) as tf.Tensor1D;
  });
}

/** The two ELBO terms per batch (means over the batch, nats per image) and their sum. */
export interface NegativeElbo {
  /** −E_q[log p_θ(x|z)] (one-sample estimate). */
  reconstruction: tf.Scalar;
  /** KL(q_φ(z|x) ‖ p(z)), closed form. */
  kl: tf.Scalar;
  /** reconstruction + β·kl (β = 1: the negative ELBO). */
  total: tf.Scalar;
}

export interface VaeConfig {
  /** Input size (784 for MNIST). */
  inputDim: number;
  /** Hidden widths of the encoder; the decoder mirrors them. Default [512]. */
  hiddenUnits?: readonly number[];
  /** Dimension of z. Default 20. */
  latentDim?: number;
  activation?: Activation;
  seed: number;
}

/** A dense VAE with a Gaussian encoder and a Bernoulli decoder. */
export class Vae {
  /** x → [μ, log σ²] concatenated: [N, 2·latentDim]. */
  readonly encoder: tf.LayersModel;
  /** z → logits of p_θ(x|z): [N, inputDim]. */
  readonly decoder: tf.LayersModel;
  readonly latentDim: number;
  readonly inputDim: number;

  constructor(encoder: tf.LayersModel, decoder: tf.LayersModel) {
    const encOut = encoder.outputs[0].shape[1];
    const decIn = decoder.inputs[0].shape[1];
    if (typeof encOut !== 'number' || typeof decIn !== 'number' || encOut !== 2 * decIn) {
      throw new RangeError(`encoder must output 2·latentDim values (μ and log σ²) for the decoder's latentDim; got ${encOut} and ${decIn}`);
    }
    this.encoder = encoder;
    this.decoder = decoder;
    this.latentDim = decIn;
    this.inputDim = encoder.inputs[0].shape[1] as number;
  }

  /** Builds a dense VAE: inputDim → hidden… → 2·latentDim; latentDim → …hidden → inputDim logits. */
  static dense(config: VaeConfig): Vae {
    const { inputDim, hiddenUnits = [512], latentDim = 20, activation = 'relu', seed } = config;
    for (const [v, name] of [[inputDim, 'inputDim'], [latentDim, 'latentDim']] as [number, string][]) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`${name} must be a positive integer; got ${v}`);
    }
    const rng = new Rng(seed);
    const dense = (units: number, act: Activation) =>
      tf.layers.dense({ units, activation: act, kernelInitializer: tf.initializers.glorotUniform({ seed: rng.tfSeed() }) });
    const encoder = tf.sequential();
    encoder.add(tf.layers.inputLayer({ inputShape: [inputDim] }));
    for (const u of hiddenUnits) encoder.add(dense(u, activation));
    encoder.add(dense(2 * latentDim, 'linear'));
    const decoder = tf.sequential();
    decoder.add(tf.layers.inputLayer({ inputShape: [latentDim] }));
    for (const u of [...hiddenUnits].reverse()) decoder.add(dense(u, activation));
    decoder.add(dense(inputDim, 'linear'));
    return new Vae(encoder, decoder);
  }

  /** The parameters of q_φ(z|x): mean μ and log-variance log σ², each [N, latentDim]. */
  encode(x: tf.Tensor, training = false): { mean: tf.Tensor2D; logVar: tf.Tensor2D } {
    return tf.tidy(() => {
      const out = this.encoder.apply(x, { training }) as tf.Tensor2D;
      const [mean, logVar] = tf.split(out, 2, 1) as [tf.Tensor2D, tf.Tensor2D];
      return { mean, logVar };
    });
  }

  /** Logits of p_θ(x|z), [N, inputDim]. */
  decodeLogits(z: tf.Tensor, training = false): tf.Tensor2D {
    return this.decoder.apply(z, { training }) as tf.Tensor2D;
  }

  /** Bernoulli means sigmoid(logits): the decoded image. */
  decode(z: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => tf.sigmoid(this.decodeLogits(z)) as tf.Tensor2D);
  }

  /**
   * The negative ELBO of a batch x (nats per image, batch means), with ε given or drawn from
   * `seed`. `beta` weights the KL term (β-VAE, Higgins et al. 2017); β = 1 is the true bound.
   */
  negativeElbo(x: tf.Tensor, noise: { epsilon?: tf.Tensor; seed?: number } = {}, beta = 1, training = false): NegativeElbo {
    return tf.tidy(() => {
      const { mean, logVar } = this.encode(x, training);
      const epsilon = noise.epsilon ?? tf.randomNormal(mean.shape, 0, 1, 'float32', noise.seed);
      const z = reparameterize(mean, logVar, epsilon);
      const reconstruction = tf.mean(bernoulliNegLogLikelihood(this.decodeLogits(z, training), x)) as tf.Scalar;
      const kl = tf.mean(klToStandardNormal(mean, logVar)) as tf.Scalar;
      return { reconstruction, kl, total: tf.add(reconstruction, tf.mul(kl, beta)) as tf.Scalar };
    });
  }

  /** Images decoded from z ~ p(z) = N(0, I) (Bernoulli means), [n, inputDim]. */
  sample(n: number, seed: number): tf.Tensor2D {
    return tf.tidy(() => this.decode(tf.randomNormal([n, this.latentDim], 0, 1, 'float32', seed)));
  }

  /** All trainable variables (encoder and decoder). */
  trainableVariables(): tf.Variable[] {
    return [...this.encoder.trainableWeights, ...this.decoder.trainableWeights].map((w) => w.read() as tf.Variable);
  }

  /**
   * The mean negative ELBO and its two terms over a whole set, in nats per image, one ε sample per
   * image (seeded).
   */
  evaluate(examples: ExampleSet, options: { batchSize?: number; seed: number }): { negativeElbo: number; reconstruction: number; kl: number } {
    const { batchSize = 500, seed } = options;
    const rng = new Rng(seed);
    let rec = 0;
    let kl = 0;
    for (let start = 0; start < examples.count; start += batchSize) {
      const size = Math.min(batchSize, examples.count - start);
      const [r, k] = tf.tidy(() => {
        const x = tf.tensor2d(examples.data.subarray(start * this.inputDim, (start + size) * this.inputDim), [size, this.inputDim]);
        const terms = this.negativeElbo(x, { seed: rng.tfSeed() });
        return [terms.reconstruction.dataSync()[0], terms.kl.dataSync()[0]];
      });
      rec += r * size;
      kl += k * size;
    }
    rec /= examples.count;
    kl /= examples.count;
    return { negativeElbo: rec + kl, reconstruction: rec, kl };
  }

  /**
   * Importance-weighted estimate of log p(x) per example (Burda et al. 2016, eq. 8) with K samples
   * from q: log (1/K) Σₖ p(x|zₖ) p(zₖ) / q(zₖ|x). It is ≥ the ELBO and tends to log p(x) as K grows.
   */
  logLikelihoodEstimate(x: tf.Tensor2D, samples: number, seed: number): tf.Tensor1D {
    return tf.tidy(() => {
      const rng = new Rng(seed);
      const { mean, logVar } = this.encode(x);
      const logWeights: tf.Tensor1D[] = [];
      const halfLog2Pi = 0.5 * Math.log(2 * Math.PI);
      for (let k = 0; k < samples; k++) {
        const epsilon = tf.randomNormal(mean.shape, 0, 1, 'float32', rng.tfSeed());
        const z = reparameterize(mean, logVar, epsilon);
        const logPxz = tf.neg(bernoulliNegLogLikelihood(this.decodeLogits(z), x));
        const logPz = tf.sum(tf.sub(tf.mul(tf.square(z), -0.5), halfLog2Pi), 1);
        const logQz = tf.sum(tf.sub(tf.sub(tf.mul(tf.square(epsilon), -0.5), tf.mul(logVar, 0.5)), halfLog2Pi), 1);
        logWeights.push(tf.sub(tf.add(logPxz, logPz), logQz) as tf.Tensor1D);
      }
      const stacked = tf.stack(logWeights, 1);
      return tf.sub(tf.logSumExp(stacked, 1), Math.log(samples)) as tf.Tensor1D;
    });
  }
}

export interface TrainVaeOptions {
  steps: number;
  batchSize?: number;
  learningRate?: number;
  /** Weight of the KL term (default 1). */
  beta?: number;
  seed: number;
  onProgress?: (progress: Progress) => void;
}

/**
 * Trains a VAE with Adam on the negative ELBO. History entries: { negativeElbo, reconstruction, kl }
 * per step (nats per image, training batch).
 */
export async function trainVae(vae: Vae, examples: ExampleSet, options: TrainVaeOptions): Promise<{ history: Losses[]; seconds: number }> {
  const { steps, batchSize = 128, learningRate = 1e-3, beta = 1, seed, onProgress } = options;
  if (examples.data.length !== examples.count * vae.inputDim) {
    throw new RangeError(`examples.data must have count·${vae.inputDim} values; got ${examples.data.length}`);
  }
  const rng = new Rng(seed);
  const next = batchStream(examples.count, batchSize, rng);
  const optimizer = tf.train.adam(learningRate);
  const variables = vae.trainableVariables();
  try {
    return await trainLoop({
      steps,
      onProgress,
      step: () => {
        const idx = next();
        const epsilonSeed = rng.tfSeed();
        return tf.tidy(() => {
          const x = tf.tensor2d(gatherRows(examples.data, vae.inputDim, idx), [idx.length, vae.inputDim]);
          let rec = 0;
          let kl = 0;
          optimizer.minimize(
            () => {
              const terms = vae.negativeElbo(x, { seed: epsilonSeed }, beta, true);
              // Read the terms after the step (they are part of the gradient tape's tidy).
              rec = terms.reconstruction.dataSync()[0];
              kl = terms.kl.dataSync()[0];
              return terms.total;
            },
            false,
            variables,
          );
          return { negativeElbo: rec + kl, reconstruction: rec, kl };
        });
      },
    });
  } finally {
    optimizer.dispose();
  }
}
