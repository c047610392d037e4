/**
 * systems: ControlNet on the MLP denoiser — the zero layers output exactly zero at initialisation
 * (so the combined network equals the frozen one bit for bit), the trainable copy starts as a copy,
 * training moves only the control weights, and the image helpers against hand-computed values.
 */
import { expect } from 'chai';
import { backend, diffusion, models, systems, tf } from 'genbook';

describe('systems: ControlNet (zero-initialised layers, frozen base)', () => {
  before(async () => {
    await backend.setup('wasm', { log: null });
  });

  function setup(): { base: InstanceType<typeof models.DiffusionMlp>; cn: InstanceType<typeof systems.ControlNetMlp> } {
    const base = new models.DiffusionMlp({ dataDim: 6, hiddenUnits: 16, layers: 3, seed: 3 });
    const cn = new systems.ControlNetMlp(base, { conditionDim: 4, seed: 5 });
    return { base, cn };
  }

  it('at initialisation every zero layer outputs 0 and ε(x_t, t, c) equals the frozen ε(x_t, t) exactly', () => {
    const { base, cn } = setup();
    const x = tf.randomNormal([5, 6], 0, 1, 'float32', 1);
    const c = tf.randomNormal([5, 4], 0, 3, 'float32', 2);
    const t = [1, 7, 20, 50, 100];
    const a = cn.apply(x, t, c).arraySync() as number[][];
    const b = base.apply(x, t).arraySync() as number[][];
    expect(a).to.deep.equal(b);
    const zeros = cn.zeroVariables();
    expect(zeros.length).to.equal(2 * (1 + 3)); // zeroIn + zero0..2, kernel and bias each
    for (const v of zeros) expect(Math.max(...Array.from(v.dataSync()).map(Math.abs))).to.equal(0);
    // a zero layer on any input gives 0: the condition does not matter yet
    const c2 = tf.randomNormal([5, 4], 0, 3, 'float32', 9);
    expect(cn.apply(x, t, c2).arraySync()).to.deep.equal(a);
    // the trainable copy holds the base's values under the same names
    const baseRec = base.params.record();
    const ctrlRec = cn.control.record();
    for (const name of base.params.names()) expect(Array.from(ctrlRec[name].dataSync())).to.deep.equal(Array.from(baseRec[name].dataSync()));
    tf.dispose([x, c, c2]);
    cn.dispose();
    base.dispose();
  });

  it('training changes the zero layers and the copy, never the frozen weights, and lowers the loss', async () => {
    const { base, cn } = setup();
    const before = base.variables().map((v) => Array.from(v.dataSync()));
    const schedule = diffusion.noiseSchedule('cosine', 50);
    // data: x_0 = the condition repeated (so the condition is informative)
    const n = 64;
    const conditions = new Float32Array(n * 4);
    const x0 = new Float32Array(n * 6);
    for (let i = 0; i < n; i++) {
      const s = i % 2 === 0 ? 1 : -1;
      for (let j = 0; j < 4; j++) conditions[i * 4 + j] = s;
      for (let j = 0; j < 6; j++) x0[i * 6 + j] = s;
    }
    const { losses } = await systems.trainControlNet({ controlNet: cn, schedule, x0, conditions, steps: 60, batchSize: 32, seed: 1, learningRate: 3e-3 });
    const after = base.variables().map((v) => Array.from(v.dataSync()));
    expect(after).to.deep.equal(before);
    const moved = cn.zeroVariables().some((v) => Array.from(v.dataSync()).some((x) => x !== 0));
    expect(moved).to.equal(true);
    const first = losses.slice(0, 10).reduce((a, b) => a + b, 0) / 10;
    const last = losses.slice(-10).reduce((a, b) => a + b, 0) / 10;
    expect(last).to.be.lessThan(first);
    cn.dispose();
    base.dispose();
  });

  it('rejects a conditional base and a badly shaped condition', () => {
    const cond = new models.DiffusionMlp({ dataDim: 2, hiddenUnits: 8, numClasses: 3, seed: 1 });
    expect(() => new systems.ControlNetMlp(cond, { conditionDim: 2, seed: 1 })).to.throw(RangeError, /unconditional/);
    cond.dispose();
    const { base, cn } = setup();
    expect(() => cn.apply(tf.zeros([2, 6]), [1, 1], tf.zeros([2, 3]))).to.throw(RangeError, /condition/);
    cn.dispose();
    base.dispose();
  });
});

describe('systems: image helpers', () => {
  it('averagePool2, upsampleNearest2, IoU on hand-computed 4×4 / 2×2 images', () => {
    const img = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16]);
    expect(Array.from(systems.averagePool2(img, 4, 4))).to.deep.equal([3.5, 5.5, 11.5, 13.5]);
    expect(Array.from(systems.upsampleNearest2(Float32Array.from([1, 2, 3, 4]), 2, 2))).to.deep.equal([1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 4, 4, 3, 3, 4, 4]);
    const iou = systems.intersectionOverUnion(Float32Array.from([1, 1, 0, 0, 0, 0]), Float32Array.from([1, 0, 1, 0, 0, 0]), 3);
    expect(iou[0]).to.be.closeTo(1 / 3, 1e-7);
    expect(iou[1]).to.equal(1);
    // a filled 3×3 square in 5×5: 8 outline pixels, the centre is interior
    const sq = new Float32Array(25);
    for (let r = 1; r <= 3; r++) for (let c = 1; c <= 3; c++) sq[r * 5 + c] = 1;
    const e = systems.edgeMaps(sq, 5, 5);
    expect(e.reduce((a, b) => a + b, 0)).to.equal(8);
    expect(e[12]).to.equal(0);
  });
});
