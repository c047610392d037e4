/** hw02 hidden tests: PCA identities on other data, argument checks, autoencoder determinism and memory. */
import { expect } from 'chai';
import { data, tf } from 'genbook';
import type * as Hw02 from '../../notebooks/homework/hw02';
import { homework, ready } from '../homework/target';

const hw = homework<typeof Hw02>('hw02');

function sample(n: number, d: number, seed: number): number[][] {
  let state = seed;
  const next = () => ((state = (state * 1103515245 + 12345) % 2147483648) / 2147483648);
  // Correlated features: x_j = u_0 + j·u_j.
  return Array.from({ length: n }, () => {
    const u = Array.from({ length: d }, () => next() - 0.5);
    return u.map((v, j) => u[0] + (j + 1) * v);
  });
}

describe('Tasks 1–5 (hidden)', () => {
  it('covariance equals (XᵀX − n μμᵀ)/(n − 1) on random correlated data [1 pt]', () => {
    const x = sample(40, 4, 3);
    const n = x.length;
    const mu = [0, 1, 2, 3].map((j) => x.reduce((s, r) => s + r[j], 0) / n);
    const c = hw().covariance(x);
    for (let j = 0; j < 4; j++) {
      for (let k = 0; k < 4; k++) {
        const xtx = x.reduce((s, r) => s + r[j] * r[k], 0);
        expect(c[j][k]).to.be.closeTo((xtx - n * mu[j] * mu[k]) / (n - 1), 1e-10);
      }
    }
  });
  it('eigenvalues of a covariance sum to its trace and come out decreasing [1 pt]', () => {
    const c = hw().covariance(sample(60, 4, 5));
    const { eigenvalues } = hw().principalComponents(c, 4);
    const trace = c.reduce((s, row, i) => s + row[i], 0);
    expect(eigenvalues.reduce((a, b) => a + b, 0)).to.be.closeTo(trace, 1e-7);
    for (let i = 0; i + 1 < 4; i++) expect(eigenvalues[i]).to.be.at.least(eigenvalues[i + 1] - 1e-9);
  });
  it('PCA reconstruction error = (n − 1)/n · (dropped eigenvalues) / d [2 pts]', () => {
    const x = sample(50, 3, 9);
    const n = x.length;
    const mean = [0, 1, 2].map((j) => x.reduce((s, r) => s + r[j], 0) / n);
    const { components, eigenvalues } = hw().principalComponents(hw().covariance(x), 3);
    const top = components.slice(0, 1);
    const error = hw().reconstructionError(x, hw().reconstruct(hw().project(x, mean, top), mean, top));
    expect(error).to.be.closeTo(((n - 1) / n) * (eigenvalues[1] + eigenvalues[2]) / 3, 1e-8);
  });
  it('rejects k outside 1..d and a non-square matrix [1 pt]', () => {
    expect(() => hw().principalComponents([[1, 0], [0, 1]], 3)).to.throw(RangeError);
    expect(() => hw().principalComponents([[1, 0], [0, 1]], 0)).to.throw(RangeError);
    expect(() => hw().principalComponents([[1, 0, 0], [0, 1, 0]], 1)).to.throw(RangeError);
  });
});

describe('Task 6 (hidden): autoencoder hygiene', function () {
  this.timeout(120_000);
  it('the same seed gives the same model [1 pt]', async () => {
    await ready();
    const train = data.mnist({ split: 'train', limit: 300, seed: 4 });
    const x = tf.tensor2d(train.images.subarray(0, 10 * 784), [10, 784]);
    const run = () =>
      hw.remote(
        async (m, { images, count, x }) => {
          const ae = await m.trainAutoencoder(images, count, { codeSize: 8, steps: 5, seed: 11 });
          const codes = ae.encode(x);
          const values = Array.from(await codes.data());
          codes.dispose();
          ae.dispose();
          return values;
        },
        { images: train.images, count: train.count, x },
      );
    const a = await run();
    const b = await run();
    x.dispose();
    expect(a).to.have.length(80);
    a.forEach((v, i) => expect(v).to.be.closeTo(b[i], 1e-6));
  });
  it('training and dispose leave no tensors behind [1 pt]', async () => {
    await ready();
    const train = data.mnist({ split: 'train', limit: 200, seed: 6 });
    // Counted beside the submission, where its tensors live.
    const counts = await hw.remote(
      async (m, { images, count }, { tf }) => {
        const before = tf.memory().numTensors;
        const ae = await m.trainAutoencoder(images, count, { codeSize: 4, steps: 10, seed: 1 });
        ae.dispose();
        return { before, after: tf.memory().numTensors };
      },
      { images: train.images, count: train.count },
    );
    expect(counts.after).to.equal(counts.before);
  });
});
