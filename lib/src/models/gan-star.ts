/**
 * StarGAN's training step (Choi et al. 2018, eqs. 1–7; lectures 002, 003): ONE generator G(x, c)
 * translates x into any of several domains c (given one-hot), and one discriminator with two
 * heads, D_src (real/fake logit) and D_cls (domain logits), output together as [B, 1 + domains].
 *
 *   L_D = −L_adv + λ_cls·L_cls^r
 *   L_G =  L_adv + λ_cls·L_cls^f + λ_rec·L_rec,   L_rec = E|x − G(G(x, c), c')|
 *
 * with c a random target domain and c' the original domain of x. The loss terms come from
 * `gan.starganDiscriminatorLoss` / `gan.starganGeneratorLoss`.
 *
 * @see notebooks/06-conditional-gans
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random/rng';
import { starganDiscriminatorLoss, starganGeneratorLoss } from '../gan/stargan';
import type { GanNetwork } from '../gan/trainer';

export interface StarGanOptions {
  /** G: [x, oneHot(c)] → x in domain c. */
  generator: GanNetwork;
  /** D: x → [B, 1 + numDomains]: the real/fake logit, then the domain logits. */
  discriminator: GanNetwork;
  numDomains: number;
  /** Default 1. */
  lambdaCls?: number;
  /** Default 10. */
  lambdaRec?: number;
  /** Adam learning rate (β1 0.5). Default 2e-4. */
  learningRate?: number;
  /** Seed for drawing target domains. */
  seed: number;
}

export class StarGan {
  readonly generator: GanNetwork;
  readonly discriminator: GanNetwork;
  readonly numDomains: number;
  readonly lambdaCls: number;
  readonly lambdaRec: number;
  private readonly rng: Rng;
  private readonly generatorOptimizer: tf.Optimizer;
  private readonly discriminatorOptimizer: tf.Optimizer;

  constructor(options: StarGanOptions) {
    if (!Number.isInteger(options.numDomains) || options.numDomains < 2) {
      throw new RangeError(`numDomains must be an integer >= 2; got ${options.numDomains}`);
    }
    this.generator = options.generator;
    this.discriminator = options.discriminator;
    this.numDomains = options.numDomains;
    this.lambdaCls = options.lambdaCls ?? 1;
    this.lambdaRec = options.lambdaRec ?? 10;
    const lr = options.learningRate ?? 2e-4;
    if (!(lr > 0)) throw new RangeError(`learningRate must be > 0; got ${lr}`);
    this.rng = new Rng(options.seed);
    this.generatorOptimizer = tf.train.adam(lr, 0.5);
    this.discriminatorOptimizer = tf.train.adam(lr, 0.5);
  }

  private oneHot(domains: Int32Array): tf.Tensor2D {
    return tf.tidy(() => tf.oneHot(tf.tensor1d(domains, 'int32'), this.numDomains).toFloat() as tf.Tensor2D);
  }

  /** G(x, c) for target domains c (inference). */
  translate(x: tf.Tensor, domains: Int32Array): tf.Tensor {
    return tf.tidy(() => this.generator.apply([x, this.oneHot(domains)], { training: false }) as tf.Tensor);
  }

  /** D's two heads: source logits [B] and domain logits [B, domains]. */
  discriminate(x: tf.Tensor, training = false): { source: tf.Tensor1D; domainLogits: tf.Tensor2D } {
    return tf.tidy(() => {
      const out = this.discriminator.apply(x, { training }) as tf.Tensor2D;
      const source = tf.reshape(tf.slice(out, [0, 0], [-1, 1]), [-1]) as tf.Tensor1D;
      const domainLogits = tf.slice(out, [0, 1], [-1, this.numDomains]) as tf.Tensor2D;
      return { source, domainLogits };
    });
  }

  /** One step on real x with original domains c': D, then G (target domains drawn at random). */
  step(x: tf.Tensor, originalDomains: Int32Array): Record<string, number> {
    if (originalDomains.length !== x.shape[0]) throw new RangeError(`originalDomains must have ${x.shape[0]} entries; got ${originalDomains.length}`);
    const targets = Int32Array.from({ length: originalDomains.length }, () => this.rng.int(0, this.numDomains));
    const targetOneHot = this.oneHot(targets);
    const originalOneHot = this.oneHot(originalDomains);
    const out: Record<string, number> = {};

    const dVars = this.discriminator.trainableWeights.map((w) => w.read() as tf.Variable);
    const dLoss = this.discriminatorOptimizer.minimize(
      () => {
        const fake = this.generator.apply([x, targetOneHot], { training: true }) as tf.Tensor;
        const real = this.discriminate(x, true);
        const fakeHeads = this.discriminate(fake, true);
        const terms = starganDiscriminatorLoss({
          realSource: real.source,
          fakeSource: fakeHeads.source,
          realDomainLogits: real.domainLogits,
          originalDomains: Array.from(originalDomains),
          lambdaCls: this.lambdaCls,
        });
        out.dAdversarial = terms.adversarial.dataSync()[0];
        out.clsReal = terms.classification.dataSync()[0];
        return terms.total;
      },
      true,
      dVars,
    );
    out.discriminatorLoss = dLoss!.dataSync()[0];
    dLoss!.dispose();

    const gVars = this.generator.trainableWeights.map((w) => w.read() as tf.Variable);
    const gLoss = this.generatorOptimizer.minimize(
      () => {
        const fake = this.generator.apply([x, targetOneHot], { training: true }) as tf.Tensor;
        const reconstructed = this.generator.apply([fake, originalOneHot], { training: true }) as tf.Tensor;
        const heads = this.discriminate(fake, true);
        const terms = starganGeneratorLoss({
          fakeSource: heads.source,
          fakeDomainLogits: heads.domainLogits,
          targetDomains: Array.from(targets),
          input: x,
          reconstructed,
          lambdaCls: this.lambdaCls,
          lambdaRec: this.lambdaRec,
        });
        out.gAdversarial = terms.adversarial.dataSync()[0];
        out.clsFake = terms.classification.dataSync()[0];
        out.reconstruction = terms.reconstruction.dataSync()[0];
        return terms.total;
      },
      true,
      gVars,
    );
    out.generatorLoss = gLoss!.dataSync()[0];
    tf.dispose([gLoss!, targetOneHot, originalOneHot]);
    return out;
  }

  dispose(): void {
    this.generatorOptimizer.dispose();
    this.discriminatorOptimizer.dispose();
  }
}
