/**
 * Plotly figures that display themselves. A `Figure` carries plotly's own JSON
 * (`application/vnd.plotly.v1+json`, rendered natively by VS Code and JupyterLab with the plotly
 * extension) and, in the same bundle, an offline `text/html` fallback that draws it with the
 * plotly.js bundle from the installed npm package: the bundle is inlined once per kernel session
 * (the first figure shown carries it, later ones reuse `window.Plotly`), never fetched from a CDN.
 *
 * @see notebooks/00-getting-started
 */
import * as fs from 'fs';
import { randomBytes } from 'crypto';
import { DISPLAY, type Displayable, type MimeBundle } from './protocol';

/** One plotly trace (`{ type: 'scatter', x, y, ... }`); see plotly.js's reference for fields. */
export interface PlotlyTrace {
  type?: string;
  name?: string;
  [field: string]: unknown;
}

/** Plotly layout (`{ title, xaxis, yaxis, ... }`). */
export interface PlotlyLayout {
  [field: string]: unknown;
}

/** Plotly config (`{ responsive, displaylogo, ... }`). */
export interface PlotlyConfig {
  [field: string]: unknown;
}

/** Layout shortcuts every chart function takes. */
export interface PlotOptions {
  title?: string;
  xLabel?: string;
  yLabel?: string;
  /** z axis label (surface plots). */
  zLabel?: string;
  /** Logarithmic axes. */
  logX?: boolean;
  logY?: boolean;
  xRange?: readonly [number, number];
  yRange?: readonly [number, number];
  /** Pixel size; width defaults to the output's width, height to 360 (480 for surfaces). */
  width?: number;
  height?: number;
  /** Show the legend (default: when there is more than one named trace). */
  legend?: boolean;
}

const PLOTLY_PACKAGES = ['plotly.js-dist-min/plotly.min.js', 'plotly.js-dist/plotly.js'];
const INLINED_KEY = Symbol.for('genbook.viz.plotlyInlined');

let plotlySource: string | undefined;

/** The path of the plotly.js bundle this library inlines (minified when that package is present). */
export function plotlyBundlePath(): string {
  for (const id of PLOTLY_PACKAGES) {
    try {
      return require.resolve(id);
    } catch {
      // try the next package
    }
  }
  throw new Error(`no plotly.js bundle found; install one of: ${PLOTLY_PACKAGES.map((p) => p.split('/')[0]).join(', ')}`);
}

/**
 * A `<script>` element that defines `window.Plotly` from the installed bundle and then draws every
 * figure that was waiting for it. Put it once in a page (the book does); figures shown in a kernel
 * include it automatically the first time.
 */
export function plotlyScript(): string {
  if (plotlySource === undefined) plotlySource = fs.readFileSync(plotlyBundlePath(), 'utf8');
  // The bundle is UMD: hide any CommonJS/AMD globals of the page so it sets window.Plotly.
  const body = plotlySource.replace(/<\/script/gi, '<\\/script');
  return (
    '<script type="text/javascript">(function(){var module=undefined,exports=undefined,define=undefined;\n' +
    body +
    '\n})();(window.__genbookPlotlyQueue||[]).splice(0).forEach(function(draw){draw();});</script>'
  );
}

/** Whether the next figure shown inlines the plotly bundle (true after `resetPlotlyInlining()`). */
export function plotlyPending(): boolean {
  return !(globalThis as Record<symbol, unknown>)[INLINED_KEY];
}

/** Make the next figure shown inline the plotly bundle again (a new page or a cleared notebook). */
export function resetPlotlyInlining(): void {
  (globalThis as Record<symbol, unknown>)[INLINED_KEY] = false;
}

function markInlined(): void {
  (globalThis as Record<symbol, unknown>)[INLINED_KEY] = true;
}

/** JSON that is safe inside a `<script>` element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/** A plotly figure: traces, layout and config. End a cell with it to draw it. */
export class Figure implements Displayable {
  readonly data: readonly PlotlyTrace[];
  readonly layout: PlotlyLayout;
  readonly config: PlotlyConfig;

  constructor(data: readonly PlotlyTrace[], layout: PlotlyLayout = {}, config: PlotlyConfig = {}) {
    if (!Array.isArray(data)) throw new RangeError('data must be an array of plotly traces');
    this.data = data;
    this.layout = layout;
    this.config = { responsive: true, displaylogo: false, ...config };
  }

  /** The plotly JSON (`{ data, layout, config }`), as `application/vnd.plotly.v1+json` carries it. */
  toJSON(): { data: PlotlyTrace[]; layout: PlotlyLayout; config: PlotlyConfig } {
    return { data: [...this.data], layout: this.layout, config: this.config };
  }

  /** The figure's height in pixels (layout.height or 360). */
  get height(): number {
    return typeof this.layout.height === 'number' ? this.layout.height : 360;
  }

  /**
   * Offline HTML: a div and a script that draws into it once `window.Plotly` exists. With
   * `includePlotly` the plotly bundle comes first (default: only for the first figure in this
   * kernel session).
   */
  html(options: { includePlotly?: boolean } = {}): string {
    const include = options.includePlotly ?? plotlyPending();
    if (include) markInlined();
    const id = `genbook-plot-${randomBytes(6).toString('hex')}`;
    const width = typeof this.layout.width === 'number' ? `${this.layout.width}px` : '100%';
    const div = `<div id="${id}" class="genbook-plot" style="width:${width};height:${this.height}px"></div>`;
    const draw =
      `<script type="text/javascript">(function(){var fig=${scriptJson(this.toJSON())};` +
      `function draw(){var el=document.getElementById(${JSON.stringify(id)});if(el){window.Plotly.newPlot(el,fig.data,fig.layout,fig.config);}}` +
      `if(window.Plotly){draw();}else{(window.__genbookPlotlyQueue=window.__genbookPlotlyQueue||[]).push(draw);}})();</script>`;
    return (include ? plotlyScript() : '') + div + draw;
  }

  /** A one-line description: chart kinds, trace count and title. */
  summary(): string {
    const kinds = [...new Set(this.data.map((t) => t.type ?? 'scatter'))].join(', ');
    const title = layoutTitle(this.layout);
    const names = this.data.map((t) => t.name).filter((n): n is string => typeof n === 'string');
    return `Figure(${kinds}; ${this.data.length} trace${this.data.length === 1 ? '' : 's'}` +
      `${names.length ? ': ' + names.join(', ') : ''})${title ? ` "${title}"` : ''}`;
  }

  [DISPLAY](): MimeBundle {
    return {
      'application/vnd.plotly.v1+json': this.toJSON(),
      'text/html': this.html(),
      'text/plain': this.summary(),
    };
  }
}

function layoutTitle(layout: PlotlyLayout): string | undefined {
  const t = layout.title;
  if (typeof t === 'string') return t;
  if (t && typeof t === 'object' && typeof (t as { text?: unknown }).text === 'string') return (t as { text: string }).text;
  return undefined;
}

/** The layout for `options` (titles, axis labels, log axes, size, legend). */
export function layoutFrom(options: PlotOptions, traceCount: number, base: PlotlyLayout = {}): PlotlyLayout {
  const axis = (label: string | undefined, log: boolean | undefined, range: readonly [number, number] | undefined): Record<string, unknown> => ({
    ...(label ? { title: { text: label } } : {}),
    ...(log ? { type: 'log' } : {}),
    ...(range ? { range: [...range] } : {}),
    automargin: true,
  });
  for (const [name, v] of [['width', options.width], ['height', options.height]] as const) {
    if (v !== undefined && !(Number.isFinite(v) && v > 0)) throw new RangeError(`${name} must be a positive number of pixels; got ${v}`);
  }
  return {
    ...(options.title ? { title: { text: options.title } } : {}),
    xaxis: axis(options.xLabel, options.logX, options.xRange),
    yaxis: axis(options.yLabel, options.logY, options.yRange),
    height: options.height ?? 360,
    ...(options.width ? { width: options.width } : {}),
    margin: { l: 60, r: 20, t: options.title ? 50 : 20, b: 50 },
    showlegend: options.legend ?? traceCount > 1,
    ...base,
  };
}
