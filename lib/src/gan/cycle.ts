/**
 * Reconstruction losses of the image-to-image GANs: the L1 distance, pix2pix's cGAN + λ·L1
 * generator objective, and CycleGAN's cycle-consistency loss.
 *
 * Isola et al. 2017 (pix2pix), eqs. 3–4; Zhu et al. 2017 (CycleGAN), eqs. 2–3; lecture 003
 * ("L_cyc(G, F) = E_x‖F(G(x)) − x‖₁ + E_y‖G(F(y)) − y‖₁"), lecture 002.
 *
 * "‖·‖₁" is implemented as the mean absolute error over all elements (what the papers' reference
 * code computes, nn.L1Loss): the paper's per-sample L1 norm divided by the number of features.
 *
 * @see notebooks/06-conditional-gans
 */
import * as tf from '@tensorflow/tfjs';
import { generatorLossNonSaturating } from './losses';
import { checkSameShape } from '../util/validate';


/** Mean absolute error mean |a − b| over all elements. */
export function l1Loss(a: tf.Tensor, b: tf.Tensor): tf.Scalar {
  checkSameShape(a, 'a', b, 'b');
  if (a.size === 0) throw new RangeError('a must not be empty');
  return tf.tidy(() => tf.mean(tf.abs(tf.sub(a, b))) as tf.Scalar);
}

/**
 * CycleGAN's cycle-consistency loss (Zhu et al. 2017, eq. 2) for G: X → Y and F: Y → X:
 *
 *   L_cyc(G, F) = E_x |F(G(x)) − x| + E_y |G(F(y)) − y|
 *
 * Zero exactly when F inverts G on the x batch and G inverts F on the y batch.
 */
export function cycleConsistencyLoss(
  generatorXY: (x: tf.Tensor) => tf.Tensor,
  generatorYX: (y: tf.Tensor) => tf.Tensor,
  x: tf.Tensor,
  y: tf.Tensor,
): tf.Scalar {
  return tf.tidy(() => {
    const forward = l1Loss(generatorYX(generatorXY(x)), x);
    const backward = l1Loss(generatorXY(generatorYX(y)), y);
    return tf.add(forward, backward) as tf.Scalar;
  });
}

/**
 * pix2pix's generator objective (Isola et al. 2017, eq. 4), written with the non-saturating
 * adversarial term: L_G = −mean log D(x, G(x)) + λ·|y − G(x)|. λ = 100 in the paper.
 * Returns the total and both terms, so a notebook can plot them.
 */
export function pix2pixGeneratorLoss(
  fakeLogits: tf.Tensor,
  generated: tf.Tensor,
  target: tf.Tensor,
  lambda = 100,
): { total: tf.Scalar; adversarial: tf.Scalar; l1: tf.Scalar } {
  if (!(lambda >= 0)) throw new RangeError(`lambda must be >= 0; got ${lambda}`);
  const adversarial = generatorLossNonSaturating(fakeLogits);
  const l1 = l1Loss(generated, target);
  const total = tf.tidy(() => tf.add(adversarial, tf.mul(lambda, l1)) as tf.Scalar);
  return { total, adversarial, l1 };
}
