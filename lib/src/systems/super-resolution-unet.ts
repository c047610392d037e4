/**
 * The super-resolution denoiser ε_θ(x_t, t, x_low) as the course's convolutional U-Net
 * (`models.DiffusionUNet`, notebook 08) with the low-resolution image as an extra input channel:
 * x_low (14×14) is upsampled by nearest neighbour to 28×28 and concatenated to x_t, the way SR3
 * (Saharia et al. 2022, §2.1 "we concatenate the upsampled low-resolution image with x_t") and SD2's
 * upscaler condition their U-Nets (lecture 002: SD2's "Super-resolution Upscaler Diffusion
 * Model"). The U-Net is built with 2 channels in and out; ε is its first output channel.
 * Same interface as `SuperResolutionMlp` (flat rows in [−1, 1]), so `trainSuperResolution` and the
 * samplers take either.
 *
 * @see notebooks/12-systems-in-practice
 */
import * as tf from '@tensorflow/tfjs';
import { DiffusionUNet } from '../models/diffusion-unet';

export interface SuperResolutionUNetConfig {
  /** Channels per U-Net level. Default [24, 48] (notebook 08's). */
  levelChannels?: readonly number[];
  seed: number;
}

export class SuperResolutionUNet {
  readonly config: { size: 28; levelChannels: readonly number[]; seed: number };
  readonly unet: DiffusionUNet;

  constructor(config: SuperResolutionUNetConfig) {
    this.config = { size: 28, levelChannels: config.levelChannels ?? [24, 48], seed: config.seed };
    this.unet = new DiffusionUNet({ imageSize: 28, channels: 2, levelChannels: this.config.levelChannels, seed: config.seed });
  }

  get highDim(): number {
    return 784;
  }

  get lowDim(): number {
    return 196;
  }

  variables(): tf.Variable[] {
    return this.unet.variables();
  }

  /** ε_θ(x_t, t, x_low) for x_t [B, 784], x_low [B, 196] → [B, 784]. */
  apply(xt: tf.Tensor, t: ArrayLike<number>, low: tf.Tensor): tf.Tensor {
    const b = xt.shape[0];
    if (xt.rank !== 2 || xt.shape[1] !== 784) throw new RangeError(`xt must have shape [B, 784]; got [${xt.shape}]`);
    if (low.rank !== 2 || low.shape[0] !== b || low.shape[1] !== 196) throw new RangeError(`low must have shape [${b}, 196]; got [${low.shape}]`);
    return tf.tidy(() => {
      // nearest-neighbour ×2: each low pixel fills a 2×2 block
      const up = tf.reshape(tf.tile(tf.reshape(low, [b, 14, 1, 14, 1, 1]), [1, 1, 2, 1, 2, 1]), [b, 28, 28, 1]);
      const input = tf.concat([tf.reshape(xt, [b, 28, 28, 1]), up], 3);
      const out = this.unet.apply(input, t) as tf.Tensor4D; // [B, 28, 28, 2]
      return tf.reshape(tf.slice(out, [0, 0, 0, 0], [b, 28, 28, 1]), [b, 784]);
    });
  }

  dispose(): void {
    this.unet.dispose();
  }
}
