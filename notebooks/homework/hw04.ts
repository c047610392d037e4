// hw04: your homework. Replace each "not implemented yet" line with your code, keep the
// signatures, then run the notebook's last cell or `npm run check -- hw04` to see your score.
// (Generated from the reference solution; do not rename the exported functions.)

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
  throw new Error("hw04: discriminatorLoss is not implemented yet (write it in notebooks/homework/hw04.ts)");
}

/**
 * Task 2. The generator's original (saturating) loss from the minimax game: mean log(1 − D(G(z))),
 * which the generator minimises. Its gradient vanishes when D confidently rejects the fakes.
 */
export function generatorLossSaturating(fakeLogits: tf.Tensor1D): tf.Scalar {
  throw new Error("hw04: generatorLossSaturating is not implemented yet (write it in notebooks/homework/hw04.ts)");
}

/** Task 3. The non-saturating generator loss (Goodfellow et al. 2014, section 3): −mean log D(G(z)). */
export function generatorLossNonSaturating(fakeLogits: tf.Tensor1D): tf.Scalar {
  throw new Error("hw04: generatorLossNonSaturating is not implemented yet (write it in notebooks/homework/hw04.ts)");
}

/**
 * Task 4. The optimal discriminator for a fixed generator (Goodfellow et al. 2014, Proposition 1):
 * D*(x) = p_data(x) / (p_data(x) + p_g(x)), for densities given at the same points. Where both are
 * 0 every value is optimal: return 0.5 there.
 * @throws RangeError for different lengths or a negative or non-finite density.
 */
export function optimalDiscriminator(pData: readonly number[], pG: readonly number[]): number[] {
  throw new Error("hw04: optimalDiscriminator is not implemented yet (write it in notebooks/homework/hw04.ts)");
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
  throw new Error("hw04: gradientPenalty is not implemented yet (write it in notebooks/homework/hw04.ts)");
}

/** A generator between two domains: [n, d] → [n, d]. */
export type Mapping = (x: tf.Tensor2D) => tf.Tensor2D;

/**
 * Task 6. CycleGAN's cycle-consistency loss (Zhu et al. 2017, eq. 2) with G: X → Y and F: Y → X:
 * mean |F(G(x)) − x| + mean |G(F(y)) − y| (L1, means over every entry).
 */
export function cycleConsistencyLoss(generatorG: Mapping, generatorF: Mapping, x: tf.Tensor2D, y: tf.Tensor2D): tf.Scalar {
  throw new Error("hw04: cycleConsistencyLoss is not implemented yet (write it in notebooks/homework/hw04.ts)");
}

/**
 * Task 7. Adaptive instance normalisation (Huang & Belongie 2017; StyleGAN, Karras et al. 2019,
 * eq. 1; lecture 002): AdaIN(x_i, y) = y_s,i · (x_i − μ(x_i)) / σ(x_i) + y_b,i, where μ and σ are
 * the mean and standard deviation of feature map i of each instance over height and width
 * (σ = sqrt(variance + epsilon), variance dividing by H·W). x is [N, H, W, C]; the style scales
 * y_s and biases y_b are [N, C].
 */
export function adain(x: tf.Tensor4D, styleScale: tf.Tensor2D, styleBias: tf.Tensor2D, epsilon = 1e-5): tf.Tensor4D {
  throw new Error("hw04: adain is not implemented yet (write it in notebooks/homework/hw04.ts)");
}
