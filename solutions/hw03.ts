/**
 * Homework 3: the variational autoencoder (lectures 001, 002, 003: 변분 오토인코더 VAE, 증거 하한
 * evidence lower bound (ELBO), 재매개변수화 reparameterisation trick, VQ-VAE 코드북 codebook).
 *
 * Everything works on TensorFlow.js tensors (`tf` from genbook) so that gradients flow: each
 * function must be differentiable where the task says so (the tests take gradients with tf.grads).
 * Batches are rows: `mu` and `logVar` are [batch, latent], images are [batch, pixels].
 *
 * @see notebooks/04-vae-elbo-vqvae
 * @see notebooks/homework/hw03.ipynb
 */
import { tf } from 'genbook';

/**
 * Given: sg[·], the stop-gradient of the VQ-VAE loss (van den Oord et al. 2017, eq. 3): the value
 * of `x`, but no gradient flows back through it. TensorFlow.js has no such op; tf.customGrad
 * builds one.
 */
export function stopGradient<T extends tf.Tensor>(x: T): T {
  const op = tf.customGrad((input: tf.Tensor | tf.GradSaveFunc) => ({ value: (input as tf.Tensor).clone(), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) }));
  return op(x) as T;
}

function checkSameShape(a: tf.Tensor, b: tf.Tensor, names: string): void {
  if (a.shape.length !== b.shape.length || a.shape.some((d, i) => d !== b.shape[i])) {
    throw new RangeError(`${names} must have the same shape; got [${a.shape}] and [${b.shape}]`);
  }
}

/**
 * Task 1. The reparameterisation trick (Kingma & Welling 2014, eq. 10; lecture 001):
 * z = μ + σ ⊙ ε with σ = exp(½ log σ²). `epsilon` ~ N(0, I) is passed in so the result is
 * deterministic; gradients must flow to `mu` and `logVar`.
 */
export function reparameterize(mu: tf.Tensor2D, logVar: tf.Tensor2D, epsilon: tf.Tensor2D): tf.Tensor2D {
  // BEGIN SOLUTION
  checkSameShape(mu, logVar, 'mu and logVar');
  checkSameShape(mu, epsilon, 'mu and epsilon');
  return tf.tidy(() => mu.add(logVar.mul(0.5).exp().mul(epsilon)));
  // END SOLUTION
}

/**
 * Task 2. KL(N(μ, diag σ²) ‖ N(0, I)) = ½ Σ_j (μ_j² + σ_j² − 1 − log σ_j²) for each row: a
 * [batch] tensor (Kingma & Welling 2014, appendix B).
 */
export function klToStandardNormal(mu: tf.Tensor2D, logVar: tf.Tensor2D): tf.Tensor1D {
  // BEGIN SOLUTION
  checkSameShape(mu, logVar, 'mu and logVar');
  return tf.tidy(() => mu.square().add(logVar.exp()).sub(1).sub(logVar).sum(1).mul(0.5) as tf.Tensor1D);
  // END SOLUTION
}

/**
 * Task 3. The negative ELBO of a VAE with a Bernoulli decoder, averaged over the batch:
 * mean_i [ −log p(x_i | z_i) + KL(q(z | x_i) ‖ p(z)) ], where the decoder outputs `logits`
 * (p = sigmoid(logits)) and −log p(x | z) = Σ_pixels binary cross-entropy(x, p). Compute the
 * cross-entropy from the logits in a numerically stable way: max(l, 0) − l·x + log(1 + e^−|l|).
 */
export function negativeElbo(x: tf.Tensor2D, logits: tf.Tensor2D, mu: tf.Tensor2D, logVar: tf.Tensor2D): tf.Scalar {
  // BEGIN SOLUTION
  checkSameShape(x, logits, 'x and logits');
  checkSameShape(mu, logVar, 'mu and logVar');
  if (x.shape[0] !== mu.shape[0]) throw new RangeError(`x and mu must have the same batch size; got ${x.shape[0]} and ${mu.shape[0]}`);
  return tf.tidy(() => {
    const crossEntropy = logits.relu().sub(logits.mul(x)).add(logits.abs().neg().exp().log1p()).sum(1);
    return crossEntropy.add(klToStandardNormal(mu, logVar)).mean() as tf.Scalar;
  });
  // END SOLUTION
}

export interface Quantized {
  /** [n] int32: the index of the nearest codebook row for each input row. */
  indices: tf.Tensor1D;
  /** [n, d]: the nearest codebook rows, with the straight-through gradient to `ze`. */
  zq: tf.Tensor2D;
}

/**
 * Task 4. VQ-VAE quantisation (van den Oord et al. 2017, eq. 1–2): for each encoder output row
 * z_e, the nearest codebook vector e_k (Euclidean distance), and z_q = z_e + sg[e_k − z_e], whose
 * value is e_k but whose gradient passes straight through to z_e.
 * TensorFlow.js cannot take gradients through `tf.gather`'s indices: build `indices` as a fresh
 * tensor from the argmin's values (`tf.tensor1d(Int32Array.from(argmin.dataSync()), 'int32')`).
 */
export function vectorQuantize(ze: tf.Tensor2D, codebook: tf.Tensor2D): Quantized {
  // BEGIN SOLUTION
  if (ze.shape[1] !== codebook.shape[1]) throw new RangeError(`ze and codebook must have the same width; got ${ze.shape[1]} and ${codebook.shape[1]}`);
  return tf.tidy(() => {
    // ‖z − e‖² = ‖z‖² − 2 z·e + ‖e‖², [n, K].
    const distances = ze.square().sum(1, true).sub(ze.matMul(codebook.transpose()).mul(2)).add(codebook.square().sum(1).expandDims(0));
    // A fresh tensor from the argmin's values keeps the indices off the gradient path.
    const indices = tf.tensor1d(Int32Array.from(distances.argMin(1).dataSync()), 'int32');
    const nearest = tf.gather(codebook, indices) as tf.Tensor2D;
    const zq = ze.add(stopGradient(nearest.sub(ze))) as tf.Tensor2D;
    return { indices, zq };
  });
  // END SOLUTION
}

/**
 * Task 5. The VQ-VAE codebook and commitment terms (lecture 003):
 * mean ‖sg[z_e] − e‖² + β · mean ‖z_e − sg[e]‖², means over every entry. The first term moves
 * the codebook toward the encoder outputs, the second keeps the encoder near its codes.
 */
export function vqLoss(ze: tf.Tensor2D, e: tf.Tensor2D, beta = 0.25): tf.Scalar {
  // BEGIN SOLUTION
  checkSameShape(ze, e, 'ze and e');
  if (!(beta >= 0)) throw new RangeError(`beta must be >= 0; got ${beta}`);
  return tf.tidy(() => {
    const codebookTerm = stopGradient(ze).sub(e).square().mean();
    const commitment = ze.sub(stopGradient(e)).square().mean();
    return codebookTerm.add(commitment.mul(beta)) as tf.Scalar;
  });
  // END SOLUTION
}
