/**
 * A notebook output as static HTML for the book. Rich outputs show their richest MIME type the
 * book can draw offline, in this order: a plotly figure (application/vnd.plotly.v1+json, drawn by
 * the page's one plotly.js bundle), HTML, SVG, PNG/JPEG/GIF, Markdown, LaTeX (KaTeX), JSON, plain
 * text. Streams and errors are preformatted text with terminal colours removed.
 */
import type { IOutput } from '@jupyterlab/nbformat';
import { escapeHtml } from './highlight';
import { MarkdownEnv, renderLatex, renderMarkdown } from './markdown';

export const PLOTLY_MIME = 'application/vnd.plotly.v1+json';

/** What rendering a page's outputs found out: whether the page needs plotly.js, and plot ids. */
export interface RenderContext {
  /** Prefix for element ids on this page. */
  idPrefix: string;
  plots: number;
  needsPlotly: boolean;
  markdown: MarkdownEnv;
}

export function newRenderContext(markdown: MarkdownEnv = {}, idPrefix = 'plot'): RenderContext {
  return { idPrefix, plots: 0, needsPlotly: false, markdown };
}

const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

function text(value: unknown): string {
  if (Array.isArray(value)) return value.join('');
  return typeof value === 'string' ? value : JSON.stringify(value, null, 2);
}

/** JSON that is safe inside a <script> element. */
function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}

/**
 * Inline copies of the plotly.js bundle inside text/html outputs (a kernel inlines it once per
 * session): removed, since every page with plots loads the book's own copy.
 */
export function stripInlinePlotly(html: string): string {
  return html.replace(/<script\b[^>]*>([^]*?)<\/script>/gi, (whole, body: string) => (body.length > 200_000 && /plotly/i.test(body) ? '' : whole));
}

function plotlyFigure(figure: unknown, ctx: RenderContext): string {
  const fig = (figure && typeof figure === 'object' ? figure : {}) as { data?: unknown; layout?: { height?: unknown }; config?: unknown };
  const id = `${ctx.idPrefix}-${++ctx.plots}`;
  ctx.needsPlotly = true;
  const height = typeof fig.layout?.height === 'number' ? fig.layout.height : 360;
  const config = { responsive: true, displaylogo: false, ...((fig.config as object | undefined) ?? {}) };
  return (
    `<div class="plot" id="${id}" style="min-height:${height}px"></div>` +
    `<script>Plotly.newPlot(${JSON.stringify(id)}, ${scriptJson(fig.data ?? [])}, ${scriptJson(fig.layout ?? {})}, ${scriptJson(config)});</script>`
  );
}

function imageTag(mime: string, data: unknown, metadata: Record<string, unknown> | undefined): string {
  const meta = (metadata?.[mime] ?? {}) as { width?: number; height?: number };
  const size = `${meta.width ? ` width="${meta.width}"` : ''}${meta.height ? ` height="${meta.height}"` : ''}`;
  return `<img src="data:${mime};base64,${text(data).replace(/\s/g, '')}"${size} alt="output image">`;
}

/** The HTML of one MIME bundle (display_data / execute_result data). */
export function renderBundle(data: Record<string, unknown>, metadata: Record<string, unknown> | undefined, ctx: RenderContext): string {
  if (data[PLOTLY_MIME] !== undefined) return plotlyFigure(data[PLOTLY_MIME], ctx);
  if (data['text/html'] !== undefined) {
    const html = stripInlinePlotly(text(data['text/html']));
    if (/\bPlotly\./.test(html)) ctx.needsPlotly = true;
    return `<div class="html">${html}</div>`;
  }
  if (data['image/svg+xml'] !== undefined) return `<div class="svg">${text(data['image/svg+xml'])}</div>`;
  for (const mime of ['image/png', 'image/jpeg', 'image/gif']) if (data[mime] !== undefined) return imageTag(mime, data[mime], metadata);
  if (data['text/markdown'] !== undefined) return `<div class="markdown">${renderMarkdown(text(data['text/markdown']), ctx.markdown)}</div>`;
  if (data['text/latex'] !== undefined) return `<div class="latex">${renderLatex(text(data['text/latex']))}</div>`;
  if (data['application/json'] !== undefined) return `<pre class="json">${escapeHtml(JSON.stringify(data['application/json'], null, 2))}</pre>`;
  if (data['text/plain'] !== undefined) return `<pre class="text">${escapeHtml(text(data['text/plain']).replace(ANSI, ''))}</pre>`;
  return `<pre class="text unsupported">(output of type ${escapeHtml(Object.keys(data).join(', '))})</pre>`;
}

/** The HTML of one output. */
export function renderOutput(output: IOutput, ctx: RenderContext): string {
  switch (output.output_type) {
    case 'stream': {
      const name = output.name === 'stderr' ? 'stderr' : 'stdout';
      return `<div class="output stream ${name}"><pre>${escapeHtml(text(output.text).replace(ANSI, ''))}</pre></div>`;
    }
    case 'error': {
      const traceback = Array.isArray(output.traceback) ? (output.traceback as string[]).join('\n') : `${String(output.ename)}: ${String(output.evalue)}`;
      return `<div class="output error"><pre>${escapeHtml(traceback.replace(ANSI, ''))}</pre></div>`;
    }
    case 'display_data':
    case 'execute_result':
      return `<div class="output ${output.output_type}">${renderBundle((output.data ?? {}) as Record<string, unknown>, output.metadata as Record<string, unknown> | undefined, ctx)}</div>`;
    default:
      return '';
  }
}
