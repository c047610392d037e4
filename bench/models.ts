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
 * - unet-ddpm: the course's DDPM U-Net, `models.DiffusionUNet` with `DDPM_UNET_CONFIG` (what
 *   notebooks 08–09 train; Ho et al. 2020 Appendix B, scaled down for a CPU); batch 64; MSE on ε
 *   (DDPM Algorithm 1); Adam 2e-4. Its exact shape (see lib/src/models/diffusion-unet.ts):
 *     x_t [B,28,28,1] → space-to-depth 2 [B,14,14,4] → conv 3×3 → 24
 *     ResBlock 24 (skip h0) → conv 3×3 stride 2 [B,7,7,24] → ResBlock 48 (skip h1) → ResBlock 48 (middle)
 *     concat h1 → ResBlock 48 → nearest ×2 + conv 3×3 → 24 [B,14,14,24] → concat h0 → ResBlock 24
 *     GroupNorm 8 → SiLU → conv 3×3 → 4 → depth-to-space [B,28,28,1]
 *     time: sinusoidal 32 → Dense 96 → SiLU → Dense 96, added through a Dense in every block
 *     ResBlock c: GroupNorm 8 → SiLU → conv 3×3 → + Dense(SiLU(emb)) → GroupNorm 8 → SiLU → conv 3×3
 *     → + skip (1×1 conv when the channel count changes)
 */
import { models, tf } from 'genbook';

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

const TIMESTEPS = 1000;

function unetDdpm(batch: number, width: Width): BenchModel {
  const base = models.DDPM_UNET_CONFIG;
  const net = new models.DiffusionUNet({
    seed: 5,
    levelChannels: base.levelChannels.map(width),
    embeddingDim: width(base.embeddingDim),
  });
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
  const variables = net.variables();
  return {
    name: 'unet-ddpm',
    batch,
    parameters: net.parameterCount(),
    step: () => {
      const ts = Array.from({ length: batch }, () => nextInt(TIMESTEPS));
      const signal = tf.tensor4d(Float32Array.from(ts, (t) => Math.sqrt(alphaBar[t])), [batch, 1, 1, 1]);
      const noiseScale = tf.tensor4d(Float32Array.from(ts, (t) => Math.sqrt(1 - alphaBar[t])), [batch, 1, 1, 1]);
      const eps = tf.randomNormal([batch, 28, 28, 1]);
      // DDPM Algorithm 1: ∇_θ ‖ε − ε_θ(√ᾱ_t x₀ + √(1 − ᾱ_t) ε, t)‖²
      const loss = minimize(
        optimizer,
        () => {
          const xt = tf.add(tf.mul(signal, x0), tf.mul(noiseScale, eps));
          return tf.losses.meanSquaredError(eps, net.apply(xt, ts)) as tf.Scalar;
        },
        variables,
      );
      tf.dispose([signal, noiseScale, eps]);
      return loss;
    },
    dispose: () => {
      net.dispose();
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
   * rounded to multiples of 8 (the U-Net's group normalisation uses 8 groups), at least 8.
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
