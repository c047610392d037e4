/**
 * CycleGAN's training step (Zhu et al. 2017, eq. 3; lectures 002, 003), built from any four
 * networks: G: X → Y, F: Y → X and two discriminators D_X, D_Y (logits).
 *
 *   L(G, F, D_X, D_Y) = L_GAN(G, D_Y, X, Y) + L_GAN(F, D_X, Y, X) + λ·L_cyc(G, F),   λ = 10
 *
 * The batches from X and Y are unpaired: nothing says which y belongs to which x; only the cycle
 * term ties F(G(x)) back to x and G(F(y)) back to y. The discriminators use the log loss of the
 * lectures (the paper's code uses least squares); the generators its non-saturating form.
 *
 * @see notebooks/06-conditional-gans
 */
import * as tf from '@tensorflow/tfjs';
import { discriminatorLoss, generatorLossNonSaturating } from '../gan/losses';
import { cycleConsistencyLoss } from '../gan/cycle';
import type { GanNetwork } from '../gan/trainer';

export interface CycleGanOptions {
  /** G: X → Y. */
  generatorXY: GanNetwork;
  /** F: Y → X. */
  generatorYX: GanNetwork;
  /** D_X: is this an x? (logits) */
  discriminatorX: GanNetwork;
  /** D_Y: is this a y? (logits) */
  discriminatorY: GanNetwork;
  /** Weight λ of the cycle-consistency loss. Default 10. */
  lambdaCycle?: number;
  /** Learning rate of the Adam optimizers (β1 0.5). Default 2e-4. */
  learningRate?: number;
}

function variables(...networks: GanNetwork[]): tf.Variable[] {
  return networks.flatMap((n) => n.trainableWeights.map((w) => w.read() as tf.Variable));
}

export class CycleGan {
  readonly generatorXY: GanNetwork;
  readonly generatorYX: GanNetwork;
  readonly discriminatorX: GanNetwork;
  readonly discriminatorY: GanNetwork;
  readonly lambdaCycle: number;
  private readonly generatorOptimizer: tf.Optimizer;
  private readonly discriminatorOptimizer: tf.Optimizer;

  constructor(options: CycleGanOptions) {
    this.generatorXY = options.generatorXY;
    this.generatorYX = options.generatorYX;
    this.discriminatorX = options.discriminatorX;
    this.discriminatorY = options.discriminatorY;
    this.lambdaCycle = options.lambdaCycle ?? 10;
    if (!(this.lambdaCycle >= 0)) throw new RangeError(`lambdaCycle must be >= 0; got ${this.lambdaCycle}`);
    const lr = options.learningRate ?? 2e-4;
    if (!(lr > 0)) throw new RangeError(`learningRate must be > 0; got ${lr}`);
    this.generatorOptimizer = tf.train.adam(lr, 0.5);
    this.discriminatorOptimizer = tf.train.adam(lr, 0.5);
  }

  /** G(x): X → Y (inference). */
  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.generatorXY.apply(x, { training: false }) as tf.Tensor);
  }

  /** F(y): Y → X (inference). */
  backward(y: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.generatorYX.apply(y, { training: false }) as tf.Tensor);
  }

  /** The cycle-consistency loss on the given batches (inference mode). */
  cycleLoss(x: tf.Tensor, y: tf.Tensor): number {
    return tf.tidy(() =>
      cycleConsistencyLoss(
        (t) => this.generatorXY.apply(t, { training: false }) as tf.Tensor,
        (t) => this.generatorYX.apply(t, { training: false }) as tf.Tensor,
        x,
        y,
      ).dataSync()[0],
    );
  }

  /** One step on unpaired batches x ~ X, y ~ Y: both generators, then both discriminators. */
  step(x: tf.Tensor, y: tf.Tensor): Record<string, number> {
    const out: Record<string, number> = {};
    const g = (t: tf.Tensor) => this.generatorXY.apply(t, { training: true }) as tf.Tensor;
    const f = (t: tf.Tensor) => this.generatorYX.apply(t, { training: true }) as tf.Tensor;
    const dX = (t: tf.Tensor) => this.discriminatorX.apply(t, { training: true }) as tf.Tensor;
    const dY = (t: tf.Tensor) => this.discriminatorY.apply(t, { training: true }) as tf.Tensor;

    const gLoss = this.generatorOptimizer.minimize(
      () => {
        const adversarialG = generatorLossNonSaturating(dY(g(x)));
        const adversarialF = generatorLossNonSaturating(dX(f(y)));
        const cycle = cycleConsistencyLoss(g, f, x, y);
        out.adversarialG = adversarialG.dataSync()[0];
        out.adversarialF = adversarialF.dataSync()[0];
        out.cycle = cycle.dataSync()[0];
        return tf.addN([adversarialG, adversarialF, tf.mul(this.lambdaCycle, cycle)]) as tf.Scalar;
      },
      true,
      variables(this.generatorXY, this.generatorYX),
    );
    out.generatorLoss = gLoss!.dataSync()[0];
    gLoss!.dispose();

    const dLoss = this.discriminatorOptimizer.minimize(
      () => {
        const lossY = discriminatorLoss(dY(y), dY(g(x)));
        const lossX = discriminatorLoss(dX(x), dX(f(y)));
        out.discriminatorY = lossY.dataSync()[0];
        out.discriminatorX = lossX.dataSync()[0];
        return tf.add(lossX, lossY) as tf.Scalar;
      },
      true,
      variables(this.discriminatorX, this.discriminatorY),
    );
    dLoss!.dispose();
    return out;
  }

  dispose(): void {
    this.generatorOptimizer.dispose();
    this.discriminatorOptimizer.dispose();
  }
}
