/**
 * The live front end as a reader uses it: Debian's Jupyter Notebook (6.x, `jupyter-notebook`) on a
 * free port with the genbook kernel registered into a temporary JUPYTER_DATA_DIR, in quick mode
 * (GENBOOK_QUICK=1 in the server's environment, which its kernels inherit), driven by headless
 * Chromium through playwright-core. For 00-getting-started and a training notebook
 * (03-pca-vs-autoencoder) the test opens the notebook, runs all cells through the page (the
 * front end's "Run All"), waits for the last one, and checks what the reader sees: no error output,
 * every plotly figure drawn (`.js-plotly-plot .main-svg`), progress bars at 100 %, an image grid
 * (a PNG that decoded), a table. Jupyter saves a notebook it opens (autosave, and the kernel's
 * language_info), so it serves copies in notebooks/.genbook-scratch/ (git-ignored; a folder inside
 * notebooks/ so the copies import 'genbook' as the originals do), and the test checks that the
 * course notebooks are unchanged. Screenshots: build/notebook-screenshots/<notebook>.png.
 */
import { expect } from 'chai';
import { ChildProcess, spawn } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as net from 'net';
import * as os from 'os';
import * as path from 'path';
import { Browser, chromium, Page } from 'playwright-core';
import { installKernelSpec, kernelSpec } from '../../tools/src/kernel/spec';

const ROOT = path.resolve(__dirname, '..', '..');
const NOTEBOOKS = path.join(ROOT, 'notebooks');
const SHOTS = path.join(ROOT, 'build', 'notebook-screenshots');
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'];

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const port = (server.address() as net.AddressInfo).port;
      server.close(() => resolve(port));
    });
  });
}

const sha = (file: string): string => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** What a reader sees after running every cell. */
interface Seen {
  codeCells: number;
  executed: number;
  errors: string[];
  plots: number;
  plotsDrawn: number;
  progressBars: string[];
  images: { width: number; height: number }[];
  tables: number;
}

/** Open `name`, Run All through the front end, wait for the last cell; what the page shows. */
async function runInNotebook(page: Page, baseUrl: string, name: string): Promise<Seen> {
  const problems: string[] = [];
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  await page.goto(`${baseUrl}notebooks/${name}`, { waitUntil: 'load', timeout: 120_000 });
  // The front end is up and its kernel (the notebook's kernelspec: genbook) answers.
  await page.waitForFunction(
    () => {
      const J = (window as unknown as { Jupyter?: { notebook?: { kernel?: { is_connected(): boolean; info_reply?: { protocol_version?: string } } } } }).Jupyter;
      return J?.notebook?.kernel?.is_connected() === true && typeof J.notebook.kernel.info_reply?.protocol_version === 'string';
    },
    undefined,
    { timeout: 300_000, polling: 500 },
  );
  const kernelName = await page.evaluate(() => (window as unknown as { Jupyter: { notebook: { kernel: { name: string } } } }).Jupyter.notebook.kernel.name);
  expect(kernelName).to.equal('genbook');
  await page.evaluate(() => {
    const nb = (window as unknown as { Jupyter: { notebook: { set_autosave_interval(ms: number): void; execute_all_cells(): void } } }).Jupyter.notebook;
    nb.set_autosave_interval(0); // never write the course notebook back
    nb.execute_all_cells();
  });
  // Done when no cell is queued or running ('*') and the kernel is idle; an error stops the run.
  await page.waitForFunction(
    () => {
      const nb = (window as unknown as { Jupyter: { notebook: { kernel_busy: boolean; get_cells(): { cell_type: string; input_prompt_number?: number | string | null }[] } } }).Jupyter.notebook;
      const code = nb.get_cells().filter((c) => c.cell_type === 'code');
      return document.querySelector('.output_error') !== null || (!nb.kernel_busy && code.every((c) => c.input_prompt_number !== '*'));
    },
    undefined,
    { timeout: 900_000, polling: 1000 },
  );
  // Let queued plot scripts and image decoding finish.
  await page
    .waitForFunction(() => Array.from(document.querySelectorAll('.genbook-plot')).every((p) => p.querySelector('.main-svg') !== null), undefined, { timeout: 60_000 })
    .catch(() => undefined); // counted below
  const seen = await page.evaluate(() => {
    const nb = (window as unknown as { Jupyter: { notebook: { get_cells(): { cell_type: string; get_text(): string; input_prompt_number?: number | string | null }[] } } }).Jupyter.notebook;
    const code = nb.get_cells().filter((c) => c.cell_type === 'code' && c.get_text().trim() !== '');
    const plots = Array.from(document.querySelectorAll('.genbook-plot'));
    return {
      codeCells: code.length,
      executed: code.filter((c) => typeof c.input_prompt_number === 'number').length,
      errors: Array.from(document.querySelectorAll('.output_error, .output_stderr')).map((e) => (e.textContent ?? '').slice(0, 300)),
      plots: plots.length,
      plotsDrawn: plots.filter((p) => p.classList.contains('js-plotly-plot') && p.querySelector('.main-svg') !== null).length,
      progressBars: Array.from(document.querySelectorAll('.genbook-progress')).map((e) => e.textContent ?? ''),
      images: Array.from(document.querySelectorAll<HTMLImageElement>('.output_png img, .output_html img')).filter((i) => i.src.startsWith('data:image/png')).map((i) => ({ width: i.naturalWidth, height: i.naturalHeight })),
      tables: document.querySelectorAll('.output_html table, .output_html .genbook-table').length,
    };
  });
  seen.errors.push(...problems);
  fs.mkdirSync(SHOTS, { recursive: true });
  const firstPlot = page.locator('.genbook-plot.js-plotly-plot').first();
  if ((await firstPlot.count()) > 0) await firstPlot.scrollIntoViewIfNeeded();
  await page.screenshot({ path: path.join(SHOTS, name.replace(/\.ipynb$/, '.png')) });
  return seen;
}

describe('the notebooks in Jupyter Notebook, in headless Chromium (quick mode)', function () {
  this.timeout(40 * 60_000);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-live-nb-'));
  const hashes = new Map<string, string>();
  const scratch = path.join(NOTEBOOKS, '.genbook-scratch', `live-notebook-${process.pid}`);
  let server: ChildProcess;
  let serverLog = '';
  let baseUrl = '';
  let browser: Browser;

  before(async () => {
    const dataDir = path.join(tmp, 'data');
    const configDir = path.join(tmp, 'config');
    installKernelSpec(dataDir, kernelSpec(ROOT));
    fs.mkdirSync(path.join(configDir, 'nbconfig'), { recursive: true });
    fs.writeFileSync(path.join(configDir, 'nbconfig', 'notebook.json'), JSON.stringify({ autosave_interval: 0 }));
    fs.mkdirSync(scratch, { recursive: true });
    for (const nb of ['00-getting-started.ipynb', '03-pca-vs-autoencoder.ipynb']) {
      hashes.set(nb, sha(path.join(NOTEBOOKS, nb)));
      fs.copyFileSync(path.join(NOTEBOOKS, nb), path.join(scratch, nb));
    }
    const port = await freePort();
    const args = [
      '--no-browser',
      `--port=${port}`,
      '--port-retries=0',
      '--ip=127.0.0.1',
      '--NotebookApp.token=',
      '--NotebookApp.password=',
      `--notebook-dir=${scratch}`,
      '--ContentsManager.allow_hidden=True',
      ...(process.getuid?.() === 0 ? ['--allow-root'] : []),
    ];
    server = spawn('jupyter-notebook', args, {
      cwd: scratch,
      env: { ...process.env, GENBOOK_QUICK: '1', JUPYTER_DATA_DIR: dataDir, JUPYTER_CONFIG_DIR: configDir, JUPYTER_RUNTIME_DIR: path.join(tmp, 'runtime'), JUPYTER_PATH: '' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    server.stdout!.on('data', (c: Buffer) => (serverLog += c.toString()));
    server.stderr!.on('data', (c: Buffer) => (serverLog += c.toString()));
    const deadline = Date.now() + 120_000;
    while (!/is running at:|Serving notebooks from/.test(serverLog) || !new RegExp(`127\\.0\\.0\\.1:${port}/`).test(serverLog)) {
      if (server.exitCode !== null) throw new Error(`jupyter-notebook exited (${server.exitCode}):\n${serverLog}`);
      if (Date.now() > deadline) throw new Error(`jupyter-notebook did not start within 120 s:\n${serverLog}`);
      await new Promise((r) => setTimeout(r, 200));
    }
    baseUrl = `http://127.0.0.1:${port}/`;
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ARGS });
  });

  after(async () => {
    await browser?.close();
    if (server && server.exitCode === null) {
      server.kill('SIGTERM'); // Jupyter shuts its kernels down on SIGTERM
      await new Promise((r) => server.once('exit', r));
    }
    fs.rmSync(tmp, { recursive: true, force: true });
    fs.rmSync(scratch, { recursive: true, force: true });
    if (fs.existsSync(path.dirname(scratch)) && fs.readdirSync(path.dirname(scratch)).length === 0) fs.rmdirSync(path.dirname(scratch));
  });

  for (const [name, expectations] of [
    ['00-getting-started.ipynb', { progress: true }],
    ['03-pca-vs-autoencoder.ipynb', { progress: true }],
  ] as const) {
    it(`${name}: every cell runs; plots, progress at 100 %, an image grid and a table are shown`, async () => {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      try {
        const seen = await runInNotebook(page, baseUrl, name);
        expect(seen.errors, 'error or stderr outputs').to.deep.equal([]);
        expect(seen.executed, 'code cells executed').to.equal(seen.codeCells);
        expect(seen.plots, 'plotly figures').to.be.greaterThan(0);
        expect(seen.plotsDrawn, 'plotly figures drawn').to.equal(seen.plots);
        if (expectations.progress) {
          expect(seen.progressBars.length, 'progress bars').to.be.greaterThan(0);
          for (const bar of seen.progressBars) expect(bar).to.match(/(\d+)\/\1 \(100%\)/);
        }
        expect(seen.images.length, 'images').to.be.greaterThan(0);
        for (const img of seen.images) expect(img.width * img.height, 'a decoded PNG').to.be.greaterThan(0);
        expect(seen.tables, 'tables').to.be.greaterThan(0);
        expect(sha(path.join(NOTEBOOKS, name)), 'the course notebook is unchanged').to.equal(hashes.get(name));
        expect(fs.existsSync(path.join(NOTEBOOKS, '.ipynb_checkpoints')), 'no Jupyter checkpoints in notebooks/').to.equal(false);
      } finally {
        // Shut the notebook's kernel down (closing the tab would leave it running on the server).
        await page
          .evaluate(
            () =>
              new Promise<void>((resolve) => {
                const session = (window as unknown as { Jupyter?: { notebook?: { session?: { delete(ok: () => void, fail: () => void): void } } } }).Jupyter?.notebook?.session;
                if (!session) resolve();
                else session.delete(resolve, resolve);
              }),
          )
          .catch(() => undefined);
        await page.close();
      }
    });
  }
});
