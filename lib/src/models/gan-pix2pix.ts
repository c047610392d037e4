/**
 * pix2pix for 28×28 images (Isola et al. 2017; lectures 000, 002, 003): a small U-Net generator
 * G(x) with skip connections, a PatchGAN discriminator D(x, y) that scores overlapping patches
 * of the (input, output) pair, and the training step of eq. 4:
 *
 *   G* = arg min_G max_D L_cGAN(G, D) + λ·L_L1(G),   λ = 100
 *   L_cGAN = E[log D(x, y)] + E[log(1 − D(x, G(x)))],  L_L1 = E|y − G(x)|
 *
 * (the generator uses the non-saturating form of L_cGAN, as the paper does; no noise z: like the
 * paper's final models the generator is almost deterministic).
 *
 * @see notebooks/06-conditional-gans
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random/rng';
import { ganLeakyReLU } from './gan-layers';
import { discriminatorLoss } from '../gan/losses';
import { pix2pixGeneratorLoss } from '../gan/cycle';
import { dcganInit } from './gan-dcgan';

export interface UnetConfig {
  /** Filters of the first (14×14) level; the 7×7 level has twice as many. Default 32. */
  baseFilters?: number;
  inputChannels?: number;
  outputChannels?: number;
  seed: number;
}

/**
 * U-Net (Ronneberger et al. 2015, as used by pix2pix §3.2.1) for 28×28 inputs:
 * 28 → 14 → 7 (encoder, strided convolutions) → 14 → 28 (decoder, transposed convolutions), the
 * 14×14 encoder features concatenated onto the decoder's ("skip connections", so low-level detail
 * such as edge positions need not pass through the bottleneck). Output tanh in [−1, 1].
 */
export function unetGenerator(config: UnetConfig): tf.LayersModel {
  const { baseFilters = 32, inputChannels = 1, outputChannels = 1, seed } = config;
  const rng = new Rng(seed);
  const x = tf.input({ shape: [28, 28, inputChannels], name: 'condition' });
  const conv = (filters: number, kernelSize: number, strides: number, name: string) =>
    tf.layers.conv2d({ filters, kernelSize, strides, padding: 'same', kernelInitializer: dcganInit(rng), name });
  const up = (filters: number, name: string, activation?: 'tanh') =>
    tf.layers.conv2dTranspose({ filters, kernelSize: 4, strides: 2, padding: 'same', kernelInitializer: dcganInit(rng), activation, name });
  // Encoder: [B, 28, 28, c] → e1 [B, 14, 14, F] → e2 [B, 7, 7, 2F]
  const e1 = ganLeakyReLU({ name: 'enc14_lrelu' }).apply(conv(baseFilters, 4, 2, 'enc14').apply(x)) as tf.SymbolicTensor;
  let e2 = conv(2 * baseFilters, 4, 2, 'enc7').apply(e1) as tf.SymbolicTensor;
  e2 = tf.layers.batchNormalization({ momentum: 0.9, name: 'enc7_bn' }).apply(e2) as tf.SymbolicTensor;
  e2 = ganLeakyReLU({ name: 'enc7_lrelu' }).apply(e2) as tf.SymbolicTensor;
  // Bottleneck at 7×7
  let b = conv(2 * baseFilters, 3, 1, 'bottleneck').apply(e2) as tf.SymbolicTensor;
  b = tf.layers.reLU({ name: 'bottleneck_relu' }).apply(b) as tf.SymbolicTensor;
  // Decoder: [B, 7, 7, 2F] → [B, 14, 14, F] ⊕ e1 → [B, 28, 28, out]
  let d1 = up(baseFilters, 'dec14').apply(b) as tf.SymbolicTensor;
  d1 = tf.layers.batchNormalization({ momentum: 0.9, name: 'dec14_bn' }).apply(d1) as tf.SymbolicTensor;
  d1 = tf.layers.reLU({ name: 'dec14_relu' }).apply(d1) as tf.SymbolicTensor;
  const skip = tf.layers.concatenate({ name: 'skip14' }).apply([d1, e1]) as tf.SymbolicTensor;
  const y = up(outputChannels, 'dec28', 'tanh').apply(skip) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: y, name: 'unet_generator' });
}

/**
 * PatchGAN discriminator (pix2pix §3.2.2): D(x, y) sees the condition and the image stacked as
 * channels and outputs a 7×7 map of logits, one per overlapping patch (receptive field 18×18
 * pixels), so it judges local structure; the losses average over the patches.
 */
export function patchDiscriminator(config: { baseFilters?: number; inputChannels?: number; outputChannels?: number; seed: number }): tf.LayersModel {
  const { baseFilters = 32, inputChannels = 1, outputChannels = 1, seed } = config;
  const rng = new Rng(seed);
  const x = tf.input({ shape: [28, 28, inputChannels], name: 'condition' });
  const y = tf.input({ shape: [28, 28, outputChannels], name: 'image' });
  let h = tf.layers.concatenate({ name: 'pair' }).apply([x, y]) as tf.SymbolicTensor;
  h = tf.layers.conv2d({ filters: baseFilters, kernelSize: 4, strides: 2, padding: 'same', kernelInitializer: dcganInit(rng), name: 'patch14' }).apply(h) as tf.SymbolicTensor;
  h = ganLeakyReLU({ name: 'patch14_lrelu' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.conv2d({ filters: 2 * baseFilters, kernelSize: 4, strides: 2, padding: 'same', kernelInitializer: dcganInit(rng), name: 'patch7' }).apply(h) as tf.SymbolicTensor;
  h = ganLeakyReLU({ name: 'patch7_lrelu' }).apply(h) as tf.SymbolicTensor;
  const logits = tf.layers.conv2d({ filters: 1, kernelSize: 3, strides: 1, padding: 'same', kernelInitializer: dcganInit(rng), name: 'patch_logits' }).apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: [x, y], outputs: logits, name: 'patch_discriminator' });
}

export interface Pix2PixOptions {
  generator: tf.LayersModel;
  discriminator: tf.LayersModel;
  /** Weight λ of the L1 term. Default 100 (the paper's). 0 = a plain cGAN; Infinity is not allowed — use `adversarial: false` for L1 only. */
  lambda?: number;
  /** false trains G on λ·L1 alone (the paper's "L1 only" baseline, Fig. 4). Default true. */
  adversarial?: boolean;
  generatorOptimizer?: tf.Optimizer;
  discriminatorOptimizer?: tf.Optimizer;
}

/** One pix2pix training step per call: D on (x, y) vs (x, G(x)), then G on cGAN + λ·L1. */
export class Pix2Pix {
  readonly generator: tf.LayersModel;
  readonly discriminator: tf.LayersModel;
  readonly lambda: number;
  readonly adversarial: boolean;
  private readonly generatorOptimizer: tf.Optimizer;
  private readonly discriminatorOptimizer: tf.Optimizer;

  constructor(options: Pix2PixOptions) {
    this.generator = options.generator;
    this.discriminator = options.discriminator;
    this.lambda = options.lambda ?? 100;
    if (!(this.lambda >= 0) || !Number.isFinite(this.lambda)) throw new RangeError(`lambda must be a finite number >= 0; got ${this.lambda}`);
    this.adversarial = options.adversarial ?? true;
    this.generatorOptimizer = options.generatorOptimizer ?? tf.train.adam(2e-4, 0.5);
    this.discriminatorOptimizer = options.discriminatorOptimizer ?? tf.train.adam(2e-4, 0.5);
  }

  /** G(x) in inference mode. */
  translate(condition: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.generator.apply(condition, { training: false }) as tf.Tensor);
  }

  /** One step on a paired minibatch (condition x, target y), both [B, 28, 28, c] in [−1, 1]. */
  step(condition: tf.Tensor, target: tf.Tensor): Record<string, number> {
    const out: Record<string, number> = {};
    if (this.adversarial) {
      const dVars = this.discriminator.trainableWeights.map((w) => w.read() as tf.Variable);
      const dLoss = this.discriminatorOptimizer.minimize(
        () => {
          const fake = this.generator.apply(condition, { training: true }) as tf.Tensor;
          const realLogits = this.discriminator.apply([condition, target], { training: true }) as tf.Tensor;
          const fakeLogits = this.discriminator.apply([condition, fake], { training: true }) as tf.Tensor;
          return discriminatorLoss(realLogits, fakeLogits);
        },
        true,
        dVars,
      );
      out.discriminatorLoss = dLoss!.dataSync()[0];
      dLoss!.dispose();
    }
    const gVars = this.generator.trainableWeights.map((w) => w.read() as tf.Variable);
    const gLoss = this.generatorOptimizer.minimize(
      () => {
        const fake = this.generator.apply(condition, { training: true }) as tf.Tensor;
        if (!this.adversarial) {
          const l1 = tf.mean(tf.abs(tf.sub(fake, target)));
          out.l1 = l1.dataSync()[0];
          return tf.mul(this.lambda, l1) as tf.Scalar;
        }
        const fakeLogits = this.discriminator.apply([condition, fake], { training: true }) as tf.Tensor;
        const terms = pix2pixGeneratorLoss(fakeLogits, fake, target, this.lambda);
        out.adversarial = terms.adversarial.dataSync()[0];
        out.l1 = terms.l1.dataSync()[0];
        return terms.total;
      },
      true,
      gVars,
    );
    out.generatorLoss = gLoss!.dataSync()[0];
    gLoss!.dispose();
    return out;
  }

  dispose(): void {
    this.generatorOptimizer.dispose();
    this.discriminatorOptimizer.dispose();
  }
}

/**
 * The outline of a digit, for the paired edges → digit task: pixels that are ink (> 0.5) and
 * touch a background pixel (4-neighbourhood), i.e. the binarised image minus its erosion. Input
 * and output are N·28·28 intensities in [0, 1].
 */
export function digitOutlines(images: Float32Array, width = 28, height = 28): Float32Array {
  const pixels = width * height;
  if (images.length % pixels !== 0) throw new RangeError(`images must hold whole ${width}×${height} images; got ${images.length} values`);
  const out = new Float32Array(images.length);
  for (let base = 0; base < images.length; base += pixels) {
    const ink = (r: number, c: number) => r >= 0 && r < height && c >= 0 && c < width && images[base + r * width + c] > 0.5;
    for (let r = 0; r < height; r++) {
      for (let c = 0; c < width; c++) {
        if (!ink(r, c)) continue;
        const interior = ink(r - 1, c) && ink(r + 1, c) && ink(r, c - 1) && ink(r, c + 1);
        out[base + r * width + c] = interior ? 0 : 1;
      }
    }
  }
  return out;
}
