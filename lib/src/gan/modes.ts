/**
 * Mode coverage on a mixture of Gaussians (the 8-Gaussian ring of Metz et al. 2017, "Unrolled
 * GANs", and Srivastava et al. 2017, "VEEGAN"): a sample is *high quality* when it lies within
 * `radius` of some mode centre; a mode is *covered* when at least `minShare` of the samples are
 * high-quality samples assigned to it. A collapsed generator covers one or a few modes.
 *
 * @see notebooks/05-gan-minimax
 */

export interface ModeCoverage {
  /** Samples assigned to each mode (nearest centre, within `radius`). */
  counts: number[];
  /** Number of modes holding at least minShare of the samples. */
  modesCovered: number;
  /** Share of samples within `radius` of their nearest centre. */
  highQualityShare: number;
}

/**
 * @param samples points as rows [[x, y], ...] (any dimension, all rows the same length)
 * @param centres the mode centres, same dimension
 * @param radius the high-quality radius (VEEGAN uses 3 standard deviations)
 * @param minShare a mode counts as covered with at least this share of the samples (default 1/(4·modes))
 */
export function modeCoverage(
  samples: readonly (readonly number[])[],
  centres: readonly (readonly number[])[],
  radius: number,
  minShare = 1 / (4 * centres.length),
): ModeCoverage {
  if (samples.length === 0) throw new RangeError('samples must not be empty');
  if (centres.length === 0) throw new RangeError('centres must not be empty');
  if (!(radius > 0)) throw new RangeError(`radius must be > 0; got ${radius}`);
  const dim = centres[0].length;
  const counts = new Array<number>(centres.length).fill(0);
  let good = 0;
  for (const [i, s] of samples.entries()) {
    if (s.length !== dim) throw new RangeError(`samples[${i}] must have ${dim} coordinates; got ${s.length}`);
    let best = -1;
    let bestDistance = Infinity;
    for (const [j, c] of centres.entries()) {
      let d = 0;
      for (let a = 0; a < dim; a++) d += (s[a] - c[a]) ** 2;
      if (d < bestDistance) {
        bestDistance = d;
        best = j;
      }
    }
    if (Math.sqrt(bestDistance) <= radius) {
      counts[best] += 1;
      good += 1;
    }
  }
  const modesCovered = counts.filter((c) => c >= minShare * samples.length).length;
  return { counts, modesCovered, highQualityShare: good / samples.length };
}
