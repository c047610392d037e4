/**
 * The autoencoder of the course's latent diffusion (Rombach et al. 2022 §3, "perceptual image
 * compression"): an encoder E maps a 28×28 image to a spatial latent z = E(x) of 7×7×4 (a factor
 * f = 4 downsampling, 4× fewer numbers), a decoder D maps it back. Diffusion then runs on z.
 * Like Stable Diffusion's VAE, latents are multiplied by a scale factor 1/std(z) (SD's 0.18215) so
 * that they have unit variance before the noise schedule is applied.
 *
 *   E: x [B,28,28,1] → space-to-depth 2 [B,14,14,4] → conv 3×3 → 16 → SiLU → conv 3×3 s2 → 32
 *      [B,7,7,32] → SiLU → conv 3×3 → 32 → SiLU → conv 1×1 → latentChannels   z [B,7,7,4]
 *   D: z → conv 3×3 → 32 → SiLU → conv 3×3 → 32 → SiLU → nearest ×2 + conv 3×3 → 16 → SiLU
 *      → conv 3×3 → 4 → depth-to-space [B,28,28,1] → sigmoid
 *
 * @see notebooks/10-latent-diffusion
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random/rng';
import { Progress, trainLoop } from '../train/loop';
import { ParameterStore, conv, depthToSpace2, silu, spaceToDepth2, upsample } from './diffusion-nn';

export interface LatentAutoencoderConfig {
  /** Channels of the 7×7 latent. Default 4. */
  latentChannels?: number;
  /** Width of the convolutions (14×14 level, 7×7 level). Default [16, 32]. */
  channels?: readonly [number, number];
  /** Multiplies E(x) to give unit-variance latents (set after training by `fitLatentScale`). Default 1. */
  latentScale?: number;
  seed: number;
}

export class LatentAutoencoder {
  readonly config: Required<LatentAutoencoderConfig>;
  readonly params: ParameterStore;
  readonly latentShape: [number, number, number];

  constructor(config: LatentAutoencoderConfig) {
    this.config = {
      latentChannels: config.latentChannels ?? 4,
      channels: config.channels ?? [16, 32],
      latentScale: config.latentScale ?? 1,
      seed: config.seed,
    };
    if (!(this.config.latentScale > 0)) throw new RangeError(`latentScale must be > 0; got ${this.config.latentScale}`);
    this.latentShape = [7, 7, this.config.latentChannels];
    this.params = new ParameterStore(config.seed);
    tf.tidy(() => {
      this.decodeRaw(this.encodeRaw(tf.zeros([1, 28, 28, 1])));
    });
    this.params.freeze();
  }

  variables(): tf.Variable[] {
    return this.params.variables();
  }

  parameterCount(): number {
    return this.params.count();
  }

  private encodeRaw(x: tf.Tensor): tf.Tensor4D {
    const p = this.params;
    const [c0, c1] = this.config.channels;
    const b = x.shape[0];
    const image = (x.rank === 2 ? tf.reshape(x, [b, 28, 28, 1]) : x) as tf.Tensor4D;
    let h = silu(conv(p, 'enc/conv0', spaceToDepth2(image), c0)) as tf.Tensor4D; // [B,14,14,c0]
    h = silu(conv(p, 'enc/down', h, c1, { stride: 2 })) as tf.Tensor4D; // [B,7,7,c1]
    h = silu(conv(p, 'enc/conv1', h, c1)) as tf.Tensor4D;
    return conv(p, 'enc/latent', h, this.config.latentChannels, { kernel: 1 }); // [B,7,7,c]
  }

  private decodeRaw(z: tf.Tensor4D): tf.Tensor4D {
    const p = this.params;
    const [c0, c1] = this.config.channels;
    let h = silu(conv(p, 'dec/conv0', z, c1)) as tf.Tensor4D;
    h = silu(conv(p, 'dec/conv1', h, c1)) as tf.Tensor4D;
    h = silu(upsample(p, 'dec/up', h, c0)) as tf.Tensor4D; // [B,14,14,c0]
    return depthToSpace2(conv(p, 'dec/out', h, 4)); // logits [B,28,28,1]
  }

  /** z = scale·E(x): images in [0, 1], [B, 28, 28, 1] or [B, 784] → latents [B, 7, 7, c]. */
  encode(x: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => tf.mul(this.encodeRaw(x), this.config.latentScale) as tf.Tensor4D);
  }

  /**
   * z = scale·E(x) for a whole data set held as pixels in [0, 1] (`images`: n·784 values, 28×28
   * row-major per image), encoded `batchSize` images at a time so memory stays bounded: the latents
   * latent diffusion trains on (Rombach et al. §3: E runs once, before the diffusion training),
   * n·49·c values in the layout of `encode`'s [n, 7, 7, c].
   */
  encodeAll(images: Float32Array, batchSize = 1000): Float32Array {
    if (images.length % 784 !== 0) throw new RangeError(`encodeAll: ${images.length} values is not a whole number of 28×28 images`);
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError(`encodeAll: batchSize must be a positive integer; got ${batchSize}`);
    const count = images.length / 784;
    const latentSize = 49 * this.config.latentChannels;
    const latents = new Float32Array(count * latentSize);
    for (let start = 0; start < count; start += batchSize) {
      const n = Math.min(batchSize, count - start);
      const z = tf.tidy(() => this.encode(tf.tensor4d(images.subarray(start * 784, (start + n) * 784), [n, 28, 28, 1])));
      latents.set(z.dataSync(), start * latentSize);
      z.dispose();
    }
    return latents;
  }

  /** The decoder's logits (pre-sigmoid) [B, 28, 28, 1] for latents z. */
  decodeLogits(z: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => this.decodeRaw(tf.div(z, this.config.latentScale) as tf.Tensor4D));
  }

  /** x̂ = D(z/scale) = sigmoid(logits) in [0, 1], [B, 28, 28, 1]. */
  decode(z: tf.Tensor): tf.Tensor4D {
    return tf.tidy(() => tf.sigmoid(this.decodeLogits(z)) as tf.Tensor4D);
  }

  /** Set the scale so that encoded latents of `x` have unit standard deviation; returns it. */
  fitLatentScale(x: tf.Tensor): number {
    const std = tf.tidy(() => tf.moments(this.encodeRaw(x)).variance.sqrt().dataSync()[0]);
    (this.config as { latentScale: number }).latentScale = 1 / std;
    return 1 / std;
  }

  dispose(): void {
    this.params.dispose();
  }
}

/**
 * Train E and D on the Bernoulli reconstruction loss (binary cross-entropy on the decoder's logits,
 * per pixel) of images in [0, 1]; the mean squared error is reported too. (With a sigmoid output
 * and a squared error, the decoder here got stuck drawing all-black images: the sigmoid saturates
 * and its gradient vanishes. Cross-entropy on logits has gradient p − x and does not stall.)
 */
export async function trainLatentAutoencoder(options: {
  autoencoder: LatentAutoencoder;
  images: Float32Array;
  steps: number;
  batchSize?: number;
  learningRate?: number;
  seed: number;
  onProgress?: (p: Progress) => void;
}): Promise<{ losses: number[]; seconds: number }> {
  const { autoencoder, images, steps, seed } = options;
  const count = images.length / 784;
  if (!Number.isInteger(count)) throw new RangeError('images must hold whole 28×28 images (784 values each)');
  const batchSize = options.batchSize ?? 64;
  const rng = new Rng(seed);
  const optimizer = tf.train.adam(options.learningRate ?? 2e-3);
  const losses: number[] = [];
  try {
    const res = await trainLoop({
      steps,
      onProgress: options.onProgress,
      step: () => {
        const batch = new Float32Array(batchSize * 784);
        for (let i = 0; i < batchSize; i++) {
          const k = rng.int(0, count);
          batch.set(images.subarray(k * 784, (k + 1) * 784), i * 784);
        }
        const [loss, mse] = tf.tidy(() => {
          const x = tf.tensor4d(batch, [batchSize, 28, 28, 1]);
          let logits: tf.Tensor | null = null;
          const cost = optimizer.minimize(() => {
            logits = tf.keep(autoencoder.decodeLogits(autoencoder.encode(x)));
            return tf.losses.sigmoidCrossEntropy(x, logits) as tf.Scalar;
          }, true, autoencoder.variables())!;
          const kept = logits! as tf.Tensor;
          const out = [cost.dataSync()[0], tf.mean(tf.squaredDifference(tf.sigmoid(kept), x)).dataSync()[0]];
          kept.dispose();
          return out;
        });
        losses.push(loss);
        return { loss, mse };
      },
    });
    return { losses, seconds: res.seconds };
  } finally {
    optimizer.dispose();
  }
}
