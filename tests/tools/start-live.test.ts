/**
 * `npm start` without Jupyter: the live book (tools/src/book/live.ts) on a tiny notebooks folder
 * with the real genbook kernel. The server answers before any notebook has run; the index lists
 * every chapter; a page with an earlier executed copy shows it at once; a page without one shows
 * the notebook unexecuted, then its progress (cell k of n) while it runs, then its quick-mode run,
 * then — asked for with `full` — its full-mode run, each reachable by a reload.
 */
import { expect } from 'chai';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import { Browser, chromium, Page } from 'playwright-core';
import { LiveBook, startLiveBook } from '../../tools/src/book/live';
import { kernelSpec } from '../../tools/src/kernel/spec';

const ROOT = path.resolve(__dirname, '..', '..');

function get(url: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

function notebook(cells: { type: 'markdown' | 'code'; source: string; outputs?: unknown[] }[], metadata: Record<string, unknown> = {}): string {
  return JSON.stringify({
    nbformat: 4,
    nbformat_minor: 5,
    metadata: { kernelspec: { name: 'genbook', display_name: 'TypeScript (genbook)', language: 'typescript' }, ...metadata },
    cells: cells.map((c, i) =>
      c.type === 'markdown'
        ? { cell_type: 'markdown', id: `m${i}`, metadata: {}, source: c.source }
        : { cell_type: 'code', id: `c${i}`, metadata: {}, source: c.source, outputs: c.outputs ?? [], execution_count: c.outputs ? 1 : null },
    ),
  });
}

interface PageStatus {
  shows: string;
  state: string;
  mode?: string;
  cell?: number;
  cells?: number;
  generation: number;
  text: string;
}

describe('npm start without Jupyter: the live book', function () {
  this.timeout(600_000);
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-live-'));
  let book: LiveBook;
  const seen: { status: PageStatus; page?: string }[] = [];
  // A reader who opened 00-slow before it ran and never reloads: assets/live.js keeps the line current.
  let browser: Browser;
  let reader: Page;
  const readerLines = new Set<string>();

  before(async () => {
    fs.mkdirSync(path.join(root, 'notebooks', 'homework'), { recursive: true });
    fs.mkdirSync(path.join(root, 'build', 'notebooks'), { recursive: true });
    const pause = 'await new Promise((r) => setTimeout(r, 1500));';
    fs.writeFileSync(
      path.join(root, 'notebooks', '00-slow.ipynb'),
      notebook([
        { type: 'markdown', source: '# Slow chapter (느린 장)' },
        { type: 'code', source: "console.log(process.env.GENBOOK_QUICK === '1' ? 'ran in quick mode' : 'ran in full mode');" },
        { type: 'code', source: `${pause}\nconsole.log('second cell');` },
        { type: 'code', source: `${pause}\nconsole.log('third cell');` },
        { type: 'code', source: `${pause}\nconsole.log('fourth cell');` },
      ]),
    );
    fs.writeFileSync(path.join(root, 'notebooks', 'homework', 'hw01.ipynb'), notebook([{ type: 'markdown', source: '# Homework 1' }, { type: 'code', source: 'throw new Error("not run");' }]));
    const fast = path.join(root, 'notebooks', '01-fast.ipynb');
    fs.writeFileSync(fast, notebook([{ type: 'markdown', source: '# Fast chapter' }, { type: 'code', source: "console.log(process.env.GENBOOK_QUICK === '1' ? 'fast quick' : 'fast full');" }]));
    // An executed copy from an earlier quick run, newer than the notebook: shown at once, not rerun in quick mode.
    const earlier = notebook(
      [
        { type: 'markdown', source: '# Fast chapter' },
        { type: 'code', source: "console.log(process.env.GENBOOK_QUICK === '1' ? 'fast quick' : 'fast full');", outputs: [{ output_type: 'stream', name: 'stdout', text: 'from an earlier run\n' }] },
      ],
      { genbook: { run: { quick: true, errors: 0, seconds: 2, finished: '2026-01-01T00:00:00.000Z' } } },
    );
    fs.writeFileSync(path.join(root, 'build', 'notebooks', '01-fast.ipynb'), earlier);
    const t = Date.now() / 1000;
    fs.utimesSync(fast, t - 60, t - 60);

    book = await startLiveBook({ root, spec: kernelSpec(ROOT), jobs: 1, port: 0, full: true, timeoutSeconds: 120 });
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'] });
    reader = await browser.newPage();
    await reader.goto(`${book.server.url}00-slow.html`);
  });

  after(async () => {
    await browser?.close();
    await book?.server.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('serves before any notebook has run, every chapter in the index', async () => {
    expect(book.statuses.every((s) => s.state === 'queued' || s.state === 'running')).to.equal(true);
    expect(book.statuses.map((s) => [s.file, s.shows])).to.deep.equal([
      ['00-slow.ipynb', 'source'],
      ['01-fast.ipynb', 'quick'],
    ]);
    const index = await get(book.server.url);
    expect(index.status).to.equal(200);
    expect(index.body).to.contain('<a href="00-slow.html">Slow chapter (느린 장)</a>');
    expect(index.body).to.contain('<a href="01-fast.html">Fast chapter</a>');
    expect(index.body).to.contain('<script src="assets/live.js" defer></script>');
    expect(index.body).to.match(/<span class="badge live" data-live-page="00-slow\.html" data-live-field="badge">(queued \(quick\)|running \(quick\): cell \d of 4)<\/span>/);
    expect(index.body).to.contain('<span class="badge live" data-live-page="01-fast.html" data-live-field="badge">quick mode; queued (full)</span>');
    const fast = await get(`${book.server.url}01-fast.html`);
    expect(fast.body).to.contain('from an earlier run');
    expect(fast.body).to.contain('executed 2026-01-01 00:00 UTC in quick mode (2 s)');
    expect(fast.body).to.contain('showing the quick-mode run; queued for a full-mode run');
    const slow = await get(`${book.server.url}00-slow.html`);
    expect(slow.body).to.contain('<span class="run-note">not executed</span>');
    expect(slow.body, 'no outputs yet').not.to.contain('<div class="outputs">');
    const homework = await get(`${book.server.url}homework/hw01.html`);
    expect(homework.body).to.contain('<span class="run-note">not executed</span>');
    expect(homework.body, 'homework is never run').not.to.contain('data-live-page');
    expect((await get(`${book.server.url}assets/live.js`)).body).to.contain("fetch(root + 'status.json'");
  });

  it('shows the progress while a notebook runs, then its quick run, then its full run', async () => {
    const url = `${book.server.url}status.json`;
    let finished = false;
    void book.done.then(() => (finished = true));
    let lastKey = '';
    while (!finished) {
      const s = JSON.parse((await get(url)).body) as { pages: Record<string, PageStatus> };
      const st = s.pages['00-slow.html'];
      const key = `${st.state} ${st.mode} ${st.cell} ${st.shows}`;
      if (key !== lastKey) {
        lastKey = key;
        seen.push({ status: st, page: (await get(`${book.server.url}00-slow.html`)).body });
      }
      readerLines.add((await reader.locator('p.live').textContent()) ?? '');
      await new Promise((r) => setTimeout(r, 150));
    }
    const running = seen.filter((x) => x.status.state === 'running' && x.status.mode === 'quick');
    const progress = running.map((x) => x.status.cell);
    expect(progress.some((c) => c! > 0 && c! < 4), `progress seen: ${progress.join(', ')}`).to.equal(true);
    const mid = running.find((x) => x.status.cell! > 0 && x.status.cell! < 4)!;
    expect(mid.status.text).to.equal(`not executed yet (code without outputs); running in quick mode: cell ${mid.status.cell} of 4`);
    const quick = seen.find((x) => x.status.shows === 'quick');
    expect(quick?.page, 'the quick-mode page, before the full run replaced it').to.contain('ran in quick mode');
    expect(quick?.page).to.match(/in quick mode \([\d.]+ s\)/);
    expect(quick?.page).to.contain('<div class="output stream stdout"><pre>fourth cell');
    const lines = [...readerLines];
    expect(lines.some((l) => /^not executed yet \(code without outputs\); running in quick mode: cell [123] of 4$/.test(l)), `the reader saw: ${lines.join(' | ')}`).to.equal(true);
  });

  it('ends with every page showing its full-mode run; a reload gets it', async () => {
    await book.done;
    const s = JSON.parse((await get(`${book.server.url}status.json`)).body) as { finished: boolean; pages: Record<string, PageStatus> };
    expect(s.finished).to.equal(true);
    expect(s.pages['00-slow.html']).to.include({ shows: 'full', state: 'done', generation: 2, text: 'up to date: the full-mode run', badge: 'full mode' });
    expect(s.pages['01-fast.html']).to.include({ shows: 'full', state: 'done', generation: 1 });
    const slow = (await get(`${book.server.url}00-slow.html`)).body;
    expect(slow).to.contain('ran in full mode');
    expect(slow).to.match(/in full mode \([\d.]+ s\)/);
    expect(slow).to.contain('data-generation="2"');
    // The reader's page, never reloaded, says what happened and offers the newer version.
    // The page polls status.json: wait for the poll that saw the full run finish, not only for the
    // reload link (which appears as soon as any newer version exists).
    await reader.waitForFunction(() => document.querySelector('p.live a.reload') !== null && (document.querySelector('p.live')?.textContent ?? '').startsWith('up to date'), undefined, { timeout: 20_000 });
    expect(await reader.locator('p.live').textContent()).to.equal('up to date: the full-mode run' + 'a newer version is ready: reload');
    expect(await reader.locator('.outputs').count(), 'still the old page').to.equal(0);
    await reader.locator('p.live a.reload').click();
    await reader.waitForSelector('.outputs');
    expect(await reader.locator('.run-note').textContent()).to.match(/in full mode/);
    expect(await reader.locator('p.live').getAttribute('data-generation')).to.equal('2');
    const fast = (await get(`${book.server.url}01-fast.html`)).body;
    expect(fast).to.contain('fast full');
    expect(fast).not.to.contain('from an earlier run');
    // The executed copies are the ones `npm run book` reuses.
    expect(fs.existsSync(path.join(root, 'build', 'notebooks', '00-slow.ipynb'))).to.equal(true);
  });
});
