/**
 * A progressively growing GAN for 28×28 images (ProGAN, Karras et al. 2018, §2 and Fig. 2;
 * lectures 002 "ProgressiveGAN", 003): training starts at 7×7, then a 14×14 block and a 28×28
 * block are faded in. While a new block fades in, the output is
 *
 *   (1 − α)·upsample(toRGB_old(h_old)) + α·toRGB_new(block_new(upsample(h_old))),  α: 0 → 1
 *
 * and the discriminator mirrors it with fromRGB layers and average-pool downsampling. Both
 * networks are `GanNetwork`s whose `stage` (0: 7×7, 1: 14×14, 2: 28×28) and `alpha` are set
 * between training chunks; `trainableWeights` lists the weights the current stage uses.
 * Simplifications: no minibatch-stddev layer, equalised learning rate or pixel norm.
 *
 * @see notebooks/06-conditional-gans
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random/rng';
import type { GanNetwork } from '../gan/trainer';

export const PROGRESSIVE_RESOLUTIONS = [7, 14, 28] as const;
export type ProgressiveStage = 0 | 1 | 2;

type Weights = GanNetwork['trainableWeights'];

function conv(filters: number, kernelSize: number, rng: Rng, name: string, activation?: 'tanh'): tf.layers.Layer {
  return tf.layers.conv2d({
    filters,
    kernelSize,
    padding: 'same',
    activation,
    kernelInitializer: tf.initializers.heNormal({ seed: rng.tfSeed() }),
    name,
  });
}

function lrelu(x: tf.Tensor): tf.Tensor {
  return tf.leakyRelu(x, 0.2);
}

function upsample(x: tf.Tensor): tf.Tensor {
  const [, h, w] = x.shape;
  return tf.image.resizeNearestNeighbor(x as tf.Tensor4D, [2 * h!, 2 * w!]);
}

function downsample(x: tf.Tensor): tf.Tensor {
  return tf.avgPool(x as tf.Tensor4D, 2, 2, 'valid');
}

function checkStage(stage: number, alpha: number): void {
  if (stage !== 0 && stage !== 1 && stage !== 2) throw new RangeError(`stage must be 0, 1 or 2; got ${stage}`);
  if (!(alpha >= 0 && alpha <= 1)) throw new RangeError(`alpha must be in [0, 1]; got ${alpha}`);
}

function weightsOf(layers: tf.layers.Layer[]): Weights {
  return layers.flatMap((l) => l.trainableWeights);
}

export interface ProgressiveConfig {
  latentDim?: number;
  /** Filters at 7×7, 14×14, 28×28. Default [64, 32, 16]. */
  filters?: readonly [number, number, number];
  seed: number;
}

/** The growing generator: z → image at the current stage's resolution, in [−1, 1]. */
export class ProgressiveGenerator implements GanNetwork {
  readonly latentDim: number;
  stage: ProgressiveStage = 0;
  alpha = 1;
  private readonly project: tf.layers.Layer;
  private readonly blocks: tf.layers.Layer[];
  private readonly toRgb: tf.layers.Layer[];
  private readonly filters: readonly [number, number, number];

  constructor(config: ProgressiveConfig) {
    this.latentDim = config.latentDim ?? 64;
    this.filters = config.filters ?? [64, 32, 16];
    const rng = new Rng(config.seed);
    this.project = tf.layers.dense({ units: 7 * 7 * this.filters[0], kernelInitializer: tf.initializers.heNormal({ seed: rng.tfSeed() }), name: 'pg_project' });
    this.blocks = this.filters.map((f, i) => conv(f, 3, rng, `pg_block${PROGRESSIVE_RESOLUTIONS[i]}`));
    this.toRgb = PROGRESSIVE_RESOLUTIONS.map((r) => conv(1, 1, rng, `pg_to_rgb${r}`, 'tanh'));
    // Build every layer once (weights are created on first use): every stage, fading.
    tf.tidy(() => {
      for (const stage of [0, 1, 2] as const) {
        this.setStage(stage, 0.5);
        this.apply(tf.zeros([1, this.latentDim]));
      }
      this.setStage(0, 1);
    });
  }

  /** Set the stage (0: 7×7, 1: 14×14, 2: 28×28) and the fade-in weight α of its newest block. */
  setStage(stage: ProgressiveStage, alpha = 1): void {
    checkStage(stage, alpha);
    this.stage = stage;
    this.alpha = alpha;
  }

  get resolution(): number {
    return PROGRESSIVE_RESOLUTIONS[this.stage];
  }

  get trainableWeights(): Weights {
    const layers = [this.project, ...this.blocks.slice(0, this.stage + 1), this.toRgb[this.stage]];
    if (this.stage > 0 && this.alpha < 1) layers.push(this.toRgb[this.stage - 1]);
    return weightsOf(layers);
  }

  apply(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const z = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => {
      let h = lrelu(this.project.apply(z) as tf.Tensor);
      h = tf.reshape(h, [-1, 7, 7, this.filters[0]]); // [B, 7, 7, F0]
      h = lrelu(this.blocks[0].apply(h) as tf.Tensor);
      let previous = h;
      for (let s = 1; s <= this.stage; s++) {
        previous = h;
        h = lrelu(this.blocks[s].apply(upsample(h)) as tf.Tensor); // [B, 2r, 2r, F_s]
      }
      const image = this.toRgb[this.stage].apply(h) as tf.Tensor;
      if (this.stage === 0 || this.alpha === 1) return image;
      const old = upsample(this.toRgb[this.stage - 1].apply(previous) as tf.Tensor);
      return tf.add(tf.mul(this.alpha, image), tf.mul(1 - this.alpha, old));
    });
  }
}

/** The mirrored discriminator: image at the current resolution → one logit. */
export class ProgressiveDiscriminator implements GanNetwork {
  stage: ProgressiveStage = 0;
  alpha = 1;
  private readonly fromRgb: tf.layers.Layer[];
  private readonly blocks: tf.layers.Layer[];
  private readonly final: tf.layers.Layer;
  private readonly logit: tf.layers.Layer;

  constructor(config: ProgressiveConfig) {
    const filters = config.filters ?? [64, 32, 16];
    const rng = new Rng(config.seed);
    this.fromRgb = filters.map((f, i) => conv(f, 1, rng, `pd_from_rgb${PROGRESSIVE_RESOLUTIONS[i]}`));
    // blocks[s] maps resolution s features (filters[s]) to resolution s−1 features (filters[s−1]).
    this.blocks = filters.map((_, i) => conv(filters[Math.max(i - 1, 0)], 3, rng, `pd_block${PROGRESSIVE_RESOLUTIONS[i]}`));
    this.final = conv(filters[0], 3, rng, 'pd_final7');
    this.logit = tf.layers.dense({ units: 1, kernelInitializer: tf.initializers.glorotUniform({ seed: rng.tfSeed() }), name: 'pd_logit' });
    tf.tidy(() => {
      for (const stage of [0, 1, 2] as const) {
        this.setStage(stage, 0.5);
        this.apply(tf.zeros([1, PROGRESSIVE_RESOLUTIONS[stage], PROGRESSIVE_RESOLUTIONS[stage], 1]));
      }
      this.setStage(0, 1);
    });
  }

  setStage(stage: ProgressiveStage, alpha = 1): void {
    checkStage(stage, alpha);
    this.stage = stage;
    this.alpha = alpha;
  }

  get trainableWeights(): Weights {
    const layers = [this.fromRgb[this.stage], ...this.blocks.slice(1, this.stage + 1), this.final, this.logit];
    if (this.stage > 0 && this.alpha < 1) layers.push(this.fromRgb[this.stage - 1]);
    return weightsOf(layers);
  }

  apply(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    const x = Array.isArray(inputs) ? inputs[0] : inputs;
    return tf.tidy(() => {
      let h = lrelu(this.fromRgb[this.stage].apply(x) as tf.Tensor);
      for (let s = this.stage; s >= 1; s--) {
        h = downsample(lrelu(this.blocks[s].apply(h) as tf.Tensor));
        if (s === this.stage && this.alpha < 1) {
          const skip = lrelu(this.fromRgb[s - 1].apply(downsample(x)) as tf.Tensor);
          h = tf.add(tf.mul(this.alpha, h), tf.mul(1 - this.alpha, skip));
        }
      }
      h = lrelu(this.final.apply(h) as tf.Tensor); // [B, 7, 7, F0]
      return this.logit.apply(tf.reshape(h, [h.shape[0], -1])) as tf.Tensor;
    });
  }
}

/**
 * Real 28×28 images average-pooled to a stage's resolution (7, 14 or 28). Always a new tensor (a
 * copy at stage 2): the caller may dispose `images` afterwards.
 */
export function resizeForStage(images: tf.Tensor4D, stage: ProgressiveStage): tf.Tensor4D {
  return tf.tidy(() => {
    let x: tf.Tensor4D = tf.clone(images);
    for (let s = 2; s > stage; s--) x = tf.avgPool(x, 2, 2, 'valid');
    return x;
  });
}
