/**
 * The book in a real browser: `buildBook` in quick mode (reusing the executed copies that
 * execute.test.ts left in build/notebooks/, running any that are stale), served on localhost and
 * opened in Debian's headless Chromium through playwright-core (no browser download). Every page
 * loads without console errors or failed requests; on 00-getting-started every plotly figure is
 * drawn (a .plot-container with its SVG), the math is typeset, and a screenshot of the first plot
 * is not blank. Screenshots go to build/book-screenshots/.
 */
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PNG } from 'pngjs';
import { Browser, chromium, Page } from 'playwright-core';
import { BookResult, buildBook } from '../../tools/src/book/build';
import { BookServer, serveBook } from '../../tools/src/book/serve';

const ROOT = path.resolve(__dirname, '..', '..');
const SHOTS = path.join(ROOT, 'build', 'book-screenshots');
const CHROMIUM = '/usr/bin/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];

/** Console errors, uncaught page errors and failed requests while `page` loads `url`. */
async function load(page: Page, url: string): Promise<string[]> {
  const problems: string[] = [];
  const onConsole = (m: { type(): string; text(): string }): void => {
    if (m.type() === 'error') problems.push(`console error: ${m.text()}`);
  };
  const onPageError = (e: Error): void => {
    problems.push(`page error: ${e.message}`);
  };
  const onFailed = (r: { url(): string; failure(): { errorText: string } | null }): void => {
    problems.push(`request failed: ${r.url()} (${r.failure()?.errorText})`);
  };
  const onResponse = (r: { url(): string; status(): number }): void => {
    if (r.status() >= 400) problems.push(`HTTP ${r.status()}: ${r.url()}`);
  };
  page.on('console', onConsole);
  page.on('pageerror', onPageError);
  page.on('requestfailed', onFailed);
  page.on('response', onResponse);
  try {
    await page.goto(url, { waitUntil: 'load', timeout: 300_000 });
    // Then until every plot is drawn and the fonts are in (not Playwright's "networkidle": on some
    // pages Chromium never reports it although no request is pending).
    await page
      .waitForFunction(() => document.querySelectorAll('div.plot').length === document.querySelectorAll('div.plot .plot-container').length, undefined, { timeout: 60_000 })
      .catch(() => undefined); // the caller counts drawn plots and reports the shortfall
    await page.evaluate(() => document.fonts.ready.then(() => undefined));
  } finally {
    page.off('console', onConsole);
    page.off('pageerror', onPageError);
    page.off('requestfailed', onFailed);
    page.off('response', onResponse);
  }
  return problems;
}

/** Share of pixels that are not (near) white, and the number of distinct colours. */
function inkAndColours(file: string): { ink: number; colours: number } {
  const png = PNG.sync.read(fs.readFileSync(file));
  let ink = 0;
  const colours = new Set<number>();
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, g, b] = [png.data[i], png.data[i + 1], png.data[i + 2]];
    if (r < 235 || g < 235 || b < 235) ink++;
    colours.add((r << 16) | (g << 8) | b);
  }
  return { ink: ink / (png.width * png.height), colours: colours.size };
}

describe('the book in headless Chromium', function () {
  this.timeout(60 * 60_000);
  let book: BookResult;
  let server: BookServer;
  let browser: Browser;
  let page: Page;
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-book-e2e-'));

  before(async function () {
    book = await buildBook({ root: ROOT, quick: true, outDir, jobs: 2, timeoutSeconds: 300 });
    server = await serveBook(outDir);
    browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
    page = await browser.newPage({ viewport: { width: 1100, height: 900 } });
    fs.mkdirSync(SHOTS, { recursive: true });
  });

  after(async () => {
    await browser?.close();
    await server?.close();
    fs.rmSync(outDir, { recursive: true, force: true });
  });

  it('every course notebook ran to the end', () => {
    expect(book.failures).to.deep.equal([]);
    expect(book.pages.some((p) => p.source.endsWith('00-getting-started.ipynb'))).to.equal(true);
  });

  it('the index links every page, in syllabus order', async () => {
    expect(await load(page, server.url)).to.deep.equal([]);
    const hrefs = await page.locator('a').evaluateAll((as) => as.map((a) => a.getAttribute('href') ?? ''));
    for (const p of book.pages) expect(hrefs).to.include(path.relative(outDir, p.page).split(path.sep).join('/'));
    const chapters = hrefs.filter((h) => /^\d\d-/.test(h));
    expect(chapters).to.deep.equal([...chapters].sort());
    await page.screenshot({ path: path.join(SHOTS, 'index.png'), fullPage: true });
  });

  it('00-getting-started: every plot drawn, math typeset, a screenshot that is not blank', async () => {
    const p = book.pages.find((x) => x.source.endsWith('00-getting-started.ipynb'))!;
    expect(await load(page, server.url + path.relative(outDir, p.page))).to.deep.equal([]);
    const figures = await page.locator('div.plot').count();
    expect(figures, 'the 00 notebook shows plotly figures').to.be.greaterThan(0);
    await page.waitForFunction((n) => document.querySelectorAll('div.plot .plot-container svg.main-svg').length >= n, figures, { timeout: 120_000 });
    const traces = await page.locator('div.plot').first().locator('g.trace, g.barlayer path, g.scatterlayer path').count();
    expect(traces, 'the first plot has drawn traces').to.be.greaterThan(0);
    expect(await page.locator('.katex').count(), 'typeset math').to.be.greaterThan(0);
    expect(await page.locator('.katex-error').count(), 'no KaTeX errors').to.equal(0);
    const plot = page.locator('div.plot').first();
    await plot.scrollIntoViewIfNeeded();
    const shot = path.join(SHOTS, '00-getting-started-plot.png');
    await plot.screenshot({ path: shot });
    const { ink, colours } = inkAndColours(shot);
    expect(ink, 'share of non-white pixels in the plot').to.be.greaterThan(0.02);
    expect(colours, 'distinct colours in the plot').to.be.greaterThan(20);
    await page.screenshot({ path: path.join(SHOTS, '00-getting-started.png') });
  });

  it('00-getting-started: exercise answers are collapsed until the reader opens them', async () => {
    const p = book.pages.find((x) => x.source.endsWith('00-getting-started.ipynb'))!;
    expect(await load(page, server.url + path.relative(outDir, p.page))).to.deep.equal([]);
    const answers = page.locator('details.answer');
    expect(await answers.count(), 'answer boxes').to.be.at.least(2);
    expect(await page.locator('details.answer[open]').count(), 'none open at first').to.equal(0);
    const first = answers.first();
    const body = first.locator('section').first();
    expect(await body.isVisible(), 'the answer is hidden').to.equal(false);
    await first.locator('summary').click();
    expect(await body.isVisible(), 'and shown after a click').to.equal(true);
    expect(await body.innerText()).to.contain('Answer.');
  });

  it('every page loads without console errors or failed requests, and draws its plots', async () => {
    const problems: string[] = [];
    for (const p of [...book.pages.map((x) => path.relative(outDir, x.page).split(path.sep).join('/')), 'glossary.html']) {
      // A fresh tab per page, as a reader opening a link: navigating one tab from page to page
      // sometimes never reached Playwright's "networkidle" after the load (no request pending).
      const tab = await browser.newPage({ viewport: { width: 1100, height: 900 } });
      try {
        const found = await load(tab, server.url + p);
        problems.push(...found.map((f) => `${p}: ${f}`));
        const figures = await tab.locator('div.plot').count();
        const drawn = await tab.locator('div.plot .plot-container').count();
        if (drawn !== figures) problems.push(`${p}: ${drawn} of ${figures} plots drawn`);
        const texErrors = await tab.locator('.katex-error').count();
        if (texErrors) problems.push(`${p}: ${texErrors} KaTeX errors`);
      } finally {
        await tab.close();
      }
    }
    expect(problems).to.deep.equal([]);
  });
});
