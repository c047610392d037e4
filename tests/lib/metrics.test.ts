/**
 * Evaluation metrics against independent computations: the Fréchet distance against its closed
 * form on diagonal covariances and against a Newton–Schulz matrix square root (a route that shares
 * no code with the eigen-decomposition one) on random SPD pairs, and against SciPy's sqrtm the way
 * pytorch-fid computes FID (committed fixture) on singular and regular pairs; the Inception Score on predictions
 * whose score is known exactly (uniform one-hot → K, identical → 1) and against exp(E KL) computed
 * directly; the MNIST classifier's outputs and MNIST-FID(A, A) = 0 on an untrained network.
 */
import * as fs from 'fs';
import * as path from 'path';
import { expect } from 'chai';
import { backend, data, linalg, metrics, random, tf } from 'genbook';

type Mat = number[][];

const matmul = (a: Mat, b: Mat): Mat => a.map((row) => b[0].map((_, j) => row.reduce((s, v, k) => s + v * b[k][j], 0)));
const identity = (n: number): Mat => Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => (i === j ? 1 : 0)));
const trace = (a: Mat): number => a.reduce((s, row, i) => s + row[i], 0);
const frobenius = (a: Mat): number => Math.sqrt(a.reduce((s, row) => s + row.reduce((t, v) => t + v * v, 0), 0));

/** Coupled Newton–Schulz iteration for A^{1/2} (inverse-free; Higham 2008, eq. 6.35), A with positive real spectrum. */
function newtonSchulzSqrt(a: Mat, iterations = 60): Mat {
  const n = a.length;
  const norm = frobenius(a);
  let y = a.map((row) => row.map((v) => v / norm));
  let z = identity(n);
  for (let k = 0; k < iterations; k++) {
    const zy = matmul(z, y);
    const t = zy.map((row, i) => row.map((v, j) => 0.5 * ((i === j ? 3 : 0) - v)));
    y = matmul(y, t);
    z = matmul(t, z);
  }
  return y.map((row) => row.map((v) => v * Math.sqrt(norm)));
}

/** A random SPD matrix Q·diag(λ)·Qᵀ with eigenvalues in [lo, hi]. */
function randomSpd(n: number, rng: ReturnType<typeof random.rng>, lo = 0.5, hi = 3): Mat {
  const g = Array.from({ length: n }, () => Array.from(rng.normals(n)));
  const { vectors } = linalg.symmetricEigen(matmul(g, g.map((_, i) => g.map((row) => row[i]))));
  const lambda = Array.from(rng.uniforms(n, lo, hi));
  return Array.from({ length: n }, (_, i) => Array.from({ length: n }, (_, j) => vectors.reduce((s, v, k) => s + lambda[k] * v[i] * v[j], 0)));
}

describe('metrics: Fréchet distance', () => {
  it('equals the closed form Σ(μ₁−μ₂)² + Σ(√a − √b)² on diagonal covariances', () => {
    const rng = random.rng(3);
    const d = 12;
    const mu1 = Array.from(rng.normals(d));
    const mu2 = Array.from(rng.normals(d));
    const a = Array.from(rng.uniforms(d, 0.1, 4));
    const b = Array.from(rng.uniforms(d, 0.1, 4));
    let closed = 0;
    for (let i = 0; i < d; i++) closed += (mu1[i] - mu2[i]) ** 2 + (Math.sqrt(a[i]) - Math.sqrt(b[i])) ** 2;
    // the default is exact (no offset)
    const got = metrics.frechetDistance(mu1, linalg.Matrix.diagonal(a), mu2, linalg.Matrix.diagonal(b));
    expect(got).to.be.closeTo(closed, 1e-10 * closed);
    expect(metrics.frechetDistance(mu1, linalg.Matrix.diagonal(a), mu2, linalg.Matrix.diagonal(b), { eps: 0 })).to.equal(got);
    // the ε option is the closed form with a + ε, b + ε
    let offset = 0;
    for (let i = 0; i < d; i++) offset += (mu1[i] - mu2[i]) ** 2 + (Math.sqrt(a[i] + 1e-6) - Math.sqrt(b[i] + 1e-6)) ** 2;
    expect(metrics.frechetDistance(mu1, linalg.Matrix.diagonal(a), mu2, linalg.Matrix.diagonal(b), { eps: 1e-6 })).to.be.closeTo(offset, 1e-10 * offset);
  });

  it('equals the closed forms in 1-D and for commuting covariances, singular ones included, with no offset', () => {
    // 1-D: d² = (μ₁ − μ₂)² + (σ₁ − σ₂)²
    expect(metrics.frechetDistance([1.5], [[4]], [0.5], [[1]])).to.be.closeTo(1 + 1, 1e-14);
    expect(metrics.frechetDistance([0], [[0]], [0], [[9]])).to.be.closeTo(9, 1e-14);
    // Σ₁ = Q diag(a) Qᵀ, Σ₂ = Q diag(b) Qᵀ commute: tr √(Σ₁Σ₂) = Σ √(aᵢbᵢ), so d² = ‖μ₁ − μ₂‖² + Σ (√aᵢ − √bᵢ)²
    const rng = random.rng(5);
    const d = 10;
    const g = Array.from({ length: d }, () => Array.from(rng.normals(d)));
    const q = linalg.symmetricEigen(matmul(g, g.map((_, i) => g.map((row) => row[i])))).vectors;
    const a = Array.from(rng.uniforms(d, 0.2, 5)).map((v, i) => (i < 4 ? 0 : v)); // rank 6
    const b = Array.from(rng.uniforms(d, 0.2, 5)).map((v, i) => (i >= 7 ? 0 : v)); // rank 7
    const build = (lambda: number[]): Mat => Array.from({ length: d }, (_, i) => Array.from({ length: d }, (_, j) => q.reduce((s, v, k) => s + lambda[k] * v[i] * v[j], 0)));
    const mu1 = Array.from(rng.normals(d));
    const mu2 = Array.from(rng.normals(d));
    let closed = 0;
    for (let i = 0; i < d; i++) closed += (mu1[i] - mu2[i]) ** 2 + (Math.sqrt(a[i]) - Math.sqrt(b[i])) ** 2;
    const s1 = build(a);
    const s2 = build(b);
    // symmetrise the rounding of the construction (the covariance check is strict)
    const sym = (m: Mat): Mat => m.map((row, i) => row.map((v, j) => 0.5 * (v + m[j][i])));
    expect(metrics.frechetDistance(mu1, sym(s1), mu2, sym(s2))).to.be.closeTo(closed, 1e-8 * closed);
  });

  it('agrees to 1e-6 relative with SciPy sqrtm as pytorch-fid computes it, on singular and regular covariances', () => {
    // tests/fixtures/fid/frechet-reference.json, written by tests/fixtures/fid/make-frechet-reference.py
    const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'fixtures', 'fid', 'frechet-reference.json'), 'utf8')) as {
      cases: { name: string; rank1: number; rank2: number; mu1: number[]; sigma1: Mat; mu2: number[]; sigma2: Mat; scipySqrtm: number; scipyOffsetUsed: boolean; numpyEigen: number }[];
    };
    expect(fixture.cases.map((c) => [c.mu1.length, c.rank1])).to.deep.include.members([[16, 8], [16, 16]]);
    for (const c of fixture.cases) {
      expect(c.scipyOffsetUsed, c.name).to.equal(false); // SciPy's square root succeeded: pytorch-fid adds no offset
      const got = metrics.frechetDistance(c.mu1, c.sigma1, c.mu2, c.sigma2);
      expect(Math.abs(got - c.scipySqrtm) / c.scipySqrtm, `${c.name}: genbook ${got} vs SciPy ${c.scipySqrtm}`).to.be.below(1e-6);
      // the always-on offset of the past is measurably off on the singular case, not on the regular one
      const withOffset = metrics.frechetDistance(c.mu1, c.sigma1, c.mu2, c.sigma2, { eps: 1e-6 });
      const offsetError = Math.abs(withOffset - c.scipySqrtm) / c.scipySqrtm;
      if (c.rank1 < c.mu1.length) expect(offsetError, c.name).to.be.above(1e-5);
      else expect(offsetError, c.name).to.be.below(1e-6);
    }
  });

  it('agrees with a Newton–Schulz square root of Σ₁Σ₂ on random SPD pairs', () => {
    const rng = random.rng(7);
    for (const d of [2, 5, 16]) {
      const s1 = randomSpd(d, rng);
      const s2 = randomSpd(d, rng);
      const mu1 = Array.from(rng.normals(d));
      const mu2 = Array.from(rng.normals(d));
      const product = matmul(s1, s2);
      const root = newtonSchulzSqrt(product);
      // the independent route checks itself: root² = Σ₁Σ₂
      const err = frobenius(matmul(root, root).map((row, i) => row.map((v, j) => v - product[i][j])));
      expect(err).to.be.below(1e-9 * frobenius(product));
      const meanTerm = mu1.reduce((s, v, i) => s + (v - mu2[i]) ** 2, 0);
      const expected = meanTerm + trace(s1) + trace(s2) - 2 * trace(root);
      const terms = metrics.frechetTerms(mu1, s1, mu2, s2, { eps: 0 });
      expect(terms.traceSqrtProduct, `d = ${d}`).to.be.closeTo(trace(root), 1e-9 * trace(root));
      expect(terms.distance, `d = ${d}`).to.be.closeTo(expected, 1e-8 * Math.max(1, expected));
      expect(terms.meanTerm).to.be.closeTo(meanTerm, 1e-12);
    }
  });

  it('is 0 for identical Gaussians, symmetric, and finite and real for singular covariances', () => {
    const rng = random.rng(11);
    const s = randomSpd(6, rng);
    const mu = Array.from(rng.normals(6));
    expect(metrics.frechetDistance(mu, s, mu, s)).to.be.closeTo(0, 1e-9);
    const other = randomSpd(6, rng);
    const mu2 = Array.from(rng.normals(6));
    expect(metrics.frechetDistance(mu, s, mu2, other)).to.be.closeTo(metrics.frechetDistance(mu2, other, mu, s), 1e-9);
    // rank-1 covariances (a sample covariance from 2 points in 6 dimensions)
    const u = Array.from(rng.normals(6));
    const v = Array.from(rng.normals(6));
    const rank1 = (w: number[]): Mat => w.map((a) => w.map((b) => a * b));
    for (const eps of [0, 1e-6]) {
      const value = metrics.frechetDistance(mu, rank1(u), mu, rank1(v), { eps });
      expect(Number.isFinite(value), `eps ${eps}`).to.equal(true);
      // closed form for rank-1: tr = |u|² + |v|² − 2|u·v| (Σ₁^{1/2}Σ₂Σ₁^{1/2} = (u·v)² uuᵀ/|u|²)
      const uu = u.reduce((s2, x) => s2 + x * x, 0);
      const vv = v.reduce((s2, x) => s2 + x * x, 0);
      const uv = Math.abs(u.reduce((s2, x, i) => s2 + x * v[i], 0));
      if (eps === 0) expect(value).to.be.closeTo(uu + vv - 2 * uv, 1e-6);
      else expect(value).to.be.closeTo(uu + vv - 2 * uv, 1e-2);
    }
    expect(metrics.frechetDistance([0, 0], [[1, 0], [0, 0]], [0, 0], [[0, 0], [0, 1]], { eps: 0 })).to.be.closeTo(2, 1e-12);
  });

  it('rejects mismatched shapes, asymmetric covariances and negative eps with RangeErrors naming the argument', () => {
    expect(() => metrics.frechetDistance([0, 0], identity(2), [0], identity(1))).to.throw(RangeError, /mu1 and mu2/);
    expect(() => metrics.frechetDistance([0, 0], identity(3), [0, 0], identity(2))).to.throw(RangeError, /sigma1/);
    expect(() => metrics.frechetDistance([0, 0], identity(2), [0, 0], [[1, 0.5], [0, 1]])).to.throw(RangeError, /sigma2 must be symmetric/);
    expect(() => metrics.frechetDistance([0, 0], identity(2), [0, 0], identity(2), { eps: -1 })).to.throw(RangeError, /eps/);
    expect(() => metrics.frechetDistance([0, NaN], identity(2), [0, 0], identity(2))).to.throw(RangeError, /mu1\[1\]/);
  });

  it('sqrtmPsd squares back to a PSD matrix and clips negative rounding eigenvalues', () => {
    const s = randomSpd(5, random.rng(2));
    const root = metrics.sqrtmPsd(s).toArray();
    const back = matmul(root, root);
    back.forEach((row, i) => row.forEach((x, j) => expect(x).to.be.closeTo(s[i][j], 1e-10)));
    const root2 = metrics.sqrtmPsd([[1, 0], [0, -1e-15]]).toArray();
    expect(root2).to.deep.equal([[1, 0], [0, 0]]);
  });
});

describe('metrics: Inception Score', () => {
  const oneHot = (cls: number, k: number): number[] => Array.from({ length: k }, (_, j) => (j === cls ? 1 : 0));

  it('is K for one-hot predictions spread uniformly over K classes (S = 1, D = K)', () => {
    for (const k of [2, 10]) {
      const probs = Array.from({ length: 10 * k }, (_, i) => oneHot(i % k, k));
      const r = metrics.inceptionScore(probs, 10);
      expect(r.mean).to.be.closeTo(k, 1e-12);
      expect(r.std).to.be.closeTo(0, 1e-12);
      expect(r.sharpness).to.be.closeTo(1, 1e-12);
      expect(r.diversity).to.be.closeTo(k, 1e-12);
    }
  });

  it('is 1 for identical predictions (S = exp(−H(p)) and D = exp(H(p)) cancel)', () => {
    const p = [0.7, 0.2, 0.1];
    const r = metrics.inceptionScore(Array.from({ length: 30 }, () => p), 3);
    expect(r.mean).to.be.closeTo(1, 1e-12);
    const entropy = -p.reduce((s, q) => s + q * Math.log(q), 0);
    expect(r.sharpness).to.be.closeTo(Math.exp(-entropy), 1e-12);
    expect(r.diversity).to.be.closeTo(Math.exp(entropy), 1e-12);
    const sharp = metrics.inceptionScore(Array.from({ length: 30 }, () => oneHot(1, 3)), 1);
    expect(sharp.score).to.be.closeTo(1, 1e-12);
    expect(sharp.sharpness).to.be.closeTo(1, 1e-12);
  });

  it('equals exp(E KL(c(y|x) ‖ c(y))) computed directly, and IS = D × S (lecture 004)', () => {
    const rng = random.rng(5);
    const probs = Array.from({ length: 200 }, () => {
      const logits = Array.from(rng.normals(10, 0, 2));
      const m = Math.max(...logits);
      const e = logits.map((l) => Math.exp(l - m));
      const z = e.reduce((a, b) => a + b, 0);
      return e.map((v) => v / z);
    });
    const direct = (rows: number[][]): number => {
      const marginal = rows[0].map((_, j) => rows.reduce((s, r) => s + r[j], 0) / rows.length);
      const kl = rows.map((r) => r.reduce((s, p, j) => s + (p > 0 ? p * Math.log(p / marginal[j]) : 0), 0));
      return Math.exp(kl.reduce((a, b) => a + b, 0) / rows.length);
    };
    const r = metrics.inceptionScore(probs, 4);
    expect(r.score).to.be.closeTo(direct(probs), 1e-10);
    expect(r.sharpness * r.diversity).to.be.closeTo(r.score, 1e-10);
    const perSplit = [0, 1, 2, 3].map((s) => direct(probs.slice(s * 50, (s + 1) * 50)));
    const mean = perSplit.reduce((a, b) => a + b, 0) / 4;
    const std = Math.sqrt(perSplit.reduce((a, b) => a + (b - mean) ** 2, 0) / 4);
    expect(r.mean).to.be.closeTo(mean, 1e-10);
    expect(r.std).to.be.closeTo(std, 1e-10);
    r.splits.forEach((s, i) => {
      expect(s.score).to.be.closeTo(perSplit[i], 1e-10);
      expect(s.sharpness * s.diversity).to.be.closeTo(s.score, 1e-10);
    });
  });

  it('rejects rows that are not distributions and bad split counts', () => {
    expect(() => metrics.inceptionScore([[0.5, 0.6]], 1)).to.throw(RangeError, /probs\[0\] must sum to 1/);
    expect(() => metrics.inceptionScore([[1.5, -0.5]], 1)).to.throw(RangeError, /probs\[0\]\[1\]/);
    expect(() => metrics.inceptionScore([[1, 0]], 2)).to.throw(RangeError, /splits/);
  });
});

describe('metrics: per-class accuracy', () => {
  it('matches a hand count: overall, per class, class sizes; empty classes give NaN; ties go to the lower class', () => {
    // 3 classes, 6 samples; predicted (argmax) 0, 1, 1, 2, 0, 0 (the last row ties 0 and 2 → 0)
    const p = new linalg.Matrix(6, 3, Float64Array.from([
      0.7, 0.2, 0.1,
      0.1, 0.8, 0.1,
      0.3, 0.4, 0.3,
      0.1, 0.1, 0.8,
      0.5, 0.3, 0.2,
      0.4, 0.2, 0.4,
    ]));
    expect(Array.from(metrics.argmaxRows(p))).to.deep.equal([0, 1, 1, 2, 0, 0]);
    const r = metrics.perClassAccuracy(p, [0, 1, 2, 2, 1, 2]);
    // class 0: 1 of 1 right; class 1: sample 1 right, sample 4 (predicted 0) wrong; class 2: only sample 3 right
    expect(r.counts).to.deep.equal([1, 2, 3]);
    expect(r.perClass[0]).to.equal(1);
    expect(r.perClass[1]).to.equal(0.5);
    expect(r.perClass[2]).to.be.closeTo(1 / 3, 1e-15);
    expect(r.accuracy).to.be.closeTo(3 / 6, 1e-15);
    const only01 = metrics.perClassAccuracy(p, [0, 1, 0, 1, 0, 0]);
    expect(only01.counts).to.deep.equal([4, 2, 0]);
    expect(only01.perClass[2]).to.be.NaN;
    expect(only01.accuracy).to.be.closeTo(4 / 6, 1e-15); // samples 0, 1, 4, 5
    expect(() => metrics.perClassAccuracy(p, [0, 1])).to.throw(RangeError, /one entry per sample/);
    expect(() => metrics.perClassAccuracy(p, [0, 1, 2, 3, 0, 0])).to.throw(RangeError, /labels\[3\].*0–2/);
  });
});

describe('metrics: MNIST classifier, MNIST-FID, conditional accuracy, timing', () => {
  before(async () => {
    await backend.setup(undefined, { log: null });
  });

  it('gives probabilities, features and labels of the right shapes; MNIST-FID(A, A) = 0; range check', async () => {
    const model = metrics.buildMnistClassifier({ seed: 1 });
    const classifier = new metrics.MnistClassifier(model);
    const rng = random.rng(4);
    const images = Float32Array.from(rng.uniforms(40 * 784));
    const p = classifier.probabilities(images, 16);
    expect([p.rows, p.cols]).to.deep.equal([40, 10]);
    for (let i = 0; i < 40; i++) expect(p.row(i).reduce((a, b) => a + b, 0)).to.be.closeTo(1, 1e-12);
    const f = classifier.features(images);
    expect([f.rows, f.cols]).to.deep.equal([40, classifier.featureDim]);
    // batch size must not change the numbers
    const f2 = classifier.features(tf.tensor2d(images, [40, 784]), 7);
    for (let k = 0; k < f.data.length; k++) expect(f2.data[k]).to.be.closeTo(f.data[k], 1e-5);
    // one pass for both gives the same as two
    const both = classifier.featuresAndProbabilities(images, 9);
    for (let k = 0; k < f.data.length; k++) expect(both.features.data[k]).to.be.closeTo(f.data[k], 1e-5);
    for (let k = 0; k < p.data.length; k++) expect(both.probabilities.data[k]).to.be.closeTo(p.data[k], 1e-6);
    expect(await metrics.mnistFid(images, images, { classifier })).to.be.closeTo(0, 1e-6);
    const other = Float32Array.from(rng.uniforms(40 * 784, 0, 0.5));
    expect(await metrics.mnistFid(images, other, { classifier })).to.be.above(0);
    const labels = classifier.predictLabels(images);
    expect(await metrics.conditionalAccuracy(images, labels, classifier)).to.equal(1);
    const shifted = Array.from(labels, (l) => (l + 1) % 10);
    expect(await metrics.conditionalAccuracy(images, shifted, classifier)).to.equal(0);
    expect(() => classifier.features(images.map((v) => 2 * v - 1))).to.throw(RangeError, /\[0, 1\]/);
    await metrics.conditionalAccuracy(images, [10], classifier).then(
      () => expect.fail('expected a RangeError'),
      (e: Error) => expect(e).to.be.instanceOf(RangeError),
    );
    classifier.dispose();
  });

  it('evaluateSamples: a set against its own statistics has MNIST-FID 0, IS = S × D, conditional accuracy of predicted labels 1', async () => {
    const classifier = new metrics.MnistClassifier(metrics.buildMnistClassifier({ seed: 2 }));
    const test = data.mnist({ split: 'test', limit: 300 });
    const reference = await metrics.featureStatistics(test, classifier);
    const e = await metrics.evaluateSamples(test, { classifier, labels: classifier.predictLabels(test), reference });
    expect(e.mnistFid).to.be.closeTo(0, 1e-6);
    expect(e.fidSamples).to.equal(300);
    expect(e.conditionalAccuracy).to.equal(1);
    const is = metrics.inceptionScore(classifier.probabilities(test), 10);
    expect(e.mnistIs).to.be.closeTo(is.mean, 1e-9);
    expect(e.mnistIsSharpness * e.mnistIsDiversity).to.be.closeTo(is.score, 1e-9);
    classifier.dispose();
  });

  it('timeSampling calls the sampler warmup + repeats times with successive seeds and disposes tensors', async () => {
    const seeds: number[] = [];
    const before = tf.memory().numTensors;
    const t = await metrics.timeSampling((count, seed) => {
      seeds.push(seed);
      return tf.zeros([count, 2]);
    }, { count: 4, repeats: 3, warmup: 2, seed: 10 });
    expect(seeds).to.deep.equal([10, 11, 12, 13, 14]);
    expect(t.calls).to.have.length(3);
    expect(t.secondsPerSample).to.be.closeTo(t.secondsPerCall / 4, 1e-12);
    expect(tf.memory().numTensors).to.equal(before);
  });
});
