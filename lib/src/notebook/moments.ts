/**
 * Sample moments of plain numbers, for the notebooks' Monte Carlo checks (the mean and variance of
 * x_t against √ᾱ_t·x_0 and 1 − ᾱ_t, say).
 *
 * @see notebooks/08-diffusion-ddpm, notebooks/09-ddim-guidance
 */

/** The mean and the population variance (divided by n, not n − 1) of some numbers. */
export interface Moments {
  mean: number;
  variance: number;
}

/**
 * Mean and population variance Σ(x − mean)²/n, in two passes (no cancellation from Σx² − n·mean²).
 *
 * @throws RangeError for no values
 */
export function moments(values: ArrayLike<number>): Moments {
  const n = values.length;
  if (n === 0) throw new RangeError('moments: values is empty');
  let sum = 0;
  for (let i = 0; i < n; i++) sum += values[i];
  const mean = sum / n;
  let squares = 0;
  for (let i = 0; i < n; i++) squares += (values[i] - mean) ** 2;
  return { mean, variance: squares / n };
}
