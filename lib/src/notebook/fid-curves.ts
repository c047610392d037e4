/**
 * The FID-by-iteration curves of shipped checkpoints in one chart (`<checkpoint>/fid-curve.json`,
 * train/fid-curve.ts): one line per model and sample count — one colour per model, its smallest
 * sample count solid and larger ones dotted (a smaller sample biases FID upwards) — on a log scale.
 * A flat tail says the recipe limits the model, a falling one the budget. Models without a curve
 * are named on the console and left out.
 *
 * @see notebooks/05-gan-minimax, notebooks/06-conditional-gans, notebooks/08-diffusion-ddpm
 */
import { checkpointDir } from '../train/checkpoint';
import { fidCurveSampleCounts, fidCurveSeries, readFidCurve } from '../train/fid-curve';
import { line, type LineTrace } from '../viz/charts';
import type { Figure } from '../viz/plotly';

/** plotly's first colours: one per model, shared by its two sample counts. */
const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b'];

/** Line styles by sample count, smallest first (FIDs of different sample counts do not compare). */
const DASHES: readonly LineTrace['dash'][] = ['solid', 'dot', 'dash', 'dashdot'];

/**
 * @param models `[label, checkpoint name]` pairs, e.g. `[['DCGAN', 'dcgan'], ['WGAN-GP', 'wgan-gp']]`,
 *   or `[label, checkpoint name, evaluation]` for one of several ways a checkpoint was measured
 *   (`['DDIM-50', 'ddpm-mnist', 'ddpm-ddim50']`)
 * @throws RangeError when none of them has a curve (there would be nothing to draw)
 */
export function fidCurves(models: readonly (readonly [label: string, name: string, evaluation?: string])[], title = 'MNIST-FID by training iteration'): Figure {
  const traces: LineTrace[] = [];
  models.forEach(([label, name, evaluation], m) => {
    const curve = readFidCurve(checkpointDir(name));
    if (!curve) {
      console.log(`${name}: no fid-curve.json beside the checkpoint (npm run evaluate -- ${evaluation ?? name} --curve adds one)`);
      return;
    }
    fidCurveSampleCounts(curve, evaluation).forEach((samples, i) => {
      const series = fidCurveSeries(curve, samples, evaluation);
      traces.push({ ...series, name: `${label}, ${samples} samples`, markers: true, dash: DASHES[i % DASHES.length], color: COLOURS[m % COLOURS.length] });
    });
  });
  if (traces.length === 0) throw new RangeError(`fidCurves: no curve for ${models.map(([, n]) => n).join(', ')}`);
  return line(traces, { title, xLabel: 'iteration', yLabel: 'MNIST-FID (log scale)', logY: true });
}
