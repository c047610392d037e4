/**
 * An MLP noise predictor ε_θ(x_t, t[, c]) for 2D toy data (swiss roll, ring of Gaussians): the
 * sinusoidal time embedding goes through a small MLP and is added to every hidden layer; an
 * optional class label (one-hot with a null token for classifier-free guidance) is added the same
 * way. Dense layers only, so it trains on every backend.
 *
 *   x_t [B, D] → Dense H → (+ Dense(emb)) → SiLU → … (layers × H) → Dense D
 *   emb = Dense E ∘ SiLU ∘ Dense E (sinusoidal(t, 32)) [+ Dense E (one-hot(c))]
 *
 * @see notebooks/08-diffusion-ddpm
 * @see notebooks/10-latent-diffusion
 */
import * as tf from '@tensorflow/tfjs';
import { DiffusionNetwork } from '../diffusion/network';
import { timestepEmbedding } from '../diffusion/time-embedding';
import { ParameterStore, dense, labelOneHot, silu, timeMlp } from './diffusion-nn';

export interface DiffusionMlpConfig {
  /** Data dimension D. Default 2. */
  dataDim?: number;
  /** Hidden width H. Default 128. */
  hiddenUnits?: number;
  /** Hidden layers. Default 3. */
  layers?: number;
  /** Width of the sinusoidal embedding. Default 32. */
  timeEmbeddingDim?: number;
  /** Classes for conditioning (0 = unconditional); the null token is label numClasses. Default 0. */
  numClasses?: number;
  seed: number;
}

export class DiffusionMlp implements DiffusionNetwork {
  readonly config: Required<DiffusionMlpConfig>;
  readonly params: ParameterStore;

  constructor(config: DiffusionMlpConfig) {
    this.config = {
      dataDim: config.dataDim ?? 2,
      hiddenUnits: config.hiddenUnits ?? 128,
      layers: config.layers ?? 3,
      timeEmbeddingDim: config.timeEmbeddingDim ?? 32,
      numClasses: config.numClasses ?? 0,
      seed: config.seed,
    };
    const c = this.config;
    for (const [k, v] of [['dataDim', c.dataDim], ['hiddenUnits', c.hiddenUnits], ['layers', c.layers]] as const) {
      if (!Number.isInteger(v) || v < 1) throw new RangeError(`${k} must be a positive integer; got ${v}`);
    }
    if (!Number.isInteger(c.numClasses) || c.numClasses < 0) throw new RangeError(`numClasses must be a non-negative integer; got ${c.numClasses}`);
    this.params = new ParameterStore(config.seed);
    tf.tidy(() => {
      this.apply(tf.zeros([1, c.dataDim]), [1], c.numClasses > 0 ? [c.numClasses] : null);
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

  /** ε_θ(x_t, t, c) for x_t [B, D]. */
  apply(xt: tf.Tensor, t: ArrayLike<number>, labels: ArrayLike<number> | null = null): tf.Tensor {
    const c = this.config;
    const p = this.params;
    const b = xt.shape[0];
    if (xt.rank !== 2 || xt.shape[1] !== c.dataDim) throw new RangeError(`xt must have shape [B, ${c.dataDim}]; got [${xt.shape}]`);
    if (t.length !== b) throw new RangeError(`t must have one entry per example (${b}); got ${t.length}`);
    if (c.numClasses > 0 && (!labels || labels.length !== b)) {
      throw new RangeError(`labels must have one entry per example (${b}) for a conditional network (null label ${c.numClasses})`);
    }
    return tf.tidy(() => {
      const E = c.hiddenUnits;
      let emb = timeMlp(p, 'time', timestepEmbedding(t, c.timeEmbeddingDim), E); // [B, E]
      if (c.numClasses > 0 && labels) emb = tf.add(emb, dense(p, 'class', labelOneHot(labels, c.numClasses), E)) as tf.Tensor2D;
      let h: tf.Tensor = xt;
      for (let i = 0; i < c.layers; i++) {
        h = silu(tf.add(dense(p, `hidden${i}`, h, E), dense(p, `emb${i}`, silu(emb), E)));
      }
      return dense(p, 'out', h, c.dataDim); // [B, D]
    });
  }

  dispose(): void {
    this.params.dispose();
  }
}
