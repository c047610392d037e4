/**
 * The R1 regulariser of the discriminator (Mescheder, Geiger & Nowozin 2018, "Which Training
 * Methods for GANs do actually Converge?", eq. 9), without its weight γ/2:
 *
 *   R1(ψ) = E_{x ~ p_data} ‖∇_x D_ψ(x)‖²
 *
 * D_ψ(x) is D's logit (before the sigmoid). The penalty pushes D's gradient to zero on the real
 * data, so that near the equilibrium D cannot keep pushing G's samples past the data; with it the
 * non-saturating GAN converges locally where plain simultaneous gradient steps oscillate
 * (their Theorem 4.1). The trainer adds (γ/2)·R1 to D's loss (`GanTrainerOptions.r1Weight`, γ).
 * Like the WGAN-GP penalty (losses.ts) it is a gradient of a gradient, differentiable with respect
 * to D's weights, so it can sit inside `optimizer.minimize`.
 *
 * @param discriminator maps a batch [B, ...] to logits [B] or [B, 1]
 * @see notebooks/05-gan-minimax
 */
import * as tf from '@tensorflow/tfjs';

export function r1Penalty(discriminator: (x: tf.Tensor) => tf.Tensor, real: tf.Tensor): tf.Scalar {
  if (real.dtype !== 'float32') throw new TypeError(`real must be a float32 tensor; got ${real.dtype}`);
  if (real.rank < 1 || real.shape[0] < 1) throw new RangeError(`real must be a batch [B, ...] with B ≥ 1; got [${real.shape}]`);
  const batch = real.shape[0];
  return tf.tidy(() => {
    // ∇_x Σ_i D(x_i): row i is ∇ D(x_i) when D treats samples independently (with batch
    // normalisation in training mode the rows also carry the batch statistics' coupling).
    const gradient = tf.grad((x: tf.Tensor) => tf.sum(discriminator(x)))(real);
    return tf.mean(tf.sum(tf.square(tf.reshape(gradient, [batch, -1])), 1)) as tf.Scalar;
  });
}
