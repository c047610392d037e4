/**
 * A noisy-image classifier p_φ(y | x_t, t) for classifier guidance (Dhariwal & Nichol 2021 §4:
 * "we train a classifier p_φ(y | x_t, t) on noisy images x_t"): the encoder half of a small U-Net
 * with the same time embedding, global average pooling and a linear head.
 *
 *   x_t [B, 28, 28, 1] → space-to-depth 2 [B, 14, 14, 4] → conv 3×3 → 16 → ResBlock(16)
 *   → conv 3×3 stride 2 → 32 [B, 7, 7, 32] → ResBlock(32) → GroupNorm → SiLU → mean over H, W
 *   → Dense numClasses (logits)
 *
 * @see notebooks/09-ddim-guidance
 */
import * as tf from '@tensorflow/tfjs';
import { NoiseSchedule } from '../diffusion/schedule';
import { qSample } from '../diffusion/forward';
import { timestepEmbedding } from '../diffusion/time-embedding';
import { Rng } from '../random/rng';
import { Progress, trainLoop } from '../train/loop';
import { ParameterStore, conv, dense, groupNorm, resBlock, silu, spaceToDepth2, timeMlp } from './diffusion-nn';

export interface NoisyClassifierConfig {
  imageSize?: number;
  channels?: number;
  numClasses?: number;
  /** Channels of the two levels (14×14, 7×7). Default [16, 32]. */
  levelChannels?: readonly [number, number];
  timeEmbeddingDim?: number;
  embeddingDim?: number;
  groups?: number;
  seed: number;
}

export class NoisyClassifier {
  readonly config: Required<NoisyClassifierConfig>;
  readonly params: ParameterStore;

  constructor(config: NoisyClassifierConfig) {
    this.config = {
      imageSize: config.imageSize ?? 28,
      channels: config.channels ?? 1,
      numClasses: config.numClasses ?? 10,
      levelChannels: config.levelChannels ?? [16, 32],
      timeEmbeddingDim: config.timeEmbeddingDim ?? 32,
      embeddingDim: config.embeddingDim ?? 64,
      groups: config.groups ?? 8,
      seed: config.seed,
    };
    const c = this.config;
    if (c.imageSize % 4 !== 0) throw new RangeError(`imageSize must be divisible by 4; got ${c.imageSize}`);
    if (!Number.isInteger(c.numClasses) || c.numClasses < 2) throw new RangeError(`numClasses must be an integer >= 2; got ${c.numClasses}`);
    this.params = new ParameterStore(config.seed);
    tf.tidy(() => {
      this.logits(tf.zeros([1, c.imageSize, c.imageSize, c.channels]), [1]);
    });
    this.params.freeze();
  }

  variables(): tf.Variable[] {
    return this.params.variables();
  }

  parameterCount(): number {
    return this.params.count();
  }

  /** Logits [B, numClasses] for x_t [B, H, W, C] at one t per example. */
  logits(xt: tf.Tensor, t: ArrayLike<number>): tf.Tensor2D {
    const c = this.config;
    const p = this.params;
    const b = xt.shape[0];
    if (t.length !== b) throw new RangeError(`t must have one entry per example (${b}); got ${t.length}`);
    return tf.tidy(() => {
      const image = (xt.rank === 2 ? tf.reshape(xt, [b, c.imageSize, c.imageSize, c.channels]) : xt) as tf.Tensor4D;
      const emb = timeMlp(p, 'time', timestepEmbedding(t, c.timeEmbeddingDim), c.embeddingDim);
      const [c0, c1] = c.levelChannels;
      let h = conv(p, 'conv_in', spaceToDepth2(image), c0); // [B, 14, 14, c0]
      h = resBlock(p, 'res0', h, emb, c0, c.groups);
      h = conv(p, 'down', h, c1, { stride: 2 }); // [B, 7, 7, c1]
      h = resBlock(p, 'res1', h, emb, c1, c.groups);
      const pooled = tf.mean(silu(groupNorm(p, 'norm_out', h, c.groups)), [1, 2]); // [B, c1]
      return dense(p, 'head', pooled, c.numClasses) as tf.Tensor2D;
    });
  }

  /** The `NoisyClassifier` function the guidance code takes: logits for x_t at one t. */
  asGuidanceClassifier(): (xt: tf.Tensor, t: number) => tf.Tensor {
    return (xt, t) => this.logits(xt, new Array<number>(xt.shape[0]).fill(t));
  }

  dispose(): void {
    this.params.dispose();
  }
}

export interface TrainNoisyClassifierOptions {
  classifier: NoisyClassifier;
  schedule: NoiseSchedule;
  /** Images in the diffusion model's range ([−1, 1]), row-major [N·H·W·C], and labels. */
  images: Float32Array;
  labels: ArrayLike<number>;
  steps: number;
  batchSize?: number;
  learningRate?: number;
  seed: number;
  onProgress?: (p: Progress) => void;
}

/**
 * Cross-entropy on x_t ~ q(x_t | x_0) with t ~ Uniform{1…T}: the classifier learns every noise level.
 * Returns the loss and accuracy per step.
 */
export async function trainNoisyClassifier(options: TrainNoisyClassifierOptions): Promise<{ losses: number[]; accuracy: number[]; seconds: number }> {
  const { classifier, schedule, images, labels, steps, seed } = options;
  const c = classifier.config;
  const rowSize = c.imageSize * c.imageSize * c.channels;
  const count = images.length / rowSize;
  if (!Number.isInteger(count) || labels.length !== count) throw new RangeError(`images and labels disagree: ${images.length / rowSize} images, ${labels.length} labels`);
  const batchSize = options.batchSize ?? 64;
  const rng = new Rng(seed);
  const optimizer = tf.train.adam(options.learningRate ?? 1e-3);
  const variables = classifier.variables();
  const losses: number[] = [];
  const accuracy: number[] = [];
  try {
    const res = await trainLoop({
      steps,
      onProgress: options.onProgress,
      step: () => {
        const batch = new Float32Array(batchSize * rowSize);
        const ys = new Int32Array(batchSize);
        for (let i = 0; i < batchSize; i++) {
          const k = rng.int(0, count);
          batch.set(images.subarray(k * rowSize, (k + 1) * rowSize), i * rowSize);
          ys[i] = labels[k];
        }
        const t = Array.from({ length: batchSize }, () => rng.int(1, schedule.T + 1));
        const [loss, acc] = tf.tidy(() => {
          const x0 = tf.tensor4d(batch, [batchSize, c.imageSize, c.imageSize, c.channels]);
          const xt = qSample(schedule, x0, t, rng.normalTensor(x0.shape));
          const oneHot = tf.oneHot(tf.tensor1d(ys, 'int32'), c.numClasses);
          let correct = 0;
          const { value, grads } = tf.variableGrads(() => {
            const logits = classifier.logits(xt, t);
            correct = tf.equal(tf.argMax(logits, 1), tf.tensor1d(ys, 'int32')).sum().dataSync()[0];
            return tf.losses.softmaxCrossEntropy(oneHot, logits) as tf.Scalar;
          }, variables);
          optimizer.applyGradients(grads as Parameters<typeof optimizer.applyGradients>[0]);
          return [value.dataSync()[0], correct / batchSize];
        });
        losses.push(loss);
        accuracy.push(acc);
        return { loss, accuracy: acc };
      },
    });
    return { losses, accuracy, seconds: res.seconds };
  } finally {
    optimizer.dispose();
  }
}
