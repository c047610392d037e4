/**
 * The interface a noise-prediction network ε_θ(x_t, t[, c]) offers the training loop and the
 * samplers. The course's networks (models/diffusion-mlp, diffusion-unet, the latent denoiser) are
 * written with plain tf.Variables, so this is all the trainer needs: apply and the variables.
 *
 * @see notebooks/08-diffusion-ddpm
 */
import * as tf from '@tensorflow/tfjs';
import { ConditionalEpsilonPredictor, EpsilonPredictor } from './types';

export interface DiffusionNetwork {
  /**
   * ε_θ(x_t, t, c) for a batch x_t [B, …]: one t (1 … T) per example; `labels` one class per
   * example (the null label `nullLabel` means "no condition"), required when the network is
   * conditional (`numClasses > 0`).
   */
  apply(xt: tf.Tensor, t: ArrayLike<number>, labels?: ArrayLike<number> | null): tf.Tensor;
  /** The trainable variables, in a fixed order (the EMA and the checkpoints rely on it). */
  variables(): tf.Variable[];
  /** Number of classes the network is conditioned on (0 = unconditional). */
  readonly numClasses: number;
  /** The label standing for ∅ (= numClasses) when conditional. */
  readonly nullLabel: number;
}

/** An unconditional sampler's ε(x_t, t) (with fixed labels for a conditional network). */
export function epsilonOf(network: DiffusionNetwork, labels?: ArrayLike<number> | null): EpsilonPredictor {
  return (xt, t) => network.apply(xt, new Array<number>(xt.shape[0]).fill(t), labels ?? null);
}

/** The conditional ε(x_t, t, c) that `classifierFreeGuidance` combines. */
export function conditionalEpsilonOf(network: DiffusionNetwork): ConditionalEpsilonPredictor {
  if (network.numClasses <= 0) throw new RangeError('conditionalEpsilonOf: the network is not conditional (numClasses = 0)');
  return (xt, t, labels) => network.apply(xt, new Array<number>(xt.shape[0]).fill(t), labels.dataSync());
}
