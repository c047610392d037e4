/**
 * Gradients of every layer kind the course's models train, on wasm (with the genbook kernels)
 * against the same computation on cpu: conv (stride 1 and 2, same/valid), conv-transpose with batch
 * norm and LeakyReLU (DCGAN), depthwise and separable conv, embeddings of class labels, PixelCNN's
 * masked convolution, a U-Net level (upsampling, concat, time embedding), attention (batched matmul).
 *
 * Tolerance: 1e-3 of each gradient's largest magnitude (several kernels chained, batch-norm
 * statistics of small batches amplify float32 rounding differences between the backends).
 */
import { expect } from 'chai';
import { backend, random, tf } from 'genbook';
import { expectClose, normalData, useWasm } from './wasm-compare';

const TOLERANCE = 1e-3;

type Loss = (x: tf.Tensor) => tf.Scalar;

/** ∂loss/∂(every trainable variable) and ∂loss/∂x on the active backend, as arrays. */
function gradients(loss: Loss, x: tf.Tensor, variables: tf.Variable[]): Float32Array[] {
  return tf.tidy(() => {
    const { grads } = tf.variableGrads(() => loss(x), variables);
    const dx = tf.grad((input: tf.Tensor) => loss(input))(x);
    return [...variables.map((v) => grads[v.name].dataSync() as Float32Array), dx.dataSync() as Float32Array];
  });
}

async function compareGradients(what: string, loss: Loss, xShape: number[], variables: tf.Variable[], xData?: Float32Array): Promise<void> {
  const rng = random.rng(400);
  const data = xData ?? normalData(rng, xShape);
  await tf.setBackend('wasm');
  const onWasm = gradients(loss, tf.tensor(data, xShape), variables);
  await tf.setBackend('cpu');
  const onCpu = gradients(loss, tf.tensor(data, xShape), variables);
  await tf.setBackend('wasm');
  expect(onWasm.length).to.equal(onCpu.length);
  onWasm.forEach((g, i) => {
    const name = i < variables.length ? variables[i].name : 'input';
    expectClose(g, onCpu[i], `${what}: ∂loss/∂${name}`, TOLERANCE);
    expect(Math.max(...onCpu[i].map(Math.abs)), `${what}: ∂loss/∂${name} is not all zero`).to.be.greaterThan(0);
  });
}

/** A model's trainable variables (the layers API keeps them as LayerVariables). */
function trainable(model: tf.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((w) => (w as unknown as { val: tf.Variable }).val);
}

/** Σ y·r for a fixed random r: every output element gets its own upstream gradient. */
function weightedSum(y: tf.Tensor, seed: number): tf.Scalar {
  const r = tf.tensor(normalData(random.rng(seed), y.shape), y.shape);
  return tf.sum(tf.mul(y, r)) as tf.Scalar;
}

function seededModel(layers: tf.layers.Layer[]): tf.Sequential {
  return tf.sequential({ layers });
}

function init(seed: number): ReturnType<typeof tf.initializers.glorotNormal> {
  return tf.initializers.glorotNormal({ seed });
}

describe('wasm layer gradients (against cpu)', function () {
  this.timeout(60000);
  const models: tf.LayersModel[] = [];

  before(useWasm);
  after(async () => {
    models.forEach((m) => m.dispose());
    await backend.setup('cpu', { log: null });
  });

  function keep<T extends tf.LayersModel>(m: T): T {
    models.push(m);
    return m;
  }

  it('conv2d: stride 1 same, stride 2 valid, stride 2 same with ReLU', async () => {
    for (const [strides, padding] of [[1, 'same'], [2, 'valid'], [2, 'same']] as [number, 'same' | 'valid'][]) {
      const model = keep(seededModel([
        tf.layers.conv2d({ inputShape: [9, 9, 3], filters: 8, kernelSize: 3, strides, padding, activation: 'relu', kernelInitializer: init(1) }),
        tf.layers.conv2d({ filters: 5, kernelSize: 2, strides, padding, kernelInitializer: init(2), biasInitializer: 'ones' }),
      ]));
      await compareGradients(`conv2d strides ${strides} ${padding}`, (x) => weightedSum(model.apply(x) as tf.Tensor, 11), [4, 9, 9, 3], trainable(model));
    }
  });

  it('conv2dTranspose with batch norm and LeakyReLU (the DCGAN generator block), k4 s2 and k3 s2', async () => {
    for (const kernelSize of [4, 3]) {
      const model = keep(seededModel([
        tf.layers.conv2dTranspose({ inputShape: [7, 7, 6], filters: 4, kernelSize, strides: 2, padding: 'same', kernelInitializer: init(3) }),
        tf.layers.batchNormalization({ momentum: 0.9 }),
        tf.layers.leakyReLU({ alpha: 0.2 }),
        tf.layers.conv2dTranspose({ filters: 1, kernelSize, strides: 2, padding: 'same', activation: 'tanh', kernelInitializer: init(4) }),
      ]));
      await compareGradients(
        `conv2dTranspose k${kernelSize}`,
        (x) => weightedSum(model.apply(x, { training: true }) as tf.Tensor, 12),
        [3, 7, 7, 6],
        trainable(model),
      );
    }
  });

  it('depthwiseConv2d (multiplier 2, stride 1 and 2) and separableConv2d', async () => {
    for (const strides of [1, 2]) {
      const model = keep(seededModel([
        tf.layers.depthwiseConv2d({ inputShape: [8, 8, 3], kernelSize: 3, depthMultiplier: 2, strides, padding: 'same', depthwiseInitializer: init(5) }),
        tf.layers.separableConv2d({ filters: 4, kernelSize: 3, padding: 'valid', depthwiseInitializer: init(6), pointwiseInitializer: init(7) }),
      ]));
      await compareGradients(`depthwise strides ${strides}`, (x) => weightedSum(model.apply(x) as tf.Tensor, 13), [2, 8, 8, 3], trainable(model));
    }
  });

  it('embedding of class labels (gather; its gradient is UnsortedSegmentSum) feeding a conv stack', async () => {
    const labels = tf.input({ shape: [3], dtype: 'int32' });
    let h = tf.layers.embedding({ inputDim: 10, outputDim: 16, embeddingsInitializer: init(8) }).apply(labels) as tf.SymbolicTensor;
    h = tf.layers.reshape({ targetShape: [3, 4, 4] }).apply(h) as tf.SymbolicTensor;
    h = tf.layers.conv2d({ filters: 2, kernelSize: 2, kernelInitializer: init(9) }).apply(h) as tf.SymbolicTensor;
    const model = keep(tf.model({ inputs: labels, outputs: h }));
    // Labels repeat (3 and 7 twice) so the segment sum really adds.
    const ids = tf.tensor2d([[3, 7, 3], [1, 7, 9]], [2, 3], 'int32');
    const variables = trainable(model);
    const loss = () => weightedSum(model.apply(ids) as tf.Tensor, 14);
    await tf.setBackend('wasm');
    const onWasm = tf.tidy(() => variables.map((v) => tf.variableGrads(loss, variables).grads[v.name].dataSync() as Float32Array));
    await tf.setBackend('cpu');
    const onCpu = tf.tidy(() => variables.map((v) => tf.variableGrads(loss, variables).grads[v.name].dataSync() as Float32Array));
    await tf.setBackend('wasm');
    onWasm.forEach((g, i) => expectClose(g, onCpu[i], `embedding: ∂loss/∂${variables[i].name}`, TOLERANCE));
    ids.dispose();
  });

  it("PixelCNN's masked convolutions (mask A then mask B, van den Oord et al. 2016 §3.5)", async () => {
    const k = 5;
    const mask = (type: 'A' | 'B', cin: number, cout: number): tf.Tensor4D =>
      tf.tidy(() => {
        const m = tf.buffer([k, k, cin, cout]);
        const centre = Math.floor(k / 2);
        for (let i = 0; i < k; i++)
          for (let j = 0; j < k; j++) {
            const visible = i < centre || (i === centre && (type === 'B' ? j <= centre : j < centre));
            if (!visible) continue;
            for (let a = 0; a < cin; a++) for (let b = 0; b < cout; b++) m.set(1, i, j, a, b);
          }
        return m.toTensor() as tf.Tensor4D;
      });
    const rng = random.rng(401);
    const w1 = tf.variable(tf.tensor4d(normalData(rng, [k, k, 1, 8]), [k, k, 1, 8]), true, 'masked_a');
    const w2 = tf.variable(tf.tensor4d(normalData(rng, [k, k, 8, 8]), [k, k, 8, 8]), true, 'masked_b');
    const maskA = mask('A', 1, 8);
    const maskB = mask('B', 8, 8);
    const loss: Loss = (x) => {
      const h = tf.relu(tf.conv2d(x as tf.Tensor4D, tf.mul(w1, maskA) as tf.Tensor4D, 1, 'same'));
      return weightedSum(tf.conv2d(h, tf.mul(w2, maskB) as tf.Tensor4D, 1, 'same'), 15);
    };
    const binary = Float32Array.from(normalData(rng, [2, 10, 10, 1]), (v) => (v > 0 ? 1 : 0));
    await compareGradients('masked conv', loss, [2, 10, 10, 1], [w1, w2], binary);
    tf.dispose([w1, w2, maskA, maskB]);
  });

  it('a U-Net level: stride-2 conv down, time embedding added, nearest upsampling, concat skip', async () => {
    // tfjs's cpu ResizeNearestNeighborGrad is wrong for batches > 1 (see the upsampling test
    // below), so the cpu reference upsamples by reshape + tile, the same function.
    const rng = random.rng(404);
    const v = (shape: number[], name: string) => tf.variable(tf.tensor(normalData(rng, shape), shape).mul(0.3), true, name);
    const variables = [v([3, 3, 2, 4], 'skip_w'), v([3, 3, 4, 8], 'down_w'), v([8], 'down_b'), v([6, 8], 'temb_w'), v([3, 3, 12, 2], 'out_w')];
    const [skipW, downW, downB, tembW, outW] = variables;
    const tData = tf.tensor2d(normalData(rng, [3, 6]), [3, 6]);
    const upsample = (x: tf.Tensor4D, factor: number): tf.Tensor4D => {
      const [b, h, w, c] = x.shape;
      if (tf.getBackend() === 'wasm') return tf.image.resizeNearestNeighbor(x, [h * factor, w * factor]);
      const rows = tf.tile(tf.reshape(x, [b * h, 1, w * c]), [1, factor, 1]); // each row `factor` times
      const cols = tf.tile(tf.reshape(rows, [b * h * factor * w, 1, c]), [1, factor, 1]); // each pixel
      return tf.reshape(cols, [b, h * factor, w * factor, c]);
    };
    const loss: Loss = (x) => {
      const skip = tf.relu(tf.conv2d(x as tf.Tensor4D, skipW as tf.Tensor4D, 1, 'same')); // [3, 8, 8, 4]
      let h = tf.add(tf.conv2d(skip, downW as tf.Tensor4D, 2, 'same'), downB) as tf.Tensor4D; // [3, 4, 4, 8]
      const temb = tf.reshape(tf.mul(tf.matMul(tData, tembW), tf.sigmoid(tf.matMul(tData, tembW))), [3, 1, 1, 8]);
      h = tf.add(h, upsample(temb as tf.Tensor4D, 4)) as tf.Tensor4D;
      h = tf.concat([upsample(h, 2), skip], 3); // [3, 8, 8, 12]
      return weightedSum(tf.conv2d(h, outW as tf.Tensor4D, 1, 'same'), 16);
    };
    await compareGradients('U-Net level', loss, [3, 8, 8, 2], variables);
    tf.dispose([...variables, tData]);
  });

  it('upSampling2d (nearest) gradient on wasm is the sum over each block of dy', async () => {
    await tf.setBackend('wasm');
    const rng = random.rng(405);
    for (const [b, h, w, c, s] of [[2, 1, 1, 3, 4], [3, 4, 4, 8, 2], [2, 3, 5, 2, 3]]) {
      const layer = tf.layers.upSampling2d({ size: [s, s] });
      const dy = tf.tensor4d(normalData(rng, [b, h * s, w * s, c]), [b, h * s, w * s, c]);
      const x = tf.zeros([b, h, w, c]);
      const grad = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(layer.apply(input) as tf.Tensor, dy)))(x);
      const blockSums = tf.sum(tf.reshape(dy, [b, h, s, w, s, c]), [2, 4]);
      expectClose(grad.dataSync() as Float32Array, blockSums.dataSync() as Float32Array, `upSampling2d [${b},${h},${w},${c}] ×${s}`);
      tf.dispose([dy, x, grad, blockSums]);
    }
  });

  it('attention: softmax(QKᵀ/√d)V with batched matmuls (cross-attention of latent diffusion)', async () => {
    const rng = random.rng(403);
    const d = 8;
    const wq = tf.variable(tf.tensor2d(normalData(rng, [d, d]), [d, d]), true, 'wq');
    const wk = tf.variable(tf.tensor2d(normalData(rng, [d, d]), [d, d]), true, 'wk');
    const wv = tf.variable(tf.tensor2d(normalData(rng, [d, d]), [d, d]), true, 'wv');
    const context = tf.tensor3d(normalData(rng, [2, 5, d]), [2, 5, d]);
    const loss: Loss = (x) => {
      const q = tf.matMul(tf.reshape(x, [-1, d]), wq).reshape([2, 7, d]);
      const kk = tf.matMul(tf.reshape(context, [-1, d]), wk).reshape([2, 5, d]);
      const v = tf.matMul(tf.reshape(context, [-1, d]), wv).reshape([2, 5, d]);
      const attention = tf.softmax(tf.div(tf.matMul(q, kk, false, true), Math.sqrt(d)));
      return weightedSum(tf.matMul(attention, v), 17);
    };
    await compareGradients('attention', loss, [2, 7, d], [wq, wk, wv]);
    tf.dispose([wq, wk, wv, context]);
  });
});
