/**
 * The genbook wasm training kernels against tfjs's `cpu` kernels on randomised shapes.
 * Tolerance: see RELATIVE_TOLERANCE in wasm-compare.ts (1e-4 of the result's scale).
 */
import { expect } from 'chai';
import { backend, random, tf } from 'genbook';
import { padsDyChannel } from '../../lib/src/backend/wasm/conv2d-backprop-input';
import { usesFewChannels } from '../../lib/src/backend/wasm/conv-few-channels';
import { preluRow } from '../../lib/src/backend/wasm/leaky-relu';
import { compareKernel, expectClose, normalData, runKernel, runNode, runOn, useWasm } from './wasm-compare';

type Pad = 'same' | 'valid' | [[number, number], [number, number], [number, number], [number, number]];

interface ConvCase {
  batch: number;
  height: number;
  width: number;
  inChannels: number;
  outChannels: number;
  filterHeight: number;
  filterWidth: number;
  strides: [number, number];
  pad: Pad;
}

/** x shape, filter shape, stride and padding of a convolution chosen to take one kernel path. */
type FixedConvCase = [[number, number, number, number], [number, number, number, number], number, 'same' | 'valid'];

/** Channel counts drawn from 1–64, weighted towards small ones to keep the cpu reference fast. */
const CHANNELS = [1, 2, 3, 4, 7, 8, 16, 32, 64];

function randomConvCase(rng: random.Rng, index: number): ConvCase {
  const filterHeight = rng.int(1, 6);
  const filterWidth = rng.int(1, 6);
  const strideChoices: [number, number][] = [[1, 1], [2, 2], [2, 1], [1, 2], [3, 3]];
  const strides = strideChoices[index % strideChoices.length];
  const padKind = index % 3;
  const pad: Pad =
    padKind === 0
      ? 'same'
      : padKind === 1
        ? 'valid'
        : [[0, 0], [rng.int(0, filterHeight), rng.int(0, filterHeight)], [rng.int(0, filterWidth), rng.int(0, filterWidth)], [0, 0]];
  const inChannels = CHANNELS[rng.int(0, CHANNELS.length)];
  const outChannels = CHANNELS[rng.int(0, CHANNELS.length)];
  // Keep the cpu reference's work small when both channel counts are large.
  const small = inChannels * outChannels > 256;
  return {
    batch: rng.int(1, small ? 3 : 5),
    height: filterHeight + rng.int(0, small ? 6 : 12),
    width: filterWidth + rng.int(0, small ? 6 : 12),
    inChannels,
    outChannels,
    filterHeight,
    filterWidth,
    strides,
    pad,
  };
}

function describeCase(c: ConvCase): string {
  return `x [${c.batch},${c.height},${c.width},${c.inChannels}] filter [${c.filterHeight},${c.filterWidth},${c.inChannels},${c.outChannels}] strides ${c.strides} pad ${JSON.stringify(c.pad)}`;
}

describe('wasm training kernels (against cpu)', function () {
  this.timeout(60000);

  before(useWasm);
  after(async () => {
    await backend.setup('cpu', { log: null });
  });

  it('registers the kernels when backend.setup picks wasm', () => {
    expect(backend.wasmTrainingKernelsRegistered()).to.equal(true);
    for (const name of backend.WASM_TRAINING_KERNELS) {
      expect(tf.getKernel(name, 'wasm'), name).to.not.equal(undefined);
    }
    expect(backend.current()?.reason).to.contain('genbook training kernels');
  });

  it('Conv2DBackpropInput (and so conv2dTranspose) matches cpu on 30 random shapes (stride 1–3, same/valid/explicit, channels 1–64)', async () => {
    const rng = random.rng(302);
    for (let i = 0; i < 30; i++) {
      const c = randomConvCase(rng, i);
      const xShape = [c.batch, c.height, c.width, c.inChannels] as [number, number, number, number];
      const filterShape = [c.filterHeight, c.filterWidth, c.inChannels, c.outChannels] as [number, number, number, number];
      const outShape = tf.backend_util.computeConv2DInfo(xShape, filterShape, c.strides, 1, c.pad).outShape;
      const filter = normalData(rng, filterShape);
      const dy = normalData(rng, outShape);
      await compareKernel(`Conv2DBackpropInput ${describeCase(c)}`, () =>
        runKernel('Conv2DBackpropInput', { dy: tf.tensor4d(dy, outShape), filter: tf.tensor4d(filter, filterShape) }, {
          strides: c.strides,
          pad: c.pad,
          dataFormat: 'NHWC',
          inputShape: xShape,
        }),
      );
    }
  });

  it('DepthwiseConv2dNativeBackpropFilter/Input match cpu on 24 random shapes (stride 1–2, dilation 1–2, multiplier 1–3)', async () => {
    const rng = random.rng(303);
    for (let i = 0; i < 24; i++) {
      const c = randomConvCase(rng, i);
      const multiplier = 1 + (i % 3);
      // tfjs allows dilation > 1 only with stride 1.
      const dilations: [number, number] = i % 4 === 3 ? [2, 2] : [1, 1];
      const strides: [number, number] = dilations[0] > 1 ? [1, 1] : c.strides[0] > 2 ? [2, 2] : ([c.strides[0], c.strides[0]] as [number, number]);
      const height = c.height + (dilations[0] - 1) * (c.filterHeight - 1);
      const width = c.width + (dilations[1] - 1) * (c.filterWidth - 1);
      const xShape = [c.batch, height, width, c.inChannels] as [number, number, number, number];
      const filterShape = [c.filterHeight, c.filterWidth, c.inChannels, multiplier] as [number, number, number, number];
      const outShape = tf.backend_util.computeConv2DInfo(xShape, filterShape, strides, dilations, c.pad, undefined, true).outShape;
      const x = normalData(rng, xShape);
      const filter = normalData(rng, filterShape);
      const dy = normalData(rng, outShape);
      const what = `x [${xShape}] filter [${filterShape}] strides ${strides} dilations ${dilations} pad ${JSON.stringify(c.pad)}`;
      const attrs = { strides, dilations, pad: c.pad };
      // tfjs's cpu kernels ignore dilations (its gradients never pass dilation > 1), so the
      // reference for dilation d is the dilation-1 kernel with the filter's taps spread d apart
      // (zeros between): the same convolution, computed independently.
      const d = dilations[0];
      const spread = [(c.filterHeight - 1) * d + 1, (c.filterWidth - 1) * d + 1, c.inChannels, multiplier] as [number, number, number, number];
      const spreadAttrs = { strides, dilations: [1, 1], pad: c.pad };
      const spreadFilter = (): tf.Tensor4D => {
        const buffer = tf.buffer(spread);
        const f = tf.tensor4d(filter, filterShape).bufferSync();
        for (let kh = 0; kh < c.filterHeight; kh++)
          for (let kw = 0; kw < c.filterWidth; kw++)
            for (let ci = 0; ci < c.inChannels; ci++)
              for (let m = 0; m < multiplier; m++) buffer.set(f.get(kh, kw, ci, m), kh * d, kw * d, ci, m);
        return buffer.toTensor() as tf.Tensor4D;
      };
      await compareKernel(
        `DepthwiseConv2dNativeBackpropFilter ${what}`,
        () => runKernel('DepthwiseConv2dNativeBackpropFilter', { x: tf.tensor4d(x, xShape), dy: tf.tensor4d(dy, outShape) }, { ...attrs, filterShape }),
        () =>
          tf.stridedSlice(
            runKernel('DepthwiseConv2dNativeBackpropFilter', { x: tf.tensor4d(x, xShape), dy: tf.tensor4d(dy, outShape) }, { ...spreadAttrs, filterShape: spread }),
            [0, 0, 0, 0], spread, [d, d, 1, 1],
          ),
      );
      await compareKernel(
        `DepthwiseConv2dNativeBackpropInput ${what}`,
        () => runKernel('DepthwiseConv2dNativeBackpropInput', { dy: tf.tensor4d(dy, outShape), filter: tf.tensor4d(filter, filterShape) }, { ...attrs, inputShape: xShape }),
        () => runKernel('DepthwiseConv2dNativeBackpropInput', { dy: tf.tensor4d(dy, outShape), filter: spreadFilter() }, { ...spreadAttrs, inputShape: xShape }),
      );
    }
  });

  it('BatchMatMul matches cpu with every transposeA/transposeB, batch 1 and batched, broadcast, vector sides, products computed transposed', async () => {
    const rng = random.rng(304);
    const shapes: [number[], number[]][] = [];
    for (let i = 0; i < 16; i++) {
      const m = rng.int(1, 70);
      const k = rng.int(1, 70);
      const n = rng.int(1, 70);
      const batchA = i % 4 === 0 ? [] : i % 4 === 1 ? [1] : i % 4 === 2 ? [3] : [2, 2];
      const batchB = i % 4 === 0 ? [] : i % 4 === 1 ? [1] : i % 4 === 2 ? (i % 8 === 2 ? [1] : [3]) : [2, 2];
      shapes.push([[...batchA, m, k], [...batchB, k, n]]);
    }
    shapes.push([[128, 784], [784, 256]]);
    // vector sides (the transpose is a reshape) and products cheaper computed transposed: a dense
    // layer with one output (dcgan's D logit: x [64, 6272], W [6272, 1]), an outer product, batched vectors
    shapes.push([[64, 6272], [6272, 1]], [[64, 64], [64, 6272]], [[9, 1], [1, 7]], [[1, 5], [5, 1]], [[3, 1, 4], [3, 4, 1]], [[2, 6, 1], [2, 1, 5]]);
    for (const [aShape, bShape] of shapes) {
      for (const transposeA of [false, true]) {
        for (const transposeB of [false, true]) {
          const rank = aShape.length;
          const aT = transposeA ? [...aShape.slice(0, -2), aShape[rank - 1], aShape[rank - 2]] : aShape;
          const bRank = bShape.length;
          const bT = transposeB ? [...bShape.slice(0, -2), bShape[bRank - 1], bShape[bRank - 2]] : bShape;
          if (aT.length < 2 || bT.length < 2) continue;
          const a = normalData(rng, aT);
          const b = normalData(rng, bT);
          await compareKernel(`BatchMatMul a [${aT}] b [${bT}] transposeA ${transposeA} transposeB ${transposeB}`, () =>
            tf.matMul(tf.tensor(a, aT), tf.tensor(b, bT), transposeA, transposeB),
          );
        }
      }
    }
  });

  it('BatchMatMul: the same data as the right operand in two shapes (a reshape) gives right products (the stock kernel reuses a stale packing)', async () => {
    const values = Array.from({ length: 24 }, (_, i) => i - 7);
    await compareKernel('matMul(1, x [6, 4]) then matMul(1, reshape(x, [4, 6])) and transposed uses', () => {
      const x = tf.tensor2d(values, [6, 4]);
      const first = tf.matMul(tf.ones([1, 6]), x);
      const reshaped = tf.matMul(tf.ones([1, 4]), tf.reshape(x, [4, 6]));
      const asColumn = tf.matMul(tf.ones([1, 24]), tf.reshape(x, [24, 1]));
      const transposed = tf.matMul(tf.ones([1, 4]), x, false, true).reshape([1, 6]);
      const again = tf.matMul(tf.ones([1, 6]), x);
      return [first, reshaped, asColumn, transposed, again];
    });
    // by hand, right after x was a [6, 4] right operand: the column sums of x seen as [4, 6],
    // Σ_r (6r + c − 7) = 8 + 4c
    const sums = tf.tidy(() => {
      const x = tf.tensor2d(values, [6, 4]);
      tf.matMul(tf.ones([1, 6]), x).dataSync();
      return tf.matMul(tf.ones([1, 4]), tf.reshape(x, [4, 6])).dataSync();
    });
    expect(Array.from(sums)).to.deep.equal([0, 1, 2, 3, 4, 5].map((c) => 8 + 4 * c));
  });

  it('Conv2DBackpropFilter with few input channels: a dy that was a matmul right operand in another shape gives the right gradient (stale packing)', async () => {
    // The few-channels path multiplies patchesᵀ by dy seen as [positions, co], the same data id as
    // dy. Had dy been a right operand in another shape just before, the stock kernel's packing cache
    // would answer with that shape's packing.
    const rng = random.rng(306);
    const x = normalData(rng, [2, 5, 5, 1]);
    const dy = normalData(rng, [2, 5, 5, 4]);
    await compareKernel('matMul(1, reshape(dy, [20, 10])) then Conv2DBackpropFilter(x [2,5,5,1], dy) for a 3×3 filter', () => {
      const dyT = tf.tensor4d(dy, [2, 5, 5, 4]);
      const first = tf.matMul(tf.ones([1, 20]), tf.reshape(dyT, [20, 10]));
      const dW = runKernel('Conv2DBackpropFilter', { x: tf.tensor4d(x, [2, 5, 5, 1]), dy: dyT }, {
        strides: [1, 1],
        pad: 'same',
        dataFormat: 'NHWC',
        filterShape: [3, 3, 1, 4],
      });
      return [first, dW];
    });
  });

  it('_FusedMatMul (bias + relu) matches cpu with transposes', async () => {
    const rng = random.rng(305);
    for (const [m, k, n] of [[5, 7, 3], [64, 100, 32], [1, 9, 40]]) {
      for (const transposeA of [false, true]) {
        for (const transposeB of [false, true]) {
          const aShape = transposeA ? [k, m] : [m, k];
          const bShape = transposeB ? [n, k] : [k, n];
          const a = normalData(rng, aShape);
          const b = normalData(rng, bShape);
          const bias = normalData(rng, [n]);
          await compareKernel(`_FusedMatMul [${m},${k},${n}] transposeA ${transposeA} transposeB ${transposeB}`, () =>
            tf.fused.matMul({
              a: tf.tensor2d(a, aShape as [number, number]),
              b: tf.tensor2d(b, bShape as [number, number]),
              transposeA,
              transposeB,
              bias: tf.tensor1d(bias),
              activation: 'relu',
            }),
          );
        }
      }
    }
  });

  it('UnsortedSegmentSum matches cpu (float32 and int32, repeated and out-of-range ids, 1-D and 2-D ids)', async () => {
    const rng = random.rng(306);
    for (const [idsShape, inner, numSegments] of [[[10], [4], 5], [[50], [16, 3], 7], [[3, 4], [2], 6], [[200], [], 10]] as [number[], number[], number][]) {
      const count = idsShape.reduce((p, d) => p * d, 1);
      const ids = Int32Array.from({ length: count }, () => rng.int(-1, numSegments + 1));
      const xShape = [...idsShape, ...inner];
      const x = normalData(rng, xShape);
      // tfjs's cpu kernel handles 1-D ids only: its reference gets the ids flattened.
      const flatShape = [count, ...inner];
      await compareKernel(
        `UnsortedSegmentSum ids [${idsShape}] x [${xShape}] segments ${numSegments}`,
        () => runKernel('UnsortedSegmentSum', { x: tf.tensor(x, xShape), segmentIds: tf.tensor(ids, idsShape, 'int32') }, { numSegments }),
        () => tf.unsortedSegmentSum(tf.tensor(x, flatShape), tf.tensor1d(ids, 'int32'), numSegments),
      );
      const xi = Int32Array.from(x, (v) => Math.round(v * 10));
      await compareKernel(
        `UnsortedSegmentSum int32 ids [${idsShape}]`,
        () => runKernel('UnsortedSegmentSum', { x: tf.tensor(xi, xShape, 'int32'), segmentIds: tf.tensor(ids, idsShape, 'int32') }, { numSegments }).toFloat(),
        () => tf.unsortedSegmentSum(tf.tensor(xi, flatShape, 'int32'), tf.tensor1d(ids, 'int32'), numSegments).toFloat(),
      );
    }
  });

  it('Slice, SplitV, Concat and Tile match cpu on random shapes (rank 1–5, float32 and int32)', async () => {
    const rng = random.rng(307);
    for (let i = 0; i < 40; i++) {
      const rank = 1 + (i % 5);
      const shape = Array.from({ length: rank }, () => rng.int(1, 6));
      const dtype = i % 4 === 3 ? 'int32' : 'float32';
      const data = normalData(rng, shape).map((v) => (dtype === 'int32' ? Math.round(v * 100) : v));
      const x = () => tf.tensor(data, shape, dtype);
      const begin = shape.map((d) => rng.int(0, d));
      const size = shape.map((d, a) => (rng.uniform() < 0.3 ? -1 : rng.int(1, d - begin[a] + 1)));
      const axis = rng.int(0, rank);
      const reps = shape.map(() => rng.int(1, 4));
      const parts = Math.min(shape[axis], 3);
      const sizes = Array.from({ length: parts }, (_, k) => (k < parts - 1 ? 1 : shape[axis] - (parts - 1)));
      const other = shape.slice();
      other[axis] = rng.int(1, 4);
      const otherData = normalData(rng, other);
      const what = `${dtype} [${shape}] begin [${begin}] size [${size}] axis ${axis} reps [${reps}]`;
      await compareKernel(`Slice ${what}`, () => tf.slice(x(), begin, size).toFloat());
      await compareKernel(`SplitV ${what}`, () => tf.split(x(), sizes, axis).map((t) => t.toFloat()));
      await compareKernel(`Concat ${what}`, () =>
        tf.concat([x().toFloat(), tf.tensor(otherData, other), x().toFloat()], axis),
      );
      await compareKernel(`Tile ${what}`, () => tf.tile(x(), reps).toFloat());
    }
  });

  it('Slice, SplitV, Concat, Tile and Transpose move int32 values bit for bit, also those whose bits are a float32 signalling NaN (fresh process, 1 and 2 threads)', () => {
    // int32 in [2139095041, 2143289343] or [−8388607, −4194305] has the bits of a float32 signalling
    // NaN. Copied through a Float32Array element by code V8 has not optimised yet, it came back
    // quieted (−5 000 000 → −805 696), so this runs in a fresh process, the copies first.
    const script = `
      const { backend, tf } = require('genbook');
      (async () => {
        await backend.setup('wasm', { log: null });
        const v = [-5000000, -8388607, -4194305, 2139095041, 2143289343, 7, -1];
        const x = tf.tensor(v, [7], 'int32');
        const rows = 13 * 256;
        const big = Array.from({ length: rows * 3 }, (_, i) => v[i % 7]);
        const four = Array.from({ length: 64 * 2 * 2 * 64 }, (_, i) => v[i % 7]);
        const out = {
          slice: Array.from(tf.slice(x, [1], [5]).dataSync()),
          concat: Array.from(tf.concat([x, tf.tensor([-6000000], [1], 'int32'), x]).dataSync()),
          split: tf.split(x, [3, 4]).map((t) => Array.from(t.dataSync())),
          tile: Array.from(tf.tile(tf.reshape(x, [7, 1]), [1, 3]).dataSync()),
          blocked: Array.from(tf.transpose(tf.tensor(big, [rows, 3], 'int32')).dataSync()),
          toChannels: Array.from(tf.transpose(tf.tensor(four, [64, 2, 2, 64], 'int32'), [3, 1, 2, 0]).dataSync()),
          big, four,
        };
        console.log(JSON.stringify(out));
      })();`;
    for (const threads of ['1', '2']) {
      const run = runNode([], script, { GENBOOK_THREADS: threads });
      expect(run.status, run.stderr).to.equal(0);
      const out = JSON.parse(run.stdout.trim().split('\n').pop() as string) as Record<string, number[] & number[][]>;
      const v = [-5000000, -8388607, -4194305, 2139095041, 2143289343, 7, -1];
      const what = `${threads} thread(s)`;
      expect(out.slice, `slice, ${what}`).to.deep.equal(v.slice(1, 6));
      expect(out.concat, `concat, ${what}`).to.deep.equal([...v, -6000000, ...v]);
      expect(out.split, `split, ${what}`).to.deep.equal([v.slice(0, 3), v.slice(3)]);
      expect(out.tile, `tile, ${what}`).to.deep.equal(v.flatMap((k) => [k, k, k]));
      const rows = 13 * 256;
      expect(out.blocked.findIndex((k, j) => k !== out.big[(j % rows) * 3 + Math.floor(j / rows)]), `blocked transpose, ${what}`).to.equal(-1);
      // toChannels[c, h, w, b] = four[b, h, w, c] (C = 64, H·W = 4, B = 64)
      expect(out.toChannels.findIndex((k, j) => k !== out.four[((j % 64) * 4 + (Math.floor(j / 64) % 4)) * 64 + Math.floor(j / 256)]), `batch-to-channels transpose, ${what}`).to.equal(-1);
    }
  });

  it('Sum and Mean match cpu for every subset of axes of random rank-1–5 tensors, with and without keepDims', async () => {
    const rng = random.rng(308);
    for (let rank = 1; rank <= 5; rank++) {
      const shape = Array.from({ length: rank }, () => rng.int(1, 7));
      const data = normalData(rng, shape);
      for (let mask = 1; mask < 1 << rank; mask++) {
        const axes = Array.from({ length: rank }, (_, a) => a).filter((a) => mask & (1 << a));
        const keepDims = mask % 2 === 0;
        await compareKernel(`Sum/Mean [${shape}] axes [${axes}] keepDims ${keepDims}`, () => {
          const x = tf.tensor(data, shape);
          return [tf.sum(x, axes, keepDims), tf.mean(x, axes, keepDims)];
        });
      }
    }
  });

  it('Sum and Mean over rows of channels (the pooled path) match cpu: training shapes, a prime row count, a leading kept axis', async () => {
    const rng = random.rng(309);
    // [shape, axes]: a conv bias gradient, 1-row blocks (R prime), R = 64·k, a kept leading axis, a dense bias gradient
    const cases: [number[], number[]][] = [
      [[64, 14, 14, 64], [0, 1, 2]],
      [[1, 13, 1, 5], [1]],
      [[131, 7], [0]],
      [[2, 64, 3], [0, 1]],
      [[8, 28, 28, 16], [1, 2]],
      [[3, 1, 29, 4], [1, 2]],
      [[64, 10], [0]],
      [[1, 64, 6272], [0, 1]],
      // the innermost axis reduced too: group normalisation's [B, H, W, G, C/G] over H, W, C/G; [R, C, R]
      [[8, 14, 14, 8, 6], [1, 2, 4]],
      [[40, 3, 7], [0, 2]],
    ];
    for (const [shape, axes] of cases) {
      const data = normalData(rng, shape);
      for (const keepDims of [false, true]) {
        await compareKernel(`Sum/Mean [${shape}] axes [${axes}] keepDims ${keepDims}`, () => {
          const x = tf.tensor(data, shape);
          return [tf.sum(x, axes, keepDims), tf.mean(x, axes, keepDims)];
        });
      }
    }
  });

  it('LeakyRelu (XNNPACK\'s PReLU) and its gradient (dy·step(x, α)) equal the stock kernels exactly, at ±∞ and 0 too (NaN stays NaN; a −0 result is +0); unregistering restores tfjs\'s gradient', async () => {
    const rng = random.rng(310);
    const special = [0, -0, Infinity, -Infinity, NaN, 1e-45, -1e-45, 3.4e38, -3.4e38];
    const values = Float32Array.from([...special, ...rng.normals(64 * 7 * 7 * 8 - special.length)]);
    const dyValues = Float32Array.from(rng.normals(values.length));
    const shape = [64, 7, 7, 8];
    const run = () => {
      const x = tf.tensor(values, shape);
      const dy = tf.tensor(dyValues, shape);
      return [tf.leakyRelu(x, 0.2), tf.grad((a: tf.Tensor) => tf.leakyRelu(a, 0.2))(x, dy), tf.leakyRelu(x, 0.01)];
    };
    const [ours, cpu] = [await runOn('wasm', run), await runOn('cpu', run)];
    backend.registerWasmTrainingKernels(); // puts this copy's gradient back if another copy of genbook replaced it
    const ourGradient = tf.getGradient('LeakyRelu');
    backend.unregisterWasmTrainingKernels();
    let stock: Float32Array[];
    let stockGradient: tf.GradConfig | undefined;
    try {
      stockGradient = tf.getGradient('LeakyRelu');
      stock = await runOn('wasm', run);
    } finally {
      backend.registerWasmTrainingKernels();
    }
    expect(stockGradient, 'unregistering puts back tfjs\'s gradient').to.not.equal(ourGradient);
    expect(tf.getGradient('LeakyRelu')).to.equal(ourGradient);
    // ... and it really was tfjs's: its gradient at x = NaN is α·dy, finite (ours is NaN)
    expect(Number.isFinite(stock[1][4]), `stock gradient at NaN: ${stock[1][4]}`).to.equal(true);
    ours.forEach((out, i) => {
      // Object.is: the same bits as the stock wasm kernels up to NaN's payload. Two documented
      // differences: at x = NaN our gradient is NaN (step(NaN) is NaN), tfjs's gives α·dy; and
      // where α·x is −0 (x = −0, or a negative x so small that α·x underflows) PReLU gives +0
      // (XNNPACK computes max(x, 0) + α·min(x, 0)), the stock kernel −0.
      const expected = (j: number) =>
        i === 1 && Number.isNaN(values[j]) ? NaN : i !== 1 && Object.is(stock[i][j], -0) ? 0 : stock[i][j];
      const differ = Array.from(out).findIndex((v, j) => !Object.is(v, expected(j)));
      expect(differ, `output ${i}: first difference at ${differ} (${out[differ]} vs ${stock[i][differ]}, x = ${values[differ]})`).to.equal(-1);
      // cpu rounds α·x from float64 (α = 0.2 is not a float32): equal to rounding, on the finite values
      const finite = (a: Float32Array) => a.filter((_, j) => j >= special.length);
      expectClose(finite(out), finite(cpu[i]), `output ${i} against cpu`, 1e-6);
    });
    expect(ours[0][1]).to.satisfy((v: number) => Object.is(v, 0));
    expect(stock[0][1]).to.satisfy((v: number) => Object.is(v, -0));
    // by hand at x = 0, −0, +∞, −∞, NaN: α·dy, α·dy, dy, α·dy, NaN (float32 products)
    const alphaDy = (v: number) => Math.fround(v * Math.fround(0.2));
    const byHand = [alphaDy(dyValues[0]), alphaDy(dyValues[1]), dyValues[2], alphaDy(dyValues[3]), NaN];
    byHand.forEach((v, j) => expect(Object.is(ours[1][j], v), `gradient at x = ${values[j]}: ${ours[1][j]} vs ${v}`).to.equal(true));
  });

  it('LeakyRelu takes PReLU rows of 16–512 values, and x·step(x, α) where the size has no such divisor, equal to the stock kernel there (−0 stays −0)', async () => {
    expect(preluRow(64 * 14 * 14 * 64)).to.equal(512);
    expect(preluRow(64 * 28 * 28)).to.equal(512);
    expect(preluRow(3 * 7 * 7 * 3)).to.equal(441);
    expect(preluRow(17 * 3)).to.equal(51);
    expect(preluRow(2 * 521)).to.equal(0); // 521 is prime
    expect(preluRow(15)).to.equal(0);
    const special = [0, -0, Infinity, -Infinity, NaN, 1e-45, -1e-45, 3.4e38, -3.4e38];
    const values = Float32Array.from([...special, ...random.rng(312).normals(2 * 521 - special.length)]);
    const run = () => [tf.leakyRelu(tf.tensor(values, [2, 521]), 0.2)];
    const ours = await runOn('wasm', run);
    backend.unregisterWasmTrainingKernels();
    let stock: Float32Array[];
    try {
      stock = await runOn('wasm', run);
    } finally {
      backend.registerWasmTrainingKernels();
    }
    const differ = Array.from(ours[0]).findIndex((v, j) => !Object.is(v, stock[0][j]));
    expect(differ, `first difference at ${differ} (${ours[0][differ]} vs ${stock[0][differ]}, x = ${values[differ]})`).to.equal(-1);
    expect(ours[0][1]).to.satisfy((v: number) => Object.is(v, -0));
  });

  it('FusedBatchNorm (γ·(x − μ)/√(σ² + ε) + β) matches cpu: per-channel, scalar and [1, 1, 1, C] statistics, no γ or β, a large mean, statistics broadcast along H, rank-2 x, and its gradient', async () => {
    const rng = random.rng(311);
    const shape = [16, 7, 7, 24];
    const data = normalData(rng, shape);
    const stat = (n: number, shift = 0, positive = false) => Float32Array.from(rng.normals(n), (v) => (positive ? 0.2 + Math.abs(v) : v + shift));
    const [mu, variance, beta, gamma] = [stat(24), stat(24, 0, true), stat(24), stat(24)];
    const cases: [string, () => tf.Tensor][] = [
      ['per channel', () => tf.batchNorm(tf.tensor(data, shape), tf.tensor(mu), tf.tensor(variance), tf.tensor(beta), tf.tensor(gamma), 1e-3)],
      ['no β, no γ', () => tf.batchNorm(tf.tensor(data, shape), tf.tensor(mu), tf.tensor(variance), undefined, undefined, 1e-5)],
      ['scalar statistics', () => tf.batchNorm(tf.tensor(data, shape), tf.tensor([0.3]), tf.tensor([2]), tf.tensor([-1]), tf.tensor([0.5]), 1e-3)],
      ['[1, 1, 1, C] statistics', () => tf.batchNorm(tf.tensor(data, shape), tf.tensor(mu, [1, 1, 1, 24]), tf.tensor(variance, [1, 1, 1, 24]), tf.tensor(beta, [1, 1, 1, 24]), tf.tensor(gamma, [1, 1, 1, 24]), 1e-3)],
      // x around 1000 with σ ≈ 1: y = O(1); x − μ first keeps its precision
      ['mean 1000', () => tf.batchNorm(tf.add(tf.tensor(data, shape), 1000), tf.add(tf.tensor(mu), 1000), tf.tensor(variance), tf.tensor(beta), tf.tensor(gamma), 1e-3)],
      ['rank-2 x', () => tf.batchNorm(tf.tensor(data, [16 * 49, 24]), tf.tensor(mu), tf.tensor(variance), tf.tensor(beta), tf.tensor(gamma), 1e-3)],
    ];
    for (const [what, f] of cases) await compareKernel(`FusedBatchNorm ${what}`, f);
    // Statistics that broadcast along a middle axis: against the formula written with broadcasting
    // ops (tfjs's cpu and stock wasm kernels repeat the statistics in x's flat order instead)
    const [m7, v7] = [tf.tensor(stat(7 * 24), [1, 7, 1, 24]), tf.tensor(stat(7 * 24, 0, true), [1, 7, 1, 24])];
    const [m7v, v7v] = [m7.dataSync().slice(), v7.dataSync().slice()];
    tf.dispose([m7, v7]);
    await compareKernel(
      'FusedBatchNorm [1, 7, 1, 24] statistics',
      () => tf.batchNorm(tf.tensor(data, shape), tf.tensor(m7v, [1, 7, 1, 24]), tf.tensor(v7v, [1, 7, 1, 24]), undefined, undefined, 1e-3),
      () => tf.div(tf.sub(tf.tensor(data, shape), tf.tensor(m7v, [1, 7, 1, 24])), tf.sqrt(tf.add(tf.tensor(v7v, [1, 7, 1, 24]), 1e-3))),
    );
    const dy = normalData(rng, shape);
    await compareKernel('FusedBatchNorm gradient', () =>
      tf.grads((x: tf.Tensor, m: tf.Tensor, v: tf.Tensor, b: tf.Tensor, g: tf.Tensor) => tf.batchNorm(x, m, v, b, g, 1e-3))(
        [tf.tensor(data, shape), tf.tensor(mu), tf.tensor(variance), tf.tensor(beta), tf.tensor(gamma)],
        tf.tensor(dy, shape),
      ),
    );
  });

  it('Identity and same-dtype Cast share data without copying, and tensors stay independent', async () => {
    await useWasm();
    const x = tf.tensor1d([1, 2, 3]);
    const before = tf.memory().numDataBuffers;
    const y = tf.clone(x);
    const z = tf.cast(x, 'float32');
    expect(tf.memory().numDataBuffers, 'no new data buffer for a clone or a same-dtype cast').to.equal(before);
    x.dispose();
    expect(Array.from(y.dataSync())).to.deep.equal([1, 2, 3]);
    expect(Array.from(z.dataSync())).to.deep.equal([1, 2, 3]);
    const w = tf.cast(y, 'int32');
    expect(w.dtype).to.equal('int32');
    expect(Array.from(w.dataSync())).to.deep.equal([1, 2, 3]);
    tf.dispose([y, z, w]);
  });

  it('ResizeNearestNeighborGrad and ResizeBilinearGrad are the adjoints of the resizes: <resize(x), dy> = <x, grad(dy)>', async () => {
    await useWasm();
    const rng = random.rng(309);
    for (const [shape, size, alignCorners, halfPixelCenters] of [
      [[3, 4, 4, 8], [8, 8], false, false],
      [[2, 3, 5, 3], [7, 4], true, false],
      [[2, 3, 5, 3], [7, 4], false, true],
      [[1, 6, 4, 2], [3, 9], false, false],
    ] as [[number, number, number, number], [number, number], boolean, boolean][]) {
      for (const kind of ['nearest', 'bilinear']) {
        const x = tf.tensor4d(normalData(rng, shape), shape);
        const outShape = [shape[0], size[0], size[1], shape[3]];
        const dy = tf.tensor(normalData(rng, outShape), outShape);
        const resize = (input: tf.Tensor4D) =>
          kind === 'nearest'
            ? tf.image.resizeNearestNeighbor(input, size, alignCorners, halfPixelCenters)
            : tf.image.resizeBilinear(input, size, alignCorners, halfPixelCenters);
        const grad = tf.grad((input: tf.Tensor) => tf.sum(tf.mul(resize(input as tf.Tensor4D), dy)))(x);
        expect(grad.shape, `${kind} gradient shape`).to.deep.equal(shape);
        const lhs = tf.sum(tf.mul(resize(x), dy)).dataSync()[0];
        const rhs = tf.sum(tf.mul(x, grad)).dataSync()[0];
        expect(Math.abs(lhs - rhs), `${kind} ${JSON.stringify([shape, size, alignCorners, halfPixelCenters])}: ${lhs} vs ${rhs}`).to.be.at.most(1e-4 * Math.max(1, Math.abs(lhs)));
        tf.dispose([x, dy, grad]);
      }
    }
  });

  it('Conv2DBackpropFilter matches cpu on 30 random shapes (stride 1–3, same/valid/explicit, channels 1–64)', async () => {
    const rng = random.rng(301);
    for (let i = 0; i < 30; i++) {
      const c = randomConvCase(rng, i);
      const xShape = [c.batch, c.height, c.width, c.inChannels] as [number, number, number, number];
      const filterShape = [c.filterHeight, c.filterWidth, c.inChannels, c.outChannels] as [number, number, number, number];
      const outShape = tf.backend_util.computeConv2DInfo(xShape, filterShape, c.strides, 1, c.pad).outShape;
      const x = normalData(rng, xShape);
      const dy = normalData(rng, outShape);
      await compareKernel(`Conv2DBackpropFilter ${describeCase(c)}`, () =>
        runKernel('Conv2DBackpropFilter', { x: tf.tensor4d(x, xShape), dy: tf.tensor4d(dy, outShape) }, {
          strides: c.strides,
          pad: c.pad,
          dataFormat: 'NHWC',
          filterShape,
        }),
      );
    }
  });

  it('Conv2DBackpropFilter matches cpu where out_h·out_w·batch is a multiple of 256 (the kernel adds a zero image to avoid a cache-thrashing transpose)', async () => {
    const rng = random.rng(309);
    // 8·8·4 = 256 (3×3 same, stride 1); 16·16·1 = 256; 4·4·16 = 256 (stride 2, a 5×5 filter); all
    // with more than 64 taps, so not the few-channel path
    const cases: FixedConvCase[] = [
      [[4, 8, 8, 8], [3, 3, 8, 6], 1, 'same'],
      [[1, 16, 16, 8], [3, 3, 8, 40], 1, 'same'],
      [[16, 8, 8, 7], [5, 5, 7, 9], 2, 'same'],
    ];
    for (const [xShape, filterShape, stride, pad] of cases) {
      const outShape = tf.backend_util.computeConv2DInfo(xShape, filterShape, stride, 1, pad).outShape;
      expect((outShape[1] * outShape[2] * outShape[0]) % 256, `[${xShape}] takes the padded path`).to.equal(0);
      expect(filterShape[0] * filterShape[1] * filterShape[2], 'more taps than the few-channel limit').to.be.above(64);
      const x = normalData(rng, xShape);
      const dy = normalData(rng, outShape);
      await compareKernel(`Conv2DBackpropFilter x [${xShape}] filter [${filterShape}] stride ${stride} ${pad}`, () =>
        runKernel('Conv2DBackpropFilter', { x: tf.tensor4d(x, xShape), dy: tf.tensor4d(dy, outShape) }, {
          strides: stride,
          pad,
          dataFormat: 'NHWC',
          filterShape,
        }),
      );
    }
  });

  it('Conv2DBackpropInput matches cpu where a phase sub-filter has taps·c_out rows, a multiple of 256 (dy gets a channel of zeros)', async () => {
    const rng = random.rng(310);
    // dcgan's layer at batch 2 (2×2 taps per phase · 128 = 512); stride 1 (the one phase is dx:
    // 16 taps · 16 = 256); 2×2 filter, stride 2 (1 tap per phase · 256); 3×3, stride 2 (phases of
    // 4, 2, 2 and 1 taps · 64: only the 4-tap phase has 256 rows)
    const cases: FixedConvCase[] = [
      [[2, 14, 14, 64], [4, 4, 64, 128], 2, 'same'],
      [[2, 6, 6, 5], [4, 4, 5, 16], 1, 'same'],
      [[1, 6, 6, 17], [2, 2, 17, 256], 2, 'valid'],
      [[2, 9, 9, 8], [3, 3, 8, 64], 2, 'same'],
    ];
    for (const [xShape, filterShape, stride, pad] of cases) {
      const info = tf.backend_util.computeConv2DInfo(xShape, filterShape, stride, 1, pad);
      expect(padsDyChannel(info), `[${filterShape}] stride ${stride} takes the padded path`).to.equal(true);
      expect(usesFewChannels(info), `[${filterShape}] is not a few-channel layer`).to.equal(false);
      const filter = normalData(rng, filterShape);
      const dy = normalData(rng, info.outShape);
      await compareKernel(`Conv2DBackpropInput dy [${info.outShape}] filter [${filterShape}] stride ${stride} ${pad}`, () =>
        runKernel('Conv2DBackpropInput', { dy: tf.tensor4d(dy, info.outShape), filter: tf.tensor4d(filter, filterShape) }, {
          strides: stride,
          pad,
          dataFormat: 'NHWC',
          inputShape: xShape,
        }),
      );
    }
    // Not padded: 2×2 taps · 60 rows; 2×2 · 64 rows, but sub-filters (4 · 256 · 8 values) small
    // against dy (64 · 7 · 7 · 64): the copy would cost more than it saves.
    expect(padsDyChannel(tf.backend_util.computeConv2DInfo([2, 14, 14, 8], [4, 4, 8, 60], 2, 1, 'same'))).to.equal(false);
    expect(padsDyChannel(tf.backend_util.computeConv2DInfo([64, 14, 14, 8], [4, 4, 8, 64], 2, 1, 'same'))).to.equal(false);
    expect(padsDyChannel(tf.backend_util.computeConv2DInfo([64, 14, 14, 64], [4, 4, 64, 128], 2, 1, 'same')), "dcgan's layer").to.equal(true);
  });
});
