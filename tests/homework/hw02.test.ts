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
  it('on a diagonal covariance the axes are the components, largest variance first [1 pt]', () => {
    // diag(1, 3, 2): eigenvalues 3, 2, 1 along e₂, e₃, e₁ (positive by the sign convention).
    const { components, eigenvalues } = hw().principalComponents([[1, 0, 0], [0, 3, 0], [0, 0, 2]], 3);
    eigenvalues.forEach((v, i) => expect(v, `eigenvalue ${i}`).to.be.closeTo([3, 2, 1][i], 1e-8));
    expectClose(components, [[0, 1, 0], [0, 0, 1], [1, 0, 0]], 1e-8);
  });
  it('follows the sign convention: each component\'s largest-magnitude entry is positive [1 pt]', () => {
    // C = R diag(5, 2, 0.5) Rᵀ (R: 30° in the x–y plane) has eigenvectors ±(cos 30°, sin 30°, 0),
    // ±(−sin 30°, cos 30°, 0), ±(0, 0, 1); the convention picks the sign with cos 30° (or 1) positive.
    const c30 = Math.cos(Math.PI / 6);
    const s30 = Math.sin(Math.PI / 6);
    const expected = [[c30, s30, 0], [-s30, c30, 0], [0, 0, 1]];
    const lambda = [5, 2, 0.5];
    const cov = [0, 1, 2].map((i) => [0, 1, 2].map((j) => expected.reduce((s, v, k) => s + v[i] * lambda[k] * v[j], 0)));
    for (const seed of [0, 1, 2, 3]) expectClose(hw().principalComponents(cov, 3, { seed }).components, expected, 1e-7);
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
  let range: number[] = [];
  let leaked = NaN;

  before(async () => {
    await ready();
    const test = data.mnist({ split: 'test', limit: 500, seed: 2 });
    const x = tf.tensor2d(test.images, [test.count, 784]);
    // The model lives beside the submission; it is asked for the reconstruction of the test images,
    // and the error is measured here.
    const out = await hw.remote(
      async (m, { x, steps }, { tf, genbook }) => {
        const train = genbook.data.mnist({ split: 'train', limit: 2000, seed: 1 });
        const tensorsBefore = tf.memory().numTensors;
        const ae = await m.trainAutoencoder(train.images, train.count, { codeSize: 32, steps, seed: 7 });
        const codes = ae.encode(x);
        const reconstruction = ae.decode(codes);
        // Codes far outside what the encoder produces: the decoder must still give pixels in [0, 1].
        const far = tf.tidy(() => tf.randomNormal([64, 32], 0, 1, 'float32', 3).mul(100) as typeof codes);
        const decodedFar = ae.decode(far);
        const range = tf.tidy(() => [decodedFar.min().dataSync()[0], decodedFar.max().dataSync()[0]]);
        const result = { codesShape: codes.shape, reconstruction, range };
        tf.dispose([codes, far, decodedFar]);
        ae.dispose();
        // Everything the training made is gone: only the returned reconstruction is left.
        return { ...result, leaked: tf.memory().numTensors - tensorsBefore - 1 };
      },
      { x, steps: STEPS },
    );
    shapes = [out.codesShape, out.reconstruction.shape];
    range = out.range;
    leaked = out.leaked;
    mse = (await tf.losses.meanSquaredError(x, out.reconstruction).data())[0];
    tf.dispose([x, out.reconstruction]);
  });

  it('encodes 784 pixels to 32 numbers and decodes back [1 pt]', () => {
    expect(shapes).to.deep.equal([[500, 32], [500, 784]]);
  });
  it('decodes any code to pixels in [0, 1], even codes of size ±100 [1 pt]', () => {
    expect(range[0]).to.be.at.least(0);
    expect(range[1]).to.be.at.most(1);
  });
  it('leaves no tensors behind after training and dispose() [1 pt]', () => {
    expect(leaked).to.equal(0);
  });
  it(`reaches a test reconstruction MSE below ${BAR} in ${STEPS} steps [4 pts]`, () => {
    expect(mse).to.be.below(BAR);
  });
  it('the same seed gives the same model (3 steps, twice) [1 pt]', async () => {
    const train = data.mnist({ split: 'train', limit: 100, seed: 9 });
    const codes = await hw.remote(
      async (m, { images, count }, { tf }) => {
        const once = async () => {
          const ae = await m.trainAutoencoder(images, count, { codeSize: 4, steps: 3, seed: 5, batchSize: 16 });
          const x = tf.tensor2d(images.subarray(0, 5 * 784), [5, 784]);
          const z = ae.encode(x);
          const values = Array.from(z.dataSync());
          tf.dispose([x, z]);
          ae.dispose();
          return values;
        };
        return [await once(), await once()];
      },
      { images: train.images, count: train.count },
    );
    expect(codes[0]).to.have.length(20);
    codes[0].forEach((v, i) => expect(v).to.be.closeTo(codes[1][i], 1e-6));
  });
});
