/**
 * Overlay: several 2-D figures drawn on ONE pair of axes (a histogram of samples under the density
 * it should match, a loss curve beside its moving average). The first figure's layout is kept;
 * the legend shows when any trace is named.
 *
 * ```ts
 * viz.overlay(viz.histogram({ values: samples, density: true, name: 'samples' }), viz.line({ x, y: pdf, name: 'N(0, 1)' }))
 * ```
 *
 * @see notebooks/00-getting-started
 */
import { Figure } from './plotly';

/** One figure with the traces of all `figures`, on the first figure's axes and layout. */
export function overlay(...figures: Figure[]): Figure {
  if (figures.length === 0) throw new RangeError('overlay: give at least one Figure');
  figures.forEach((f, i) => {
    if (!(f instanceof Figure)) throw new RangeError(`overlay: argument ${i} must be a Figure (from viz.line, viz.histogram, …)`);
  });
  const data = figures.flatMap((f) => f.data);
  const named = data.filter((t) => typeof t.name === 'string').length;
  return new Figure(data, { ...figures[0].layout, showlegend: named > 0 }, figures[0].config);
}
