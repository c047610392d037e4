/**
 * Building blocks of the course's diffusion networks, written with plain tf.Variables (no tf.layers)
 * so that group normalisation, attention and the broadcast of the time embedding are visible as
 * tensor code: a parameter store, dense, conv, GroupNorm, SiLU, the DDPM residual block with its
 * time embedding, a self-attention block (DDPM's, Ho et al. 2020 App. B) and a cross-attention block
 * (Rombach et al. 2022, §3.3).
 *
 * Layout is NHWC. Parameters are created on the first forward pass (the builders run one at
 * construction) and initialised from the store's seed.
 *
 * @see notebooks/08-diffusion-ddpm
 * @see notebooks/10-latent-diffusion
 */
import * as tf from '@tensorflow/tfjs';
import { Rng } from '../random/rng';
import { groupNormalize } from './group-norm';

/** How a new parameter is initialised. */
export type Init = 'zeros' | 'ones' | { fanIn: number; gain?: number };

let nextVariableId = 0;

/** v ← src, a saved value of parameter `name` (a RangeError when the shapes differ). */
function assignSaved(name: string, v: tf.Variable, src: tf.Tensor): void {
  if (src.shape.length !== v.shape.length || src.shape.some((d, i) => d !== v.shape[i])) {
    throw new RangeError(`checkpoint parameter ${name} has shape [${src.shape}]; the network needs [${v.shape}]`);
  }
  v.assign(src);
}

/** Named variables created on first use; `variables()` lists them in creation order. */
export class ParameterStore {
  private readonly vars = new Map<string, tf.Variable>();
  private readonly rng: Rng;
  private frozen = false;

  constructor(seed: number) {
    this.rng = new Rng(seed);
  }

  /** The variable `name`, created with `shape` and `init` the first time. */
  get(name: string, shape: number[], init: Init): tf.Variable {
    const existing = this.vars.get(name);
    if (existing) {
      if (existing.shape.some((d, i) => d !== shape[i]) || existing.shape.length !== shape.length) {
        throw new RangeError(`parameter ${name} has shape [${existing.shape}]; asked for [${shape}]`);
      }
      return existing;
    }
    if (this.frozen) throw new Error(`parameter ${name} does not exist (the network was built without it)`);
    const value = tf.tidy(() => {
      if (init === 'zeros') return tf.zeros(shape);
      if (init === 'ones') return tf.ones(shape);
      // He/Kaiming-normal style: std = gain/√fanIn (DDPM uses variance scaling as well)
      const std = (init.gain ?? 1) / Math.sqrt(init.fanIn);
      return tf.randomNormal(shape, 0, std, 'float32', this.rng.tfSeed());
    });
    const v = tf.variable(value, true, `genbook_${name}_${nextVariableId++}`);
    value.dispose();
    this.vars.set(name, v);
    return v;
  }

  /** The existing variable `name` (a RangeError when there is none). */
  find(name: string): tf.Variable {
    const v = this.vars.get(name);
    if (!v) throw new RangeError(`no parameter named ${name}; have ${this.names().slice(0, 8).join(', ')}${this.vars.size > 8 ? ', …' : ''}`);
    return v;
  }

  /** Stop creating parameters (after the build pass): a typo in a name becomes an error. */
  freeze(): void {
    this.frozen = true;
  }

  variables(): tf.Variable[] {
    return Array.from(this.vars.values());
  }

  names(): string[] {
    return Array.from(this.vars.keys());
  }

  /** Number of scalar parameters. */
  count(): number {
    return this.variables().reduce((s, v) => s + v.size, 0);
  }

  /** Name → tensor (the variables themselves; `train.saveVariables` copies them). */
  record(): Record<string, tf.Tensor> {
    return Object.fromEntries(this.vars.entries());
  }

  /** Assign saved values (every name must exist with the same shape). */
  assign(values: Record<string, tf.Tensor>): void {
    for (const [name, v] of this.vars) {
      const src = values[name];
      if (!src) throw new RangeError(`checkpoint has no parameter ${name}`);
      assignSaved(name, v, src);
    }
  }

  /**
   * Assign saved values to the parameters they name and leave the others at their initial values:
   * a network grown from a saved one by blocks that start as the identity (a residual block's last
   * conv is zero-initialized), as Net2Net's deeper networks (Chen et al. 2016, §2.3). Every saved
   * name must exist here with the same shape. Returns the names left at their initial values.
   */
  assignGrowing(values: Record<string, tf.Tensor>): string[] {
    for (const name of Object.keys(values)) {
      if (!this.vars.has(name)) throw new RangeError(`the network has no parameter ${name} (a grown network keeps every saved one)`);
    }
    const fresh: string[] = [];
    for (const [name, v] of this.vars) {
      const src = values[name];
      if (!src) {
        fresh.push(name);
        continue;
      }
      assignSaved(name, v, src);
    }
    return fresh;
  }

  dispose(): void {
    for (const v of this.vars.values()) v.dispose();
    this.vars.clear();
  }
}

/** SiLU / swish: x·sigmoid(x) (DDPM's nonlinearity). */
export function silu(x: tf.Tensor): tf.Tensor {
  return tf.mul(x, tf.sigmoid(x));
}

/** y = x·W + b for x [B, in]. */
export function dense(p: ParameterStore, name: string, x: tf.Tensor, units: number, options: { zeroInit?: boolean } = {}): tf.Tensor {
  const inDim = x.shape[x.rank - 1];
  const w = p.get(`${name}/kernel`, [inDim, units], options.zeroInit ? 'zeros' : { fanIn: inDim });
  const b = p.get(`${name}/bias`, [units], 'zeros');
  if (x.rank === 2) return tf.add(tf.matMul(x as tf.Tensor2D, w as tf.Tensor2D), b);
  const flat = tf.reshape(x, [-1, inDim]) as tf.Tensor2D;
  return tf.reshape(tf.add(tf.matMul(flat, w as tf.Tensor2D), b), [...x.shape.slice(0, -1), units]);
}

/** A k×k convolution, 'same' padding, NHWC. */
export function conv(
  p: ParameterStore,
  name: string,
  x: tf.Tensor4D,
  filters: number,
  options: { kernel?: number; stride?: number; zeroInit?: boolean } = {},
): tf.Tensor4D {
  const k = options.kernel ?? 3;
  const inC = x.shape[3];
  const w = p.get(`${name}/kernel`, [k, k, inC, filters], options.zeroInit ? 'zeros' : { fanIn: k * k * inC });
  const b = p.get(`${name}/bias`, [filters], 'zeros');
  const stride = options.stride ?? 1;
  return tf.add(tf.conv2d(x, w as tf.Tensor4D, stride, 'same'), b) as tf.Tensor4D;
}

/**
 * Group normalisation (Wu & He 2018): statistics per example over (H, W, C/G) for each of G groups,
 * then a per-channel scale and shift. DDPM uses it in every residual block. The formulas and the
 * written-out gradient are in `group-norm.ts`.
 */
export function groupNorm(p: ParameterStore, name: string, x: tf.Tensor4D, groups: number, epsilon = 1e-5): tf.Tensor4D {
  const c = x.shape[3];
  if (c % groups !== 0) throw new RangeError(`${name}: channels (${c}) must be divisible by groups (${groups})`);
  const gamma = p.get(`${name}/gamma`, [c], 'ones');
  const beta = p.get(`${name}/beta`, [c], 'zeros');
  return groupNormalize(x, gamma as tf.Tensor1D, beta as tf.Tensor1D, groups, epsilon);
}

/** Nearest-neighbour ×2 upsampling followed by a 3×3 conv (DDPM's Upsample). */
export function upsample(p: ParameterStore, name: string, x: tf.Tensor4D, filters: number): tf.Tensor4D {
  const [, h, w] = x.shape;
  return conv(p, name, tf.image.resizeNearestNeighbor(x, [2 * h, 2 * w]), filters);
}

/** A 3×3 stride-2 conv (DDPM's Downsample). */
export function downsample(p: ParameterStore, name: string, x: tf.Tensor4D, filters: number): tf.Tensor4D {
  return conv(p, name, x, filters, { stride: 2 });
}

/**
 * The DDPM residual block: GroupNorm → SiLU → conv → (+ Dense(SiLU(emb)) broadcast over H, W) →
 * GroupNorm → SiLU → conv (zero-initialised, so the block starts as the identity) → + skip
 * (a 1×1 conv when the channel count changes).
 */
export function resBlock(p: ParameterStore, name: string, x: tf.Tensor4D, emb: tf.Tensor2D, filters: number, groups: number): tf.Tensor4D {
  let h = conv(p, `${name}/conv1`, silu(groupNorm(p, `${name}/norm1`, x, Math.min(groups, x.shape[3]))) as tf.Tensor4D, filters);
  const e = dense(p, `${name}/emb`, silu(emb), filters);
  h = tf.add(h, tf.reshape(e, [-1, 1, 1, filters])) as tf.Tensor4D;
  h = conv(p, `${name}/conv2`, silu(groupNorm(p, `${name}/norm2`, h, groups)) as tf.Tensor4D, filters, { zeroInit: true });
  const skip = x.shape[3] === filters ? x : conv(p, `${name}/skip`, x, filters, { kernel: 1 });
  return tf.add(skip, h) as tf.Tensor4D;
}

/**
 * Cross-attention (Rombach et al. 2022, eq. 3): queries from the feature map, keys and values from
 * the context tokens, softmax(Q·Kᵀ/√d)·V, added back to the input (zero-initialised output
 * projection). x [B, H, W, C], context [B, L, D] → [B, H, W, C]. Single head.
 */
export function crossAttention(
  p: ParameterStore,
  name: string,
  x: tf.Tensor4D,
  context: tf.Tensor3D,
  options: { dim: number; groups: number },
): { out: tf.Tensor4D; weights: tf.Tensor3D } {
  const [b, h, w, c] = x.shape;
  const d = options.dim;
  const normed = groupNorm(p, `${name}/norm`, x, Math.min(options.groups, c));
  const q = tf.reshape(dense(p, `${name}/q`, tf.reshape(normed, [b, h * w, c]), d), [b, h * w, d]) as tf.Tensor3D; // [B, HW, d]
  const k = dense(p, `${name}/k`, context, d) as tf.Tensor3D; // [B, L, d]
  const v = dense(p, `${name}/v`, context, d) as tf.Tensor3D; // [B, L, d]
  // scores [B, HW, L]; a transpose first (wasm BatchMatMul with transposeB is slow, design.md fact 3)
  const scores = tf.mul(tf.matMul(q, tf.transpose(k, [0, 2, 1])), 1 / Math.sqrt(d)) as tf.Tensor3D;
  const weights = tf.softmax(scores) as tf.Tensor3D;
  const attended = tf.matMul(weights, v); // [B, HW, d]
  const out = dense(p, `${name}/out`, attended, c, { zeroInit: true });
  return { out: tf.add(x, tf.reshape(out, [b, h, w, c])) as tf.Tensor4D, weights };
}

/**
 * Self-attention over the positions of a feature map, with a residual (the attention block of the
 * DDPM U-Net, Ho et al. 2020 Appendix B, after Vaswani et al. 2017; one head, as the DDPM code):
 * x + W_o · softmax(Q Kᵀ/√c) V, with Q, K, V = dense maps of GroupNorm(x) flattened to HW tokens of
 * width c. W_o starts at zero, so a new block is the identity. Returns the output and the attention
 * weights [B, HW, HW].
 */
export function selfAttention(p: ParameterStore, name: string, x: tf.Tensor4D, options: { groups: number }): { out: tf.Tensor4D; weights: tf.Tensor3D } {
  const [b, h, w, c] = x.shape;
  const tokens = tf.reshape(groupNorm(p, `${name}/norm`, x, Math.min(options.groups, c)), [b, h * w, c]);
  const q = dense(p, `${name}/q`, tokens, c) as tf.Tensor3D; // [B, HW, c]
  const k = dense(p, `${name}/k`, tokens, c) as tf.Tensor3D;
  const v = dense(p, `${name}/v`, tokens, c) as tf.Tensor3D;
  // scores [B, HW, HW]; a transpose first (wasm BatchMatMul with transposeB is slow, design.md fact 3)
  const scores = tf.mul(tf.matMul(q, tf.transpose(k, [0, 2, 1])), 1 / Math.sqrt(c)) as tf.Tensor3D;
  const weights = tf.softmax(scores) as tf.Tensor3D;
  const out = dense(p, `${name}/out`, tf.matMul(weights, v), c, { zeroInit: true });
  return { out: tf.add(x, tf.reshape(out, [b, h, w, c])) as tf.Tensor4D, weights };
}

/** Sinusoidal t-embedding → Dense → SiLU → Dense (DDPM's time embedding MLP). */
export function timeMlp(p: ParameterStore, name: string, sinusoidal: tf.Tensor2D, dim: number): tf.Tensor2D {
  return dense(p, `${name}/2`, silu(dense(p, `${name}/1`, sinusoidal, dim)), dim) as tf.Tensor2D;
}

/** One-hot labels (with the null class) [B, numClasses + 1]: an embedding lookup that trains on wasm. */
export function labelOneHot(labels: ArrayLike<number>, numClasses: number): tf.Tensor2D {
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i];
    if (!Number.isInteger(y) || y < 0 || y > numClasses) {
      throw new RangeError(`labels[${i}] must be an integer in [0, ${numClasses}] (${numClasses} = null); got ${y}`);
    }
  }
  return tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), numClasses + 1).toFloat() as tf.Tensor2D);
}

/**
 * Space-to-depth with patch size 2: [B, H, W, C] → [B, H/2, W/2, 4C], channel = di·2C + dj·C + c
 * for pixel (2i + di, 2j + dj). Written with rank-4 reshapes and transposes only (they have
 * gradients on every backend). A "patch embedding" of size 2 as in DiT and simple diffusion.
 */
export function spaceToDepth2(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  if (h % 2 !== 0 || w % 2 !== 0) throw new RangeError(`spaceToDepth2: height and width must be even; got ${h}×${w}`);
  const rows = tf.reshape(x, [b * (h / 2), 2, w / 2, 2 * c]); // (b·H/2 + i, di, j, dj·C + c)
  return tf.reshape(tf.transpose(rows, [0, 2, 1, 3]), [b, h / 2, w / 2, 4 * c]) as tf.Tensor4D;
}

/** The inverse of `spaceToDepth2`: [B, H, W, 4C] → [B, 2H, 2W, C]. */
export function depthToSpace2(x: tf.Tensor4D): tf.Tensor4D {
  const [b, h, w, c4] = x.shape;
  if (c4 % 4 !== 0) throw new RangeError(`depthToSpace2: channels must be divisible by 4; got ${c4}`);
  const c = c4 / 4;
  const cols = tf.reshape(x, [b * h, w, 2, 2 * c]); // (b·H + i, j, di, dj·C + c)
  return tf.reshape(tf.transpose(cols, [0, 2, 1, 3]), [b, 2 * h, 2 * w, c]) as tf.Tensor4D;
}
