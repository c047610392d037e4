/**
 * The live book, what `npm start` serves when no Jupyter front end is installed: the server starts
 * first and every chapter is listed at once; a page shows the notebook's executed copy when one
 * exists (in whichever mode it ran) and the notebook as written otherwise; meanwhile the notebooks
 * run in the background — quick mode first (GENBOOK_QUICK=1: the whole course in minutes), then,
 * when asked (`full`), full mode, each finished run replacing its page. Each page says which run
 * it shows and, while its notebook runs, its progress (cell k of n), through `status.json`, which
 * assets/live.js polls; a reload shows the newer version.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { KernelSpec } from '../kernel/spec';
import { readNotebook } from '../runner/nbformat';
import { executedPath, NotebookResult, runMetadata, runNotebooks } from '../runner/run';
import { describeFailure, listNotebooks, LoadedNotebook, newestMtime, Site, siteOf, staleReason, writeAssets, writeIndexPage, writeNotebookPage } from './build';
import { BookServer, serveBook } from './serve';

export type Mode = 'quick' | 'full';

/** One notebook's state, as status.json and the terminal show it. */
export interface LiveStatus {
  /** The page, relative to the book's root (status.json's key). */
  page: string;
  file: string;
  /** What the page shows now: an executed copy of that mode, or the notebook without outputs. */
  shows: Mode | 'source';
  state: 'queued' | 'running' | 'done' | 'failed';
  /** The mode of the run queued or running. */
  mode?: Mode;
  /** Code cells finished in the running notebook, and their count. */
  cell?: number;
  cells?: number;
  /** Incremented each time the page is rewritten. */
  generation: number;
  failure?: string;
  /** The status line a reader sees on the page. */
  text: string;
  /** The short form for the index: "quick mode", "running (quick): cell 3 of 12", … */
  badge: string;
}

export interface LiveBookOptions {
  root: string;
  /** The site (default <root>/build/book). */
  outDir?: string;
  /** Executed copies, read and written (default <root>/build/notebooks, shared with `npm run book`). */
  executedDir?: string;
  notebooks?: string[];
  homework?: string[];
  /** After the quick pass, run in full mode the notebooks without a fresh full-mode copy. */
  full?: boolean;
  port?: number;
  jobs?: number;
  timeoutSeconds?: number;
  spec?: KernelSpec;
  /** Called on every change of a notebook's status. */
  onStatus?: (status: LiveStatus, all: readonly LiveStatus[]) => void;
}

export interface LiveBook {
  server: BookServer;
  outDir: string;
  statuses: readonly LiveStatus[];
  /** Resolves when every planned run has finished. */
  done: Promise<void>;
}

/** The assets/live.js script: keeps `[data-live-page]` elements in step with status.json. */
export const LIVE_JS = `(function () {
  var els = [].slice.call(document.querySelectorAll('[data-live-page]'));
  if (!els.length) return;
  var root = els[0].getAttribute('data-root') || '';
  function tick() {
    fetch(root + 'status.json', { cache: 'no-store' }).then(function (r) { return r.json(); }).then(function (s) {
      els.forEach(function (el) {
        var st = s.pages[el.getAttribute('data-live-page')];
        if (!st) return;
        var gen = el.getAttribute('data-generation');
        el.textContent = st[el.getAttribute('data-live-field') || 'text'];
        el.setAttribute('data-state', st.state);
        if (gen !== null && st.generation > Number(gen)) {
          var a = document.createElement('a');
          a.href = ''; a.className = 'reload'; a.textContent = 'a newer version is ready: reload';
          a.onclick = function (e) { e.preventDefault(); location.reload(); };
          el.appendChild(a);
        }
      });
      if (!s.finished) setTimeout(tick, 1500);
    }).catch(function () { setTimeout(tick, 5000); });
  }
  tick();
})();
`;

function statusText(s: Pick<LiveStatus, 'shows' | 'state' | 'mode' | 'cell' | 'cells' | 'failure'>): string {
  const shows = s.shows === 'source' ? 'not executed yet (code without outputs)' : `showing the ${s.shows}-mode run`;
  if (s.state === 'queued') return `${shows}; queued for a ${s.mode}-mode run`;
  if (s.state === 'running') return `${shows}; running in ${s.mode} mode: cell ${s.cell ?? 0} of ${s.cells ?? '?'}`;
  if (s.state === 'failed') return `${shows}; the ${s.mode}-mode run did not finish: ${s.failure ?? 'failed'}`;
  return s.shows === 'source' ? shows : `up to date: the ${s.shows}-mode run`;
}

function badgeText(s: Pick<LiveStatus, 'shows' | 'state' | 'mode' | 'cell' | 'cells'>): string {
  if (s.state === 'running') return `running (${s.mode}): cell ${s.cell ?? 0} of ${s.cells ?? '?'}`;
  if (s.state === 'queued') return s.shows === 'source' ? `queued (${s.mode})` : `${s.shows} mode; queued (${s.mode})`;
  if (s.state === 'failed') return `${s.mode} run failed`;
  return s.shows === 'source' ? 'not executed' : `${s.shows} mode`;
}

/** Start the live book: pages and server first (returns then), runs in the background (`done`). */
export async function startLiveBook(options: LiveBookOptions): Promise<LiveBook> {
  const root = options.root;
  const outDir = options.outDir ?? path.join(root, 'build', 'book');
  const executedDir = options.executedDir ?? path.join(root, 'build', 'notebooks');
  const notebooks = options.notebooks ?? listNotebooks(path.join(root, 'notebooks'));
  const homework = options.homework ?? listNotebooks(path.join(root, 'notebooks', 'homework'));
  const dependencies = Math.max(newestMtime(path.join(root, 'lib', 'dist')), newestMtime(path.join(root, 'tools', 'dist', 'kernel')));

  fs.mkdirSync(outDir, { recursive: true });
  writeAssets(path.join(outDir, 'assets'));
  fs.writeFileSync(path.join(outDir, 'assets', 'live.js'), LIVE_JS);

  // What each page shows now, and what must run: quick first, full after when asked.
  const loaded: LoadedNotebook[] = notebooks.map((source) => loadNotebook(source, executedPath(source, executedDir, root)));
  for (const source of homework) loaded.push({ source, nb: readNotebook(source), homework: true, origin: 'source' });
  const site: Site = siteOf(root, outDir, loaded, true);
  const statuses: LiveStatus[] = notebooks.map((source, i) => {
    const l = loaded[i];
    const executed = executedPath(source, executedDir, root);
    const shows: LiveStatus['shows'] = l.origin === 'source' ? 'source' : runMetadata(l.nb)?.quick ? 'quick' : 'full';
    const quickStale = staleReason(source, executed, { quick: true, dependencies }) !== undefined;
    const fullStale = options.full === true && staleReason(source, executed, { quick: false, dependencies }) !== undefined;
    const mode: Mode | undefined = quickStale ? 'quick' : fullStale ? 'full' : undefined;
    const s: LiveStatus = { page: site.entries[i].href, file: path.basename(source), shows, state: mode ? 'queued' : 'done', mode, generation: 0, failure: l.failure, text: '', badge: '' };
    s.text = statusText(s);
    s.badge = badgeText(s);
    return s;
  });
  const quickRuns = notebooks.filter((_, i) => statuses[i].mode === 'quick');

  const writeStatus = (finished: boolean): void => {
    const file = path.join(outDir, 'status.json');
    const body = { finished, updated: new Date().toISOString(), pages: Object.fromEntries(statuses.map((s) => [s.page, s])) };
    fs.writeFileSync(`${file}.tmp`, JSON.stringify(body, null, 1));
    fs.renameSync(`${file}.tmp`, file);
  };
  const writeIndex = (): void => {
    const pages = site.entries.map((_, i) => ({ failure: loaded[i].failure }));
    writeIndexPage(site, pages, `Served by \`npm start\`: pages show the newest executed copy in build/notebooks/; notebooks run in the background (quick mode first${options.full ? ', then full mode' : ''}).`, statuses.map((s) => s.badge));
  };
  const writePage = (i: number): void => {
    if (statuses[i]) loaded[i].live = { status: statuses[i].text, generation: statuses[i].generation }; // homework pages have none
    writeNotebookPage(site, i, loaded[i]);
  };
  loaded.forEach((_, i) => writePage(i));
  writeIndex();
  writeStatus(quickRuns.length === 0 && !options.full);

  const server = await serveBook(outDir, options.port ?? 0);

  const update = (i: number, change: Partial<LiveStatus>): void => {
    Object.assign(statuses[i], change);
    statuses[i].text = statusText(statuses[i]);
    statuses[i].badge = badgeText(statuses[i]);
    options.onStatus?.(statuses[i], statuses);
  };
  const indexOf = new Map(notebooks.map((f, i) => [path.resolve(f), i]));
  const pass = async (files: string[], mode: Mode): Promise<void> => {
    if (files.length === 0) return;
    for (const f of files) update(indexOf.get(path.resolve(f))!, { state: 'queued', mode, cell: undefined, cells: undefined });
    writeStatus(false);
    await runNotebooks(files, {
      root,
      outDir: executedDir,
      quick: mode === 'quick',
      jobs: options.jobs,
      timeoutSeconds: options.timeoutSeconds,
      spec: options.spec,
      onStart: (file) => {
        const i = indexOf.get(path.resolve(file))!;
        const cells = loaded[i].nb.cells.filter((c) => c.cell_type === 'code').length;
        update(i, { state: 'running', cell: 0, cells });
        writeStatus(false);
      },
      onCell: (file, r) => {
        update(indexOf.get(path.resolve(file))!, { state: 'running', cell: r.codeNumber, cells: r.codeCount });
        writeStatus(false);
      },
      onDone: (result: NotebookResult) => {
        const i = indexOf.get(path.resolve(result.file))!;
        const failure = describeFailure(result);
        if (result.output) {
          loaded[i] = { ...loadNotebook(result.file, result.output), failure };
          statuses[i].shows = mode;
        } else {
          loaded[i] = { ...loaded[i], failure };
        }
        statuses[i].generation++;
        update(i, { state: failure ? 'failed' : 'done', failure });
        writePage(i);
        writeIndex();
        writeStatus(false);
      },
    });
  };
  const done = (async (): Promise<void> => {
    await new Promise((resolve) => setTimeout(resolve, 0)); // let the caller announce the URL first
    await pass(quickRuns, 'quick');
    if (options.full) {
      const fullRuns = notebooks.filter((source) => staleReason(source, executedPath(source, executedDir, root), { quick: false, dependencies }) !== undefined);
      await pass(fullRuns, 'full');
    }
    writeIndex();
    writeStatus(true);
  })();
  return { server, outDir, statuses, done };
}

function loadNotebook(source: string, executed: string): LoadedNotebook {
  if (fs.existsSync(executed)) {
    try {
      const nb = readNotebook(executed);
      const run = runMetadata(nb);
      return { source, nb, homework: false, origin: 'reused', failure: run && run.errors > 0 ? 'it failed when it last ran' : undefined };
    } catch {
      /* unreadable: show the source */
    }
  }
  return { source, nb: readNotebook(source), homework: false, origin: 'source' };
}

/** One terminal line for a notebook's status. */
export function statusLine(s: LiveStatus, width: number): string {
  const state =
    s.state === 'running'
      ? `${s.mode} run: cell ${s.cell ?? 0}/${s.cells ?? '?'}`
      : s.state === 'queued'
        ? `queued (${s.mode})`
        : s.state === 'failed'
          ? `FAILED (${s.mode}): ${(s.failure ?? '').split('\n')[0].slice(0, 80)}`
          : s.shows === 'source'
            ? 'not executed'
            : `ready (${s.shows} mode)`;
  return `  ${s.file.padEnd(width)}  ${state}`;
}
