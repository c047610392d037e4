/**
 * img2img and inpainting as "start from a noised latent" (lecture 002: "Inpainting의 경우에는 Input
 * image의 latent에 noise를 추가한 것으로부터 inference 과정을 시작한다"; SDEdit, Meng et al. 2022):
 *
 * - img2img: x_{t₀} = √ᾱ_{t₀}·x_0 + √(1 − ᾱ_{t₀})·ε with t₀ = round(strength·T), then the reverse
 *   process from t₀ down to 0. Strength 0 returns the input; strength 1 ignores it.
 * - inpainting: the same start, and after every step the known region is replaced by a fresh draw
 *   of q(x_{t−1} | x_0) of the input (RePaint's simple replacement, Lugmayr et al. 2022, without
 *   resampling), so only the masked region is generated.
 * Works on pixels or on an autoencoder's latents alike.
 *
 * @see notebooks/10-latent-diffusion
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random';
import { ddimSample } from './ddim';
import { ddpmSample } from './ddpm';
import { qSample } from './forward';
import { NoiseSchedule } from './schedule';
import { EpsilonPredictor } from './types';

export interface Img2ImgOptions {
  /** The input x_0 [B, …] (an image or its latent). */
  x0: tf.Tensor;
  /** Noise level in [0, 1]: t₀ = round(strength·T). */
  strength: number;
  seed: number;
  /** `'ddim'` (default, with `steps` spread over 1…T and only those ≤ t₀ used) or `'ddpm'`. */
  sampler?: 'ddim' | 'ddpm';
  /** DDIM steps over the whole range (default 50); a run at strength s uses about s·steps of them. */
  steps?: number;
  eta?: number;
  /** Inpainting: 1 where x_0 is known and kept, 0 where new content is generated ([B, …] or broadcastable). */
  keepMask?: tf.Tensor;
  onStep?: Parameters<typeof ddimSample>[2]['onStep'];
}

/** The start step t₀ for a strength. */
export function strengthToStep(schedule: NoiseSchedule, strength: number): number {
  if (!(strength >= 0 && strength <= 1)) throw new RangeError(`strength must be in [0, 1]; got ${strength}`);
  return Math.round(strength * schedule.T);
}

/** img2img / inpainting from a noised x_0 (see the module comment). Returns the new x_0. */
export async function img2img(schedule: NoiseSchedule, epsilon: EpsilonPredictor, options: Img2ImgOptions): Promise<tf.Tensor> {
  const t0 = strengthToStep(schedule, options.strength);
  if (t0 === 0) return tf.clone(options.x0);
  const rng = new Rng(options.seed);
  const shape = options.x0.shape;
  const start = tf.tidy(() => qSample(schedule, options.x0, t0, rng.normalTensor(shape)));
  const mask = options.keepMask;
  const noiseRng = rng.fork();
  const transform = mask
    ? (x: tf.Tensor, tPrev: number) =>
        tf.tidy(() => {
          const known = tPrev === 0 ? options.x0 : qSample(schedule, options.x0, tPrev, noiseRng.normalTensor(shape));
          return tf.add(tf.mul(mask, known), tf.mul(tf.sub(1, mask), x));
        })
    : undefined;
  const common = { shape, seed: rng.tfSeed(), start, startStep: t0, transform, onStep: options.onStep };
  try {
    return options.sampler === 'ddpm'
      ? await ddpmSample(schedule, epsilon, common)
      : await ddimSample(schedule, epsilon, { ...common, steps: options.steps ?? 50, eta: options.eta ?? 0 });
  } finally {
    start.dispose();
  }
}
