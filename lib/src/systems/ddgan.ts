/**
 * Denoising Diffusion GAN (Xiao, Kreis & Vahdat 2022, "Tackling the Generative Learning Trilemma
 * with Denoising Diffusion GANs"; lecture 000, 생성 모델의 트릴레마 "generative learning
 * trilemma": quality, mode coverage, fast sampling).
 *
 * A diffusion with only T = 2–4 large steps. With steps that large the true denoising distribution
 * q(x_{t−1} | x_t) is multimodal, so a Gaussian p_θ(x_{t−1} | x_t) (DDPM) no longer fits; DDGAN
 * models it with a conditional GAN (§3.1–3.2):
 *
 *   generator      x_0' = G_θ(x_t, z, t),  z ~ N(0, I)                  (predicts the clean sample)
 *   reverse step   x_{t−1} ~ q(x_{t−1} | x_t, x_0')                     (§3.3: p_θ(x_{t−1}|x_t) =
 *                  = N(μ̃_t(x_t, x_0'), β̃_t·I)                           ∫ p(z) q(x_{t−1}|x_t, x_0 = G(x_t, z, t)) dz;
 *                                                                         the posterior is DDPM eq. 7)
 *   discriminator  D_φ(x_{t−1}, x_t, t): real pairs come from the forward process
 *                  (x_0 ~ data, x_{t−1} ~ q(x_{t−1}|x_0), x_t ~ q(x_t|x_{t−1})), fake pairs from
 *                  the generator's reverse step at the same x_t.
 *
 * Losses (§3.2): D minimises Σ_t E[−log D(x_{t−1}, x_t, t)] + E[−log(1 − D(x'_{t−1}, x_t, t))]
 * (`gan.discriminatorLoss`) plus the R1 penalty γ/2·E‖∇_{x_{t−1}} D(x_{t−1}, x_t, t)‖² on real
 * pairs (the paper's regulariser); G maximises E[log D(x'_{t−1}, x_t, t)] (the non-saturating
 * loss, `gan.generatorLossNonSaturating`). The noise schedule is the paper's discretised VP-SDE
 * (β_min = 0.1, β_max = 20): ᾱ(s) = exp(−½ s² (β_max − β_min) − s β_min) at s = t/T.
 *
 * Networks are the course's toy MLPs (`models.mlpGenerator` / `models.mlpDiscriminator` with a
 * condition input): G reads [z, (x_t, code(t))], D reads [x_{t−1}, (x_t, code(t))], where code(t)
 * is a one-hot vector of t (T is tiny, so every step gets its own input unit) or the sinusoidal
 * embedding of DDPM (`timeEncoding: 'sinusoidal'`).
 *
 * @see notebooks/12-systems-in-practice
 */
import * as tf from '@tensorflow/tfjs';
import { NoiseSchedule } from '../diffusion/schedule';
import { qSample, qStep } from '../diffusion/forward';
import { posteriorMeanVariance } from '../diffusion/posterior';
import { perExample, timestepList } from '../diffusion/timesteps';
import { timestepEmbedding } from '../diffusion/time-embedding';
import { discriminatorLoss, generatorLossNonSaturating } from '../gan/losses';
import { mlpDiscriminator, mlpGenerator } from '../models/gan-mlp';
import { Rng } from '../random/rng';
import { Progress, trainLoop } from '../train/loop';

/**
 * The paper's schedule: the VP-SDE with β(s) = β_min + s(β_max − β_min) discretised into T steps,
 * ᾱ_t = exp(−½ (t/T)² (β_max − β_min) − (t/T) β_min) and β_t = 1 − ᾱ_t/ᾱ_{t−1}
 * (DDGAN Appendix / code `var_func_vp`; with T = 4: β ≈ 0.48, 0.85, 0.96, 0.99, ᾱ_4 ≈ 4·10⁻⁵).
 */
export function ddganSchedule(T: number, betaMin = 0.1, betaMax = 20): NoiseSchedule {
  if (!Number.isInteger(T) || T < 1) throw new RangeError(`T must be a positive integer; got ${T}`);
  if (!(betaMin > 0)) throw new RangeError(`betaMin must be > 0; got ${betaMin}`);
  if (!(betaMax >= betaMin)) throw new RangeError(`betaMax must be >= betaMin (${betaMin}); got ${betaMax}`);
  const logAlphaBar = (t: number) => -0.5 * (t / T) ** 2 * (betaMax - betaMin) - (t / T) * betaMin;
  const betas = Array.from({ length: T }, (_, i) => 1 - Math.exp(logAlphaBar(i + 1) - logAlphaBar(i)));
  return new NoiseSchedule(betas, 'custom');
}

export type DdganTimeEncoding = 'one-hot' | 'sinusoidal';

export interface DenoisingDiffusionGanConfig {
  /** Denoising steps T. Default 4 (the paper uses 2–4; 4 for CIFAR-10). */
  T?: number;
  /** Data dimension. Default 2 (the toys). */
  dataDim?: number;
  /** Dimension of the generator's noise z. Default 4. */
  latentDim?: number;
  /** Hidden widths of G and D. Default [128, 128, 128]. */
  hiddenUnits?: readonly number[];
  /** How t enters G and D. Default 'one-hot'. */
  timeEncoding?: DdganTimeEncoding;
  /** Width of the sinusoidal embedding (only for 'sinusoidal'). Default 16. */
  timeEmbeddingDim?: number;
  /** Noise schedule. Default `ddganSchedule(T)`. */
  schedule?: NoiseSchedule;
  seed: number;
}

/** G_θ(x_t, z, t) → x_0', D_φ(x_{t−1}, x_t, t) → logit, and the T-step sampler. */
export class DenoisingDiffusionGan {
  readonly T: number;
  readonly dataDim: number;
  readonly latentDim: number;
  readonly timeEncoding: DdganTimeEncoding;
  readonly timeEmbeddingDim: number;
  readonly schedule: NoiseSchedule;
  /** Inputs [z, (x_t, code(t))] → x_0'. */
  readonly generator: tf.LayersModel;
  /** Inputs [x_{t−1}, (x_t, code(t))] → one logit. */
  readonly discriminator: tf.LayersModel;

  constructor(config: DenoisingDiffusionGanConfig) {
    this.T = config.T ?? config.schedule?.T ?? 4;
    if (!Number.isInteger(this.T) || this.T < 1) throw new RangeError(`T must be a positive integer; got ${this.T}`);
    this.schedule = config.schedule ?? ddganSchedule(this.T);
    if (this.schedule.T !== this.T) throw new RangeError(`schedule must have T = ${this.T} steps; got ${this.schedule.T}`);
    this.dataDim = config.dataDim ?? 2;
    this.latentDim = config.latentDim ?? 4;
    this.timeEncoding = config.timeEncoding ?? 'one-hot';
    this.timeEmbeddingDim = config.timeEmbeddingDim ?? 16;
    if (this.timeEncoding !== 'one-hot' && this.timeEncoding !== 'sinusoidal') {
      throw new RangeError(`timeEncoding must be 'one-hot' or 'sinusoidal'; got ${JSON.stringify(this.timeEncoding)}`);
    }
    const hiddenUnits = config.hiddenUnits ?? [128, 128, 128];
    const conditionDim = this.dataDim + this.timeCodeDim;
    this.generator = mlpGenerator({ latentDim: this.latentDim, dataDim: this.dataDim, hiddenUnits, conditionDim, seed: config.seed });
    this.discriminator = mlpDiscriminator({ dataDim: this.dataDim, hiddenUnits, conditionDim, seed: config.seed + 1 });
  }

  /** Width of code(t): T for one-hot, `timeEmbeddingDim` for sinusoidal. */
  get timeCodeDim(): number {
    return this.timeEncoding === 'one-hot' ? this.T : this.timeEmbeddingDim;
  }

  /** code(t) for each t in 1 … T, [B, timeCodeDim]. */
  timeCode(t: readonly number[]): tf.Tensor2D {
    const ts = timestepList(t, t.length, this.T, 1);
    if (this.timeEncoding === 'sinusoidal') return timestepEmbedding(ts, this.timeEmbeddingDim);
    return tf.tidy(() => tf.oneHot(tf.tensor1d(ts.map((s) => s - 1), 'int32'), this.T).toFloat() as tf.Tensor2D);
  }

  private condition(xt: tf.Tensor, t: readonly number[]): tf.Tensor2D {
    if (xt.rank !== 2 || xt.shape[1] !== this.dataDim) throw new RangeError(`xt must have shape [B, ${this.dataDim}]; got [${xt.shape}]`);
    if (t.length !== xt.shape[0]) throw new RangeError(`t must have one entry per example (${xt.shape[0]}); got ${t.length}`);
    return tf.tidy(() => tf.concat([xt, this.timeCode(t)], 1) as tf.Tensor2D);
  }

  /** The generator's clean-sample prediction x_0' = G_θ(x_t, z, t), [B, dataDim]. */
  predictX0(xt: tf.Tensor, z: tf.Tensor, t: readonly number[], training = false): tf.Tensor2D {
    if (z.rank !== 2 || z.shape[0] !== xt.shape[0] || z.shape[1] !== this.latentDim) {
      throw new RangeError(`z must have shape [${xt.shape[0]}, ${this.latentDim}]; got [${z.shape}]`);
    }
    return tf.tidy(() => this.generator.apply([z, this.condition(xt, t)], { training }) as tf.Tensor2D);
  }

  /** D_φ(x_{t−1}, x_t, t): one logit per pair, [B]. */
  discriminate(xPrev: tf.Tensor, xt: tf.Tensor, t: readonly number[], training = false): tf.Tensor1D {
    if (xPrev.shape.join(',') !== xt.shape.join(',')) throw new RangeError(`xPrev and xt must have the same shape; got [${xPrev.shape}] and [${xt.shape}]`);
    return tf.tidy(() => tf.reshape(this.discriminator.apply([xPrev, this.condition(xt, t)], { training }) as tf.Tensor, [-1]) as tf.Tensor1D);
  }

  /**
   * A draw from q(x_{t−1} | x_t, x_0) = N(μ̃_t(x_t, x_0), β̃_t·I) (DDPM eqs. 6–7) with the given
   * standard-normal noise: μ̃_t + √β̃_t·noise. At t = 1, β̃_1 = 0 and the result is x_0.
   */
  posteriorSample(x0: tf.Tensor, xt: tf.Tensor, t: readonly number[], noise: tf.Tensor): tf.Tensor {
    const { mean, variance } = posteriorMeanVariance(this.schedule, x0, xt, t);
    return tf.tidy(() => {
      const out = tf.add(mean, tf.mul(perExample(variance.map(Math.sqrt), noise), noise));
      mean.dispose();
      return out;
    });
  }

  /**
   * A real pair from the forward process: x_{t−1} ~ q(x_{t−1} | x_0) (DDPM eq. 4; x_0 itself at
   * t = 1) and x_t ~ q(x_t | x_{t−1}) (DDPM eq. 2). The noises are standard normal, x_0's shape.
   */
  realPair(x0: tf.Tensor, t: readonly number[], noisePrev: tf.Tensor, noiseStep: tf.Tensor): { xPrev: tf.Tensor; xt: tf.Tensor } {
    const xPrev = qSample(this.schedule, x0, t.map((s) => s - 1), noisePrev);
    const xt = qStep(this.schedule, xPrev, t, noiseStep);
    return { xPrev, xt };
  }

  /** One reverse step x_t → x_{t−1}: x_0' = G(x_t, z, t), then the posterior draw. */
  reverseStep(xt: tf.Tensor, z: tf.Tensor, t: readonly number[], noise: tf.Tensor, training = false): tf.Tensor {
    return tf.tidy(() => this.posteriorSample(this.predictX0(xt, z, t, training), xt, t, noise));
  }

  /**
   * Sampling (§3.3, Algorithm of the paper's sampler): x_T ~ N(0, I), then T reverse steps, each one
   * generator call. Returns x_0 [n, dataDim] and the number of network calls (= T).
   */
  sample(n: number, seed: number): { x0: tf.Tensor2D; networkCalls: number } {
    if (!Number.isInteger(n) || n < 1) throw new RangeError(`n must be a positive integer; got ${n}`);
    const rng = new Rng(seed);
    let x = rng.normalTensor([n, this.dataDim]);
    for (let t = this.T; t >= 1; t--) {
      const ts = new Array<number>(n).fill(t);
      const next = tf.tidy(() => this.reverseStep(x, rng.normalTensor([n, this.latentDim]), ts, rng.normalTensor([n, this.dataDim])));
      x.dispose();
      x = next;
    }
    return { x0: x as tf.Tensor2D, networkCalls: this.T };
  }

  dispose(): void {
    this.generator.dispose();
    this.discriminator.dispose();
  }
}

export interface TrainDdganOptions {
  model: DenoisingDiffusionGan;
  /** Draws a batch of clean data x_0 [n, dataDim]; the trainer disposes it. */
  data: (rng: Rng, n: number) => tf.Tensor;
  steps: number;
  batchSize?: number;
  /** Adam learning rates (β1 0.5, β2 0.9 as the paper). Defaults 1e-3 (G) and 1e-3 (D) for the toys. */
  generatorLearningRate?: number;
  discriminatorLearningRate?: number;
  /** R1 weight γ (the penalty is γ/2·E‖∇_{x_{t−1}} D‖² on real pairs). Default 0.01 (notebook 12); 0 turns it off. */
  r1Weight?: number;
  seed: number;
  onProgress?: (progress: Progress) => void;
  reportEvery?: number;
}

export interface DdganLosses {
  discriminatorLoss: number;
  generatorLoss: number;
  r1: number;
  dReal: number;
  dFake: number;
}

/**
 * Alternating training (§3.2): per iteration draw x_0 and t ~ U{1 … T}, form the real pair
 * (x_{t−1}, x_t); one D step on real vs fake pairs (+ R1), one G step on the same x_t with fresh z.
 */
export async function trainDdgan(options: TrainDdganOptions): Promise<{ history: DdganLosses[]; seconds: number }> {
  const { model, data, steps, seed } = options;
  const batchSize = options.batchSize ?? 256;
  const r1Weight = options.r1Weight ?? 0.01;
  if (!Number.isInteger(steps) || steps < 0) throw new RangeError(`steps must be a non-negative integer; got ${steps}`);
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer; got ${batchSize}`);
  if (!(r1Weight >= 0)) throw new RangeError(`r1Weight must be >= 0; got ${r1Weight}`);
  const rng = new Rng(seed);
  const gOpt = tf.train.adam(options.generatorLearningRate ?? 1e-3, 0.5, 0.9);
  const dOpt = tf.train.adam(options.discriminatorLearningRate ?? 1e-3, 0.5, 0.9);
  const gVars = model.generator.trainableWeights.map((w) => w.read() as tf.Variable);
  const dVars = model.discriminator.trainableWeights.map((w) => w.read() as tf.Variable);
  const history: DdganLosses[] = [];
  try {
    const result = await trainLoop({
      steps,
      onProgress: options.onProgress,
      reportEvery: options.reportEvery,
      step: () => {
        const x0 = data(rng, batchSize);
        const n = x0.shape[0];
        const t = Array.from({ length: n }, () => rng.int(1, model.T + 1));
        const record = tf.tidy(() => {
          const { xPrev, xt } = model.realPair(x0, t, rng.normalTensor(x0.shape), rng.normalTensor(x0.shape));
          const zD = rng.normalTensor([n, model.latentDim]);
          const noiseD = rng.normalTensor(x0.shape);
          const fakeD = model.reverseStep(xt, zD, t, noiseD, true);
          let r1 = 0, dReal = 0, dFake = 0;
          const dLoss = dOpt.minimize(
            () => {
              const realLogits = model.discriminate(xPrev, xt, t, true);
              const fakeLogits = model.discriminate(fakeD, xt, t, true);
              let loss = discriminatorLoss(realLogits, fakeLogits);
              dReal = tf.mean(tf.sigmoid(realLogits)).dataSync()[0];
              dFake = tf.mean(tf.sigmoid(fakeLogits)).dataSync()[0];
              if (r1Weight > 0) {
                const grad = tf.grad((x: tf.Tensor) => tf.sum(model.discriminate(x, xt, t, true)))(xPrev);
                const penalty = tf.mean(tf.sum(tf.square(grad), 1));
                r1 = penalty.dataSync()[0];
                loss = tf.add(loss, tf.mul(r1Weight / 2, penalty));
              }
              return loss as tf.Scalar;
            },
            true,
            dVars,
          )!;
          const zG = rng.normalTensor([n, model.latentDim]);
          const noiseG = rng.normalTensor(x0.shape);
          const gLoss = gOpt.minimize(() => generatorLossNonSaturating(model.discriminate(model.reverseStep(xt, zG, t, noiseG, true), xt, t, true)), true, gVars)!;
          return { discriminatorLoss: dLoss.dataSync()[0], generatorLoss: gLoss.dataSync()[0], r1, dReal, dFake };
        });
        x0.dispose();
        history.push(record);
        return { ...record };
      },
    });
    return { history, seconds: result.seconds };
  } finally {
    gOpt.dispose();
    dOpt.dispose();
  }
}
