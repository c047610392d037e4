/**
 * GAN training by Algorithm 1 of Goodfellow et al. 2014 (lecture 001 "Training GAN: Algorithm"):
 *
 *   for each training iteration:
 *     for k steps:
 *       sample m noise vectors z⁽ⁱ⁾ ~ p_z and m examples x⁽ⁱ⁾ ~ p_data
 *       update D by ascending ∇_θd (1/m) Σ [log D(x⁽ⁱ⁾) + log(1 − D(G(z⁽ⁱ⁾)))]
 *     sample m noise vectors z⁽ⁱ⁾ ~ p_z
 *     update G by descending ∇_θg (1/m) Σ log(1 − D(G(z⁽ⁱ⁾)))   (objective 'minimax')
 *       or by ascending ∇_θg (1/m) Σ log D(G(z⁽ⁱ⁾))               (objective 'non-saturating')
 *
 * The same loop runs WGAN (critic loss, weight clipping; Arjovsky et al. 2017, Algorithm 1),
 * WGAN-GP (critic loss + λ·gradient penalty; Gulrajani et al. 2017, Algorithm 1) and the hinge
 * loss, and conditional GANs (Mirza & Osindero 2014: G(z, y) and D(x, y) both see the one-hot
 * label y) and AC-GAN (Odena et al. 2017: D sees x alone and also predicts its class; both players
 * add the class log-likelihood L_C to their objectives). Progress, the loss history and the tensor-leak check come from `train.trainLoop`;
 * fixed-noise sample grids are taken every `snapshotEvery` iterations.
 *
 * @see notebooks/05-gan-minimax
 * @see notebooks/06-conditional-gans
 */
import * as tf from '@tensorflow/tfjs';
import { Rng, RngState } from '../random/rng';
import { ExponentialMovingAverage } from '../train/ema';
import { optimizerState, restoreOptimizerState } from '../train/optimizer-state';
import { trainLoop, Losses, Progress, LoopResult } from '../train/loop';
import { domainClassificationLoss } from './stargan';
import { acganDiscriminatorLoss, acganGeneratorLoss } from './acgan';
import { r1Penalty } from './r1';
import {
  discriminatorLoss,
  generatorLossNonSaturating,
  generatorLossSaturating,
  gradientPenalty,
  hingeDiscriminatorLoss,
  hingeGeneratorLoss,
  wassersteinCriticLoss,
  wassersteinGeneratorLoss,
} from './losses';

/** Which pair of losses the game uses. */
export type GanObjective = 'minimax' | 'non-saturating' | 'wgan' | 'wgan-gp' | 'hinge';
export const GAN_OBJECTIVES: readonly GanObjective[] = ['minimax', 'non-saturating', 'wgan', 'wgan-gp', 'hinge'];

/** One objective: D's (the critic's) loss, G's loss, and what else its algorithm does. */
export interface GanObjectiveLosses {
  /** D's loss on the logits (critic scores) of a real and a fake minibatch, [B] each. */
  discriminator(realLogits: tf.Tensor1D, fakeLogits: tf.Tensor1D): tf.Scalar;
  /** G's loss on D's logits (critic scores) of its fakes, [B]. */
  generator(fakeLogits: tf.Tensor1D): tf.Scalar;
  /** D is a critic (unbounded scores): the trainer records mean(real) − mean(fake), not D's probabilities. */
  critic: boolean;
  /** Add λ·gradient penalty (`gradientPenaltyWeight`) to D's loss. */
  gradientPenalty: boolean;
  /** Clip D's weights to [−c, c] (`clipValue`) after each step. */
  clipWeights: boolean;
  /** The paper's learning rate α. */
  learningRate: number;
  /** The paper's optimizer at learning rate α, made fresh for each player (G's and D's are the same kind). */
  optimizer: (learningRate: number) => tf.Optimizer;
}

/** DCGAN's Adam(α, β₁ 0.5), α = 2·10⁻⁴ (Radford et al. 2016 §4). */
const dcganAdam = (learningRate: number): tf.Optimizer => tf.train.adam(learningRate, 0.5);

/**
 * The objectives as one table: objective → its D and G losses (functions of D's logits, losses.ts)
 * and the rest of its algorithm.
 *
 * | objective | L_D | L_G | source |
 * | --- | --- | --- | --- |
 * | minimax | −E log D(x) − E log(1 − D(G(z))) | E log(1 − D(G(z))) | Goodfellow et al. 2014, eq. 1 |
 * | non-saturating | as minimax | −E log D(G(z)) | Goodfellow et al. 2014, §3 |
 * | wgan | E f(G(z)) − E f(x), weights clipped | −E f(G(z)) | Arjovsky et al. 2017, Algorithm 1 |
 * | wgan-gp | wgan's + λ E (‖∇f(x̂)‖ − 1)² | −E f(G(z)) | Gulrajani et al. 2017, Algorithm 1 |
 * | hinge | E max(0, 1 − ℓ(x)) + E max(0, 1 + ℓ(G(z))) | −E ℓ(G(z)) | Lim & Ye 2017; Miyato et al. 2018 |
 *
 * Default optimizers: Adam(2·10⁻⁴, β₁ 0.5) (Radford et al. 2016 §4) for the logistic and hinge
 * games, RMSprop(5·10⁻⁵) for WGAN (Arjovsky et al. Algorithm 1), Adam(10⁻⁴, β₁ 0, β₂ 0.9) for
 * WGAN-GP (Gulrajani et al. Algorithm 1).
 */
const OBJECTIVES: Readonly<Record<GanObjective, GanObjectiveLosses>> = {
  minimax: { discriminator: discriminatorLoss, generator: generatorLossSaturating, critic: false, gradientPenalty: false, clipWeights: false, learningRate: 2e-4, optimizer: dcganAdam },
  'non-saturating': { discriminator: discriminatorLoss, generator: generatorLossNonSaturating, critic: false, gradientPenalty: false, clipWeights: false, learningRate: 2e-4, optimizer: dcganAdam },
  wgan: { discriminator: wassersteinCriticLoss, generator: wassersteinGeneratorLoss, critic: true, gradientPenalty: false, clipWeights: true, learningRate: 5e-5, optimizer: (lr) => tf.train.rmsprop(lr) },
  'wgan-gp': { discriminator: wassersteinCriticLoss, generator: wassersteinGeneratorLoss, critic: true, gradientPenalty: true, clipWeights: false, learningRate: 1e-4, optimizer: (lr) => tf.train.adam(lr, 0, 0.9) },
  hinge: { discriminator: hingeDiscriminatorLoss, generator: hingeGeneratorLoss, critic: false, gradientPenalty: false, clipWeights: false, learningRate: 2e-4, optimizer: dcganAdam },
};

/**
 * What the trainer needs of a network: `apply` (a tf.LayersModel has it) and its trainable
 * weights. Models written as classes (the progressive and style-based generators) implement it too.
 */
export interface GanNetwork {
  apply(
    inputs: tf.Tensor | tf.Tensor[],
    kwargs?: { training?: boolean },
  ): tf.Tensor | tf.Tensor[] | tf.SymbolicTensor | tf.SymbolicTensor[];
  readonly trainableWeights: readonly { read(): tf.Tensor; write(value: tf.Tensor): unknown }[];
}

/** A real minibatch: the samples, and for a conditional GAN their integer labels. */
export type RealBatch = tf.Tensor | { x: tf.Tensor; labels: Int32Array };

export interface GanTrainerOptions {
  /** G: z [B, latentDim] (and a one-hot label [B, numClasses] when conditional) → x. */
  generator: GanNetwork;
  /** D: x (and a one-hot label when conditional) → one logit (or critic score) per sample, [B, 1]. */
  discriminator: GanNetwork;
  latentDim: number;
  /** Draws m real examples. The trainer disposes the tensors it gets. */
  sampleReal: (batchSize: number, rng: Rng) => RealBatch;
  /** Conditional GAN: the number of labels; G and D then take [input, oneHot(label)]. */
  numClasses?: number;
  /** Default 'non-saturating'. */
  objective?: GanObjective;
  /** Discriminator (critic) steps per generator step. Default 1; 5 for 'wgan' and 'wgan-gp'. */
  k?: number;
  /** Minibatch size m. Default 64. */
  batchSize?: number;
  /** Defaults: Adam(2e-4, β1 0.5) (DCGAN); RMSprop(5e-5) for 'wgan'; Adam(1e-4, β1 0, β2 0.9) for 'wgan-gp'. */
  generatorOptimizer?: tf.Optimizer;
  discriminatorOptimizer?: tf.Optimizer;
  /**
   * The learning rate α of the default optimizers (both players), in place of the paper's
   * (`ganLearningRate(objective)`). Ignored for a player whose optimizer is given.
   */
  learningRate?: number;
  /**
   * D's (the critic's) own rate, for the two time-scale update rule (TTUR, Heusel et al. 2017:
   * e.g. 4·10⁻⁴ for D against 10⁻⁴ for G). Default: `learningRate`.
   */
  discriminatorLearningRate?: number;
  /** WGAN weight clipping c: critic weights are clipped to [−c, c] after each step. Default 0.01. */
  clipValue?: number;
  /** WGAN-GP penalty weight λ. Default 10. */
  gradientPenaltyWeight?: number;
  /**
   * R1 weight γ (Mescheder et al. 2018, eq. 9): D's loss gets (γ/2)·E_real ‖∇_x D(x)‖² (`r1Penalty`,
   * r1.ts). For the objectives with a discriminator ('non-saturating', 'minimax', 'hinge'), not
   * with AC-GAN. 0 turns it off. Default 0.
   */
  r1Weight?: number;
  /**
   * AC-GAN (Odena et al. 2017, eqs. 2–3): the weight λ of the class log-likelihood
   *   L_C = E[log P(C = c | X_real)] + E[log P(C = c | X_fake)].
   * D then takes x alone and returns [logit, class logits]; D minimises −L_S − λ·L_C, G minimises
   * −E[log D(G(z, c))] + λ·CE(class logits of G(z, c), c) (`acganDiscriminatorLoss`,
   * `acganGeneratorLoss`). Needs `numClasses` and the 'non-saturating' objective. Default: off.
   */
  auxiliaryClassifierWeight?: number;
  /**
   * Keep an exponential moving average of G's weights, θ̄_G ← d·θ̄_G + (1 − d)·θ_G after every
   * generator step (Karras et al. 2018 §A.1 and Yazıcı et al. 2019, "The Unusual Effectiveness of
   * Averaging in GAN Training"): samples from θ̄_G are smoother than from the oscillating θ_G.
   * `withAveragedGenerator` samples with it. 0 turns it off. Default 0.
   */
  generatorEmaDecay?: number;
  /** Latent prior p_z. Default 'normal' (N(0, I)); 'uniform' is U[−1, 1]. */
  latentPrior?: 'normal' | 'uniform';
  /** Number of fixed latent vectors for sample grids. Default 64, or 10 per label when conditional. */
  fixedNoiseCount?: number;
  seed: number;
}

/** One snapshot of G on the fixed noise: flat values and their shape. */
export interface GanSnapshot {
  step: number;
  values: Float32Array;
  shape: number[];
}

/** The paper's learning rate α of an objective's default optimizers (the table above). */
export function ganLearningRate(objective: GanObjective): number {
  if (!GAN_OBJECTIVES.includes(objective)) {
    throw new RangeError(`objective must be one of ${GAN_OBJECTIVES.join(', ')}; got ${JSON.stringify(objective)}`);
  }
  return OBJECTIVES[objective].learningRate;
}

/**
 * What a training needs beyond the two networks' weights to go on exactly where it stopped
 * (`GanTrainer.exportState` / `importState`): the iteration count, the loss history, the random
 * generator's position, and the optimizers' and the EMA's tensors.
 */
export interface GanTrainerState {
  iteration: number;
  seconds: number;
  history: Losses[];
  rng: RngState;
  emaUpdates: number | null;
  /** `generatorOptimizer/<i>`, `discriminatorOptimizer/<i>` (tf.Optimizer.getWeights order), `generatorEma/<i>`. */
  tensors: Record<string, tf.Tensor>;
}

export interface GanTrainOptions {
  onProgress?: (progress: Progress) => void;
  reportEvery?: number;
  /** Take a fixed-noise snapshot every this many iterations (and after the last). 0 = never. */
  snapshotEvery?: number;
  onSnapshot?: (snapshot: GanSnapshot) => void;
}

function asTensor(output: tf.Tensor | tf.Tensor[] | tf.SymbolicTensor | tf.SymbolicTensor[]): tf.Tensor {
  if (output instanceof tf.Tensor) return output;
  throw new Error('expected the model to return one tensor');
}

export class GanTrainer {
  readonly generator: GanNetwork;
  readonly discriminator: GanNetwork;
  readonly latentDim: number;
  readonly numClasses: number | undefined;
  readonly objective: GanObjective;
  /** AC-GAN's λ (0 = plain (conditional) GAN). */
  readonly auxiliaryClassifierWeight: number;
  readonly k: number;
  readonly batchSize: number;
  /** Fixed latent vectors for sample grids (and their labels, row per label, when conditional). */
  readonly fixedNoise: tf.Tensor2D;
  readonly fixedLabels: Int32Array | undefined;
  /** Loss history, one record per iteration (training continues across `train` calls). */
  readonly history: Losses[] = [];
  readonly snapshots: GanSnapshot[] = [];
  /** The EMA of G's weights (`generatorEmaDecay`), or null. */
  readonly generatorEma: ExponentialMovingAverage | null;
  /** Iterations done so far. */
  iteration = 0;
  /** Seconds spent in `train` so far. */
  seconds = 0;

  private readonly sampleReal: (batchSize: number, rng: Rng) => RealBatch;
  private readonly generatorOptimizer: tf.Optimizer;
  private readonly discriminatorOptimizer: tf.Optimizer;
  private readonly clipValue: number;
  private readonly gradientPenaltyWeight: number;
  /** R1 weight γ (0: off); `setR1Weight` changes it between steps. */
  get r1Weight(): number {
    return this.r1;
  }
  private r1 = 0;
  private readonly r1Allowed: boolean;
  private readonly objectiveName: GanObjective;
  private readonly latentPrior: 'normal' | 'uniform';
  private rng: Rng;

  constructor(options: GanTrainerOptions) {
    const objective = options.objective ?? 'non-saturating';
    if (!GAN_OBJECTIVES.includes(objective)) {
      throw new RangeError(`objective must be one of ${GAN_OBJECTIVES.join(', ')}; got ${JSON.stringify(objective)}`);
    }
    const isWasserstein = objective === 'wgan' || objective === 'wgan-gp';
    const k = options.k ?? (isWasserstein ? 5 : 1);
    const batchSize = options.batchSize ?? 64;
    if (!Number.isInteger(k) || k < 1) throw new RangeError(`k must be a positive integer; got ${k}`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`batchSize must be a positive integer; got ${batchSize}`);
    if (!Number.isInteger(options.latentDim) || options.latentDim < 1) {
      throw new RangeError(`latentDim must be a positive integer; got ${options.latentDim}`);
    }
    if (options.numClasses !== undefined && (!Number.isInteger(options.numClasses) || options.numClasses < 2)) {
      throw new RangeError(`numClasses must be an integer >= 2; got ${options.numClasses}`);
    }
    const aux = options.auxiliaryClassifierWeight ?? 0;
    if (!(aux >= 0)) throw new RangeError(`auxiliaryClassifierWeight must be >= 0; got ${aux}`);
    if (aux > 0 && !options.numClasses) throw new RangeError('auxiliaryClassifierWeight (AC-GAN) needs numClasses');
    if (aux > 0 && objective !== 'non-saturating') {
      throw new RangeError(`auxiliaryClassifierWeight (AC-GAN) is implemented for the 'non-saturating' objective; got ${JSON.stringify(objective)}`);
    }
    this.auxiliaryClassifierWeight = aux;
    this.generator = options.generator;
    this.discriminator = options.discriminator;
    this.latentDim = options.latentDim;
    this.numClasses = options.numClasses;
    this.objective = objective;
    this.k = k;
    this.batchSize = batchSize;
    this.sampleReal = options.sampleReal;
    const learningRate = options.learningRate ?? OBJECTIVES[objective].learningRate;
    const discriminatorLearningRate = options.discriminatorLearningRate ?? learningRate;
    for (const [name, rate] of [['learningRate', learningRate], ['discriminatorLearningRate', discriminatorLearningRate]] as const) {
      if (!(rate > 0 && Number.isFinite(rate))) throw new RangeError(`${name} must be a positive number; got ${rate}`);
    }
    this.generatorOptimizer = options.generatorOptimizer ?? OBJECTIVES[objective].optimizer(learningRate);
    this.discriminatorOptimizer = options.discriminatorOptimizer ?? OBJECTIVES[objective].optimizer(discriminatorLearningRate);
    this.clipValue = options.clipValue ?? 0.01;
    this.gradientPenaltyWeight = options.gradientPenaltyWeight ?? 10;
    if (!(this.clipValue > 0)) throw new RangeError(`clipValue must be > 0; got ${this.clipValue}`);
    if (!(this.gradientPenaltyWeight >= 0)) {
      throw new RangeError(`gradientPenaltyWeight must be >= 0; got ${this.gradientPenaltyWeight}`);
    }
    this.objectiveName = objective;
    this.r1Allowed = !OBJECTIVES[objective].critic && aux === 0;
    this.setR1Weight(options.r1Weight ?? 0);
    this.latentPrior = options.latentPrior ?? 'normal';
    const emaDecay = options.generatorEmaDecay ?? 0;
    if (!(emaDecay >= 0 && emaDecay < 1)) throw new RangeError(`generatorEmaDecay must be in [0, 1); got ${emaDecay}`);
    this.generatorEma = emaDecay > 0 ? new ExponentialMovingAverage(this.generator.trainableWeights.map((w) => w.read() as tf.Variable), emaDecay) : null;
    this.rng = new Rng(options.seed);
    const fixedCount = options.fixedNoiseCount ?? (this.numClasses ? this.numClasses * 10 : 64);
    this.fixedNoise = this.sampleLatent(fixedCount);
    if (this.numClasses) {
      const perClass = Math.ceil(fixedCount / this.numClasses);
      this.fixedLabels = Int32Array.from({ length: fixedCount }, (_, i) => Math.floor(i / perClass) % this.numClasses!);
    }
  }

  /** z ~ p_z, [n, latentDim], from the trainer's seeded generator. */
  sampleLatent(n: number): tf.Tensor2D {
    const shape = [n, this.latentDim];
    return (this.latentPrior === 'normal' ? this.rng.normalTensor(shape) : this.rng.uniformTensor(shape, -1, 1)) as tf.Tensor2D;
  }

  private oneHot(labels: Int32Array): tf.Tensor2D {
    return tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), this.numClasses!).toFloat() as tf.Tensor2D);
  }

  private randomLabels(n: number): Int32Array {
    return Int32Array.from({ length: n }, () => this.rng.int(0, this.numClasses!));
  }

  /** G(z) (or G(z, y)); `training` selects batch statistics in batch-norm layers. */
  generate(z: tf.Tensor, labels?: Int32Array, training = false): tf.Tensor {
    return tf.tidy(() => {
      if (this.numClasses) {
        if (!labels || labels.length !== z.shape[0]) throw new RangeError(`labels must give one label per latent vector (${z.shape[0]})`);
        return asTensor(this.generator.apply([z, this.oneHot(labels)], { training }));
      }
      return asTensor(this.generator.apply(z, { training }));
    });
  }

  /** D(x) logits (or D(x, y)), shape [B]. */
  discriminate(x: tf.Tensor, labels?: Int32Array, training = false): tf.Tensor1D {
    return tf.tidy(() => {
      if (this.auxiliaryClassifierWeight > 0) {
        const { logits, classLogits } = this.discriminateWithClasses(x, training);
        classLogits.dispose();
        return logits;
      }
      const out = this.numClasses
        ? asTensor(this.discriminator.apply([x, this.oneHot(labels!)], { training }))
        : asTensor(this.discriminator.apply(x, { training }));
      return tf.reshape(out, [-1]) as tf.Tensor1D;
    });
  }

  /** AC-GAN: D(x) → real/fake logits [B] and class logits [B, numClasses] (D does not see the label). */
  discriminateWithClasses(x: tf.Tensor, training = false): { logits: tf.Tensor1D; classLogits: tf.Tensor2D } {
    if (!(this.auxiliaryClassifierWeight > 0)) throw new Error('discriminateWithClasses needs an AC-GAN (auxiliaryClassifierWeight > 0)');
    const out = this.discriminator.apply(x, { training });
    if (!Array.isArray(out) || out.length !== 2 || !(out[0] instanceof tf.Tensor) || !(out[1] instanceof tf.Tensor)) {
      throw new Error('an AC-GAN discriminator must return [logit, class logits]');
    }
    const [logit, classLogits] = out as tf.Tensor[];
    const logits = tf.reshape(logit, [-1]) as tf.Tensor1D;
    logit.dispose();
    return { logits, classLogits: classLogits as tf.Tensor2D };
  }

  private discriminatorStep(): Losses {
    const real = this.sampleReal(this.batchSize, this.rng);
    const realX = real instanceof tf.Tensor ? real : real.x;
    const realLabels = real instanceof tf.Tensor ? undefined : real.labels;
    if (this.numClasses && !realLabels) throw new Error('a conditional GAN needs sampleReal to return { x, labels }');
    const m = realX.shape[0];
    const z = this.sampleLatent(m);
    // Conditional: the fakes take the real batch's labels (so the gradient penalty interpolates
    // within one label and both halves of the minibatch share the label distribution).
    const fakeLabels = realLabels;
    const gpSeed = this.rng.tfSeed();
    const record: Losses = {};
    const dVars = this.discriminator.trainableWeights.map((w) => w.read() as tf.Variable);
    const aux = this.auxiliaryClassifierWeight;
    const loss = this.discriminatorOptimizer.minimize(
      () => {
        const fake = this.generate(z, fakeLabels, true);
        if (aux > 0) {
          // AC-GAN: L_D = −L_S − λ·L_C (acgan.ts)
          const real = this.discriminateWithClasses(realX, true);
          const faked = this.discriminateWithClasses(fake, true);
          record.dReal = tf.mean(tf.sigmoid(real.logits)).dataSync()[0];
          record.dFake = tf.mean(tf.sigmoid(faked.logits)).dataSync()[0];
          record.classLossReal = domainClassificationLoss(real.classLogits, Array.from(realLabels!)).dataSync()[0];
          record.classAccuracyReal = tf.mean(tf.cast(tf.equal(tf.argMax(real.classLogits, 1), tf.tensor1d(realLabels!, 'int32')), 'float32')).dataSync()[0];
          return acganDiscriminatorLoss(real.logits, faked.logits, real.classLogits, faked.classLogits, realLabels!, fakeLabels!, aux);
        }
        const realLogits = this.discriminate(realX, realLabels, true);
        const fakeLogits = this.discriminate(fake, fakeLabels, true);
        const objective = OBJECTIVES[this.objective];
        let penalty: tf.Scalar | undefined;
        if (objective.gradientPenalty) {
          const critic = (x: tf.Tensor) => this.discriminate(x, realLabels, true);
          penalty = gradientPenalty(critic, realX, fake, { seed: gpSeed });
          record.gradientPenalty = penalty.dataSync()[0];
        }
        let lossD = objective.discriminator(realLogits, fakeLogits);
        if (this.r1Weight > 0) {
          const r1 = r1Penalty((x) => this.discriminate(x, realLabels, true), realX);
          record.r1 = r1.dataSync()[0];
          lossD = tf.add(lossD, tf.mul(this.r1Weight / 2, r1)) as tf.Scalar;
        }
        const value = penalty ? tf.add(lossD, tf.mul(this.gradientPenaltyWeight, penalty)) as tf.Scalar : lossD;
        if (objective.critic) {
          record.wassersteinEstimate = tf.sub(tf.mean(realLogits), tf.mean(fakeLogits)).dataSync()[0];
        } else {
          record.dReal = tf.mean(tf.sigmoid(realLogits)).dataSync()[0];
          record.dFake = tf.mean(tf.sigmoid(fakeLogits)).dataSync()[0];
        }
        return value;
      },
      true,
      dVars,
    );
    record.discriminatorLoss = loss!.dataSync()[0];
    tf.dispose([loss!, z, realX]);
    if (OBJECTIVES[this.objective].clipWeights) {
      // Weight clipping keeps the critic in a compact set of K-Lipschitz functions (WGAN Alg. 1, line 7).
      tf.tidy(() => {
        for (const w of this.discriminator.trainableWeights) w.write(tf.clipByValue(w.read(), -this.clipValue, this.clipValue));
      });
    }
    return record;
  }

  private generatorStep(): number {
    const z = this.sampleLatent(this.batchSize);
    const labels = this.numClasses ? this.randomLabels(this.batchSize) : undefined;
    const gVars = this.generator.trainableWeights.map((w) => w.read() as tf.Variable);
    const aux = this.auxiliaryClassifierWeight;
    const loss = this.generatorOptimizer.minimize(
      () => {
        const fake = this.generate(z, labels, true);
        if (aux > 0) {
          // AC-GAN: G maximises L_C − L_S (acgan.ts)
          const out = this.discriminateWithClasses(fake, true);
          return acganGeneratorLoss(out.logits, out.classLogits, labels!, aux);
        }
        return OBJECTIVES[this.objective].generator(this.discriminate(fake, labels, true));
      },
      true,
      gVars,
    );
    const value = loss!.dataSync()[0];
    tf.dispose([loss!, z]);
    return value;
  }

  /** One iteration of Algorithm 1: k discriminator steps, then one generator step. */
  /**
   * Set the R1 weight γ for the steps that follow (a training that switches R1 on part-way, as the
   * shipped DCGAN did: `MNIST_GAN_R1_SCHEDULE`). Only for a discriminator of the 'non-saturating',
   * 'minimax' or 'hinge' objectives without AC-GAN; 0 turns it off.
   */
  setR1Weight(weight: number): void {
    if (!(weight >= 0 && Number.isFinite(weight))) throw new RangeError(`r1Weight must be a number >= 0; got ${weight}`);
    if (weight > 0 && !this.r1Allowed) {
      throw new RangeError(`r1Weight (R1) is implemented for a discriminator of the 'non-saturating', 'minimax' or 'hinge' objectives without AC-GAN; got ${JSON.stringify(this.objectiveName)}${this.auxiliaryClassifierWeight > 0 ? ' with AC-GAN' : ''}`);
    }
    this.r1 = weight;
  }

  step(): Losses {
    let record: Losses = {};
    for (let i = 0; i < this.k; i++) record = this.discriminatorStep();
    record.generatorLoss = this.generatorStep();
    this.generatorEma?.update();
    this.iteration += 1;
    this.history.push(record);
    return record;
  }

  /** G on the fixed noise (inference mode), as a snapshot. */
  snapshot(): GanSnapshot {
    const samples = this.generate(this.fixedNoise, this.fixedLabels, false);
    const snap = { step: this.iteration, values: samples.dataSync() as Float32Array, shape: samples.shape.slice() };
    samples.dispose();
    return snap;
  }

  /**
   * Run `fn` with G's averaged weights in place (then the raw weights go back); without an EMA,
   * with G as it is. Batch-norm moving statistics stay those of the raw G.
   */
  async withAveragedGenerator<T>(fn: () => T | Promise<T>): Promise<T> {
    return this.generatorEma ? this.generatorEma.withAveraged(fn) : fn();
  }

  /** Everything but the networks' weights that `importState` needs to continue exactly (tensors are copies; the caller disposes them). */
  async exportState(): Promise<GanTrainerState> {
    const tensors: Record<string, tf.Tensor> = {};
    Object.assign(tensors, await optimizerState(this.generatorOptimizer, 'generatorOptimizer'));
    Object.assign(tensors, await optimizerState(this.discriminatorOptimizer, 'discriminatorOptimizer'));
    if (this.generatorEma) Object.assign(tensors, this.generatorEma.stateTensors('generatorEma'));
    return {
      iteration: this.iteration,
      seconds: this.seconds,
      history: this.history.map((h) => ({ ...h })),
      rng: this.rng.state(),
      emaUpdates: this.generatorEma ? this.generatorEma.count : null,
      tensors,
    };
  }

  /**
   * Continue from `exportState()` of a trainer built with the same options, after the networks'
   * weights were restored. The next iterations then match an uninterrupted run's. Takes
   * ownership of nothing: the caller disposes `state.tensors`.
   */
  async importState(state: GanTrainerState): Promise<void> {
    if (this.iteration !== 0) throw new Error('importState: the trainer has already trained; import into a fresh trainer');
    if ((state.emaUpdates === null) !== (this.generatorEma === null)) {
      throw new Error(`importState: the saved state ${state.emaUpdates === null ? 'has no' : 'has an'} EMA of G; this trainer ${this.generatorEma ? 'keeps' : 'keeps no'} EMA`);
    }
    await restoreOptimizerState(this.generatorOptimizer, state.tensors, 'generatorOptimizer');
    await restoreOptimizerState(this.discriminatorOptimizer, state.tensors, 'discriminatorOptimizer');
    if (this.generatorEma) this.generatorEma.restoreFrom(state.tensors, 'generatorEma', state.emaUpdates!);
    this.rng = Rng.fromState(state.rng);
    this.iteration = state.iteration;
    this.seconds = state.seconds;
    this.history.length = 0;
    this.history.push(...state.history.map((h) => ({ ...h })));
  }

  /** Run `iterations` iterations of Algorithm 1 (continuing from earlier calls). */
  async train(iterations: number, options: GanTrainOptions = {}): Promise<LoopResult> {
    const snapshotEvery = options.snapshotEvery ?? 0;
    if (!Number.isInteger(snapshotEvery) || snapshotEvery < 0) {
      throw new RangeError(`snapshotEvery must be a non-negative integer; got ${snapshotEvery}`);
    }
    const result = await trainLoop({
      steps: iterations,
      onProgress: options.onProgress,
      reportEvery: options.reportEvery,
      // The first snapshot allocates nothing that persists, so the leak check stays strict.
      step: (i) => {
        const losses = this.step();
        if (snapshotEvery > 0 && ((i + 1) % snapshotEvery === 0 || i + 1 === iterations)) {
          const snap = this.snapshot();
          this.snapshots.push(snap);
          options.onSnapshot?.(snap);
        }
        return losses;
      },
    });
    this.seconds += result.seconds;
    return result;
  }

  /** Free the optimizers' slots, the EMA and the fixed noise (the models stay). */
  dispose(): void {
    this.generatorEma?.dispose();
    this.generatorOptimizer.dispose();
    this.discriminatorOptimizer.dispose();
    this.fixedNoise.dispose();
  }
}

/** Convenience: a trainer for `options`. */
export function createTrainer(options: GanTrainerOptions): GanTrainer {
  return new GanTrainer(options);
}
