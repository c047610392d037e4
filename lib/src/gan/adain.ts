/**
 * Adaptive instance normalisation (Huang & Belongie 2017, eq. 8; StyleGAN, Karras et al. 2019,
 * eq. 1; lecture 002 "AdaIN(x_i, y) = y_{s,i} (x_i − μ(x_i)) / σ(x_i) + y_{b,i}").
 *
 * Each feature map x_i (one channel of one sample) is normalised to zero mean and unit standard
 * deviation over its spatial positions, then scaled by y_{s,i} and shifted by y_{b,i}. Feature
 * maps are NHWC: x has shape [B, H, W, C] and the statistics run over H and W.
 *
 * @see notebooks/06-conditional-gans
 */
import * as tf from '@tensorflow/tfjs';

/** A style as StyleGAN gives it: a scale y_s and a bias y_b per sample and channel, shapes [B, C]. */
export interface AdainStyle {
  scale: tf.Tensor2D;
  bias: tf.Tensor2D;
}

/** Per-sample, per-channel mean and standard deviation over H and W of a [B, H, W, C] tensor. */
export function instanceMoments(x: tf.Tensor4D, epsilon = 1e-5): { mean: tf.Tensor4D; std: tf.Tensor4D } {
  if (x.rank !== 4) throw new RangeError(`x must be a [B, H, W, C] tensor; got shape [${x.shape}]`);
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, [1, 2], true);
    return { mean: mean as tf.Tensor4D, std: tf.sqrt(tf.add(variance, epsilon)) as tf.Tensor4D };
  });
}

/**
 * AdaIN(x, y) = y_s · (x − μ(x)) / σ(x) + y_b.
 *
 * `style` is either explicit scales and biases ({scale, bias}, shapes [B, C]; StyleGAN's learned
 * affine map of w produces them) or a style feature map [B, H', W', C], whose own per-channel
 * σ and μ are used as y_s and y_b (Huang & Belongie's style transfer). Either way the output's
 * per-channel mean is y_b and its standard deviation |y_s| (up to the ε = 1e-5 in σ).
 */
export function adain(x: tf.Tensor4D, style: AdainStyle | tf.Tensor4D, epsilon = 1e-5): tf.Tensor4D {
  if (x.rank !== 4) throw new RangeError(`x must be a [B, H, W, C] tensor; got shape [${x.shape}]`);
  const [batch, , , channels] = x.shape;
  return tf.tidy(() => {
    let scale: tf.Tensor;
    let bias: tf.Tensor;
    if (style instanceof tf.Tensor) {
      if (style.rank !== 4 || style.shape[0] !== batch || style.shape[3] !== channels) {
        throw new RangeError(`style feature map must have shape [${batch}, H, W, ${channels}]; got [${style.shape}]`);
      }
      const moments = instanceMoments(style, epsilon);
      scale = moments.std;
      bias = moments.mean;
    } else {
      for (const [name, t] of [['style.scale', style.scale], ['style.bias', style.bias]] as const) {
        if (t.rank !== 2 || t.shape[0] !== batch || t.shape[1] !== channels) {
          throw new RangeError(`${name} must have shape [${batch}, ${channels}]; got [${t.shape}]`);
        }
      }
      scale = tf.reshape(style.scale, [batch, 1, 1, channels]);
      bias = tf.reshape(style.bias, [batch, 1, 1, channels]);
    }
    const { mean, std } = instanceMoments(x, epsilon);
    const normalised = tf.div(tf.sub(x, mean), std);
    return tf.add(tf.mul(scale, normalised), bias) as tf.Tensor4D;
  });
}
