/**
 * DCGAN for 28×28 single-channel images (Radford et al. 2016, §3 "approach and model
 * architecture"; lectures 000 and 001): the generator projects z with one matrix multiply to a
 * small 7×7 feature map and grows it with fractionally-strided (transposed) convolutions to 28×28;
 * the discriminator halves the resolution with strided convolutions. No pooling and no fully
 * connected hidden layers in the convolutional part; batch normalisation in the generator, ReLU in
 * the generator with tanh at the output, LeakyReLU(0.2) in the discriminator, weights initialised
 * from N(0, 0.02²).
 *
 * Conditional variants (cGAN, Mirza & Osindero 2014, Fig. 1; lecture 003): with `numClasses` the
 * generator takes [z, y] (y one-hot, concatenated with z) and the discriminator takes [x, y] (y
 * mapped by a learned dense layer — an embedding of the one-hot label — to a 28×28 map stacked onto
 * the image as a second channel).
 *
 * AC-GAN (Odena et al. 2017, §3 and Fig. 2; lecture 003's conditional GANs): with
 * `auxiliaryClasses` the discriminator sees the image alone and has a second head, class logits
 * [B, auxiliaryClasses] for P(C | X), next to the real/fake logit P(S | X).
 *
 * The critic of WGAN-GP is the same discriminator without batch normalisation (the penalty is per
 * sample, Gulrajani et al. 2017 §4): this discriminator has none.
 *
 * @see notebooks/05-gan-minimax
 * @see notebooks/06-conditional-gans
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random/rng';
import { ganLeakyReLU } from './gan-layers';
import { checkPositiveInt } from '../util/validate';

export interface DcganGeneratorConfig {
  /** Dimension of z. Default 64. */
  latentDim?: number;
  /** Filters of the 14×14 layer; the 7×7 projection has twice as many. Default 32. */
  baseFilters?: number;
  /** Kernel size of the transposed convolutions. Default 4. */
  kernelSize?: number;
  /** Conditional generator: number of labels (one-hot input). */
  numClasses?: number;
  seed: number;
}

export interface DcganDiscriminatorConfig {
  /** Filters of the first (14×14) layer; the second has twice as many. Default 32. */
  baseFilters?: number;
  kernelSize?: number;
  /** Conditional discriminator: number of labels (one-hot input). */
  numClasses?: number;
  /** Negative slope of LeakyReLU. Default 0.2. */
  leakySlope?: number;
  /** AC-GAN: also output class logits [B, auxiliaryClasses] (a second dense head on the same features). */
  auxiliaryClasses?: number;
  seed: number;
}

/** The DCGAN weight initialisation, N(0, 0.02²) (Radford et al. 2016, §4; pix2pix uses it too). */
export function dcganInit(rng: Rng): ReturnType<typeof tf.initializers.randomNormal> {
  return tf.initializers.randomNormal({ mean: 0, stddev: 0.02, seed: rng.tfSeed() });
}

/** DCGAN generator: z [B, latentDim] (, y [B, numClasses]) → x [B, 28, 28, 1] in [−1, 1]. */
export function dcganGenerator(config: DcganGeneratorConfig): tf.LayersModel {
  const { latentDim = 64, baseFilters = 32, kernelSize = 4, numClasses, seed } = config;
  checkPositiveInt(latentDim, 'latentDim');
  checkPositiveInt(baseFilters, 'baseFilters');
  checkPositiveInt(kernelSize, 'kernelSize');
  if (numClasses !== undefined) checkPositiveInt(numClasses, 'numClasses');
  const rng = new Rng(seed);
  const z = tf.input({ shape: [latentDim], name: 'z' });
  const label = numClasses ? tf.input({ shape: [numClasses], name: 'label' }) : undefined;
  let h = label ? (tf.layers.concatenate({ name: 'z_label' }).apply([z, label]) as tf.SymbolicTensor) : z;
  // Project and reshape: [B, latent] → [B, 7, 7, 2F]
  h = tf.layers.dense({ units: 7 * 7 * 2 * baseFilters, useBias: false, kernelInitializer: dcganInit(rng), name: 'project' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.batchNormalization({ momentum: 0.9, name: 'project_bn' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.reLU({ name: 'project_relu' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.reshape({ targetShape: [7, 7, 2 * baseFilters], name: 'to_7x7' }).apply(h) as tf.SymbolicTensor;
  // [B, 7, 7, 2F] → [B, 14, 14, F]
  h = tf.layers
    .conv2dTranspose({ filters: baseFilters, kernelSize, strides: 2, padding: 'same', useBias: false, kernelInitializer: dcganInit(rng), name: 'up14' })
    .apply(h) as tf.SymbolicTensor;
  h = tf.layers.batchNormalization({ momentum: 0.9, name: 'up14_bn' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.reLU({ name: 'up14_relu' }).apply(h) as tf.SymbolicTensor;
  // [B, 14, 14, F] → [B, 28, 28, 1]
  const x = tf.layers
    .conv2dTranspose({ filters: 1, kernelSize, strides: 2, padding: 'same', activation: 'tanh', kernelInitializer: dcganInit(rng), name: 'up28' })
    .apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: label ? [z, label] : [z], outputs: x, name: numClasses ? 'cdcgan_generator' : 'dcgan_generator' });
}

/**
 * DCGAN discriminator: x [B, 28, 28, 1] (, y [B, numClasses]) → one logit [B, 1]; with
 * `auxiliaryClasses` (AC-GAN) → [logit [B, 1], class logits [B, auxiliaryClasses]].
 */
export function dcganDiscriminator(config: DcganDiscriminatorConfig): tf.LayersModel {
  const { baseFilters = 32, kernelSize = 4, numClasses, leakySlope = 0.2, auxiliaryClasses, seed } = config;
  checkPositiveInt(baseFilters, 'baseFilters');
  checkPositiveInt(kernelSize, 'kernelSize');
  if (numClasses !== undefined) checkPositiveInt(numClasses, 'numClasses');
  if (auxiliaryClasses !== undefined) checkPositiveInt(auxiliaryClasses, 'auxiliaryClasses');
  const rng = new Rng(seed);
  const x = tf.input({ shape: [28, 28, 1], name: 'x' });
  const label = numClasses ? tf.input({ shape: [numClasses], name: 'label' }) : undefined;
  let h: tf.SymbolicTensor = x;
  if (label) {
    // The label as a learned 28×28 map, stacked onto the image as a second channel.
    let map = tf.layers.dense({ units: 28 * 28, kernelInitializer: dcganInit(rng), name: 'label_map' }).apply(label) as tf.SymbolicTensor;
    map = tf.layers.reshape({ targetShape: [28, 28, 1], name: 'label_map_28x28' }).apply(map) as tf.SymbolicTensor;
    h = tf.layers.concatenate({ name: 'x_label' }).apply([x, map]) as tf.SymbolicTensor;
  }
  // [B, 28, 28, c] → [B, 14, 14, F] → [B, 7, 7, 2F]
  h = tf.layers.conv2d({ filters: baseFilters, kernelSize, strides: 2, padding: 'same', kernelInitializer: dcganInit(rng), name: 'down14' }).apply(h) as tf.SymbolicTensor;
  h = ganLeakyReLU({ alpha: leakySlope, name: 'down14_lrelu' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.conv2d({ filters: 2 * baseFilters, kernelSize, strides: 2, padding: 'same', kernelInitializer: dcganInit(rng), name: 'down7' }).apply(h) as tf.SymbolicTensor;
  h = ganLeakyReLU({ alpha: leakySlope, name: 'down7_lrelu' }).apply(h) as tf.SymbolicTensor;
  h = tf.layers.flatten({ name: 'flatten' }).apply(h) as tf.SymbolicTensor;
  const logit = tf.layers.dense({ units: 1, kernelInitializer: dcganInit(rng), name: 'logit' }).apply(h) as tf.SymbolicTensor;
  if (auxiliaryClasses) {
    const classLogits = tf.layers.dense({ units: auxiliaryClasses, kernelInitializer: dcganInit(rng), name: 'class_logits' }).apply(h) as tf.SymbolicTensor;
    return tf.model({ inputs: label ? [x, label] : [x], outputs: [logit, classLogits], name: 'acgan_discriminator' });
  }
  return tf.model({ inputs: label ? [x, label] : [x], outputs: logit, name: numClasses ? 'cdcgan_discriminator' : 'dcgan_discriminator' });
}

/** MNIST pixels in [0, 1] → the generator's range [−1, 1], and back. */
export function toGanRange(pixels: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.sub(tf.mul(pixels, 2), 1));
}

export function fromGanRange(x: tf.Tensor): tf.Tensor {
  return tf.tidy(() => tf.clipByValue(tf.div(tf.add(x, 1), 2), 0, 1));
}
