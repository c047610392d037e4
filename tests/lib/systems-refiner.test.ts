/**
 * systems: SDXL's base + refiner — the step split, the routing of each reverse step to the right
 * model, equality with plain DDPM when both models are the same, and a refiner trained only on
 * t ≤ s.
 */
import { expect } from 'chai';
import { backend, diffusion, models, systems, tf } from 'genbook';

describe('systems: base + refiner', () => {
  before(async () => {
    await backend.setup('wasm', { log: null });
  });

  it('refinerSplit: base T … s+1, refiner s … 1, disjoint and covering 1 … T', () => {
    expect(systems.refinerSplit(10, 3)).to.deep.equal({ base: [10, 9, 8, 7, 6, 5, 4], refiner: [3, 2, 1] });
    expect(systems.refinerSplit(4, 0)).to.deep.equal({ base: [4, 3, 2, 1], refiner: [] });
    expect(systems.refinerSplit(4, 4)).to.deep.equal({ base: [], refiner: [4, 3, 2, 1] });
    const { base, refiner } = systems.refinerSplit(100, 20);
    expect([...base, ...refiner]).to.deep.equal(Array.from({ length: 100 }, (_, i) => 100 - i));
    expect(() => systems.refinerSplit(10, 11)).to.throw(RangeError, /switchStep/);
  });

  it('each reverse step calls the base for t > s and the refiner for t ≤ s; same model twice = plain DDPM', async () => {
    const schedule = diffusion.noiseSchedule('cosine', 12);
    const calls: [string, number][] = [];
    const eps = (name: string, scale: number): diffusion.EpsilonPredictor => (xt, t) => {
      calls.push([name, t]);
      return tf.mul(xt, scale);
    };
    const x = await systems.sampleBaseRefiner(schedule, eps('base', 0.3), eps('refiner', 0.5), { shape: [3, 2], seed: 4, switchStep: 5 });
    expect(calls).to.deep.equal([12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1].map((t) => [t > 5 ? 'base' : 'refiner', t]));
    const same = await systems.sampleBaseRefiner(schedule, eps('a', 0.3), eps('b', 0.3), { shape: [3, 2], seed: 4, switchStep: 5 });
    const plain = await diffusion.ddpmSample(schedule, eps('c', 0.3), { shape: [3, 2], seed: 4 });
    expect(same.arraySync()).to.deep.equal(plain.arraySync());
    expect(x.arraySync()).to.not.deep.equal(plain.arraySync());
    tf.dispose([x, same, plain]);
  });

  it('trainRefiner draws t only from 1 … maxStep and lowers the loss', async () => {
    const schedule = diffusion.noiseSchedule('cosine', 50);
    const net = new models.DiffusionMlp({ dataDim: 2, hiddenUnits: 16, layers: 2, seed: 1 });
    const seen: number[] = [];
    const recording = {
      numClasses: 0,
      nullLabel: 0,
      variables: () => net.variables(),
      apply: (xt: tf.Tensor, t: ArrayLike<number>) => {
        seen.push(...Array.from(t));
        return net.apply(xt, t);
      },
    };
    const x0 = Float32Array.from({ length: 200 }, (_, i) => (i % 2 === 0 ? 1 : -1) * ((i % 4) < 2 ? 1 : 0.5));
    const { losses } = await systems.trainRefiner({ network: recording, schedule, x0, dataDim: 2, maxStep: 10, steps: 80, batchSize: 32, seed: 2, learningRate: 3e-3 });
    expect(Math.max(...seen)).to.be.at.most(10);
    expect(Math.min(...seen)).to.equal(1);
    expect(new Set(seen).size).to.equal(10);
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(mean(losses.slice(-10))).to.be.lessThan(mean(losses.slice(0, 10)));
    net.dispose();
  });
});
