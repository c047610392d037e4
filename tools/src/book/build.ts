/**
 * Building the book: executed notebooks (reused when fresh, otherwise run by the runner) rendered
 * to a static site under build/book/ — index.html in syllabus order, one page per notebook, the
 * glossary, and assets/ with KaTeX, highlight.js and plotly.js copied from node_modules once.
 *
 * An executed copy in build/notebooks/ is fresh when it is newer than its source notebook, than
 * the built library (lib/dist), the kernel (tools/dist/kernel) and the .ts files beside the
 * notebook, ran without errors, and ran in the requested mode (a full-mode copy also serves a
 * quick book). Homework notebooks are shown as handed out, never executed (running them would
 * need, and publish, the solutions).
 */
import * as fs from 'fs';
import * as path from 'path';
import { projectRoot } from '../kernel/spec';
import type { CellReport } from '../runner/executor';
import { Notebook, readNotebook } from '../runner/nbformat';
import { executedPath, NotebookResult, runMetadata, runNotebooks } from '../runner/run';
import { BOOK_DOCUMENTS, renderMarkdown } from './markdown';
import { BOOK_CSS, IndexEntry, notebookTitle, PageLink, renderDocumentPage, renderIndex, renderNotebookPage } from './page';

export interface BookOptions {
  root?: string;
  /** Where the site goes (default <root>/build/book). */
  outDir?: string;
  /** Where executed notebooks are kept (default <root>/build/notebooks). */
  executedDir?: string;
  /** Quick mode for notebooks that must be run (GENBOOK_QUICK=1). */
  quick?: boolean;
  /** Run every notebook even when its executed copy is fresh. */
  force?: boolean;
  jobs?: number;
  timeoutSeconds?: number;
  /** The course notebooks (default: notebooks/*.ipynb). */
  notebooks?: string[];
  /** Homework notebooks shown unexecuted (default: notebooks/homework/*.ipynb). */
  homework?: string[];
  log?: (line: string) => void;
  onCell?: (file: string, report: CellReport) => void;
}

export interface BookPage {
  source: string;
  page: string;
  title: string;
  /** 'reused' a fresh executed copy, 'ran' it now, or 'source' (shown unexecuted). */
  origin: 'reused' | 'ran' | 'source';
  failure?: string;
  plots: boolean;
}

export interface BookResult {
  outDir: string;
  index: string;
  pages: BookPage[];
  /** Notebooks that did not run to the end. */
  failures: string[];
  runResults: NotebookResult[];
}

export function listNotebooks(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir)
    .filter((f) => f.endsWith('.ipynb') && !f.startsWith('.') && !f.startsWith('_'))
    .sort()
    .map((f) => path.join(dir, f));
}

/** The newest modification time (ms) of the files under `dir` whose names pass `accept`; 0 if none. */
export function newestMtime(dir: string, accept: (name: string) => boolean = () => true, recursive = true): number {
  let newest = 0;
  if (!fs.existsSync(dir)) return newest;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      if (recursive) newest = Math.max(newest, newestMtime(p, accept, recursive));
    } else if (accept(entry.name)) {
      newest = Math.max(newest, fs.statSync(p).mtimeMs);
    }
  }
  return newest;
}

/** Why the executed copy `executed` of `source` cannot be reused, or undefined when it is fresh. */
export function staleReason(source: string, executed: string, options: { quick: boolean; dependencies: number }): string | undefined {
  if (!fs.existsSync(executed)) return 'not executed yet';
  const mtime = fs.statSync(executed).mtimeMs;
  if (mtime <= fs.statSync(source).mtimeMs) return 'the notebook changed since it ran';
  const beside = newestMtime(path.dirname(source), (n) => n.endsWith('.ts'), false);
  if (mtime <= Math.max(options.dependencies, beside)) return 'the library or kernel was rebuilt since it ran';
  let nb: Notebook;
  try {
    nb = readNotebook(executed);
  } catch {
    return 'the executed copy is unreadable';
  }
  const run = runMetadata(nb);
  if (!run) return 'the executed copy has no run record';
  if (run.errors > 0) return 'it failed last time';
  if (!options.quick && run.quick) return 'it ran in quick mode, the book is built in full mode';
  return undefined;
}

function copyIfChanged(from: string, to: string): void {
  if (fs.existsSync(to)) {
    const a = fs.statSync(from);
    const b = fs.statSync(to);
    if (a.size === b.size && b.mtimeMs >= a.mtimeMs) return;
  }
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(from, to);
}

/** The weights of Noto Sans KR the book's CSS uses: body text and bold (headings, <strong>, <th>). */
export const KOREAN_FONT_WEIGHTS = [400, 700] as const;

/**
 * Noto Sans KR (@fontsource/noto-sans-kr, SIL OFL) for Hangul on machines without a CJK font:
 * Fontsource's @font-face rules of the weights used, each a unicode-range slice, so a page loads
 * only the slices its characters fall in; woff2 only (every browser that runs plotly.js reads it).
 * Writes assets/fonts/noto-sans-kr.css and the woff2 files it names.
 */
export function writeKoreanFont(assets: string): void {
  const pkg = path.dirname(require.resolve('@fontsource/noto-sans-kr/package.json'));
  const css: string[] = [];
  for (const weight of KOREAN_FONT_WEIGHTS) {
    const text = fs.readFileSync(path.join(pkg, `${weight}.css`), 'utf8');
    // Keep the woff2 source of each rule, drop the woff fallback.
    css.push(text.replace(/src: url\(\.\/files\/([^)]+\.woff2)\) format\('woff2'\)(, url\([^)]+\) format\('woff'\))?;/g, "src: url(./noto-sans-kr/$1) format('woff2');"));
    for (const m of text.matchAll(/url\(\.\/files\/([^)]+\.woff2)\)/g)) copyIfChanged(path.join(pkg, 'files', m[1]), path.join(assets, 'fonts', 'noto-sans-kr', m[1]));
  }
  const out = path.join(assets, 'fonts', 'noto-sans-kr.css');
  const body = `/* Noto Sans KR ${KOREAN_FONT_WEIGHTS.join(', ')} from @fontsource/noto-sans-kr (SIL Open Font License 1.1) */\n${css.join('\n')}`;
  if (!fs.existsSync(out) || fs.readFileSync(out, 'utf8') !== body) fs.writeFileSync(out, body);
}

/** Copy KaTeX (CSS and fonts), the highlight.js theme, plotly.js and the Korean font into `assets`, once. */
export function writeAssets(assets: string): void {
  const katexDist = path.dirname(require.resolve('katex/dist/katex.min.css'));
  copyIfChanged(path.join(katexDist, 'katex.min.css'), path.join(assets, 'katex', 'katex.min.css'));
  for (const font of fs.readdirSync(path.join(katexDist, 'fonts'))) {
    copyIfChanged(path.join(katexDist, 'fonts', font), path.join(assets, 'katex', 'fonts', font));
  }
  copyIfChanged(require.resolve('highlight.js/styles/github.min.css'), path.join(assets, 'highlight', 'github.min.css'));
  copyIfChanged(require.resolve('plotly.js-dist-min/plotly.min.js'), path.join(assets, 'plotly.min.js'));
  writeKoreanFont(assets);
  fs.writeFileSync(path.join(assets, 'book.css'), BOOK_CSS.trimStart());
}

export function pageName(source: string, homework: boolean): string {
  const base = path.basename(source, '.ipynb');
  return homework ? path.join('homework', `${base}.html`) : `${base}.html`;
}

export function describeFailure(result: NotebookResult | undefined): string | undefined {
  if (!result) return undefined;
  if (result.failure) return result.failure;
  const e = result.report?.errors[0];
  return e ? `cell ${e.index + 1} (code cell ${e.codeNumber}/${e.codeCount}): ${e.message ?? e.status}` : undefined;
}

/** Build (or refresh) the book; never throws for a failing notebook (its page says so). */
export async function buildBook(options: BookOptions = {}): Promise<BookResult> {
  const root = options.root ?? projectRoot();
  const outDir = options.outDir ?? path.join(root, 'build', 'book');
  const executedDir = options.executedDir ?? path.join(root, 'build', 'notebooks');
  const quick = options.quick ?? process.env.GENBOOK_QUICK === '1';
  const log = options.log ?? (() => undefined);
  const notebooks = options.notebooks ?? listNotebooks(path.join(root, 'notebooks'));
  const homework = options.homework ?? listNotebooks(path.join(root, 'notebooks', 'homework'));
  const dependencies = Math.max(newestMtime(path.join(root, 'lib', 'dist')), newestMtime(path.join(root, 'tools', 'dist', 'kernel')));

  // 1. Executed copies: reuse the fresh ones, run the rest.
  const toRun: string[] = [];
  for (const nb of notebooks) {
    const reason = options.force ? 'forced' : staleReason(nb, executedPath(nb, executedDir, root), { quick, dependencies });
    if (reason) {
      toRun.push(nb);
      log(`${path.basename(nb)}: running (${reason})`);
    } else {
      log(`${path.basename(nb)}: reusing ${path.relative(root, executedPath(nb, executedDir, root))}`);
    }
  }
  const runResults = toRun.length
    ? await runNotebooks(toRun, { root, outDir: executedDir, quick, jobs: options.jobs, timeoutSeconds: options.timeoutSeconds, onCell: options.onCell })
    : [];
  const resultOf = new Map(runResults.map((r) => [path.resolve(r.file), r]));

  // 2. Pages.
  fs.mkdirSync(outDir, { recursive: true });
  writeAssets(path.join(outDir, 'assets'));
  const loaded: LoadedNotebook[] = [];
  for (const source of notebooks) {
    const result = resultOf.get(path.resolve(source));
    const executed = executedPath(source, executedDir, root);
    const failure = describeFailure(result);
    try {
      loaded.push({ source, nb: readNotebook(fs.existsSync(executed) ? executed : source), homework: false, origin: result ? 'ran' : 'reused', failure });
    } catch (e) {
      loaded.push({ source, nb: readNotebook(source), homework: false, origin: 'source', failure: failure ?? (e as Error).message });
    }
  }
  for (const source of homework) loaded.push({ source, nb: readNotebook(source), homework: true, origin: 'source' });
  const site = siteOf(root, outDir, loaded);
  const pages = loaded.map((l, i) => writeNotebookPage(site, i, l));

  // 3. The glossary and the index.
  const modes = new Set(loaded.filter((l) => l.origin !== 'source').map((l) => (runMetadata(l.nb)?.quick ? 'quick' : 'full')));
  const generated = `Built ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC from ${notebooks.length} executed notebooks (${[...modes].join(' and ') || 'no'} mode) by \`npm run book\`.`;
  const index = writeIndexPage(site, pages, generated);
  const failures = pages.filter((p) => p.failure).map((p) => `${path.relative(root, p.source)}: ${p.failure}`);
  log(`book: ${pages.length} pages in ${path.relative(root, outDir) || outDir}${failures.length ? `, ${failures.length} notebook(s) did not run to the end` : ''}`);
  return { outDir, index, pages, failures, runResults };
}


/** A notebook as a page shows it: the executed copy (or the source), where it came from, its failure. */
export interface LoadedNotebook {
  source: string;
  nb: Notebook;
  homework: boolean;
  origin: BookPage['origin'];
  failure?: string;
  /** For the live book (`npm start`): what the page says while notebooks run (see live.ts). */
  live?: { status: string; generation: number };
}

/** The book's pages in order: where each goes and its title (for the pager and the index). */
export interface Site {
  root: string;
  outDir: string;
  entries: { source: string; homework: boolean; href: string; title: string }[];
  /** Pages get the live status line and script (the live book). */
  live?: boolean;
}

export function siteOf(root: string, outDir: string, loaded: readonly Pick<LoadedNotebook, 'source' | 'nb' | 'homework'>[], live = false): Site {
  return {
    root,
    outDir,
    live,
    entries: loaded.map((l) => ({ source: l.source, homework: l.homework, href: pageName(l.source, l.homework), title: notebookTitle(l.nb, path.basename(l.source, '.ipynb')) })),
  };
}

/** A line about the run shown at the top of the page: when, in which mode, how long. */
export function runNoteOf(l: Pick<LoadedNotebook, 'nb' | 'origin'>): string {
  const run = runMetadata(l.nb);
  return l.origin === 'source' ? 'not executed' : run ? `executed ${run.finished.slice(0, 16).replace('T', ' ')} UTC in ${run.quick ? 'quick' : 'full'} mode (${run.seconds} s)` : 'executed';
}

/** Write page `i` of `site` (entry i) showing `l`. */
export function writeNotebookPage(site: Site, i: number, l: LoadedNotebook): BookPage {
  const links: PageLink[] = site.entries.map((e) => ({ href: e.href, title: e.title }));
  const page = links[i].href;
  const rootPrefix = l.homework ? '../' : '';
  const relink = (link: PageLink | undefined): PageLink | undefined => (link ? { ...link, href: path.posix.relative(path.posix.dirname(page), link.href) || link.href } : undefined);
  const { html, needsPlotly } = renderNotebookPage(l.nb, {
    title: links[i].title,
    root: rootPrefix,
    sourcePath: path.relative(site.root, l.source),
    prev: relink(links[i - 1]),
    next: relink(links[i + 1]),
    runNote: runNoteOf(l),
    failure: l.failure,
    live: site.live && !l.homework ? { page, status: l.live?.status ?? '', generation: l.live?.generation ?? 0 } : undefined,
  });
  const file = path.join(site.outDir, page);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, html);
  fs.renameSync(tmp, file); // a reader reloading meanwhile gets the old page or the new one, never half
  return { source: l.source, page: file, title: links[i].title, origin: l.origin, failure: l.failure, plots: needsPlotly };
}

/** Write the course documents (notebooks/GLOSSARY.md, REFERENCES.md, where they exist) and index.html; returns the index's path. */
export function writeIndexPage(site: Site, pages: readonly Pick<BookPage, 'failure'>[], generated: string, liveStatus: readonly (string | undefined)[] = []): string {
  const entries: IndexEntry[] = [];
  const homeworkEntries: IndexEntry[] = [];
  site.entries.forEach((e, i) => {
    const entry: IndexEntry = { file: path.basename(e.source), href: e.href, title: e.title };
    if (e.homework) homeworkEntries.push(entry);
    else entries.push({ ...entry, failed: pages[i]?.failure !== undefined, live: site.live ? (liveStatus[i] ?? '') : undefined });
  });
  for (const doc of BOOK_DOCUMENTS) {
    const source = path.join(site.root, 'notebooks', doc.file);
    if (!fs.existsSync(source)) continue;
    const body = renderMarkdown(fs.readFileSync(source, 'utf8'));
    fs.writeFileSync(path.join(site.outDir, doc.page), renderDocumentPage(doc.name, body, `notebooks/${doc.file}`));
    entries.push({ file: doc.file, href: doc.page, title: doc.title });
  }
  const index = path.join(site.outDir, 'index.html');
  const tmp = `${index}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, renderIndex(entries, homeworkEntries, generated, { live: site.live === true }));
  fs.renameSync(tmp, index);
  return index;
}
