/**
 * The Gated PixelCNN (van den Oord, Kalchbrenner, Vinyals, Espeholt, Graves & Kavukcuoglu 2016,
 * "Conditional Image Generation with PixelCNN Decoders", §2.1–2.2 and Figure 2): two stacks of
 * convolutions that together see every earlier pixel — no blind spot — with gated activations.
 *
 * - The **vertical stack** looks at the rows above: a ((k+1)/2)×k convolution covering rows
 *   r − (k−1)/2 … r (it may see the whole current row, so its output at row r is only ever used by
 *   rows below: it is shifted down one row before the horizontal stack reads it).
 * - The **horizontal stack** looks at the current row to the left: a 1×((k+1)/2) convolution over
 *   columns c − (k−1)/2 … c (in the first layer the input is shifted right one column, so pixel c
 *   is excluded — the role of mask A), plus a 1×1 map of the shifted vertical stack, plus a residual.
 * - The gate: y = tanh(W_f ∗ x) ⊙ σ(W_g ∗ x) (eq. 2), both halves from one convolution of 2C maps.
 *
 * The stacked 3×3 masks of the plain `PixelCnn` never reach the pixels above and to the right of a
 * pixel beyond a wedge (the blind spot); here the vertical stack covers all columns within reach in
 * every row above. The logits, NLL and sampling interface match `PixelCnn`.
 *
 * @see notebooks/07-autoregressive-and-flows
 */
import * as tf from '@tensorflow/tfjs';
import { bernoulliNegLogLikelihood } from './vae';
import { createPixelCnnVariables, PixelCnnStackConfig, resolvePixelCnnConfig } from './pixelcnn-common';

export interface GatedPixelCnnConfig extends PixelCnnStackConfig {
  /** Feature maps per stack (each gate convolution makes 2× this). Default 16. */
  channels?: number;
  /** Gated layers after the first. Default 4. */
  layers?: number;
}

const DEFAULTS = { channels: 16, layers: 4, firstKernelSize: 7, kernelSize: 3, height: 28, width: 28, outputBias: 0 };

type Resolved = Required<GatedPixelCnnConfig>;

/** Shift down one row (zeros on top): row r then holds row r − 1. */
function shiftDown(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  return tf.pad(x.slice([0, 0, 0, 0], [n, h - 1, w, c]), [[0, 0], [1, 0], [0, 0], [0, 0]]) as tf.Tensor4D;
}

/** Shift right one column (zeros on the left): column c then holds column c − 1. */
function shiftRight(x: tf.Tensor4D): tf.Tensor4D {
  const [n, h, w, c] = x.shape;
  return tf.pad(x.slice([0, 0, 0, 0], [n, h, w - 1, c]), [[0, 0], [0, 0], [1, 0], [0, 0]]) as tf.Tensor4D;
}

/** tanh(first half of the channels) ⊙ sigmoid(second half). */
function gate(x: tf.Tensor4D): tf.Tensor4D {
  const [f, g] = tf.split(x, 2, 3);
  return tf.mul(tf.tanh(f), tf.sigmoid(g)) as tf.Tensor4D;
}

/** A Gated PixelCNN for binary images. */
export class GatedPixelCnn {
  readonly config: Resolved;
  readonly variables: Record<string, tf.Variable>;

  constructor(config: GatedPixelCnnConfig, weights?: Record<string, tf.Tensor>) {
    const c: Resolved = resolvePixelCnnConfig(DEFAULTS, config);
    this.config = c;
    const C = c.channels;
    const shapes: Record<string, number[]> = {};
    for (let l = 0; l <= c.layers; l++) {
      const k = l === 0 ? c.firstKernelSize : c.kernelSize;
      const cin = l === 0 ? 1 : C;
      shapes[`l${l}.vertical.kernel`] = [(k + 1) / 2, k, cin, 2 * C];
      shapes[`l${l}.vertical.bias`] = [2 * C];
      shapes[`l${l}.horizontal.kernel`] = [1, (k + 1) / 2, cin, 2 * C];
      shapes[`l${l}.horizontal.bias`] = [2 * C];
      shapes[`l${l}.verticalToHorizontal.kernel`] = [1, 1, 2 * C, 2 * C];
      shapes[`l${l}.out.kernel`] = [1, 1, C, C];
      shapes[`l${l}.out.bias`] = [C];
    }
    Object.assign(shapes, { 'head1.kernel': [1, 1, C, C], 'head1.bias': [C], 'head2.kernel': [1, 1, C, 1], 'head2.bias': [1] });
    this.variables = createPixelCnnVariables({
      shapes,
      weights,
      outputBiasName: 'head2.bias',
      outputBias: c.outputBias,
      kernelInitializer: (seed) => tf.initializers.glorotNormal({ seed }),
      seed: c.seed,
    });
  }

  /** Logits of p(x_i = 1 | x_<i) for every pixel: x [N,H,W,1] → [N,H,W,1]. */
  logits(x: tf.Tensor4D): tf.Tensor4D {
    return tf.tidy(() => {
      const v = this.variables;
      const conv = (h: tf.Tensor4D, name: string, pad: [[number, number], [number, number]]) =>
        tf.add(tf.conv2d(tf.pad(h, [[0, 0], pad[0], pad[1], [0, 0]]) as tf.Tensor4D, v[`${name}.kernel`] as tf.Tensor4D, 1, 'valid'), v[`${name}.bias`]) as tf.Tensor4D;
      let vertical: tf.Tensor4D = x;
      let horizontal: tf.Tensor4D = x;
      for (let l = 0; l <= this.config.layers; l++) {
        const half = ((l === 0 ? this.config.firstKernelSize : this.config.kernelSize) - 1) / 2;
        // vertical: rows r−half … r, columns c−half … c+half
        const verticalPre = conv(vertical, `l${l}.vertical`, [[half, 0], [half, half]]);
        // horizontal: columns c−half … c of the current row (c−half−1 … c−1 in the first layer)
        const horizontalIn = l === 0 ? shiftRight(horizontal) : horizontal;
        const fromVertical = tf.conv2d(shiftDown(verticalPre), v[`l${l}.verticalToHorizontal.kernel`] as tf.Tensor4D, 1, 'valid');
        const horizontalPre = tf.add(conv(horizontalIn, `l${l}.horizontal`, [[0, 0], [half, 0]]), fromVertical) as tf.Tensor4D;
        const horizontalOut = tf.add(tf.conv2d(gate(horizontalPre), v[`l${l}.out.kernel`] as tf.Tensor4D, 1, 'valid'), v[`l${l}.out.bias`]) as tf.Tensor4D;
        horizontal = l === 0 ? horizontalOut : (tf.add(horizontal, horizontalOut) as tf.Tensor4D);
        vertical = gate(verticalPre);
      }
      const h = tf.relu(conv(tf.relu(horizontal), 'head1', [[0, 0], [0, 0]]));
      return conv(h, 'head2', [[0, 0], [0, 0]]);
    });
  }

  /** Exact −log p(x) per image in nats, [N] (x binary [N,H,W,1]). */
  negativeLogLikelihood(x: tf.Tensor4D): tf.Tensor1D {
    return tf.tidy(() => bernoulliNegLogLikelihood(this.logits(x), x));
  }

  trainableVariables(): tf.Variable[] {
    return Object.values(this.variables);
  }

  get parameterCount(): number {
    return Object.values(this.variables).reduce((s, t) => s + t.size, 0);
  }

  dispose(): void {
    tf.dispose(Object.values(this.variables));
  }
}
