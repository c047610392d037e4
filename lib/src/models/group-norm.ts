/**
 * Group normalisation (Wu & He 2018, eq. 1–3 with the sets S_i of §3.1 "Group Norm") for NHWC
 * activations x [B, H, W, C] split into G groups of C/G channels:
 *
 *   μ_bg = (1/n) Σ_{i∈S_bg} x_i,   σ²_bg = (1/n) Σ_{i∈S_bg} (x_i − μ_bg)²,   n = H·W·C/G,
 *   x̂_i = (x_i − μ_bg) / √(σ²_bg + ε),   y_i = γ_c x̂_i + β_c.
 *
 * The textbook code (reshape to [B, H, W, G, C/G], `tf.moments` over (1, 2, 4), normalise, reshape
 * back) is what the lecture shows; its automatic gradient broadcasts [B, 1, 1, G, 1] statistics over a
 * 5-D tensor, which tfjs-backend-wasm does element by element through a generic index loop: in the
 * course's U-Net these broadcasts were 16 % of a training step (`npx tsx bench/profile.ts unet-ddpm
 * --shapes`). Here every statistic is expanded to one value per channel, [B, 1, 1, C], so each full
 * pass broadcasts along the contiguous channel axis, and the backward pass is written out
 * (the standard normalisation gradient, e.g. Ioffe & Szegedy 2015 §3 for batch norm, per group):
 *
 *   ∂L/∂β_c = Σ_{b,h,w} dy,   ∂L/∂γ_c = Σ_{b,h,w} dy·x̂,
 *   ∂L/∂x_i = r_bg · (γ_c dy_i − mean_{S_bg}(γ dy) − x̂_i · mean_{S_bg}(γ dy x̂)),   r = 1/√(σ² + ε),
 *
 * whose two group means come from the per-channel sums Σ_{h,w} dy and Σ_{h,w} dy·x̂ that the γ and β
 * gradients need anyway. Forward 6 passes over x, backward 8, all contiguous
 * (`npx tsx bench/groupnorm.ts` compares the three forms). `tests/lib/group-norm.test.ts` checks
 * values and gradients against the textbook form's automatic gradient and a plain-JS reference.
 *
 * @see notebooks/08-diffusion-ddpm
 */
import * as tf from '@tensorflow/tfjs';

/** y = γ·GroupNorm(x) + β for x [B, H, W, C], γ and β [C]; C must be divisible by `groups`. */
export function groupNormalize(x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, groups: number, epsilon = 1e-5): tf.Tensor4D {
  const [b, h, w, c] = x.shape;
  if (!Number.isInteger(groups) || groups < 1 || c % groups !== 0) {
    throw new RangeError(`group norm: channels (${c}) must be divisible by groups (${groups})`);
  }
  if (gamma.shape[0] !== c || beta.shape[0] !== c) {
    throw new RangeError(`group norm: γ and β need ${c} values (one per channel); got ${gamma.shape[0]} and ${beta.shape[0]}`);
  }
  const perGroup = c / groups;
  const n = h * w * perGroup;
  /** Per-channel values [B, C] → the mean over each group's channels and positions, per channel [B, 1, 1, C]. */
  const groupMean = (perChannel: tf.Tensor): tf.Tensor4D => {
    const sums = tf.sum(tf.reshape(perChannel, [b, groups, perGroup]), 2, true); // [B, G, 1]
    return tf.reshape(tf.tile(tf.div(sums, n), [1, 1, perGroup]), [b, 1, 1, c]);
  };
  const f = tf.customGrad((...args: (tf.Tensor | tf.GradSaveFunc)[]) => {
    const [xs, g, bt] = args as tf.Tensor[];
    const save = args[3] as tf.GradSaveFunc;
    const mean = groupMean(tf.sum(xs, [1, 2])); // μ per channel
    const centred = tf.sub(xs, mean); // x − μ
    const variance = groupMean(tf.sum(tf.square(centred), [1, 2])); // σ² (two passes, as tf.moments)
    const r = tf.rsqrt(tf.add(variance, epsilon)); // [B, 1, 1, C]
    save([centred, r, g]);
    return {
      value: tf.add(tf.mul(centred, tf.mul(r, g)), bt),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [d, rr, gg] = saved;
        const xHat = tf.mul(d, rr);
        const sumDy = tf.sum(dy, [1, 2]); // [B, C]
        const sumDyXHat = tf.sum(tf.mul(dy, xHat), [1, 2]); // [B, C]
        const a = groupMean(tf.mul(sumDy, gg)); // mean over the group of γ·dy
        const m = groupMean(tf.mul(sumDyXHat, gg)); // mean over the group of γ·dy·x̂
        // r·(γ dy − a − x̂ m) = dy·(rγ) + d·(−r² m) − r a
        const dx = tf.add(tf.add(tf.mul(dy, tf.mul(rr, gg)), tf.mul(d, tf.neg(tf.mul(tf.square(rr), m)))), tf.neg(tf.mul(rr, a)));
        return [dx, tf.sum(sumDyXHat, 0), tf.sum(sumDy, 0)];
      },
    };
  });
  return f(x, gamma, beta) as tf.Tensor4D;
}
