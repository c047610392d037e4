/**
 * GAN losses as functions of the discriminator's *logits* (or the critic's raw scores), written so
 * they never take the log of a rounded-off probability.
 *
 * With D(x) = σ(ℓ(x)) for a logit ℓ:
 *   −log D(x)       = softplus(−ℓ)
 *   −log(1 − D(x))  = softplus(ℓ)
 * and softplus(t) = log(1 + eᵗ) = max(t, 0) + log1p(e^{−|t|}) is finite for every finite t.
 *
 * Goodfellow et al. 2014, eq. 1 (the value function V(D, G)) and §3 (the non-saturating generator
 * loss); Arjovsky et al. 2017 (WGAN); Gulrajani et al. 2017, Algorithm 1 (WGAN-GP); Lim & Ye 2017
 * / Miyato et al. 2018 (hinge). Lectures 000, 001 ("Training GAN: Problem – optimizing G does not
 * work well"), 004 ("Improved Loss Functions").
 *
 * @see notebooks/05-gan-minimax
 */
import * as tf from '@tensorflow/tfjs';

function checkFloatTensor(t: tf.Tensor, argName: string): void {
  if (!(t instanceof tf.Tensor)) throw new RangeError(`${argName} must be a tf.Tensor`);
  if (t.size === 0) throw new RangeError(`${argName} must not be empty; got shape [${t.shape.join(', ')}]`);
}

/**
 * softplus(t) = log(1 + eᵗ), computed as max(t, 0) + log1p(e^{−|t|}) so it neither overflows for
 * large t nor loses precision for very negative t. Its gradient is σ(t) everywhere (a custom
 * gradient: the max/abs form alone would give a zero subgradient at t = 0).
 */
export function softplus(t: tf.Tensor): tf.Tensor {
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const x = args[0] as tf.Tensor;
    const save = args[1] as tf.GradSaveFunc;
    save([x]);
    const value = tf.add(tf.relu(x), tf.log1p(tf.exp(tf.neg(tf.abs(x)))));
    return { value, gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => tf.mul(dy as tf.Tensor, tf.sigmoid(saved[0])) };
  });
  return f(t) as tf.Tensor;
}

/** log σ(t) = −softplus(−t), stable for every finite t. */
export function logSigmoid(t: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.neg(softplus(tf.neg(t))));
}

/**
 * The discriminator's loss, the negated value function of Goodfellow et al. 2014 eq. 1 estimated
 * on a minibatch (Algorithm 1's ascent direction, written as a loss to minimise):
 *
 *   L_D = −(1/m) Σ [log D(x⁽ⁱ⁾) + log(1 − D(G(z⁽ⁱ⁾)))] = mean softplus(−ℓ_real) + mean softplus(ℓ_fake)
 *
 * This is the binary cross-entropy with label 1 for real and 0 for fake samples. At the start
 * of training, when D cannot tell the two apart (ℓ = 0), it equals 2·log 2 = log 4.
 */
export function discriminatorLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
  checkFloatTensor(realLogits, 'realLogits');
  checkFloatTensor(fakeLogits, 'fakeLogits');
  return tf.tidy(() => tf.add(tf.mean(softplus(tf.neg(realLogits))), tf.mean(softplus(fakeLogits))) as tf.Scalar);
}

/**
 * The generator's loss in the original minimax game (eq. 1): minimise E_z[log(1 − D(G(z)))]
 * = −mean softplus(ℓ_fake). It *saturates*: when D confidently rejects the fakes (ℓ ≪ 0) its
 * gradient with respect to ℓ is −σ(ℓ) ≈ 0, so an early, bad generator learns almost nothing.
 */
export function generatorLossSaturating(fakeLogits: tf.Tensor): tf.Scalar {
  checkFloatTensor(fakeLogits, 'fakeLogits');
  return tf.tidy(() => tf.neg(tf.mean(softplus(fakeLogits))) as tf.Scalar);
}

/**
 * The non-saturating generator loss (Goodfellow et al. 2014 §3; lecture 001 "log graph를 뒤집는
 * trick"): maximise E_z[log D(G(z))], i.e. minimise −mean log σ(ℓ_fake) = mean softplus(−ℓ_fake).
 * Its gradient with respect to ℓ is −(1 − σ(ℓ)) ≈ −1 exactly where the saturating loss is flat.
 */
export function generatorLossNonSaturating(fakeLogits: tf.Tensor): tf.Scalar {
  checkFloatTensor(fakeLogits, 'fakeLogits');
  return tf.tidy(() => tf.mean(softplus(tf.neg(fakeLogits))) as tf.Scalar);
}

/**
 * The WGAN critic's loss (Arjovsky et al. 2017, Algorithm 1): the critic f maximises
 * E[f(x)] − E[f(G(z))], an estimate of the Wasserstein-1 distance when f is 1-Lipschitz, so it
 * minimises mean f(fake) − mean f(real). Scores are unbounded reals, not logits.
 */
export function wassersteinCriticLoss(realScores: tf.Tensor, fakeScores: tf.Tensor): tf.Scalar {
  checkFloatTensor(realScores, 'realScores');
  checkFloatTensor(fakeScores, 'fakeScores');
  return tf.tidy(() => tf.sub(tf.mean(fakeScores), tf.mean(realScores)) as tf.Scalar);
}

/** The WGAN generator's loss: −mean f(G(z)) (Arjovsky et al. 2017, Algorithm 1, line 10). */
export function wassersteinGeneratorLoss(fakeScores: tf.Tensor): tf.Scalar {
  checkFloatTensor(fakeScores, 'fakeScores');
  return tf.tidy(() => tf.neg(tf.mean(fakeScores)) as tf.Scalar);
}

/** Hinge loss for the discriminator: mean relu(1 − ℓ_real) + mean relu(1 + ℓ_fake). */
export function hingeDiscriminatorLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
  checkFloatTensor(realLogits, 'realLogits');
  checkFloatTensor(fakeLogits, 'fakeLogits');
  return tf.tidy(
    () => tf.add(tf.mean(tf.relu(tf.sub(1, realLogits))), tf.mean(tf.relu(tf.add(1, fakeLogits)))) as tf.Scalar,
  );
}

/** Hinge loss for the generator: −mean ℓ_fake (the same as the WGAN generator loss). */
export function hingeGeneratorLoss(fakeLogits: tf.Tensor): tf.Scalar {
  checkFloatTensor(fakeLogits, 'fakeLogits');
  return tf.tidy(() => tf.neg(tf.mean(fakeLogits)) as tf.Scalar);
}

export interface GradientPenaltyOptions {
  /**
   * Interpolation weights ε ∈ [0, 1], one per sample, shape [batch]. Gulrajani et al. draw
   * ε ~ U[0, 1]; pass your own for a deterministic penalty (tests) or use `seed`.
   */
  epsilon?: tf.Tensor1D;
  /** Seed for drawing ε ~ U[0, 1] when `epsilon` is not given. Default 0. */
  seed?: number;
}

/**
 * The WGAN-GP gradient penalty (Gulrajani et al. 2017, Algorithm 1, lines 6–7), without its
 * weight λ:
 *
 *   x̂ = ε·x + (1 − ε)·x̃,  GP = E[(‖∇_x̂ D(x̂)‖₂ − 1)²]
 *
 * A 1-Lipschitz critic whose gradient has norm exactly 1 everywhere (e.g. a linear critic with a
 * unit-norm weight) has zero penalty. The gradient norm is taken per sample over all its
 * features. The returned scalar is differentiable with respect to the critic's weights (it is
 * a gradient of a gradient), so it can be added to the critic's loss inside `optimizer.minimize`.
 *
 * @param critic maps a batch [B, ...] to scores [B] or [B, 1]
 */
export function gradientPenalty(
  critic: (x: tf.Tensor) => tf.Tensor,
  real: tf.Tensor,
  fake: tf.Tensor,
  options: GradientPenaltyOptions = {},
): tf.Scalar {
  checkFloatTensor(real, 'real');
  checkFloatTensor(fake, 'fake');
  if (real.shape.join(',') !== fake.shape.join(',')) {
    throw new RangeError(`real and fake must have the same shape; got [${real.shape}] and [${fake.shape}]`);
  }
  const batch = real.shape[0];
  if (options.epsilon !== undefined && options.epsilon.shape.join(',') !== String(batch)) {
    throw new RangeError(`epsilon must have shape [${batch}]; got [${options.epsilon.shape}]`);
  }
  return tf.tidy(() => {
    const epsilon1d = options.epsilon ?? tf.randomUniform([batch], 0, 1, 'float32', options.seed ?? 0);
    const epsilon = tf.reshape(epsilon1d, [batch, ...real.shape.slice(1).map(() => 1)]);
    const interpolated = tf.add(tf.mul(epsilon, real), tf.mul(tf.sub(1, epsilon), fake));
    // ∇_x̂ Σ_i D(x̂_i): sample i's row is ∇ D(x̂_i) because samples do not interact.
    const gradient = tf.grad((x: tf.Tensor) => tf.sum(critic(x)))(interpolated);
    const flat = tf.reshape(gradient, [batch, -1]);
    // A tiny floor keeps the derivative of the norm finite when a gradient is exactly zero.
    const norm = tf.sqrt(tf.add(tf.sum(tf.square(flat), 1), 1e-12));
    return tf.mean(tf.square(tf.sub(norm, 1))) as tf.Scalar;
  });
}
