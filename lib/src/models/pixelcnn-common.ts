/**
 * What the PixelCNN (`pixelcnn.ts`) and the Gated PixelCNN (`pixelcnn-gated.ts`) share: their
 * configuration's checks and defaults, and how their weights are made (fresh, or from a checkpoint
 * with every name and shape checked). Their exact likelihood is the same too: for binary pixels
 * each conditional is a Bernoulli with logit ℓ_i, so −log p(x) = Σ_i BCE(ℓ_i, x_i) nats
 * (`bernoulliNegLogLikelihood`, vae.ts).
 *
 * @see notebooks/07-autoregressive-and-flows
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random/rng';
import { checkPositiveInt } from '../util/validate';

/** The fields both PixelCNNs are configured with. */
export interface PixelCnnStackConfig {
  /** Feature maps per layer (per stack for the gated model). */
  channels?: number;
  /** Layers after the first. */
  layers?: number;
  /** Kernel of the first layer. Default 7 (as in the paper). */
  firstKernelSize?: number;
  /** Kernel of the later layers. Default 3. */
  kernelSize?: number;
  /** Image height and width. Default 28 × 28. */
  height?: number;
  width?: number;
  /** Initial bias of the output logit (e.g. the logit of the mean pixel, so training starts at the marginal). Default 0. */
  outputBias?: number;
  seed: number;
}

/**
 * `config` over `defaults`, checked: positive integer sizes, odd kernels (a masked kernel has a
 * centre), layers ≥ 0 and a finite output bias; RangeError naming the field otherwise.
 */
export function resolvePixelCnnConfig(
  defaults: Required<Omit<PixelCnnStackConfig, 'seed'>>,
  config: PixelCnnStackConfig,
): Required<PixelCnnStackConfig> {
  const c: Required<PixelCnnStackConfig> = { ...defaults, ...config };
  if (!Number.isFinite(c.outputBias)) throw new RangeError(`outputBias must be finite; got ${c.outputBias}`);
  for (const key of ['channels', 'firstKernelSize', 'kernelSize', 'height', 'width'] as const) checkPositiveInt(c[key], key);
  if (!Number.isInteger(c.layers) || c.layers < 0) throw new RangeError(`layers must be an integer >= 0; got ${c.layers}`);
  for (const key of ['firstKernelSize', 'kernelSize'] as const) {
    if (c[key] % 2 === 0) throw new RangeError(`${key} must be odd; got ${c[key]}`);
  }
  return c;
}

export interface PixelCnnWeightsOptions {
  /** Name → shape of every weight, in creation order (which fixes the seeded initial values). */
  shapes: Record<string, number[]>;
  /** Weights to start from (a checkpoint): every name, each with its shape; copied. */
  weights?: Record<string, tf.Tensor>;
  /** The bias of the output logit, filled with `outputBias`; other `.bias` weights start at 0. */
  outputBiasName: string;
  outputBias: number;
  /** The kernels' initializer, seeded from `seed` one kernel at a time. */
  kernelInitializer: (seed: number) => { apply(shape: number[]): tf.Tensor };
  seed: number;
}

/** The model's weights as trainable tf.variables, fresh or copied from `weights`. */
export function createPixelCnnVariables(options: PixelCnnWeightsOptions): Record<string, tf.Variable> {
  const { shapes, weights, outputBiasName, outputBias, kernelInitializer } = options;
  const rng = new Rng(options.seed);
  const variables: Record<string, tf.Variable> = {};
  for (const [name, shape] of Object.entries(shapes)) {
    const given = weights?.[name];
    if (weights && !given) throw new RangeError(`weights must contain '${name}'`);
    if (given && given.shape.join() !== shape.join()) throw new RangeError(`weights['${name}'] must have shape [${shape}]; got [${given.shape}]`);
    const init = given
      ? given.clone()
      : name === outputBiasName
        ? tf.fill(shape, outputBias)
        : name.endsWith('.bias')
          ? tf.zeros(shape)
          : kernelInitializer(rng.tfSeed()).apply(shape);
    variables[name] = tf.variable(init, true); // unnamed: tfjs variable names must be globally unique
    if (init !== given) init.dispose();
  }
  return variables;
}
