/**
 * systems: the two-level hierarchical VAE — NVAE's residual-normal KL equals the Gaussian KL of
 * info.gaussianKl, the hierarchical KL is the sum of the per-level terms (checked against a Monte
 * Carlo estimate of E_q[log q(z₁,z₂|x) − log p(z₁,z₂)]), and a short training run lowers the loss.
 */
import { expect } from 'chai';
import { backend, info, random, systems, tf } from 'genbook';

function logNormal(z: number[], mean: number[], logVar: number[]): number {
  let s = 0;
  for (let i = 0; i < z.length; i++) s += -0.5 * (Math.log(2 * Math.PI) + logVar[i] + (z[i] - mean[i]) ** 2 / Math.exp(logVar[i]));
  return s;
}

describe('systems: hierarchical VAE (NVAE idea)', () => {
  before(async () => {
    await backend.setup('wasm', { log: null });
  });

  it('residual-normal KL = KL(N(μ_p + Δμ, σ_p²Δσ²) ‖ N(μ_p, σ_p²)) from info.gaussianKl', () => {
    const dm = [0.3, -1.2, 0.05];
    const dlv = [0.2, -0.7, 0.0];
    const plv = [-0.5, 0.4, 1.1];
    const mp = [2, -1, 0.5];
    const kl = systems.residualNormalKl(tf.tensor2d([dm]), tf.tensor2d([dlv]), tf.tensor2d([plv])).dataSync()[0];
    const sp = plv.map((v) => Math.exp(v / 2));
    const sq = plv.map((v, i) => Math.exp((v + dlv[i]) / 2));
    const expected = info.gaussianKl(mp.map((m, i) => m + dm[i]), sq, mp, sp);
    expect(kl).to.be.closeTo(expected, 1e-5);
  });

  it('KL(q(z₁,z₂|x) ‖ p(z₁,z₂)) = KL_top + E KL_bottom (Monte Carlo of the log-density ratio)', () => {
    const model = new systems.HierarchicalVae({ dataDim: 6, hiddenUnits: 8, topDim: 2, bottomDim: 3, seed: 4 });
    const n = 20000;
    const rng = random.rng(5);
    const x = tf.tile(tf.tensor2d([[0, 1, 1, 0, 1, 0]]), [n, 1]);
    const eps2 = rng.normalTensor([n, 2]);
    const eps1 = rng.normalTensor([n, 3]);
    const e = model.negativeElbo(x, eps2, eps1);
    const d = model.distributions(x, eps2, eps1);
    const get = (t: tf.Tensor) => t.arraySync() as number[][];
    const [z2, z1, q2m, q2v, q1m, q1v, p1m, p1v] = [d.z2, d.z1, d.q2Mean, d.q2LogVar, d.q1Mean, d.q1LogVar, d.p1Mean, d.p1LogVar].map(get);
    let ratio = 0;
    let ratioSq = 0;
    for (let i = 0; i < n; i++) {
      const r =
        logNormal(z2[i], q2m[i], q2v[i]) + logNormal(z1[i], q1m[i], q1v[i]) - logNormal(z2[i], [0, 0], [0, 0]) - logNormal(z1[i], p1m[i], p1v[i]);
      ratio += r;
      ratioSq += r * r;
    }
    const mc = ratio / n;
    const se = Math.sqrt((ratioSq / n - mc * mc) / n);
    const klTop = e.klTop.dataSync()[0];
    const klBottom = e.klBottom.dataSync()[0];
    expect(e.loss.dataSync()[0]).to.be.closeTo(e.reconstruction.dataSync()[0] + klTop + klBottom, 1e-3);
    expect(klTop + klBottom).to.be.closeTo(mc, 4 * se + 1e-3);
    tf.dispose([x, eps2, eps1, e.loss, e.reconstruction, e.klTop, e.klBottom, ...Object.values(d)]);
    model.dispose();
  });

  it('a short training run on a toy set lowers the negative ELBO; samples are probabilities', async () => {
    const model = new systems.HierarchicalVae({ dataDim: 8, hiddenUnits: 16, topDim: 2, bottomDim: 2, seed: 1 });
    const x = Float32Array.from({ length: 8 * 40 }, (_, i) => (Math.floor(i / 8) % 2 === 0 ? (i % 2) : 1 - (i % 2)));
    const { history } = await systems.trainHierarchicalVae({ model, x, steps: 60, batchSize: 20, seed: 2, learningRate: 1e-2 });
    const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
    expect(mean(history.slice(-10).map((h) => h.loss))).to.be.lessThan(mean(history.slice(0, 10).map((h) => h.loss)));
    for (const h of history) expect(h.loss).to.be.closeTo(h.reconstruction + h.klTop + h.klBottom, 1e-3);
    const s = model.sample(tf.randomNormal([3, 2], 0, 1, 'float32', 1), tf.randomNormal([3, 2], 0, 1, 'float32', 2));
    expect(s.shape).to.deep.equal([3, 8]);
    for (const v of s.dataSync()) expect(v).to.be.within(0, 1);
    s.dispose();
    model.dispose();
  });
});
