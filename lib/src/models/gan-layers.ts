/**
 * Small layers the GAN models share.
 *
 * `GanLeakyReLU` computes LeakyReLU as relu(x) − α·relu(−x). The value equals tf.layers.leakyReLU,
 * but the gradient of this form can itself be differentiated in TensorFlow.js (its gradient is
 * built from Relu/Step, which have gradients), while the built-in LeakyRelu's gradient uses a
 * Greater mask that has none. WGAN-GP's gradient penalty differentiates the critic's input
 * gradient with respect to the critic's weights, so every critic layer must be twice
 * differentiable (Gulrajani et al. 2017, Algorithm 1, line 7).
 *
 * @see notebooks/05-gan-minimax
 */
import * as tf from '@tensorflow/tfjs';

export interface GanLeakyReLUConfig {
  /** Negative slope α (DCGAN's 0.2). */
  alpha?: number;
  name?: string;
}

export class GanLeakyReLU extends tf.layers.Layer {
  static className = 'GanLeakyReLU';
  readonly alpha: number;

  constructor(config: GanLeakyReLUConfig = {}) {
    super({ name: config.name });
    this.alpha = config.alpha ?? 0.2;
    if (!(this.alpha >= 0 && this.alpha < 1)) throw new RangeError(`alpha must be in [0, 1); got ${this.alpha}`);
  }

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return tf.sub(tf.relu(x), tf.mul(this.alpha, tf.relu(tf.neg(x))));
    });
  }

  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), alpha: this.alpha };
  }
}
tf.serialization.registerClass(GanLeakyReLU);

/** A twice-differentiable LeakyReLU layer (see `GanLeakyReLU`). */
export function ganLeakyReLU(config: GanLeakyReLUConfig = {}): GanLeakyReLU {
  return new GanLeakyReLU(config);
}
