/**
 * The four benchmark models (issue 3), each as a training step on a fixed random batch of MNIST
 * shape. The PyTorch reference (bench/reference/torch_models.py) builds the same layers with the
 * same shapes, losses and optimiser, so the step times compare like for like.
 *
 * - mlp-ae: Dense 784→256 ReLU →64 ReLU →256 ReLU →784 sigmoid; batch 128; Adam; MSE.
 * - dcgan: G z 100 → Dense 7·7·128, BN, ReLU → ConvT 64 k4 s2, BN, ReLU → ConvT 1 k4 s2, tanh;
 *   D Conv 64 k4 s2, LeakyReLU 0.2 → Conv 128 k4 s2, BN, LeakyReLU 0.2 → Flatten → Dense 1;
 *   batch 64; one D step then one G step (BCE with logits, Adam 2e-4, β1 0.5).
 * - conv-vae: Conv 32 k3 s2 ReLU → Conv 64 k3 s2 ReLU → Flatten → Dense 2·16 (μ, log σ²);
 *   Dense 7·7·64 ReLU → ConvT 32 k3 s2 ReLU → ConvT 1 k3 s2 (logits); batch 128; BCE + KL; Adam.
 * - unet-ddpm: the DDPM U-Net (Ho et al. 2020, Appendix B, scaled to 28×28) below; batch 64;
 *   MSE on ε (DDPM Algorithm 1); Adam 2e-4.
 *
 * DDPM U-Net shape (channels 32/64/64 at 28/14/7, one residual block per level, no attention):
 *   t → sinusoidal embedding 32 → Dense 128 SiLU → Dense 128                        temb [B,128]
 *   x [B,28,28,1] → Conv 32 k3                                                     [B,28,28,32]
 *   ResBlock 32 (skip s1) → Conv 64 k3 s2 → ResBlock 64 (skip s2) → Conv 64 k3 s2 [B,7,7,64]
 *   ResBlock 64 (middle)
 *   UpSampling ×2 → concat s2 → ResBlock 64 → UpSampling ×2 → concat s1 → ResBlock 32
 *   GroupNorm 8, SiLU → Conv 1 k3 → ε̂                                               [B,28,28,1]
 *   ResBlock c: h = Conv c k3(SiLU(GroupNorm8(x))) + Dense c(SiLU(temb)); h = Conv c k3(SiLU(GroupNorm8(h)));
 *   out = h + (x, or Conv c k1(x) when the channel count changes).
 */
import { tf } from 'genbook';

export const MODEL_NAMES = ['mlp-ae', 'dcgan', 'conv-vae', 'unet-ddpm'] as const;
export type ModelName = (typeof MODEL_NAMES)[number];

export interface BenchModel {
  name: ModelName;
  batch: number;
  /** Trainable parameters (to check the PyTorch reference builds the same model). */
  parameters: number;
  /** One training step; returns the loss (read back, so the step has finished). */
  step(): number;
  dispose(): void;
}

type SymbolicTensor = tf.SymbolicTensor;

function apply(layer: tf.layers.Layer, x: SymbolicTensor | SymbolicTensor[]): SymbolicTensor {
  return layer.apply(x) as SymbolicTensor;
}

function countParameters(models: tf.LayersModel[]): number {
  return models.reduce((n, m) => n + m.trainableWeights.reduce((k, w) => k + w.shape.reduce((a: number, b) => a * (b ?? 1), 1), 0), 0);
}

/** Adam step over the given variables; returns the loss value. */
function minimize(optimizer: tf.Optimizer, loss: () => tf.Scalar, variables: tf.Variable[]): number {
  const value = optimizer.minimize(loss, true, variables) as tf.Scalar;
  const out = value.dataSync()[0];
  value.dispose();
  return out;
}

function trainable(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
}

/** Group normalisation (Wu & He 2018), as DDPM uses: statistics per sample over (H, W, C/G). */
export class GroupNormalization extends tf.layers.Layer {
  static className = 'GenbookBenchGroupNormalization';
  private readonly groups: number;
  private gamma!: tf.LayerVariable;
  private beta!: tf.LayerVariable;

  constructor(config: { groups: number; name?: string }) {
    super({ name: config.name });
    this.groups = config.groups;
  }

  build(inputShape: tf.Shape | tf.Shape[]): void {
    const shape = inputShape as tf.Shape;
    const channels = shape[shape.length - 1] as number;
    if (channels % this.groups !== 0) throw new RangeError(`groups must divide the channels; got ${this.groups} and ${channels}`);
    this.gamma = this.addWeight('gamma', [channels], 'float32', tf.initializers.ones());
    this.beta = this.addWeight('beta', [channels], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const [b, h, w, c] = x.shape;
      const grouped = tf.reshape(x, [b, h, w, this.groups, c / this.groups]);
      const { mean, variance } = tf.moments(grouped, [1, 2, 4], true);
      const normalised = tf.reshape(tf.div(tf.sub(grouped, mean), tf.sqrt(tf.add(variance, 1e-5))), [b, h, w, c]);
      return tf.add(tf.mul(normalised, this.gamma.read()), this.beta.read());
    });
  }

  computeOutputShape(inputShape: tf.Shape | tf.Shape[]): tf.Shape | tf.Shape[] {
    return inputShape;
  }

  getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), groups: this.groups };
  }
}
tf.serialization.registerClass(GroupNormalization);

/** SiLU (swish), x·σ(x), as a layer. */
function silu(x: SymbolicTensor, name: string): SymbolicTensor {
  return apply(tf.layers.activation({ activation: 'swish', name }), x);
}

// ---- mlp-ae -------------------------------------------------------------------------------------

function mlpAutoencoder(batch: number, width: Width): BenchModel {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [784], units: width(256), activation: 'relu' }),
      tf.layers.dense({ units: width(64), activation: 'relu' }),
      tf.layers.dense({ units: width(256), activation: 'relu' }),
      tf.layers.dense({ units: 784, activation: 'sigmoid' }),
    ],
  });
  const optimizer = tf.train.adam(1e-3);
  const x = tf.randomUniform([batch, 784], 0, 1, 'float32', 1);
  const variables = trainable(model);
  return {
    name: 'mlp-ae',
    batch,
    parameters: countParameters([model]),
    step: () => minimize(optimizer, () => tf.losses.meanSquaredError(x, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, variables),
    dispose: () => {
      model.dispose();
      optimizer.dispose();
      x.dispose();
    },
  };
}

// ---- dcgan --------------------------------------------------------------------------------------

function dcgan(batch: number, width: Width): BenchModel {
  const latent = 100;
  const z = tf.input({ shape: [latent] });
  let g = apply(tf.layers.dense({ units: 7 * 7 * width(128) }), z);
  g = apply(tf.layers.reLU(), apply(tf.layers.batchNormalization({ momentum: 0.9 }), g));
  g = apply(tf.layers.reshape({ targetShape: [7, 7, width(128)] }), g);
  g = apply(tf.layers.conv2dTranspose({ filters: width(64), kernelSize: 4, strides: 2, padding: 'same' }), g);
  g = apply(tf.layers.reLU(), apply(tf.layers.batchNormalization({ momentum: 0.9 }), g));
  g = apply(tf.layers.conv2dTranspose({ filters: 1, kernelSize: 4, strides: 2, padding: 'same', activation: 'tanh' }), g);
  const generator = tf.model({ inputs: z, outputs: g });

  const image = tf.input({ shape: [28, 28, 1] });
  let d = apply(tf.layers.conv2d({ filters: width(64), kernelSize: 4, strides: 2, padding: 'same' }), image);
  d = apply(tf.layers.leakyReLU({ alpha: 0.2 }), d);
  d = apply(tf.layers.conv2d({ filters: width(128), kernelSize: 4, strides: 2, padding: 'same' }), d);
  d = apply(tf.layers.leakyReLU({ alpha: 0.2 }), apply(tf.layers.batchNormalization({ momentum: 0.9 }), d));
  d = apply(tf.layers.dense({ units: 1 }), apply(tf.layers.flatten(), d));
  const discriminator = tf.model({ inputs: image, outputs: d });

  const optG = tf.train.adam(2e-4, 0.5);
  const optD = tf.train.adam(2e-4, 0.5);
  const real = tf.randomUniform([batch, 28, 28, 1], -1, 1, 'float32', 2);
  const ones = tf.ones([batch, 1]);
  const zeros = tf.zeros([batch, 1]);
  const varsG = trainable(generator);
  const varsD = trainable(discriminator);
  const bce = (labels: tf.Tensor, logits: tf.Tensor) => tf.losses.sigmoidCrossEntropy(labels, logits) as tf.Scalar;
  return {
    name: 'dcgan',
    batch,
    parameters: countParameters([generator, discriminator]),
    step: () => {
      const noise = tf.randomNormal([batch, latent]);
      const lossD = minimize(
        optD,
        () => {
          const fake = generator.apply(noise, { training: true }) as tf.Tensor;
          return tf.add(
            bce(ones, discriminator.apply(real, { training: true }) as tf.Tensor),
            bce(zeros, discriminator.apply(fake, { training: true }) as tf.Tensor),
          ) as tf.Scalar;
        },
        varsD,
      );
      const lossG = minimize(
        optG,
        () => bce(ones, discriminator.apply(generator.apply(noise, { training: true }) as tf.Tensor, { training: true }) as tf.Tensor),
        varsG,
      );
      noise.dispose();
      return lossD + lossG;
    },
    dispose: () => {
      generator.dispose();
      discriminator.dispose();
      optG.dispose();
      optD.dispose();
      tf.dispose([real, ones, zeros]);
    },
  };
}

// ---- conv-vae -----------------------------------------------------------------------------------

function convVae(batch: number, width: Width): BenchModel {
  const latent = 16;
  const x = tf.input({ shape: [28, 28, 1] });
  let e = apply(tf.layers.conv2d({ filters: width(32), kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }), x);
  e = apply(tf.layers.conv2d({ filters: width(64), kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }), e);
  e = apply(tf.layers.dense({ units: 2 * latent }), apply(tf.layers.flatten(), e));
  const encoder = tf.model({ inputs: x, outputs: e });
  const zIn = tf.input({ shape: [latent] });
  let h = apply(tf.layers.dense({ units: 7 * 7 * width(64), activation: 'relu' }), zIn);
  h = apply(tf.layers.reshape({ targetShape: [7, 7, width(64)] }), h);
  h = apply(tf.layers.conv2dTranspose({ filters: width(32), kernelSize: 3, strides: 2, padding: 'same', activation: 'relu' }), h);
  h = apply(tf.layers.conv2dTranspose({ filters: 1, kernelSize: 3, strides: 2, padding: 'same' }), h);
  const decoder = tf.model({ inputs: zIn, outputs: h });
  const optimizer = tf.train.adam(1e-3);
  const images = tf.randomUniform([batch, 28, 28, 1], 0, 1, 'float32', 3);
  const variables = [...trainable(encoder), ...trainable(decoder)];
  return {
    name: 'conv-vae',
    batch,
    parameters: countParameters([encoder, decoder]),
    step: () => {
      const eps = tf.randomNormal([batch, latent]);
      const loss = minimize(
        optimizer,
        () => {
          const stats = encoder.apply(images, { training: true }) as tf.Tensor2D;
          const mu = tf.slice(stats, [0, 0], [batch, latent]);
          const logVar = tf.slice(stats, [0, latent], [batch, latent]);
          const z = tf.add(mu, tf.mul(tf.exp(tf.mul(logVar, 0.5)), eps));
          const logits = decoder.apply(z, { training: true }) as tf.Tensor;
          // Σ over pixels of BCE(x, σ(logits)) = softplus(l) − x·l, mean over the batch.
          const reconstruction = tf.div(tf.sum(tf.sub(tf.softplus(logits), tf.mul(images, logits))), batch);
          const kl = tf.div(tf.mul(-0.5, tf.sum(tf.sub(tf.add(1, logVar), tf.add(tf.square(mu), tf.exp(logVar))))), batch);
          return tf.add(reconstruction, kl) as tf.Scalar;
        },
        variables,
      );
      eps.dispose();
      return loss;
    },
    dispose: () => {
      encoder.dispose();
      decoder.dispose();
      optimizer.dispose();
      images.dispose();
    },
  };
}

// ---- unet-ddpm ----------------------------------------------------------------------------------

const TIME_EMBEDDING = 32;
const TIMESTEPS = 1000;

/** Sinusoidal embedding of integer timesteps (DDPM's get_timestep_embedding), [B, dim]. */
function timeEmbedding(ts: Int32Array, dim: number): tf.Tensor2D {
  const half = dim / 2;
  const out = new Float32Array(ts.length * dim);
  for (let k = 0; k < ts.length; k++) {
    for (let i = 0; i < half; i++) {
      const freq = Math.exp((-Math.log(10000) * i) / (half - 1));
      out[k * dim + i] = Math.sin(ts[k] * freq);
      out[k * dim + half + i] = Math.cos(ts[k] * freq);
    }
  }
  return tf.tensor2d(out, [ts.length, dim]);
}

let layerCount = 0;
function unique(prefix: string): string {
  layerCount += 1;
  return `${prefix}_${layerCount}`;
}

function resBlock(x: SymbolicTensor, temb: SymbolicTensor, channels: number): SymbolicTensor {
  const inChannels = x.shape[x.shape.length - 1] as number;
  let h = silu(apply(new GroupNormalization({ groups: 8, name: unique('gn') }), x), unique('silu'));
  h = apply(tf.layers.conv2d({ filters: channels, kernelSize: 3, padding: 'same' }), h);
  let t = apply(tf.layers.dense({ units: channels }), silu(temb, unique('silu')));
  t = apply(tf.layers.reshape({ targetShape: [1, 1, channels] }), t);
  h = apply(tf.layers.add(), [h, apply(tf.layers.upSampling2d({ size: [h.shape[1] as number, h.shape[2] as number] }), t)]);
  h = silu(apply(new GroupNormalization({ groups: 8, name: unique('gn') }), h), unique('silu'));
  h = apply(tf.layers.conv2d({ filters: channels, kernelSize: 3, padding: 'same' }), h);
  const skip = inChannels === channels ? x : apply(tf.layers.conv2d({ filters: channels, kernelSize: 1 }), x);
  return apply(tf.layers.add(), [h, skip]);
}

/** The DDPM U-Net of the header comment: (x_t [B,28,28,1], sinusoidal t [B,32]) → ε̂ [B,28,28,1]. */
export function ddpmUnet(width: Width = (n) => n): tf.LayersModel {
  const x = tf.input({ shape: [28, 28, 1] });
  const tIn = tf.input({ shape: [TIME_EMBEDDING] });
  let temb = apply(tf.layers.dense({ units: width(128) }), tIn);
  temb = apply(tf.layers.dense({ units: width(128) }), silu(temb, unique('silu')));
  const h0 = apply(tf.layers.conv2d({ filters: width(32), kernelSize: 3, padding: 'same' }), x);
  const s1 = resBlock(h0, temb, width(32)); // 28×28×32
  let h = apply(tf.layers.conv2d({ filters: width(64), kernelSize: 3, strides: 2, padding: 'same' }), s1);
  const s2 = resBlock(h, temb, width(64)); // 14×14×64
  h = apply(tf.layers.conv2d({ filters: width(64), kernelSize: 3, strides: 2, padding: 'same' }), s2);
  h = resBlock(h, temb, width(64)); // 7×7×64
  h = apply(tf.layers.upSampling2d({ size: [2, 2] }), h);
  h = resBlock(apply(tf.layers.concatenate(), [h, s2]), temb, width(64)); // 14×14×64
  h = apply(tf.layers.upSampling2d({ size: [2, 2] }), h);
  h = resBlock(apply(tf.layers.concatenate(), [h, s1]), temb, width(32)); // 28×28×32
  h = silu(apply(new GroupNormalization({ groups: 8, name: unique('gn') }), h), unique('silu'));
  const out = apply(tf.layers.conv2d({ filters: 1, kernelSize: 3, padding: 'same' }), h);
  return tf.model({ inputs: [x, tIn], outputs: out });
}

function unetDdpm(batch: number, width: Width): BenchModel {
  const model = ddpmUnet(width);
  const optimizer = tf.train.adam(2e-4);
  const x0 = tf.randomUniform([batch, 28, 28, 1], -1, 1, 'float32', 4);
  // Linear β schedule 1e-4 … 0.02 (DDPM §4), ᾱ_t = Π (1 − β_s).
  const alphaBar = new Float32Array(TIMESTEPS);
  let product = 1;
  for (let t = 0; t < TIMESTEPS; t++) {
    product *= 1 - (1e-4 + ((0.02 - 1e-4) * t) / (TIMESTEPS - 1));
    alphaBar[t] = product;
  }
  let state = 12345;
  const nextInt = (n: number) => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state % n;
  };
  const variables = trainable(model);
  return {
    name: 'unet-ddpm',
    batch,
    parameters: countParameters([model]),
    step: () => {
      const ts = Int32Array.from({ length: batch }, () => nextInt(TIMESTEPS));
      const signal = tf.tensor4d(Float32Array.from(ts, (t) => Math.sqrt(alphaBar[t])), [batch, 1, 1, 1]);
      const noiseScale = tf.tensor4d(Float32Array.from(ts, (t) => Math.sqrt(1 - alphaBar[t])), [batch, 1, 1, 1]);
      const temb = timeEmbedding(ts, TIME_EMBEDDING);
      const eps = tf.randomNormal([batch, 28, 28, 1]);
      // DDPM Algorithm 1: ∇_θ ‖ε − ε_θ(√ᾱ_t x₀ + √(1 − ᾱ_t) ε, t)‖²
      const loss = minimize(
        optimizer,
        () => {
          const xt = tf.add(tf.mul(signal, x0), tf.mul(noiseScale, eps));
          const predicted = model.apply([xt, temb], { training: true }) as tf.Tensor;
          return tf.losses.meanSquaredError(eps, predicted) as tf.Scalar;
        },
        variables,
      );
      tf.dispose([signal, noiseScale, temb, eps]);
      return loss;
    },
    dispose: () => {
      model.dispose();
      optimizer.dispose();
      x0.dispose();
    },
  };
}

export interface BuildOptions {
  /** Override the benchmark batch size (the leak test trains small batches). */
  batch?: number;
  /**
   * Scale every channel count and hidden width (default 1, the benchmark models). Widths are
   * rounded to multiples of 8 (group normalisation uses 8 groups), at least 8.
   */
  width?: number;
}

/** Channel count n scaled by the width option. */
type Width = (n: number) => number;

/** Build a benchmark model on the active backend. */
export function buildModel(name: ModelName, options: BuildOptions = {}): BenchModel {
  const { batch, width: scale = 1 } = options;
  if (batch !== undefined && (!Number.isInteger(batch) || batch < 1)) {
    throw new RangeError(`batch must be a positive integer; got ${batch}`);
  }
  if (!(scale > 0) || scale > 1) throw new RangeError(`width must be in (0, 1]; got ${scale}`);
  const width: Width = (n) => (scale === 1 ? n : Math.max(8, 8 * Math.round((n * scale) / 8)));
  switch (name) {
    case 'mlp-ae':
      return mlpAutoencoder(batch ?? 128, width);
    case 'dcgan':
      return dcgan(batch ?? 64, width);
    case 'conv-vae':
      return convVae(batch ?? 128, width);
    case 'unet-ddpm':
      return unetDdpm(batch ?? 64, width);
  }
}
