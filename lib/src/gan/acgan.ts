/**
 * The AC-GAN objectives (Odena, Olah & Shlens 2017, "Conditional Image Synthesis with Auxiliary
 * Classifier GANs", §3 eqs. 2–3; lecture 003's conditional GANs). The discriminator sees the image
 * alone and outputs two distributions, P(S | X) over the source (real / fake, a logit) and
 * P(C | X) over the class (logits):
 *
 *   L_S = E[log P(S = real | X_real)] + E[log P(S = fake | X_fake)]
 *   L_C = E[log P(C = c | X_real)]    + E[log P(C = c | X_fake)]
 *
 * D maximises L_S + L_C; G maximises L_C − L_S. Written as losses to minimise, with the
 * non-saturating generator term (as everywhere in this namespace) and a weight λ on the class part:
 *
 *   L_D = −L_S − λ·L_C = discriminatorLoss(ℓ_real, ℓ_fake) + λ·[CE(real) + CE(fake)]
 *   L_G = −E[log D(G(z, c))] + λ·CE(fake)
 *
 * where CE(·) = −mean log softmax(class logits)[c] (`domainClassificationLoss`).
 *
 * @see notebooks/06-conditional-gans
 */
import * as tf from '@tensorflow/tfjs';
import { discriminatorLoss, generatorLossNonSaturating } from './losses';
import { domainClassificationLoss } from './stargan';

/** L_D = −L_S − λ·L_C on a minibatch (logits of S, logits of C, integer labels). */
export function acganDiscriminatorLoss(
  realLogits: tf.Tensor,
  fakeLogits: tf.Tensor,
  realClassLogits: tf.Tensor2D,
  fakeClassLogits: tf.Tensor2D,
  realLabels: readonly number[] | Int32Array,
  fakeLabels: readonly number[] | Int32Array,
  weight = 1,
): tf.Scalar {
  if (!(weight >= 0)) throw new RangeError(`weight must be >= 0; got ${weight}`);
  return tf.tidy(() => {
    const classTerm = tf.add(
      domainClassificationLoss(realClassLogits, Array.from(realLabels)),
      domainClassificationLoss(fakeClassLogits, Array.from(fakeLabels)),
    );
    return tf.add(discriminatorLoss(realLogits, fakeLogits), tf.mul(weight, classTerm)) as tf.Scalar;
  });
}

/** L_G = −E[log D(G(z, c))] + λ·CE(class logits of G(z, c), c) (non-saturating source term). */
export function acganGeneratorLoss(fakeLogits: tf.Tensor, fakeClassLogits: tf.Tensor2D, labels: readonly number[] | Int32Array, weight = 1): tf.Scalar {
  if (!(weight >= 0)) throw new RangeError(`weight must be >= 0; got ${weight}`);
  return tf.tidy(
    () => tf.add(generatorLossNonSaturating(fakeLogits), tf.mul(weight, domainClassificationLoss(fakeClassLogits, Array.from(labels)))) as tf.Scalar,
  );
}
