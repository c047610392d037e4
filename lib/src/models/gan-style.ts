/**
 * A small style-based generator (StyleGAN, Karras et al. 2019, §2 and Fig. 1; lecture 002
 * "StyleGAN": the latent z first passes an MLP f to w, and w enters every layer through AdaIN):
 *
 *   w = f(z)                                  (mapping network, z normalised first)
 *   y_i = (y_{s,i}, y_{b,i}) = A_i(w)          (a learned affine map per AdaIN layer)
 *   AdaIN(x_i, y) = y_{s,i} (x_i − μ(x_i)) / σ(x_i) + y_{b,i}
 *
 * The synthesis network starts from a learned constant 7×7 input and grows it to 28×28 with five
 * AdaIN layers: two at 7×7 ("coarse" styles), two at 14×14 ("middle"), one at 28×28 ("fine").
 * Style mixing (§3.1): `synthesize` takes one w per AdaIN layer, so the coarse layers can take
 * w from one latent and the fine layers from another; `apply` in training mode mixes two latents
 * at a random crossover with probability `mixingProbability` (mixing regularisation).
 * Omitted from the paper: the per-pixel noise inputs B, progressive growing, truncation.
 *
 * @see notebooks/06-conditional-gans
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random/rng';
import { adain } from '../gan/adain';
import { ganLeakyReLU } from './gan-layers';
import type { GanNetwork } from '../gan/trainer';

/** PixelNorm: x / sqrt(mean(x²) + ε) over the features (ProGAN §4.2; StyleGAN normalises z so). */
export class PixelNormalization extends tf.layers.Layer {
  static className = 'PixelNormalization';
  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }
  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      return tf.mul(x, tf.rsqrt(tf.add(tf.mean(tf.square(x), -1, true), 1e-8)));
    });
  }
}
tf.serialization.registerClass(PixelNormalization);

export interface MappingNetworkConfig {
  latentDim: number;
  /** Dimension of w. Default latentDim. */
  wDim?: number;
  /** Number of dense layers (8 in the paper). Default 4. */
  layers?: number;
  seed: number;
}

/** The mapping network f: z → w (PixelNorm, then `layers` dense layers with LeakyReLU 0.2). */
export function mappingNetwork(config: MappingNetworkConfig): tf.LayersModel {
  const { latentDim, wDim = latentDim, layers = 4, seed } = config;
  if (!Number.isInteger(latentDim) || latentDim < 1) throw new RangeError(`latentDim must be a positive integer; got ${latentDim}`);
  if (!Number.isInteger(layers) || layers < 1) throw new RangeError(`layers must be a positive integer; got ${layers}`);
  const rng = new Rng(seed);
  const z = tf.input({ shape: [latentDim], name: 'z' });
  let h = new PixelNormalization({ name: 'z_pixel_norm' }).apply(z) as tf.SymbolicTensor;
  for (let i = 0; i < layers; i++) {
    h = tf.layers.dense({ units: wDim, kernelInitializer: tf.initializers.heNormal({ seed: rng.tfSeed() }), name: `mapping${i}` }).apply(h) as tf.SymbolicTensor;
    h = ganLeakyReLU({ name: `mapping${i}_lrelu` }).apply(h) as tf.SymbolicTensor;
  }
  return tf.model({ inputs: z, outputs: h, name: 'mapping_network' });
}

export interface StyleGeneratorConfig {
  /** Dimension of z. Default 32. */
  latentDim?: number;
  /** Dimension of w. Default latentDim. */
  wDim?: number;
  /** Feature maps per layer. Default 32. */
  filters?: number;
  /** Mapping network depth. Default 4. */
  mappingLayers?: number;
  /** Probability of style mixing per training minibatch. Default 0.5. */
  mixingProbability?: number;
  seed: number;
}

/** Which resolution each AdaIN layer works at (coarse → fine). */
export const STYLE_LAYER_RESOLUTIONS = [7, 7, 14, 14, 28] as const;

export class StyleGenerator implements GanNetwork {
  readonly latentDim: number;
  readonly wDim: number;
  readonly filters: number;
  readonly numStyles = STYLE_LAYER_RESOLUTIONS.length;
  readonly mixingProbability: number;
  readonly mapping: tf.LayersModel;
  private readonly constant: tf.Variable;
  private readonly affine: tf.layers.Layer[];
  private readonly convs: tf.layers.Layer[];
  private readonly toRgb: tf.layers.Layer;
  private readonly rng: Rng;

  constructor(config: StyleGeneratorConfig) {
    this.latentDim = config.latentDim ?? 32;
    this.wDim = config.wDim ?? this.latentDim;
    this.filters = config.filters ?? 32;
    this.mixingProbability = config.mixingProbability ?? 0.5;
    if (!(this.mixingProbability >= 0 && this.mixingProbability <= 1)) {
      throw new RangeError(`mixingProbability must be in [0, 1]; got ${this.mixingProbability}`);
    }
    this.rng = new Rng(config.seed);
    this.mapping = mappingNetwork({ latentDim: this.latentDim, wDim: this.wDim, layers: config.mappingLayers ?? 4, seed: this.rng.tfSeed() });
    this.constant = tf.variable(tf.ones([1, 7, 7, this.filters]), true, `style_constant_${this.rng.tfSeed()}`);
    // A_i: w → (y_s − 1, y_b), so that every style starts near the identity (scale 1, bias 0).
    this.affine = STYLE_LAYER_RESOLUTIONS.map((r, i) =>
      tf.layers.dense({ units: 2 * this.filters, kernelInitializer: tf.initializers.randomNormal({ stddev: 0.05, seed: this.rng.tfSeed() }), name: `style_affine${i}_${r}` }),
    );
    // conv after AdaIN 0 (7×7), the two 14×14 convs, the 28×28 conv.
    this.convs = ['7', '14a', '14b', '28'].map((n) =>
      tf.layers.conv2d({ filters: this.filters, kernelSize: 3, padding: 'same', kernelInitializer: tf.initializers.heNormal({ seed: this.rng.tfSeed() }), name: `style_conv${n}` }),
    );
    this.toRgb = tf.layers.conv2d({ filters: 1, kernelSize: 1, activation: 'tanh', kernelInitializer: tf.initializers.glorotUniform({ seed: this.rng.tfSeed() }), name: 'style_to_rgb' });
    tf.tidy(() => {
      this.synthesize(new Array(this.numStyles).fill(tf.zeros([1, this.wDim])));
    });
  }

  get trainableWeights(): GanNetwork['trainableWeights'] {
    const constant = { read: () => this.constant, write: (value: tf.Tensor) => this.constant.assign(value) };
    return [
      ...this.mapping.trainableWeights,
      constant,
      ...[...this.affine, ...this.convs, this.toRgb].flatMap((l) => l.trainableWeights),
    ];
  }

  /** w = f(z). */
  map(z: tf.Tensor): tf.Tensor2D {
    return tf.tidy(() => this.mapping.apply(z) as tf.Tensor2D);
  }

  /** The AdaIN style (y_s, y_b) of layer i for w [B, wDim]. */
  style(i: number, w: tf.Tensor): { scale: tf.Tensor2D; bias: tf.Tensor2D } {
    return tf.tidy(() => {
      const y = this.affine[i].apply(w) as tf.Tensor2D;
      const scale = tf.add(1, tf.slice(y, [0, 0], [-1, this.filters])) as tf.Tensor2D;
      const bias = tf.slice(y, [0, this.filters], [-1, this.filters]) as tf.Tensor2D;
      return { scale, bias };
    });
  }

  /** The synthesis network with one w per AdaIN layer (`numStyles` tensors [B, wDim]). */
  synthesize(ws: readonly tf.Tensor[]): tf.Tensor4D {
    if (ws.length !== this.numStyles) throw new RangeError(`ws must hold ${this.numStyles} style vectors (one per AdaIN layer); got ${ws.length}`);
    return tf.tidy(() => {
      const batch = ws[0].shape[0];
      const lrelu = (t: tf.Tensor) => tf.leakyRelu(t, 0.2);
      const up = (t: tf.Tensor4D) => tf.image.resizeNearestNeighbor(t, [2 * t.shape[1], 2 * t.shape[2]]);
      let x = tf.tile(this.constant, [batch, 1, 1, 1]) as tf.Tensor4D; // [B, 7, 7, C]
      x = adain(x, this.style(0, ws[0]));
      x = adain(lrelu(this.convs[0].apply(x) as tf.Tensor) as tf.Tensor4D, this.style(1, ws[1]));
      x = up(x); // [B, 14, 14, C]
      x = adain(lrelu(this.convs[1].apply(x) as tf.Tensor) as tf.Tensor4D, this.style(2, ws[2]));
      x = adain(lrelu(this.convs[2].apply(x) as tf.Tensor) as tf.Tensor4D, this.style(3, ws[3]));
      x = up(x); // [B, 28, 28, C]
      x = adain(lrelu(this.convs[3].apply(x) as tf.Tensor) as tf.Tensor4D, this.style(4, ws[4]));
      return this.toRgb.apply(x) as tf.Tensor4D; // [B, 28, 28, 1]
    });
  }

  /**
   * G(z): w = f(z) for every layer. In training mode, with probability `mixingProbability`, a
   * second latent takes over from a random crossover layer on (mixing regularisation).
   */
  apply(inputs: tf.Tensor | tf.Tensor[], kwargs?: { training?: boolean }): tf.Tensor4D {
    const z = Array.isArray(inputs) ? inputs[0] : inputs;
    const mix = kwargs?.training === true && this.rng.uniform() < this.mixingProbability;
    const crossover = mix ? this.rng.int(1, this.numStyles) : this.numStyles;
    const seed = mix ? this.rng.tfSeed() : 0;
    return tf.tidy(() => {
      const w = this.mapping.apply(z) as tf.Tensor;
      const w2 = mix ? (this.mapping.apply(tf.randomNormal(z.shape, 0, 1, 'float32', seed)) as tf.Tensor) : w;
      return this.synthesize(Array.from({ length: this.numStyles }, (_, i) => (i < crossover ? w : w2)));
    });
  }

  /**
   * Style mixing: coarse layers (0 … crossover−1) from wCoarse, the rest from wFine. With
   * crossover 2 the 7×7 layers come from one latent, the 14×14 and 28×28 layers from the other.
   */
  mix(wCoarse: tf.Tensor, wFine: tf.Tensor, crossover: number): tf.Tensor4D {
    if (!Number.isInteger(crossover) || crossover < 0 || crossover > this.numStyles) {
      throw new RangeError(`crossover must be an integer in 0..${this.numStyles}; got ${crossover}`);
    }
    return this.synthesize(Array.from({ length: this.numStyles }, (_, i) => (i < crossover ? wCoarse : wFine)));
  }
}
