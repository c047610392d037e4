/**
 * Sinusoidal time-step embedding 시간 임베딩 (Vaswani et al. 2017 §3.5, used by DDPM §4 / Appendix B
 * "diffusion time t is specified by adding the Transformer sinusoidal position embedding"):
 *   emb(t)_i = sin(t·ω_i), emb(t)_{i + d/2} = cos(t·ω_i), ω_i = 10000^{−i/(d/2 − 1)}, i < d/2
 * (the DDPM code's `get_timestep_embedding`). Computed outside the network, so the network only
 * needs dense layers to read it.
 *
 * @see notebooks/08-diffusion-ddpm
 */
import * as tf from '@tensorflow/tfjs';

/** The embedding of each t as plain numbers: `out[k·dim + j]`. `dim` must be even and ≥ 4. */
export function timestepEmbeddingValues(ts: ArrayLike<number>, dim: number, maxPeriod = 10000): Float32Array {
  if (!Number.isInteger(dim) || dim < 4 || dim % 2 !== 0) throw new RangeError(`dim must be an even integer >= 4; got ${dim}`);
  const half = dim / 2;
  const out = new Float32Array(ts.length * dim);
  for (let k = 0; k < ts.length; k++) {
    const t = ts[k];
    if (!Number.isFinite(t)) throw new RangeError(`t[${k}] must be finite; got ${t}`);
    for (let i = 0; i < half; i++) {
      const freq = Math.exp((-Math.log(maxPeriod) * i) / (half - 1));
      out[k * dim + i] = Math.sin(t * freq);
      out[k * dim + half + i] = Math.cos(t * freq);
    }
  }
  return out;
}

/** The embedding as a [B, dim] tensor. */
export function timestepEmbedding(ts: ArrayLike<number>, dim: number, maxPeriod = 10000): tf.Tensor2D {
  return tf.tensor2d(timestepEmbeddingValues(ts, dim, maxPeriod), [ts.length, dim]);
}
