/**
 * A two-level hierarchical VAE 계층적 VAE with NVAE's parameterisation (Vahdat & Kautz 2020), dense
 * layers for 28×28 MNIST:
 *
 *   generative  p(z₂) = N(0, I),  p(z₁ | z₂) = N(μ_p(z₂), σ_p²(z₂)),  p(x | z₁, z₂) = Bernoulli(logits(z₁, z₂))
 *   inference   q(z₂ | x) = N(μ(h), σ²(h)),  h = encoder(x)  (bottom-up)
 *               q(z₁ | x, z₂) = N(μ_p + Δμ, σ_p²·Δσ²)  with Δμ, Δσ from (h, z₂)  (top-down, NVAE's
 *               "residual normal distributions", eq. 2)
 *
 * The KL of the ELBO splits over the levels:
 *   KL(q(z₁, z₂ | x) ‖ p(z₁, z₂)) = KL(q(z₂|x) ‖ p(z₂)) + E_{q(z₂|x)} KL(q(z₁|x,z₂) ‖ p(z₁|z₂))
 * and with the residual normal the second term is ½ Σ (Δμ²/σ_p² + Δσ² − log Δσ² − 1) (NVAE eq. 2):
 * it does not depend on μ_p at all, only on how far q moves from the prior. Lecture 002 (NVAE, named
 * as the VAE that "closes the gap" with GANs on quality); lecture 002's ELBO = reconstruction − KL.
 *
 * @see notebooks/12-systems-in-practice
 */
import * as tf from '@tensorflow/tfjs';
import { bernoulliNegLogLikelihood, klToStandardNormal } from '../models/vae';
import { ParameterStore, dense } from '../models/diffusion-nn';
import { Rng } from '../random/rng';
import { Progress, trainLoop } from '../train/loop';

export interface HierarchicalVaeConfig {
  /** Data dimension. Default 784. */
  dataDim?: number;
  /** Hidden width of encoder and decoder. Default 256. */
  hiddenUnits?: number;
  /** Top latent z₂ (global). Default 4. */
  topDim?: number;
  /** Bottom latent z₁ (local). Default 16. */
  bottomDim?: number;
  seed: number;
}

/** The terms of the negative ELBO, batch means in nats per image. */
export interface HierarchicalElbo {
  reconstruction: tf.Scalar;
  /** KL(q(z₂|x) ‖ N(0, I)). */
  klTop: tf.Scalar;
  /** KL(q(z₁|x,z₂) ‖ p(z₁|z₂)) at the sampled z₂. */
  klBottom: tf.Scalar;
  /** reconstruction + klTop + klBottom. */
  loss: tf.Scalar;
}

/** KL of NVAE's residual normal: ½ Σ (Δμ²/σ_p² + Δσ² − log Δσ² − 1) per example, [B]. */
export function residualNormalKl(deltaMean: tf.Tensor, deltaLogVar: tf.Tensor, priorLogVar: tf.Tensor): tf.Tensor1D {
  return tf.tidy(
    () =>
      tf.mul(
        tf.sum(tf.sub(tf.add(tf.div(tf.square(deltaMean), tf.exp(priorLogVar)), tf.exp(deltaLogVar)), tf.add(deltaLogVar, 1)), -1),
        0.5,
      ) as tf.Tensor1D,
  );
}

export class HierarchicalVae {
  readonly config: Required<HierarchicalVaeConfig>;
  readonly params: ParameterStore;

  constructor(config: HierarchicalVaeConfig) {
    this.config = { dataDim: 784, hiddenUnits: 256, topDim: 4, bottomDim: 16, ...config };
    const c = this.config;
    for (const [k, v] of [['dataDim', c.dataDim], ['hiddenUnits', c.hiddenUnits], ['topDim', c.topDim], ['bottomDim', c.bottomDim]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`${k} must be a positive integer; got ${v}`);
    }
    this.params = new ParameterStore(config.seed);
    tf.tidy(() => {
      this.negativeElbo(tf.zeros([2, c.dataDim]), tf.zeros([2, c.topDim]), tf.zeros([2, c.bottomDim]));
    });
    this.params.freeze();
  }

  variables(): tf.Variable[] {
    return this.params.variables();
  }

  /** Bottom-up features h and q(z₂|x) = N(mean, exp(logVar)). */
  encode(x: tf.Tensor): { h: tf.Tensor; mean: tf.Tensor; logVar: tf.Tensor } {
    const p = this.params;
    const c = this.config;
    const h = tf.relu(dense(p, 'enc/2', tf.relu(dense(p, 'enc/1', x, c.hiddenUnits)), c.hiddenUnits));
    return { h, mean: dense(p, 'q2/mean', h, c.topDim), logVar: dense(p, 'q2/logvar', h, c.topDim) };
  }

  /** p(z₁|z₂) = N(mean, exp(logVar)). */
  prior1(z2: tf.Tensor): { mean: tf.Tensor; logVar: tf.Tensor } {
    const p = this.params;
    const g = tf.relu(dense(p, 'p1/hidden', z2, 64));
    return { mean: dense(p, 'p1/mean', g, this.config.bottomDim), logVar: dense(p, 'p1/logvar', g, this.config.bottomDim) };
  }

  /** NVAE's relative parameters (Δμ, log Δσ²) of q(z₁|x, z₂). */
  posterior1Delta(h: tf.Tensor, z2: tf.Tensor): { deltaMean: tf.Tensor; deltaLogVar: tf.Tensor } {
    const p = this.params;
    const g = tf.relu(dense(p, 'q1/hidden', tf.concat([h, z2], 1), 64));
    return { deltaMean: dense(p, 'q1/dmean', g, this.config.bottomDim), deltaLogVar: dense(p, 'q1/dlogvar', g, this.config.bottomDim) };
  }

  /** Logits of p(x | z₁, z₂). */
  decode(z1: tf.Tensor, z2: tf.Tensor): tf.Tensor {
    const p = this.params;
    const c = this.config;
    const g = tf.relu(dense(p, 'dec/2', tf.relu(dense(p, 'dec/1', tf.concat([z1, z2], 1), c.hiddenUnits)), c.hiddenUnits));
    return dense(p, 'dec/out', g, c.dataDim);
  }

  /** The negative ELBO with given standard-normal noise for z₂ and z₁ (reparameterisation). */
  negativeElbo(x: tf.Tensor, eps2: tf.Tensor, eps1: tf.Tensor): HierarchicalElbo {
    return tf.tidy(() => {
      const { h, mean, logVar } = this.encode(x);
      const z2 = tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps2));
      const prior = this.prior1(z2);
      const { deltaMean, deltaLogVar } = this.posterior1Delta(h, z2);
      const qMean = tf.add(prior.mean, deltaMean);
      const qLogVar = tf.add(prior.logVar, deltaLogVar);
      const z1 = tf.add(qMean, tf.mul(tf.exp(tf.mul(qLogVar, 0.5)), eps1));
      const reconstruction = tf.mean(bernoulliNegLogLikelihood(this.decode(z1, z2), x)) as tf.Scalar;
      const klTop = tf.mean(klToStandardNormal(mean, logVar)) as tf.Scalar;
      const klBottom = tf.mean(residualNormalKl(deltaMean, deltaLogVar, prior.logVar)) as tf.Scalar;
      return { reconstruction, klTop, klBottom, loss: tf.addN([reconstruction, klTop, klBottom]) as tf.Scalar };
    });
  }

  /**
   * Everything about q and p for one batch at given noise (for checks): the sampled z₂, z₁, the
   * means and log-variances of q(z₂|x), q(z₁|x,z₂), p(z₁|z₂).
   */
  distributions(x: tf.Tensor, eps2: tf.Tensor, eps1: tf.Tensor): Record<'z2' | 'z1' | 'q2Mean' | 'q2LogVar' | 'q1Mean' | 'q1LogVar' | 'p1Mean' | 'p1LogVar', tf.Tensor> {
    return tf.tidy(() => {
      const { h, mean, logVar } = this.encode(x);
      const z2 = tf.add(mean, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps2));
      const prior = this.prior1(z2);
      const { deltaMean, deltaLogVar } = this.posterior1Delta(h, z2);
      const q1Mean = tf.add(prior.mean, deltaMean);
      const q1LogVar = tf.add(prior.logVar, deltaLogVar);
      const z1 = tf.add(q1Mean, tf.mul(tf.exp(tf.mul(q1LogVar, 0.5)), eps1));
      return { z2, z1, q2Mean: mean, q2LogVar: logVar, q1Mean, q1LogVar, p1Mean: prior.mean, p1LogVar: prior.logVar };
    });
  }

  /**
   * Ancestral samples (pixel probabilities) from given noise: z₂ = eps2, z₁ = μ_p(z₂) + σ_p(z₂)·eps1
   * (`temperature` scales eps1; 0 gives the conditional mean of z₁).
   */
  sample(eps2: tf.Tensor, eps1: tf.Tensor, temperature = 1): tf.Tensor {
    return tf.tidy(() => {
      const prior = this.prior1(eps2);
      const z1 = tf.add(prior.mean, tf.mul(tf.exp(tf.mul(prior.logVar, 0.5)), tf.mul(eps1, temperature)));
      return tf.sigmoid(this.decode(z1, eps2));
    });
  }

  dispose(): void {
    this.params.dispose();
  }
}

/** Train on rows `x` [N·dataDim] in [0, 1] with Adam on the negative ELBO; per-step terms returned. */
export async function trainHierarchicalVae(options: {
  model: HierarchicalVae;
  x: Float32Array;
  steps: number;
  batchSize: number;
  seed: number;
  learningRate?: number;
  onProgress?: (p: Progress) => void;
}): Promise<{ history: { loss: number; reconstruction: number; klTop: number; klBottom: number }[]; seconds: number }> {
  const { model, x, steps, batchSize, seed } = options;
  const D = model.config.dataDim;
  const n = x.length / D;
  if (!Number.isInteger(n) || n < 1) throw new RangeError(`x must hold whole rows of ${D}; got ${x.length} values`);
  const rng = new Rng(seed);
  const optimizer = tf.train.adam(options.learningRate ?? 1e-3);
  const variables = model.variables();
  const history: { loss: number; reconstruction: number; klTop: number; klBottom: number }[] = [];
  try {
    const r = await trainLoop({
      steps,
      onProgress: options.onProgress,
      step: () => {
        const rows = new Float32Array(batchSize * D);
        for (let i = 0; i < batchSize; i++) {
          const k = rng.int(0, n);
          rows.set(x.subarray(k * D, (k + 1) * D), i * D);
        }
        const record = tf.tidy(() => {
          const xb = tf.tensor2d(rows, [batchSize, D]);
          const eps2 = rng.normalTensor([batchSize, model.config.topDim]);
          const eps1 = rng.normalTensor([batchSize, model.config.bottomDim]);
          let terms: number[] = [];
          const { grads } = tf.variableGrads(() => {
            const e = model.negativeElbo(xb, eps2, eps1);
            terms = [e.reconstruction, e.klTop, e.klBottom].map((s) => s.dataSync()[0]);
            return e.loss;
          }, variables);
          optimizer.applyGradients(grads as Parameters<typeof optimizer.applyGradients>[0]);
          return { loss: terms[0] + terms[1] + terms[2], reconstruction: terms[0], klTop: terms[1], klBottom: terms[2] };
        });
        history.push(record);
        return record;
      },
    });
    return { history, seconds: r.seconds };
  } finally {
    optimizer.dispose();
  }
}
