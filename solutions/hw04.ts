/**
 * Homework 4: GANs (lectures 000, 001, 002, 003: 생성적 적대 신경망 generative adversarial network,
 * 판별자 discriminator, 생성자 generator, 미니맥스 minimax, 순환 일관성 cycle consistency).
 *
 * The discriminator outputs logits l (D = sigmoid(l)). Compute log-sigmoids from logits in a
 * numerically stable way: log σ(l) = −softplus(−l) and log(1 − σ(l)) = −softplus(l), where
 * `tf.softplus` is stable. Losses return scalars and must be differentiable.
 *
 * @see notebooks/05-gan-minimax
 * @see notebooks/06-conditional-gans
 * @see notebooks/homework/hw04.ipynb
 */
import { tf } from 'genbook';

/**
 * Task 1. The discriminator's loss, the negative of the value function V(D, G) of Goodfellow et
 * al. (2014, eq. 1) estimated on a batch: −mean log D(x) − mean log(1 − D(G(z))).
 */
export function discriminatorLoss(realLogits: tf.Tensor1D, fakeLogits: tf.Tensor1D): tf.Scalar {
  // BEGIN SOLUTION
  return tf.tidy(() => tf.softplus(realLogits.neg()).mean().add(tf.softplus(fakeLogits).mean()) as tf.Scalar);
  // END SOLUTION
}

/**
 * Task 2. The generator's original (saturating) loss from the minimax game: mean log(1 − D(G(z))),
 * which the generator minimises. Its gradient vanishes when D confidently rejects the fakes.
 */
export function generatorLossSaturating(fakeLogits: tf.Tensor1D): tf.Scalar {
  // BEGIN SOLUTION
  return tf.tidy(() => tf.softplus(fakeLogits).mean().neg() as tf.Scalar);
  // END SOLUTION
}

/** Task 3. The non-saturating generator loss (Goodfellow et al. 2014, section 3): −mean log D(G(z)). */
export function generatorLossNonSaturating(fakeLogits: tf.Tensor1D): tf.Scalar {
  // BEGIN SOLUTION
  return tf.tidy(() => tf.softplus(fakeLogits.neg()).mean() as tf.Scalar);
  // END SOLUTION
}

/**
 * Task 4. The optimal discriminator for a fixed generator (Goodfellow et al. 2014, Proposition 1):
 * D*(x) = p_data(x) / (p_data(x) + p_g(x)), for densities given at the same points. Where both are
 * 0 every value is optimal: return 0.5 there.
 * @throws RangeError for different lengths or a negative or non-finite density.
 */
export function optimalDiscriminator(pData: readonly number[], pG: readonly number[]): number[] {
  // BEGIN SOLUTION
  if (pData.length !== pG.length) throw new RangeError(`pData and pG must have the same length; got ${pData.length} and ${pG.length}`);
  return pData.map((pd, i) => {
    const pg = pG[i];
    if (!(pd >= 0) || !Number.isFinite(pd)) throw new RangeError(`pData[${i}] must be a density >= 0; got ${pd}`);
    if (!(pg >= 0) || !Number.isFinite(pg)) throw new RangeError(`pG[${i}] must be a density >= 0; got ${pg}`);
    return pd + pg === 0 ? 0.5 : pd / (pd + pg);
  });
  // END SOLUTION
}

/** A critic: a batch of samples [n, d] → scores [n] (or [n, 1]). */
export type Critic = (x: tf.Tensor2D) => tf.Tensor;

/**
 * Task 5. The WGAN-GP gradient penalty (Gulrajani et al. 2017, eq. 3 without λ):
 * mean_i (‖∇_x̂ D(x̂_i)‖₂ − 1)² at the interpolates x̂_i = α_i x_i + (1 − α_i) x̃_i between real
 * and fake samples; `alpha` is [n, 1] (given, so the result is deterministic). Hint: the samples
 * are independent, so the gradient of Σ_i D(x̂_i) with respect to x̂ holds every ∇D(x̂_i).
 */
export function gradientPenalty(critic: Critic, real: tf.Tensor2D, fake: tf.Tensor2D, alpha: tf.Tensor2D): tf.Scalar {
  // BEGIN SOLUTION
  if (real.shape[0] !== fake.shape[0] || real.shape[1] !== fake.shape[1]) throw new RangeError(`real and fake must have the same shape; got [${real.shape}] and [${fake.shape}]`);
  return tf.tidy(() => {
    const interpolates = real.mul(alpha).add(fake.mul(tf.scalar(1).sub(alpha))) as tf.Tensor2D;
    const gradient = tf.grad((x: tf.Tensor) => critic(x as tf.Tensor2D).sum())(interpolates);
    const norms = gradient.square().sum(1).sqrt();
    return norms.sub(1).square().mean() as tf.Scalar;
  });
  // END SOLUTION
}

/** A generator between two domains: [n, d] → [n, d]. */
export type Mapping = (x: tf.Tensor2D) => tf.Tensor2D;

/**
 * Task 6. CycleGAN's cycle-consistency loss (Zhu et al. 2017, eq. 2) with G: X → Y and F: Y → X:
 * mean |F(G(x)) − x| + mean |G(F(y)) − y| (L1, means over every entry).
 */
export function cycleConsistencyLoss(generatorG: Mapping, generatorF: Mapping, x: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar {
  // BEGIN SOLUTION
  return tf.tidy(() => {
    const forward = generatorF(generatorG(x)).sub(x).abs().mean();
    const backward = generatorG(generatorF(y)).sub(y).abs().mean();
    return forward.add(backward) as tf.Scalar;
  });
  // END SOLUTION
}

/**
 * Task 7. Adaptive instance normalisation (Huang & Belongie 2017; StyleGAN, Karras et al. 2019,
 * eq. 1; lecture 002): AdaIN(x_i, y) = y_s,i · (x_i − μ(x_i)) / σ(x_i) + y_b,i, where μ and σ are
 * the mean and standard deviation of feature map i of each instance over height and width
 * (σ = sqrt(variance + epsilon), variance dividing by H·W). x is [N, H, W, C]; the style scales
 * y_s and biases y_b are [N, C].
 */
export function adain(x: tf.Tensor4D, styleScale: tf.Tensor2D, styleBias: tf.Tensor2D, epsilon = 1e-5): tf.Tensor4D {
  // BEGIN SOLUTION
  const [n, , , c] = x.shape;
  for (const [name, t] of [['styleScale', styleScale], ['styleBias', styleBias]] as const) {
    if (t.shape[0] !== n || t.shape[1] !== c) throw new RangeError(`${name} must be [${n}, ${c}]; got [${t.shape}]`);
  }
  return tf.tidy(() => {
    const { mean, variance } = tf.moments(x, [1, 2], true);
    const normalised = x.sub(mean).div(variance.add(epsilon).sqrt());
    return normalised.mul(styleScale.reshape([n, 1, 1, c])).add(styleBias.reshape([n, 1, 1, c])) as tf.Tensor4D;
  });
  // END SOLUTION
}
