/**
 * A small U-Net ε_θ(x_t, t[, c]) for 28×28 images (Ronneberger et al. 2015, in the form DDPM §4 and
 * Appendix B use): sinusoidal time embedding → MLP; a patch embedding; per level a residual block
 * with the time embedding and a stride-2 conv down; a middle block (optionally with cross-attention
 * to label tokens); nearest-upsample + conv up, with the skip connections concatenated; GroupNorm →
 * SiLU → conv out. Optional class conditioning: a one-hot label with a null token (index
 * numClasses) for classifier-free guidance, added to the time embedding (Ho & Salimans) and/or as
 * the cross-attention context (a "prompt" of label tokens, Rombach et al. §3.3).
 *
 * Departure from DDPM's U-Net, for a 2-core CPU: the image enters through a 2×2 space-to-depth
 * "patch embedding" (as in DiT and Hoogeboom et al.'s simple diffusion), so the top level works at
 * 14×14; one residual block per level by default (`resBlocks`); self-attention only in the middle, and only when asked
 * (`selfAttention`; the shipped U-Nets have none).
 *
 * Default shape (`DDPM_UNET_CONFIG`, what notebooks 08–09 train; bench/ measures it):
 *   x_t [B, 28, 28, 1] → space-to-depth 2              [B, 14, 14, 4]
 *   conv_in 3×3 → 24                                    [B, 14, 14, 24]
 *   level 0: ResBlock(24)                 → skip h0     [B, 14, 14, 24]
 *            down: conv 3×3 stride 2                    [B, 7, 7, 24]
 *   level 1: ResBlock(48)                 → skip h1     [B, 7, 7, 48]
 *   middle:  ResBlock(48) [+ self-attention] [+ cross-attention]   [B, 7, 7, 48]
 *   up 1:    concat h1 → ResBlock(48)                    [B, 7, 7, 48]
 *            up: nearest ×2 + conv 3×3 → 24             [B, 14, 14, 24]
 *   up 0:    concat h0 → ResBlock(24)                    [B, 14, 14, 24]
 *   out:     GroupNorm(8) → SiLU → conv 3×3 → 4 → depth-to-space   [B, 28, 28, 1]
 *   time:    sinusoidal 32 → Dense 96 → SiLU → Dense 96, added (Dense per block) after conv1
 * ResBlock(c): GroupNorm(8) → SiLU → conv 3×3 → + Dense(SiLU(emb)) → GroupNorm(8) → SiLU →
 * conv 3×3 (zero-init) → + skip (1×1 conv when channels change).
 *
 * @see notebooks/08-diffusion-ddpm
 * @see notebooks/09-ddim-guidance
 */
import * as tf from '@tensorflow/tfjs';
import { DiffusionNetwork } from '../diffusion/network';
import { timestepEmbedding } from '../diffusion/time-embedding';
import {
  ParameterStore,
  conv,
  crossAttention,
  dense,
  depthToSpace2,
  downsample,
  groupNorm,
  labelOneHot,
  resBlock,
  selfAttention,
  silu,
  spaceToDepth2,
  timeMlp,
  upsample,
} from './diffusion-nn';

export interface DiffusionUNetConfig {
  /** Image height = width. Default 28. */
  imageSize?: number;
  /** Image channels. Default 1. */
  channels?: number;
  /** 1 (none) or 2 (2×2 space-to-depth at the input, depth-to-space at the output). Default 2. */
  patchSize?: 1 | 2;
  /** Channels at each resolution, highest first. Default [24, 48]. */
  levelChannels?: readonly number[];
  /** Residual blocks in the middle. Default 1. */
  middleBlocks?: number;
  /**
   * Residual blocks per level, on the way down and on the way up (DDPM's U-Net has 2, Ho et al. 2020
   * App. B). The first block of an up level takes the skip connection; the others, like every
   * block's zero-initialized last conv, start as the identity, so a network grown from a saved one
   * with fewer (`ParameterStore.assignGrowing`) computes the same ε_θ until it trains. Default 1.
   */
  resBlocks?: number;
  /** Width of the sinusoidal embedding. Default 32. */
  timeEmbeddingDim?: number;
  /** Width of the time-embedding MLP. Default 96. */
  embeddingDim?: number;
  /** GroupNorm groups. Default 8. */
  groups?: number;
  /** Classes for conditioning (0 = unconditional). The null token is label `numClasses`. Default 0. */
  numClasses?: number;
  /** Add the label embedding to the time embedding (Ho & Salimans). Default true when conditional and no cross-attention. */
  classEmbedding?: boolean;
  /**
   * Self-attention over the lowest resolution's positions after the first middle block (DDPM's
   * U-Net has one there, Ho et al. 2020 App. B): global context for a small network. Default false.
   */
  selfAttention?: boolean;
  /** Cross-attention after the first middle block, to `contextTokens` label tokens of width `dim`. Default off. */
  crossAttention?: { dim: number; contextTokens?: number } | null;
  seed: number;
}

type ResolvedConfig = Omit<Required<DiffusionUNetConfig>, 'crossAttention'> & { crossAttention: { dim: number; contextTokens: number } | null };

/** The configuration notebooks 08 and 09 train (and bench/ measures), without the seed. */
export const DDPM_UNET_CONFIG: Readonly<Omit<ResolvedConfig, 'seed'>> = {
  imageSize: 28,
  channels: 1,
  patchSize: 2,
  levelChannels: [24, 48],
  middleBlocks: 1,
  resBlocks: 1,
  timeEmbeddingDim: 32,
  embeddingDim: 96,
  groups: 8,
  numClasses: 0,
  classEmbedding: false,
  selfAttention: false,
  crossAttention: null,
};

/** A U-Net noise predictor. Create with `new DiffusionUNet({ seed })`; dispose when done. */
export class DiffusionUNet implements DiffusionNetwork {
  readonly config: ResolvedConfig;
  readonly params: ParameterStore;
  /** Cross-attention weights [B, HW, L] of the last forward pass, when `keepAttention` is set. */
  lastAttention: tf.Tensor3D | null = null;
  keepAttention = false;

  constructor(config: DiffusionUNetConfig) {
    const d = DDPM_UNET_CONFIG;
    const numClasses = config.numClasses ?? 0;
    const ca = config.crossAttention ?? null;
    this.config = {
      imageSize: config.imageSize ?? d.imageSize,
      channels: config.channels ?? d.channels,
      patchSize: config.patchSize ?? d.patchSize,
      levelChannels: config.levelChannels ?? d.levelChannels,
      middleBlocks: config.middleBlocks ?? d.middleBlocks,
      resBlocks: config.resBlocks ?? d.resBlocks,
      timeEmbeddingDim: config.timeEmbeddingDim ?? d.timeEmbeddingDim,
      embeddingDim: config.embeddingDim ?? d.embeddingDim,
      groups: config.groups ?? d.groups,
      numClasses,
      classEmbedding: config.classEmbedding ?? (numClasses > 0 && !ca),
      selfAttention: config.selfAttention ?? d.selfAttention,
      crossAttention: ca ? { dim: ca.dim, contextTokens: ca.contextTokens ?? 2 } : null,
      seed: config.seed,
    };
    const c = this.config;
    if (!Number.isInteger(numClasses) || numClasses < 0) throw new RangeError(`numClasses must be a non-negative integer; got ${numClasses}`);
    if (c.patchSize !== 1 && c.patchSize !== 2) throw new RangeError(`patchSize must be 1 or 2; got ${c.patchSize}`);
    if (!Number.isInteger(c.resBlocks) || c.resBlocks < 1) throw new RangeError(`resBlocks must be a positive integer; got ${c.resBlocks}`);
    if (c.levelChannels.length < 1) throw new RangeError('levelChannels must not be empty');
    const inner = c.imageSize / c.patchSize;
    if (!Number.isInteger(inner) || inner % 2 ** (c.levelChannels.length - 1) !== 0) {
      throw new RangeError(`imageSize/patchSize (${inner}) must be divisible by 2^${c.levelChannels.length - 1}`);
    }
    if (c.crossAttention && numClasses === 0) throw new RangeError('crossAttention needs numClasses > 0 (the context is label tokens)');
    for (const ch of c.levelChannels) {
      if (ch % c.groups !== 0) throw new RangeError(`every channel count must be divisible by groups (${c.groups}); got ${ch}`);
    }
    this.params = new ParameterStore(config.seed);
    tf.tidy(() => {
      this.apply(tf.zeros([1, c.imageSize, c.imageSize, c.channels]), [1], numClasses > 0 ? [numClasses] : null);
    });
    this.params.freeze();
  }

  get numClasses(): number {
    return this.config.numClasses;
  }

  get nullLabel(): number {
    return this.config.numClasses;
  }

  variables(): tf.Variable[] {
    return this.params.variables();
  }

  parameterCount(): number {
    return this.params.count();
  }

  /** Context tokens for cross-attention: [label token, learned tokens…] per example, [B, L, dim]. */
  private context(labels: ArrayLike<number>): tf.Tensor3D {
    const ca = this.config.crossAttention!;
    const p = this.params;
    const b = labels.length;
    const label = dense(p, 'context/label', labelOneHot(labels, this.numClasses), ca.dim); // [B, dim]
    const tokens: tf.Tensor[] = [tf.reshape(label, [b, 1, ca.dim])];
    for (let i = 1; i < ca.contextTokens; i++) {
      tokens.push(tf.tile(p.get(`context/token${i}`, [1, 1, ca.dim], { fanIn: ca.dim }), [b, 1, 1]));
    }
    return tf.concat(tokens, 1) as tf.Tensor3D; // [B, L, dim]
  }

  /** ε_θ(x_t, t, c): x_t [B, H, W, C], or flat [B, H·W·C] (then the output is flat too). */
  apply(xt: tf.Tensor, t: ArrayLike<number>, labels: ArrayLike<number> | null = null): tf.Tensor {
    const c = this.config;
    const p = this.params;
    const flat = xt.rank === 2;
    const b = xt.shape[0];
    if (t.length !== b) throw new RangeError(`t must have one entry per example (${b}); got ${t.length}`);
    if (c.numClasses > 0 && (!labels || labels.length !== b)) {
      throw new RangeError(`labels must have one entry per example (${b}) for a conditional U-Net (null label ${c.numClasses})`);
    }
    return tf.tidy(() => {
      const image = (flat ? tf.reshape(xt, [b, c.imageSize, c.imageSize, c.channels]) : xt) as tf.Tensor4D;
      const x = c.patchSize === 2 ? spaceToDepth2(image) : image; // [B, 14, 14, 4]
      let emb = timeMlp(p, 'time', timestepEmbedding(t, c.timeEmbeddingDim), c.embeddingDim); // [B, E]
      if (c.numClasses > 0 && c.classEmbedding && labels) {
        emb = tf.add(emb, dense(p, 'class', labelOneHot(labels, c.numClasses), c.embeddingDim)) as tf.Tensor2D;
      }
      const context = c.crossAttention && labels ? this.context(labels) : null;
      const last = c.levelChannels.length - 1;
      let h = conv(p, 'conv_in', x, c.levelChannels[0]);
      const skips: tf.Tensor4D[] = [];
      c.levelChannels.forEach((ch, level) => {
        h = resBlock(p, `down${level}/res`, h, emb, ch, c.groups);
        for (let i = 1; i < c.resBlocks; i++) h = resBlock(p, `down${level}/res${i}`, h, emb, ch, c.groups);
        skips.push(h);
        if (level < last) h = downsample(p, `down${level}/down`, h, ch);
      });
      for (let i = 0; i < c.middleBlocks; i++) {
        h = resBlock(p, `mid/res${i}`, h, emb, c.levelChannels[last], c.groups);
        if (i === 0 && c.selfAttention) h = selfAttention(p, 'mid/self', h, { groups: c.groups }).out;
        if (i === 0 && context) {
          const { out, weights } = crossAttention(p, 'mid/attn', h, context, { dim: c.crossAttention!.dim, groups: c.groups });
          h = out;
          if (this.keepAttention) {
            this.lastAttention?.dispose();
            this.lastAttention = tf.keep(weights);
          }
        }
      }
      for (let level = last; level >= 0; level--) {
        const ch = c.levelChannels[level];
        h = resBlock(p, `up${level}/res`, tf.concat([h, skips[level]], 3) as tf.Tensor4D, emb, ch, c.groups);
        for (let i = 1; i < c.resBlocks; i++) h = resBlock(p, `up${level}/res${i}`, h, emb, ch, c.groups);
        if (level > 0) h = upsample(p, `up${level}/up`, h, c.levelChannels[level - 1]);
      }
      const outChannels = c.channels * c.patchSize * c.patchSize;
      let out = conv(p, 'conv_out', silu(groupNorm(p, 'norm_out', h, c.groups)) as tf.Tensor4D, outChannels, { zeroInit: true });
      if (c.patchSize === 2) out = depthToSpace2(out); // [B, 28, 28, 1]
      return flat ? tf.reshape(out, [b, -1]) : out;
    });
  }

  /** One line per parameter tensor and the total: the exact shape, for notes and benchmarks. */
  describe(): string {
    const vars = this.params.variables();
    const lines = this.params.names().map((n, i) => `${n} [${vars[i].shape.join(', ')}]`);
    return `${lines.join('\n')}\ntotal parameters: ${this.parameterCount()}`;
  }

  dispose(): void {
    this.lastAttention?.dispose();
    this.lastAttention = null;
    this.params.dispose();
  }
}
