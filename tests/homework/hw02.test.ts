/**
 * hw02 public tests: covariance, PCA by power iteration, projection and reconstruction, and an
 * autoencoder that must beat a reconstruction-MSE bar on MNIST within a step budget.
 */
import { expect } from 'chai';
import { data, tf } from 'genbook';
import type * as Hw02 from '../../notebooks/homework/hw02';
import { homework, ready } from './target';

const hw = homework<typeof Hw02>('hw02');

/** Entries of two matrices agree within `tol`. */
function expectClose(actual: readonly (readonly number[])[], expected: readonly (readonly number[])[], tol: number): void {
  expect(actual.length).to.equal(expected.length);
  actual.forEach((row, i) => {
    expect(row.length).to.equal(expected[i].length);
    row.forEach((v, j) => expect(v, `[${i}][${j}]`).to.be.closeTo(expected[i][j], tol));
  });
}

describe('Task 1: covariance', () => {
  it('matches a covariance computed by hand [2 pts]', () => {
    // Means (3, 2); deviations (−2, 0), (0, 2), (2, −2); divide by n − 1 = 2.
    expectClose(hw().covariance([[1, 2], [3, 4], [5, 0]]), [[4, -2], [-2, 4]], 1e-12);
  });
  it('rejects fewer than two rows and ragged rows [1 pt]', () => {
    expect(() => hw().covariance([[1, 2]])).to.throw(RangeError);
    expect(() => hw().covariance([[1, 2], [3]])).to.throw(RangeError);
  });
});

describe('Task 2: principalComponents', () => {
  it('finds eigenvalues 6 and 2 of [[4, −2], [−2, 4]] with their eigenvectors [2 pts]', () => {
    const { components, eigenvalues } = hw().principalComponents([[4, -2], [-2, 4]], 2);
    expect(eigenvalues[0]).to.be.closeTo(6, 1e-8);
    expect(eigenvalues[1]).to.be.closeTo(2, 1e-8);
    const s = Math.SQRT1_2;
    // Up to sign: (1, −1)/√2 and (1, 1)/√2.
    expect(Math.abs(components[0][0] * s - components[0][1] * s)).to.be.closeTo(1, 1e-8);
    expect(Math.abs(components[1][0] * s + components[1][1] * s)).to.be.closeTo(1, 1e-8);
  });
  it('recovers a rotated diagonal matrix: C v = λ v, orthonormal components [2 pts]', () => {
    // C = R diag(5, 2, 0.5) Rᵀ with R a rotation by 30° in the x–y plane.
    const c30 = Math.cos(Math.PI / 6);
    const s30 = Math.sin(Math.PI / 6);
    const r = [[c30, -s30, 0], [s30, c30, 0], [0, 0, 1]];
    const lambda = [5, 2, 0.5];
    const cov = r.map((ri) => r.map((rj) => ri.reduce((s, _, k) => s + ri[k] * lambda[k] * rj[k], 0)));
    const { components, eigenvalues } = hw().principalComponents(cov, 3);
    expect(eigenvalues.map((v) => Number(v.toFixed(8)))).to.deep.equal(lambda);
    components.forEach((v, a) => {
      const cv = cov.map((row) => row.reduce((s, x, j) => s + x * v[j], 0));
      cv.forEach((x, i) => expect(x).to.be.closeTo(eigenvalues[a] * v[i], 1e-7));
      components.forEach((w, b) => expect(v.reduce((s, x, i) => s + x * w[i], 0)).to.be.closeTo(a === b ? 1 : 0, 1e-7));
    });
  });
});

describe('Tasks 3–5: project, reconstruct, reconstructionError', () => {
  it('points on the line y = 2x + 1 reconstruct exactly from one component [2 pts]', () => {
    const points = [[0, 1], [1, 3], [2, 5], [3, 7]];
    const mean = [1.5, 4];
    const direction = [1 / Math.sqrt(5), 2 / Math.sqrt(5)];
    const codes = hw().project(points, mean, [direction]);
    // Code = distance along the line from the mean: (x − 1.5)·√5.
    codes.forEach((z, i) => expect(z[0]).to.be.closeTo((points[i][0] - 1.5) * Math.sqrt(5), 1e-12));
    expectClose(hw().reconstruct(codes, mean, [direction]), points, 1e-12);
  });
  it('reconstructionError is the mean squared error over all entries [1 pt]', () => {
    // Squared errors 1, 0, 4, 1 over 4 entries.
    expect(hw().reconstructionError([[1, 2], [3, 4]], [[0, 2], [5, 3]])).to.be.closeTo(1.5, 1e-12);
  });
});

describe('Task 6: trainAutoencoder on MNIST', function () {
  this.timeout(180_000);
  const STEPS = 150;
  const BAR = 0.04;
  let mse = NaN;
  let shapes: number[][] = [];

  before(async () => {
    await ready();
    const test = data.mnist({ split: 'test', limit: 500, seed: 2 });
    const x = tf.tensor2d(test.images, [test.count, 784]);
    // The model lives beside the submission; it is asked for the reconstruction of the test images,
    // and the error is measured here.
    const out = await hw.remote(
      async (m, { x, steps }, { tf, genbook }) => {
        const train = genbook.data.mnist({ split: 'train', limit: 2000, seed: 1 });
        const ae = await m.trainAutoencoder(train.images, train.count, { codeSize: 32, steps, seed: 7 });
        const codes = ae.encode(x);
        const reconstruction = ae.decode(codes);
        const result = { codesShape: codes.shape, reconstruction };
        codes.dispose();
        ae.dispose();
        return result;
      },
      { x, steps: STEPS },
    );
    shapes = [out.codesShape, out.reconstruction.shape];
    mse = (await tf.losses.meanSquaredError(x, out.reconstruction).data())[0];
    tf.dispose([x, out.reconstruction]);
  });

  it('encodes 784 pixels to 32 numbers and decodes back [1 pt]', () => {
    expect(shapes).to.deep.equal([[500, 32], [500, 784]]);
  });
  it(`reaches a test reconstruction MSE below ${BAR} in ${STEPS} steps [4 pts]`, () => {
    expect(mse).to.be.below(BAR);
  });
});
