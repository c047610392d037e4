/**
 * Multilayer-perceptron generator and discriminator for the 1D and 2D toy GANs (the 1D picture of
 * Goodfellow et al. 2014 Fig. 1; the ring of 8 Gaussians). Dense layers only, so they train on
 * every backend.
 *
 * @see notebooks/05-gan-minimax
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random/rng';
import { ganLeakyReLU } from './gan-layers';
import { checkPositiveInt } from '../util/validate';

export interface MlpGeneratorConfig {
  /** Dimension of z. */
  latentDim: number;
  /** Dimension of a sample x (1 for the 1D picture, 2 for the ring). */
  dataDim: number;
  /** Hidden layer widths. Default [64, 64]. */
  hiddenUnits?: readonly number[];
  /** Hidden activation. Default 'relu'. */
  activation?: 'relu' | 'tanh' | 'elu';
  /** Extra input features appended to z (a one-hot label for a conditional toy). Default 0. */
  conditionDim?: number;
  seed: number;
}

export interface MlpDiscriminatorConfig {
  dataDim: number;
  /** Hidden layer widths. Default [64, 64]. */
  hiddenUnits?: readonly number[];
  /** Negative slope of the LeakyReLU hidden activations (DCGAN's 0.2). Default 0.2. */
  leakySlope?: number;
  /** Extra input features appended to x (a one-hot label). Default 0. */
  conditionDim?: number;
  /** Width of extra output logits, e.g. StarGAN's D_cls head; 0 = only the one real/fake logit. */
  extraOutputs?: number;
  seed: number;
}

function dense(units: number, rng: Rng, name: string, activation?: 'relu' | 'tanh' | 'elu'): tf.layers.Layer {
  return tf.layers.dense({
    units,
    activation,
    kernelInitializer: tf.initializers.glorotUniform({ seed: rng.tfSeed() }),
    name,
  });
}

/** Inputs of a model: one input, or [input, condition] when conditionDim > 0. */
function inputs(dim: number, conditionDim: number, name: string): { list: tf.SymbolicTensor[]; joined: tf.SymbolicTensor } {
  const main = tf.input({ shape: [dim], name });
  if (conditionDim === 0) return { list: [main], joined: main };
  const condition = tf.input({ shape: [conditionDim], name: `${name}_condition` });
  const joined = tf.layers.concatenate({ name: `${name}_with_condition` }).apply([main, condition]) as tf.SymbolicTensor;
  return { list: [main, condition], joined };
}

/** G: z → x with a linear output layer (the toy data is not bounded). */
export function mlpGenerator(config: MlpGeneratorConfig): tf.LayersModel {
  const { latentDim, dataDim, hiddenUnits = [64, 64], activation = 'relu', conditionDim = 0, seed } = config;
  checkPositiveInt(latentDim, 'latentDim');
  checkPositiveInt(dataDim, 'dataDim');
  hiddenUnits.forEach((u, i) => checkPositiveInt(u, `hiddenUnits[${i}]`));
  const rng = new Rng(seed);
  const { list, joined } = inputs(latentDim, conditionDim, 'z');
  let h = joined;
  hiddenUnits.forEach((units, i) => {
    h = dense(units, rng, `g_dense${i}`, activation).apply(h) as tf.SymbolicTensor;
  });
  const x = dense(dataDim, rng, 'g_out').apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: list, outputs: x, name: 'mlp_generator' });
}

/**
 * D: x → one logit (D(x) = σ(logit)), LeakyReLU hidden layers. With `extraOutputs` the output is
 * [B, 1 + extraOutputs]: the real/fake logit first, then e.g. the domain logits.
 */
export function mlpDiscriminator(config: MlpDiscriminatorConfig): tf.LayersModel {
  const { dataDim, hiddenUnits = [64, 64], leakySlope = 0.2, conditionDim = 0, extraOutputs = 0, seed } = config;
  checkPositiveInt(dataDim, 'dataDim');
  hiddenUnits.forEach((u, i) => checkPositiveInt(u, `hiddenUnits[${i}]`));
  if (!(leakySlope >= 0 && leakySlope < 1)) throw new RangeError(`leakySlope must be in [0, 1); got ${leakySlope}`);
  const rng = new Rng(seed);
  const { list, joined } = inputs(dataDim, conditionDim, 'x');
  let h = joined;
  hiddenUnits.forEach((units, i) => {
    h = dense(units, rng, `d_dense${i}`).apply(h) as tf.SymbolicTensor;
    h = ganLeakyReLU({ alpha: leakySlope, name: `d_lrelu${i}` }).apply(h) as tf.SymbolicTensor;
  });
  const logit = dense(1 + extraOutputs, rng, 'd_logit').apply(h) as tf.SymbolicTensor;
  return tf.model({ inputs: list, outputs: logit, name: 'mlp_discriminator' });
}
