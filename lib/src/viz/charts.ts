/**
 * The chart functions: line, scatter, histogram, heatmap and surface plots as plotly `Figure`s.
 * Each takes one trace description or an array of them, plus `PlotOptions` (title, axis labels,
 * log axes, size). Numbers may be arrays, typed arrays or tf.Tensors.
 *
 * ```ts
 * viz.line({ y: losses, name: 'loss' }, { title: 'Training loss', xLabel: 'step', logY: true })
 * viz.histogram([{ values: a, name: 'p' }, { values: b, name: 'q' }], { xLabel: 'x' })
 * ```
 *
 * @see notebooks/00-getting-started
 */
import { Figure, layoutFrom, type PlotOptions, type PlotlyTrace } from './plotly';
import { isNumberSeries, toGrid, toNumbers, type NumberGrid, type NumberSeries } from './numbers';

/** A line: `y` values at `x` (default 0, 1, 2, …). */
export interface LineTrace {
  x?: NumberSeries;
  y: NumberSeries;
  name?: string;
  /** Draw markers at the points too. */
  markers?: boolean;
  dash?: 'solid' | 'dot' | 'dash' | 'dashdot';
  color?: string;
}

/** Points at (x, y); `color` a CSS color or one number per point (a continuous color scale). */
export interface ScatterTrace {
  x: NumberSeries;
  y: NumberSeries;
  name?: string;
  color?: string | NumberSeries;
  /** Marker size in pixels (default 6). */
  size?: number;
  /** Hover text, one per point. */
  text?: readonly string[];
  opacity?: number;
}

/** A histogram of `values`. */
export interface HistogramTrace {
  values: NumberSeries;
  name?: string;
  /** Number of bins (default: plotly's choice). */
  bins?: number;
  /** Normalise to a probability density (area 1) instead of counts. */
  density?: boolean;
  color?: string;
}

/** A heatmap of `z` (rows × columns). */
export interface HeatmapTrace {
  z: NumberGrid;
  /** Column coordinates / row coordinates. Without `y`, row 0 is drawn at the top (like a matrix or image). */
  x?: NumberSeries | readonly string[];
  y?: NumberSeries | readonly string[];
  colorscale?: string;
  zmin?: number;
  zmax?: number;
  name?: string;
}

/** A surface z = f(x, y) over a grid: `z[row][col]` at (x[col], y[row]). */
export interface SurfaceTrace {
  z: NumberGrid;
  x?: NumberSeries;
  y?: NumberSeries;
  colorscale?: string;
  name?: string;
}

function many<T>(value: T | readonly T[], isOne: (v: unknown) => boolean): T[] {
  return isOne(value) ? [value as T] : [...(value as readonly T[])];
}

function checkNonEmpty(traces: unknown[], fn: string): void {
  if (traces.length === 0) throw new RangeError(`${fn}: give at least one trace`);
}

function coords(values: NumberSeries | readonly string[] | undefined, argName: string): (number | string)[] | undefined {
  if (values === undefined) return undefined;
  if (Array.isArray(values) && values.every((v) => typeof v === 'string')) return [...(values as string[])];
  return toNumbers(values as NumberSeries, argName);
}

/**
 * Line plot. `series` is one trace, an array of traces, or just the y values.
 * `viz.line(losses)` plots losses against 0, 1, 2, ….
 */
export function line(series: NumberSeries | LineTrace | readonly LineTrace[], options: PlotOptions = {}): Figure {
  const traces = isNumberSeries(series)
    ? [{ y: series } as LineTrace]
    : many<LineTrace>(series as LineTrace | readonly LineTrace[], (v) => !Array.isArray(v));
  checkNonEmpty(traces, 'line');
  const data: PlotlyTrace[] = traces.map((t, i) => {
    const y = toNumbers(t.y, `series[${i}].y`);
    const x = t.x === undefined ? undefined : toNumbers(t.x, `series[${i}].x`);
    if (x && x.length !== y.length) throw new RangeError(`series[${i}]: x has ${x.length} values but y has ${y.length}`);
    return {
      type: 'scatter',
      mode: t.markers ? 'lines+markers' : 'lines',
      x: x ?? y.map((_, k) => k),
      y,
      ...(t.name ? { name: t.name } : {}),
      line: { ...(t.dash ? { dash: t.dash } : {}), ...(t.color ? { color: t.color } : {}) },
    };
  });
  return new Figure(data, layoutFrom(options, data.filter((d) => d.name).length));
}

/** Scatter plot of one or more point sets. */
export function scatter(series: ScatterTrace | readonly ScatterTrace[], options: PlotOptions = {}): Figure {
  const traces = many<ScatterTrace>(series, (v) => !Array.isArray(v));
  checkNonEmpty(traces, 'scatter');
  const data: PlotlyTrace[] = traces.map((t, i) => {
    const x = toNumbers(t.x, `series[${i}].x`);
    const y = toNumbers(t.y, `series[${i}].y`);
    if (x.length !== y.length) throw new RangeError(`series[${i}]: x has ${x.length} values but y has ${y.length}`);
    const continuous = t.color !== undefined && typeof t.color !== 'string';
    const color = continuous ? toNumbers(t.color as NumberSeries, `series[${i}].color`) : t.color;
    if (Array.isArray(color) && color.length !== x.length) {
      throw new RangeError(`series[${i}]: color has ${color.length} values but there are ${x.length} points`);
    }
    return {
      type: 'scatter',
      mode: 'markers',
      x,
      y,
      ...(t.name ? { name: t.name } : {}),
      ...(t.text ? { text: [...t.text] } : {}),
      marker: {
        size: t.size ?? 6,
        ...(t.opacity !== undefined ? { opacity: t.opacity } : {}),
        ...(color !== undefined ? { color } : {}),
        ...(continuous ? { colorscale: 'Viridis', showscale: true } : {}),
      },
    };
  });
  return new Figure(data, layoutFrom(options, data.filter((d) => d.name).length));
}

/** Histogram(s); several traces are overlaid, half transparent. `viz.histogram(samples)` works too. */
export function histogram(series: NumberSeries | HistogramTrace | readonly HistogramTrace[], options: PlotOptions = {}): Figure {
  const traces = isNumberSeries(series)
    ? [{ values: series } as HistogramTrace]
    : many<HistogramTrace>(series as HistogramTrace | readonly HistogramTrace[], (v) => !Array.isArray(v));
  checkNonEmpty(traces, 'histogram');
  const data: PlotlyTrace[] = traces.map((t, i) => {
    if (t.bins !== undefined && !(Number.isInteger(t.bins) && t.bins > 0)) {
      throw new RangeError(`series[${i}].bins must be a positive integer; got ${t.bins}`);
    }
    return {
      type: 'histogram',
      x: toNumbers(t.values, `series[${i}].values`),
      ...(t.name ? { name: t.name } : {}),
      ...(t.bins ? { nbinsx: t.bins } : {}),
      ...(t.density ? { histnorm: 'probability density' } : {}),
      ...(traces.length > 1 ? { opacity: 0.6 } : {}),
      ...(t.color ? { marker: { color: t.color } } : {}),
    };
  });
  const layout = layoutFrom(
    { yLabel: traces.some((t) => t.density) ? 'density' : 'count', ...options },
    data.filter((d) => d.name).length,
    traces.length > 1 ? { barmode: 'overlay' } : {},
  );
  return new Figure(data, layout);
}

/** Heatmap of a matrix (a rank-2 tensor or rows of numbers). */
export function heatmap(trace: NumberGrid | HeatmapTrace, options: PlotOptions = {}): Figure {
  const t: HeatmapTrace = isHeatmapTrace(trace) ? trace : { z: trace as NumberGrid };
  const z = toGrid(t.z, 'z');
  const x = coords(t.x, 'x');
  const y = coords(t.y, 'y');
  if (x && x.length !== z[0].length) throw new RangeError(`x has ${x.length} values but z has ${z[0].length} columns`);
  if (y && y.length !== z.length) throw new RangeError(`y has ${y.length} values but z has ${z.length} rows`);
  const data: PlotlyTrace[] = [{
    type: 'heatmap',
    z,
    ...(x ? { x } : {}),
    ...(y ? { y } : {}),
    colorscale: t.colorscale ?? 'Viridis',
    ...(t.zmin !== undefined ? { zmin: t.zmin } : {}),
    ...(t.zmax !== undefined ? { zmax: t.zmax } : {}),
    ...(t.name ? { name: t.name } : {}),
  }];
  const layout = layoutFrom(options, 0);
  if (!y) (layout.yaxis as Record<string, unknown>).autorange = 'reversed';
  return new Figure(data, layout);
}

function isHeatmapTrace(v: unknown): v is HeatmapTrace {
  return v !== null && typeof v === 'object' && !Array.isArray(v) && 'z' in (v as object);
}

/** 3-D surface plot of z over an (x, y) grid. */
export function surface(trace: NumberGrid | SurfaceTrace, options: PlotOptions = {}): Figure {
  const t: SurfaceTrace = isHeatmapTrace(trace) ? (trace as SurfaceTrace) : { z: trace as NumberGrid };
  const z = toGrid(t.z, 'z');
  const x = t.x === undefined ? undefined : toNumbers(t.x, 'x');
  const y = t.y === undefined ? undefined : toNumbers(t.y, 'y');
  if (x && x.length !== z[0].length) throw new RangeError(`x has ${x.length} values but z has ${z[0].length} columns`);
  if (y && y.length !== z.length) throw new RangeError(`y has ${y.length} values but z has ${z.length} rows`);
  const data: PlotlyTrace[] = [{
    type: 'surface',
    z,
    ...(x ? { x } : {}),
    ...(y ? { y } : {}),
    colorscale: t.colorscale ?? 'Viridis',
    ...(t.name ? { name: t.name } : {}),
  }];
  const axis = (label: string | undefined): Record<string, unknown> => (label ? { title: { text: label } } : {});
  const layout = layoutFrom({ height: 480, ...options }, 0, {
    scene: { xaxis: axis(options.xLabel), yaxis: axis(options.yLabel), zaxis: axis(options.zLabel) },
    margin: { l: 0, r: 0, t: options.title ? 50 : 10, b: 0 },
  });
  delete layout.xaxis;
  delete layout.yaxis;
  return new Figure(data, layout);
}
