/**
 * Subplots: several figures in one grid, each keeping its traces, axis labels and title. 2-D charts
 * get their own x/y axes, surfaces their own 3-D scene.
 *
 * ```ts
 * viz.subplots([viz.line(losses, { title: 'loss' }), viz.histogram(samples, { title: 'samples' })], { columns: 2 })
 * ```
 *
 * @see notebooks/00-getting-started
 */
import { Figure, type PlotlyLayout, type PlotlyTrace } from './plotly';

export interface SubplotOptions {
  /** Figures per row (default: all in one row, up to 3). */
  columns?: number;
  /** Title of the whole grid. */
  title?: string;
  /** Total height in pixels (default 320 per row). */
  height?: number;
  width?: number;
  /** Horizontal and vertical gap between cells, as a fraction of the grid (default 0.1). */
  gap?: number;
}

const THREE_D = new Set(['surface', 'scatter3d', 'mesh3d', 'cone', 'volume', 'isosurface']);
const COLORBAR = new Set(['heatmap', 'surface', 'contour', 'histogram2d']);

function titleText(layout: PlotlyLayout): string | undefined {
  const t = layout.title;
  if (typeof t === 'string') return t;
  if (t && typeof t === 'object' && typeof (t as { text?: unknown }).text === 'string') return (t as { text: string }).text;
  return undefined;
}

/** Arrange `figures` in a grid, row by row. */
export function subplots(figures: readonly Figure[], options: SubplotOptions = {}): Figure {
  if (!Array.isArray(figures) || figures.length === 0) throw new RangeError('figures must be a non-empty array of Figure');
  figures.forEach((f, i) => {
    if (!(f instanceof Figure)) throw new RangeError(`figures[${i}] must be a Figure (from viz.line, viz.scatter, …)`);
  });
  const columns = options.columns ?? Math.min(figures.length, 3);
  if (!Number.isInteger(columns) || columns < 1) throw new RangeError(`columns must be a positive integer; got ${columns}`);
  const gap = options.gap ?? 0.1;
  if (!(gap >= 0 && gap < 0.5)) throw new RangeError(`gap must be in [0, 0.5); got ${gap}`);
  const rows = Math.ceil(figures.length / columns);
  const data: PlotlyTrace[] = [];
  const annotations: Record<string, unknown>[] = [];
  const layout: PlotlyLayout = {
    ...(options.title ? { title: { text: options.title } } : {}),
    height: options.height ?? 320 * rows,
    ...(options.width ? { width: options.width } : {}),
    margin: { l: 60, r: 30, t: options.title ? 80 : 40, b: 50 },
  };
  let legend = false;
  figures.forEach((fig, i) => {
    const k = i + 1;
    const row = Math.floor(i / columns);
    const col = i % columns;
    const xDomain = [col / columns + (col > 0 ? gap / 2 : 0), (col + 1) / columns - (col < columns - 1 ? gap / 2 : 0)];
    // Rows get a larger gap: the cell below carries its title above its plot area.
    const yDomain = [1 - (row + 1) / rows + (row < rows - 1 ? gap * 0.75 : 0), 1 - row / rows - (row > 0 ? gap * 0.75 : 0)];
    const is3d = fig.data.some((t: PlotlyTrace) => THREE_D.has(t.type ?? ''));
    const suffix = k === 1 ? '' : String(k);
    for (const t of fig.data) {
      const trace: PlotlyTrace = { ...t };
      if (THREE_D.has(t.type ?? '')) trace.scene = `scene${suffix}`;
      else {
        trace.xaxis = `x${suffix}`;
        trace.yaxis = `y${suffix}`;
      }
      // Each colour bar sits at the right edge of its own cell, as tall as the cell.
      const colorbar = { x: xDomain[1] + 0.005, xanchor: 'left', y: (yDomain[0] + yDomain[1]) / 2, len: yDomain[1] - yDomain[0], thickness: 12 };
      if (COLORBAR.has(t.type ?? '')) trace.colorbar = colorbar;
      const marker = t.marker as Record<string, unknown> | undefined;
      if (marker?.showscale) trace.marker = { ...marker, colorbar };
      if (t.name && fig.layout.showlegend !== false) legend = true;
      else trace.showlegend = false;
      data.push(trace);
    }
    if (is3d) {
      const scene = (fig.layout.scene as Record<string, unknown> | undefined) ?? {};
      layout[`scene${suffix}`] = { ...scene, domain: { x: xDomain, y: yDomain } };
    } else {
      const xaxis = (fig.layout.xaxis as Record<string, unknown> | undefined) ?? {};
      const yaxis = (fig.layout.yaxis as Record<string, unknown> | undefined) ?? {};
      layout[`xaxis${suffix}`] = { ...xaxis, domain: xDomain, anchor: `y${suffix}` };
      layout[`yaxis${suffix}`] = { ...yaxis, domain: yDomain, anchor: `x${suffix}` };
    }
    if (fig.layout.barmode) layout.barmode = fig.layout.barmode;
    const title = titleText(fig.layout);
    if (title) {
      annotations.push({
        text: title, showarrow: false, xref: 'paper', yref: 'paper',
        x: (xDomain[0] + xDomain[1]) / 2, y: yDomain[1], xanchor: 'center', yanchor: 'bottom', font: { size: 14 },
      });
    }
  });
  layout.showlegend = legend;
  if (annotations.length) layout.annotations = annotations;
  return new Figure(data, layout);
}
