/**
 * The GAN game on densities given as numbers on a grid: the value function V(D, G), the optimal
 * discriminator D*(x) = p_data(x) / (p_data(x) + p_g(x)) for a fixed generator, and the virtual
 * training criterion C(G) = max_D V(D, G) = V(D*, G) = −log 4 + 2·JSD(p_data ‖ p_g).
 *
 * Goodfellow et al. 2014, eq. 1, Proposition 1 (eq. 2) and Theorem 1 (eqs. 4–6); lecture 000
 * ("C(G) = −log(4) + 2·JSD(p_data ‖ p_g)"), lecture 003 (the 1D picture: black dots p_data,
 * green p_g, blue dashed D).
 *
 * Densities are arrays of values p(x_j) on an evenly spaced grid with spacing `dx`; integrals are
 * Riemann sums Σ_j f(x_j)·dx. With dx = 1 (the default) the arrays are probability mass functions.
 * Logs are natural (nats). Conventions: 0·log 0 = 0; where p_data = p_g = 0, D* is defined as 1/2
 * (any value maximises V there, because both terms carry zero weight).
 *
 * @see notebooks/05-gan-minimax
 */

function toArray(values: ArrayLike<number>, argName: string): Float64Array {
  const out = Float64Array.from(values);
  if (out.length === 0) throw new RangeError(`${argName} must not be empty`);
  out.forEach((v, i) => {
    if (!(v >= 0) || !Number.isFinite(v)) {
      throw new RangeError(`${argName}[${i}] must be a finite density value >= 0; got ${v}`);
    }
  });
  return out;
}

function checkSameLength(a: ArrayLike<number>, b: ArrayLike<number>, nameA: string, nameB: string): void {
  if (a.length !== b.length) {
    throw new RangeError(`${nameA} and ${nameB} must have the same length; got ${a.length} and ${b.length}`);
  }
}

function checkSpacing(dx: number): void {
  if (!(dx > 0) || !Number.isFinite(dx)) throw new RangeError(`dx must be a finite positive spacing; got ${dx}`);
}

/** w·log(v) with the convention 0·log v = 0 (also for v = 0). */
function weightedLog(w: number, v: number): number {
  return w === 0 ? 0 : w * Math.log(v);
}

/**
 * The optimal discriminator for a fixed generator (Goodfellow et al. 2014, Proposition 1, eq. 2):
 * D*_G(x) = p_data(x) / (p_data(x) + p_g(x)), pointwise; 1/2 where both densities are zero.
 */
export function optimalDiscriminator(pData: ArrayLike<number>, pG: ArrayLike<number>): Float64Array {
  checkSameLength(pData, pG, 'pData', 'pG');
  const data = toArray(pData, 'pData');
  const gen = toArray(pG, 'pG');
  return data.map((p, j) => (p + gen[j] === 0 ? 0.5 : p / (p + gen[j])));
}

/**
 * The value function (Goodfellow et al. 2014, eq. 1, written as an integral over x as in the proof
 * of Proposition 1):
 *
 *   V(D, G) = ∫ p_data(x) log D(x) + p_g(x) log(1 − D(x)) dx
 *
 * `discriminator` holds D(x_j) ∈ [0, 1] on the same grid. A zero-weight term contributes 0; a
 * positive-weight term with D = 0 (or 1 − D = 0) makes V = −Infinity.
 */
export function valueFunction(
  pData: ArrayLike<number>,
  pG: ArrayLike<number>,
  discriminator: ArrayLike<number>,
  dx = 1,
): number {
  checkSameLength(pData, pG, 'pData', 'pG');
  checkSameLength(pData, discriminator, 'pData', 'discriminator');
  checkSpacing(dx);
  const data = toArray(pData, 'pData');
  const gen = toArray(pG, 'pG');
  let total = 0;
  for (let j = 0; j < data.length; j++) {
    const d = discriminator[j];
    if (!(d >= 0 && d <= 1)) throw new RangeError(`discriminator[${j}] must be a probability in [0, 1]; got ${d}`);
    total += weightedLog(data[j], d) + weightedLog(gen[j], 1 - d);
  }
  return total * dx;
}

/**
 * The virtual training criterion C(G) = max_D V(G, D) = V(D*_G, G) (Goodfellow et al. 2014, eq. 4),
 * which Theorem 1 shows equals −log 4 + 2·JSD(p_data ‖ p_g) (eq. 6): its global minimum −log 4 is
 * reached exactly when p_g = p_data.
 */
export function virtualTrainingCriterion(pData: ArrayLike<number>, pG: ArrayLike<number>, dx = 1): number {
  checkSameLength(pData, pG, 'pData', 'pG');
  checkSpacing(dx);
  const data = toArray(pData, 'pData');
  const gen = toArray(pG, 'pG');
  // V(D*, G) with log D* = log(p/(p+q)) and log(1 − D*) = log(q/(p+q)) taken directly: forming
  // 1 − D* first would round to 0 where q ≪ p and turn a tiny term into −Infinity.
  let total = 0;
  for (let j = 0; j < data.length; j++) {
    const sum = data[j] + gen[j];
    total += weightedLog(data[j], data[j] / sum) + weightedLog(gen[j], gen[j] / sum);
  }
  return total * dx;
}

/**
 * A Gaussian kernel density estimate of 1D samples on a grid, for drawing p_g from generator
 * samples. `bandwidth` defaults to Silverman's rule 1.06·σ̂·n^(−1/5).
 */
export function kernelDensity(samples: ArrayLike<number>, grid: ArrayLike<number>, bandwidth?: number): Float64Array {
  const n = samples.length;
  if (n === 0) throw new RangeError('samples must not be empty');
  let mean = 0;
  for (let i = 0; i < n; i++) mean += samples[i] / n;
  let variance = 0;
  for (let i = 0; i < n; i++) variance += (samples[i] - mean) ** 2 / n;
  const h = bandwidth ?? Math.max(1.06 * Math.sqrt(variance) * n ** -0.2, 1e-3);
  if (!(h > 0) || !Number.isFinite(h)) throw new RangeError(`bandwidth must be a finite positive number; got ${h}`);
  const norm = 1 / (n * h * Math.sqrt(2 * Math.PI));
  const out = new Float64Array(grid.length);
  for (let j = 0; j < grid.length; j++) {
    let s = 0;
    for (let i = 0; i < n; i++) s += Math.exp(-0.5 * ((grid[j] - samples[i]) / h) ** 2);
    out[j] = s * norm;
  }
  return out;
}
