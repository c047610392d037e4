/**
 * The book's HTML pages: one per notebook (its Markdown cells typeset, code highlighted, outputs
 * rendered) and the index, in syllabus order. Pages are self-contained apart from the shared
 * assets/ folder (KaTeX's stylesheet and fonts, highlight.js's theme, plotly.js, Noto Sans KR for
 * Hangul, the book's CSS);
 * nothing is loaded from the network.
 */
import type { ICell, ICodeCell, INotebookContent } from '@jupyterlab/nbformat';
import { escapeHtml, highlight } from './highlight';
import { renderMarkdown } from './markdown';
import { newRenderContext, renderOutput } from './outputs';
import { CHAPTERS, HOMEWORK } from './syllabus';

export const BOOK_TITLE = 'genbook — generative models in TypeScript';

function source(cell: ICell): string {
  return Array.isArray(cell.source) ? cell.source.join('') : cell.source;
}

/** The notebook's title: its first Markdown heading, as plain text. */
export function notebookTitle(nb: INotebookContent, fallback: string): string {
  for (const cell of nb.cells) {
    if (cell.cell_type !== 'markdown') continue;
    const m = /^#{1,2}\s+(.+)$/m.exec(source(cell));
    if (m) return m[1].replace(/[*_`]/g, '').replace(/\[([^\]]*)\]\([^)]*\)/g, '$1').trim();
  }
  return fallback;
}

export interface PageLink {
  href: string;
  title: string;
}

export interface NotebookPageOptions {
  title: string;
  /** Relative path from this page to the book's root ('' or '../'). */
  root: string;
  /** The notebook's path in the repository, shown at the top. */
  sourcePath: string;
  prev?: PageLink;
  next?: PageLink;
  /** A line about the run (mode, date); undefined for pages shown without outputs. */
  runNote?: string;
  /** Shown prominently when the run failed. */
  failure?: string;
  /**
   * The live book (`npm start`): this page's name in status.json, the status line it was written
   * with, and its generation (how many times it has been rewritten); assets/live.js keeps the line
   * current and offers a reload once a newer generation is written.
   */
  live?: { page: string; status: string; generation: number };
}

function head(title: string, root: string, withPlotly: boolean, live = false): string {
  return [
    '<!doctype html>',
    '<html lang="en">',
    '<head>',
    '<meta charset="utf-8">',
    '<meta name="viewport" content="width=device-width, initial-scale=1">',
    `<title>${escapeHtml(title)}</title>`,
    '<link rel="icon" href="data:,">',
    `<link rel="stylesheet" href="${root}assets/katex/katex.min.css">`,
    `<link rel="stylesheet" href="${root}assets/highlight/github.min.css">`,
    `<link rel="stylesheet" href="${root}assets/fonts/noto-sans-kr.css">`,
    `<link rel="stylesheet" href="${root}assets/book.css">`,
    withPlotly ? `<script src="${root}assets/plotly.min.js"></script>` : '',
    live ? `<script src="${root}assets/live.js" defer></script>` : '',
    '</head>',
  ]
    .filter(Boolean)
    .join('\n');
}

function nav(root: string, prev?: PageLink, next?: PageLink): string {
  const link = (l: PageLink | undefined, rel: string, arrow: string): string =>
    l ? `<a class="${rel}" rel="${rel}" href="${escapeHtml(l.href)}">${rel === 'prev' ? arrow + ' ' : ''}${escapeHtml(l.title)}${rel === 'next' ? ' ' + arrow : ''}</a>` : '<span></span>';
  return `<nav class="pager">${link(prev, 'prev', '←')}<a class="home" href="${root}index.html">Contents</a>${link(next, 'next', '→')}</nav>`;
}

/** The tag that marks an exercise's answer cell (Markdown or code). */
export const ANSWER_TAG = 'answer';

/**
 * Whether a cell is shown collapsed: tagged `answer`, or with its source hidden in Jupyter's own
 * cell metadata (`"jupyter": {"source_hidden": true}`, what JupyterLab writes when a reader
 * collapses a cell's input, and honours when it opens the notebook).
 */
export function isCollapsed(cell: ICell): boolean {
  const meta = (cell.metadata ?? {}) as { tags?: unknown; jupyter?: { source_hidden?: unknown } };
  return (Array.isArray(meta.tags) && meta.tags.includes(ANSWER_TAG)) || meta.jupyter?.source_hidden === true;
}

/** Whether a collapsed cell is an exercise's answer (its summary says "Answer"). */
function isAnswer(cell: ICell): boolean {
  const tags = (cell.metadata as { tags?: unknown } | undefined)?.tags;
  return Array.isArray(tags) && tags.includes(ANSWER_TAG);
}

/**
 * One notebook as an HTML page; `needsPlotly` tells whether it draws plotly figures. Consecutive
 * collapsed cells (see `isCollapsed`) go into one closed `<details>`, source and outputs, so an
 * exercise's answer stays hidden until the reader opens it.
 */
export function renderNotebookPage(nb: INotebookContent, options: NotebookPageOptions): { html: string; needsPlotly: boolean } {
  const ctx = newRenderContext({ root: options.root });
  const cells: string[] = [];
  let group: { answer: boolean; html: string[] } | undefined;
  const closeGroup = (): void => {
    if (!group) return;
    const label = group.answer ? 'Answer (click to show)' : 'Hidden cells (click to show)';
    cells.push(`<details class="${group.answer ? 'answer' : 'hidden-cells'}"><summary>${label}</summary>\n${group.html.join('\n')}\n</details>`);
    group = undefined;
  };
  for (const cell of nb.cells) {
    const src = source(cell);
    const collapsed = isCollapsed(cell);
    if (!collapsed) closeGroup();
    else if (!group) group = { answer: isAnswer(cell), html: [] };
    else if (isAnswer(cell)) group.answer = true;
    const before = cells.length;
    if (cell.cell_type === 'markdown') {
      ctx.markdown = { root: options.root, attachments: cell.attachments as Record<string, Record<string, string>> | undefined };
      cells.push(`<section class="cell markdown">${renderMarkdown(src, ctx.markdown)}</section>`);
    } else if (cell.cell_type === 'code') {
      const code = cell as ICodeCell;
      const count = code.execution_count ?? ' ';
      const outputs = (code.outputs ?? []).map((o) => renderOutput(o, ctx)).join('\n');
      cells.push(
        `<section class="cell code"><div class="input"><span class="prompt">[${count}]</span>` +
          `<pre><code class="hljs language-typescript">${highlight(src, 'typescript')}</code></pre></div>` +
          (outputs ? `<div class="outputs">${outputs}</div>` : '') +
          '</section>',
      );
    } else if (src.trim()) {
      cells.push(`<section class="cell raw"><pre>${escapeHtml(src)}</pre></section>`);
    }
    if (collapsed && group) group.html.push(...cells.splice(before));
  }
  closeGroup();
  const body = [
    '<body>',
    nav(options.root, options.prev, options.next),
    '<main>',
    `<p class="source">${escapeHtml(options.sourcePath)}${options.runNote ? ` · <span class="run-note">${escapeHtml(options.runNote)}</span>` : ''}</p>`,
    options.live
      ? `<p class="live" data-live-page="${escapeHtml(options.live.page)}" data-generation="${options.live.generation}" data-root="${options.root}">${escapeHtml(options.live.status)}</p>`
      : '',
    options.failure ? `<div class="failure"><strong>This notebook did not run to the end.</strong><pre>${escapeHtml(options.failure)}</pre></div>` : '',
    ...cells,
    '</main>',
    nav(options.root, options.prev, options.next),
    '</body>',
    '</html>',
  ].filter(Boolean);
  return { html: `${head(`${options.title} · genbook`, options.root, ctx.needsPlotly, options.live !== undefined)}\n${body.join('\n')}\n`, needsPlotly: ctx.needsPlotly };
}

/** A page of prose (the glossary): `bodyHtml` between the book's navigation. */
export function renderDocumentPage(title: string, bodyHtml: string, sourcePath: string): string {
  return [
    head(`${title} · genbook`, '', false),
    '<body>',
    nav(''),
    '<main>',
    `<p class="source">${escapeHtml(sourcePath)}</p>`,
    `<section class="cell markdown">${bodyHtml}</section>`,
    '</main>',
    '</body>',
    '</html>',
  ].join('\n');
}

export interface IndexEntry {
  /** Notebook file name, e.g. 01-information-theory.ipynb. */
  file: string;
  href: string;
  title: string;
  failed?: boolean;
  /** The live book: the notebook's status (queued, running cell k of n, …), kept current by assets/live.js. */
  live?: string;
}

/**
 * The index: the chapters in syllabus order (linked when their notebook exists), other notebooks,
 * the homework. `generated` says when and how the book was made.
 */
export function renderIndex(chapters: IndexEntry[], homework: IndexEntry[], generated: string, options: { live?: boolean } = {}): string {
  const byNumber = new Map<string, IndexEntry[]>();
  const others: IndexEntry[] = [];
  for (const e of chapters) {
    const m = /^(\d\d)-/.exec(e.file);
    if (m && CHAPTERS.some((c) => c.number === m[1])) byNumber.set(m[1], [...(byNumber.get(m[1]) ?? []), e]);
    else others.push(e);
  }
  const liveBadge = (e: IndexEntry): string => (e.live !== undefined ? ` <span class="badge live" data-live-page="${escapeHtml(e.href)}" data-live-field="badge">${escapeHtml(e.live)}</span>` : '');
  const item = (e: IndexEntry, label?: string): string =>
    `<li><a href="${escapeHtml(e.href)}">${escapeHtml(label ?? e.title)}</a>${e.failed ? ' <span class="badge failed">did not run to the end</span>' : ''}${liveBadge(e)}</li>`;
  const rows = CHAPTERS.map((c) => {
    const entries = byNumber.get(c.number) ?? [];
    const lectures = c.lectures.length ? ` <span class="lectures">lectures ${c.lectures.join(', ')}</span>` : '';
    if (entries.length === 0) return `<li class="coming"><span class="num">${c.number}</span> ${escapeHtml(c.title)}${lectures} <span class="badge">coming</span></li>`;
    return entries
      .map((e) => `<li><span class="num">${c.number}</span> <a href="${escapeHtml(e.href)}">${escapeHtml(e.title.replace(new RegExp(`^${c.number}\\s*[·:.-]\\s*`), ''))}</a>${lectures}${e.failed ? ' <span class="badge failed">did not run to the end</span>' : ''}${liveBadge(e)}</li>`)
      .join('\n');
  });
  const hw = HOMEWORK.map((h) => {
    const e = homework.find((x) => x.file.startsWith(h.week));
    return e ? item(e, `${h.week} · ${h.topic}`) : `<li class="coming">${h.week} · ${escapeHtml(h.topic)} <span class="badge">coming</span></li>`;
  });
  return [
    head(BOOK_TITLE, '', false, options.live === true),
    '<body>',
    '<main class="index">',
    `<h1>${escapeHtml(BOOK_TITLE)}</h1>`,
    '<p>The course notebooks, executed, with their plots and math. Open a notebook in Jupyter or VS Code (kernel “TypeScript (genbook)”) to run and change the cells.</p>',
    '<h2>Chapters</h2>',
    `<ol class="chapters">${rows.join('\n')}</ol>`,
    others.length ? `<h2>More notebooks</h2><ul>${others.map((e) => item(e)).join('\n')}</ul>` : '',
    '<h2>Homework</h2>',
    '<p>The exercises as handed out (not executed: run them in Jupyter with your solutions).</p>',
    `<ul class="homework">${hw.join('\n')}</ul>`,
    `<p class="generated">${escapeHtml(generated)}</p>`,
    '</main>',
    '</body>',
    '</html>',
  ]
    .filter(Boolean)
    .join('\n');
}

export const BOOK_CSS = `
:root { --fg: #1f2328; --muted: #656d76; --line: #d0d7de; --code-bg: #f6f8fa; --accent: #0969da; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--fg); background: #fff; font: 16px/1.6 -apple-system, "Segoe UI", "Noto Sans", "Noto Sans KR", Helvetica, Arial, sans-serif; }
main { max-width: 980px; margin: 0 auto; padding: 8px 24px 48px; }
a { color: var(--accent); text-decoration: none; }
a:hover { text-decoration: underline; }
nav.pager { display: flex; justify-content: space-between; gap: 16px; max-width: 980px; margin: 0 auto; padding: 12px 24px; font-size: 14px; border-bottom: 1px solid var(--line); }
nav.pager:last-of-type { border-bottom: 0; border-top: 1px solid var(--line); }
p.source { color: var(--muted); font-size: 13px; }
.cell { margin: 14px 0; }
.cell.code .input { display: flex; gap: 8px; align-items: flex-start; }
.prompt { flex: 0 0 44px; color: var(--muted); font: 12px/1.9 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; text-align: right; }
.cell.code .input pre { flex: 1; margin: 0; padding: 10px 12px; background: var(--code-bg); border: 1px solid var(--line); border-radius: 6px; overflow-x: auto; font: 13px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.cell.code .input pre code.hljs { padding: 0; background: transparent; }
.outputs { margin: 6px 0 0 52px; }
.output { margin: 4px 0; overflow-x: auto; }
.output pre { margin: 0; padding: 4px 0; background: transparent; border: 0; white-space: pre-wrap; font: 13px/1.45 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; }
.output.stream.stderr pre, .output.error pre { background: #fff1f0; color: #82071e; padding: 6px 8px; border-radius: 4px; }
.output img { max-width: 100%; image-rendering: pixelated; }
.output .plot { width: 100%; }
.cell.markdown h1 { font-size: 2em; border-bottom: 1px solid var(--line); padding-bottom: .2em; }
.cell.markdown table, .output table { border-collapse: collapse; }
.cell.markdown th, .cell.markdown td { border: 1px solid var(--line); padding: 4px 10px; }
.cell.markdown code { background: var(--code-bg); padding: .1em .3em; border-radius: 4px; font-size: 90%; }
.cell.markdown pre code { display: block; padding: 10px 12px; }
.katex-display { overflow-x: auto; overflow-y: hidden; }
.failure { border: 1px solid #cf222e; background: #fff1f0; padding: 8px 12px; border-radius: 6px; }
.index ol.chapters { list-style: none; padding: 0; }
.index li { margin: 6px 0; }
.index .num { display: inline-block; width: 2.2em; color: var(--muted); font-variant-numeric: tabular-nums; }
.index .lectures { color: var(--muted); font-size: 13px; }
.index li.coming { color: var(--muted); }
.badge { font-size: 12px; border: 1px solid var(--line); border-radius: 10px; padding: 0 8px; color: var(--muted); }
.badge.failed { border-color: #cf222e; color: #cf222e; }
p.generated { color: var(--muted); font-size: 13px; margin-top: 32px; }
p.live { border: 1px solid var(--line); background: #f6f8fa; padding: 6px 12px; border-radius: 6px; font-size: 14px; }
p.live:empty, .badge.live:empty { display: none; }
p.live a.reload { margin-left: 8px; font-weight: 600; }
details.answer, details.hidden-cells { margin: 14px 0; border: 1px solid var(--line); border-left: 4px solid #1a7f37; border-radius: 6px; padding: 4px 12px; }
details.hidden-cells { border-left-color: var(--line); }
details > summary { cursor: pointer; color: var(--muted); font-size: 14px; }
details[open] > summary { margin-bottom: 6px; }
`;
