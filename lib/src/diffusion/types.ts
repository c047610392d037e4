/**
 * Types the samplers share.
 *
 * @see notebooks/08-diffusion-ddpm
 */
import * as tf from '@tensorflow/tfjs';

/**
 * ε_θ(x_t, t): the network's noise estimate for a batch x_t [B, …] at one time step t (1 … T).
 * It must return a new tensor of x_t's shape (the sampler disposes it).
 */
export type EpsilonPredictor = (xt: tf.Tensor, t: number) => tf.Tensor;

/**
 * A conditional ε_θ(x_t, t, c) with one class label per example (`labels` int32 [B]); the label
 * `nullLabel` of the model (usually the number of classes) stands for ∅, "no condition".
 */
export type ConditionalEpsilonPredictor = (xt: tf.Tensor, t: number, labels: tf.Tensor1D) => tf.Tensor;

/** What a sampler reports after each step; the tensors are disposed when the callback returns. */
export interface SamplerStep {
  /** The time step just denoised (x_t → x_{tPrev}). */
  t: number;
  /** The time step reached; 0 after the last step. */
  tPrev: number;
  /** 0-based index of this step and the number of steps of the run. */
  index: number;
  steps: number;
  /** x_t, the input of this step. */
  xt: tf.Tensor;
  /** x_{tPrev}, its output. */
  x: tf.Tensor;
  /** The predicted clean sample x̂_0 = (x_t − √(1−ᾱ_t)·ε̂)/√ᾱ_t used by the step. */
  x0Hat: tf.Tensor;
  /** The noise estimate ε̂ used by the step (after guidance, if any). */
  eps: tf.Tensor;
}

/** Called after each step; copy what you keep (`.arraySync()`, `tf.clone`). May be async. */
export type StepCallback = (step: SamplerStep) => void | Promise<void>;

/** Options every sampler takes. */
export interface CommonSamplerOptions {
  /** Shape of the batch to sample, [B, …]. */
  shape: number[];
  /** Seed for x_T and every z: the same seed gives the same samples. */
  seed: number;
  /**
   * Start from this x instead of x_T ~ N(0, I) (img2img: a noised latent). Its time step is
   * `startStep` (default T).
   */
  start?: tf.Tensor;
  /** The time step of `start` (default T). Steps above it are skipped. */
  startStep?: number;
  /**
   * Clip x̂_0 to this range before forming the step (the DDPM and DDIM code do this for images in
   * [−1, 1]; the printed algorithms do not). Default: no clipping, as written.
   */
  clipX0?: [number, number] | null;
  /** Applied to x_{tPrev} after each step (inpainting pastes the known region back here). */
  transform?: (x: tf.Tensor, tPrev: number) => tf.Tensor;
  /** Trajectory callback. */
  onStep?: StepCallback;
}

