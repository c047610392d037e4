/**
 * The genbook wasm training kernels against tfjs's `cpu` kernels on randomised shapes.
 * Tolerance: see RELATIVE_TOLERANCE in wasm-compare.ts (1e-4 of the result's scale).
 */
import { expect } from 'chai';
import { backend, random, tf } from 'genbook';
import { compareKernel, normalData, runKernel, useWasm } from './wasm-compare';

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
});
