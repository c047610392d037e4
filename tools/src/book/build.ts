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
import { renderMarkdown } from './markdown';
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

function listNotebooks(dir: string): string[] {
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

/** Copy KaTeX (CSS and fonts), the highlight.js theme and plotly.js into `assets`, once. */
export function writeAssets(assets: string): void {
  const katexDist = path.dirname(require.resolve('katex/dist/katex.min.css'));
  copyIfChanged(path.join(katexDist, 'katex.min.css'), path.join(assets, 'katex', 'katex.min.css'));
  for (const font of fs.readdirSync(path.join(katexDist, 'fonts'))) {
    copyIfChanged(path.join(katexDist, 'fonts', font), path.join(assets, 'katex', 'fonts', font));
  }
  copyIfChanged(require.resolve('highlight.js/styles/github.min.css'), path.join(assets, 'highlight', 'github.min.css'));
  copyIfChanged(require.resolve('plotly.js-dist-min/plotly.min.js'), path.join(assets, 'plotly.min.js'));
  fs.writeFileSync(path.join(assets, 'book.css'), BOOK_CSS.trimStart());
}

function pageName(source: string, homework: boolean): string {
  const base = path.basename(source, '.ipynb');
  return homework ? path.join('homework', `${base}.html`) : `${base}.html`;
}

function describeFailure(result: NotebookResult | undefined): string | undefined {
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
  const pages: BookPage[] = [];
  const loaded: { source: string; nb: Notebook; homework: boolean; origin: BookPage['origin']; failure?: string }[] = [];
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

  const links: PageLink[] = loaded.map((l) => ({ href: pageName(l.source, l.homework), title: notebookTitle(l.nb, path.basename(l.source, '.ipynb')) }));
  loaded.forEach((l, i) => {
    const page = links[i].href;
    const rootPrefix = l.homework ? '../' : '';
    const relink = (link: PageLink | undefined): PageLink | undefined => (link ? { ...link, href: path.posix.relative(path.posix.dirname(page), link.href) || link.href } : undefined);
    const run = runMetadata(l.nb);
    const runNote = l.origin === 'source' ? 'not executed' : run ? `executed ${run.finished.slice(0, 16).replace('T', ' ')} UTC in ${run.quick ? 'quick' : 'full'} mode (${run.seconds} s)` : 'executed';
    const { html, needsPlotly } = renderNotebookPage(l.nb, {
      title: links[i].title,
      root: rootPrefix,
      sourcePath: path.relative(root, l.source),
      prev: relink(links[i - 1]),
      next: relink(links[i + 1]),
      runNote,
      failure: l.failure,
    });
    const file = path.join(outDir, page);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, html);
    pages.push({ source: l.source, page: file, title: links[i].title, origin: l.origin, failure: l.failure, plots: needsPlotly });
  });

  // 3. The glossary and the index.
  const glossarySource = path.join(root, 'notebooks', 'GLOSSARY.md');
  const entries: IndexEntry[] = pages
    .map((p, i) => ({ p, i }))
    .filter(({ i }) => !loaded[i].homework)
    .map(({ p, i }) => ({ file: path.basename(p.source), href: links[i].href, title: p.title, failed: p.failure !== undefined }));
  if (fs.existsSync(glossarySource)) {
    const body = renderMarkdown(fs.readFileSync(glossarySource, 'utf8'));
    fs.writeFileSync(path.join(outDir, 'glossary.html'), renderDocumentPage('Glossary', body, 'notebooks/GLOSSARY.md'));
    entries.push({ file: 'GLOSSARY.md', href: 'glossary.html', title: 'Glossary (용어집): Korean ↔ English terms' });
  }
  const homeworkEntries: IndexEntry[] = pages
    .map((p, i) => ({ p, i }))
    .filter(({ i }) => loaded[i].homework)
    .map(({ p, i }) => ({ file: path.basename(p.source), href: links[i].href, title: p.title }));
  const modes = new Set(loaded.filter((l) => l.origin !== 'source').map((l) => (runMetadata(l.nb)?.quick ? 'quick' : 'full')));
  const generated = `Built ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC from ${notebooks.length} executed notebooks (${[...modes].join(' and ') || 'no'} mode) by \`npm run book\`.`;
  const index = path.join(outDir, 'index.html');
  fs.writeFileSync(index, renderIndex(entries, homeworkEntries, generated));
  const failures = pages.filter((p) => p.failure).map((p) => `${path.relative(root, p.source)}: ${p.failure}`);
  log(`book: ${pages.length} pages in ${path.relative(root, outDir) || outDir}${failures.length ? `, ${failures.length} notebook(s) did not run to the end` : ''}`);
  return { outDir, index, pages, failures, runResults };
}

