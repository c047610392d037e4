/**
 * How long a new reader waits: `genbook start --book` (what `npm start` does without Jupyter) as
 * from a fresh clone — no executed notebooks (an empty --build-dir) — timed until (1) its URL is
 * printed, (2) the index answers, (3) 00-getting-started's page shows its quick-mode run (a usable
 * chapter with plots), (4) every chapter shows a quick-mode run. Then it is stopped with SIGTERM
 * and must leave no kernel running. Records the load average, which dominates on a shared machine.
 *
 *   npx tsx bench/start-times.ts [--jobs N] [--out bench/results/start-times.json]
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');

function get(url: string): Promise<string> {
  return new Promise((resolve, reject) => {
    http
      .get(url, (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (c: string) => (body += c));
        res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`HTTP ${res.statusCode} ${url}`))));
      })
      .on('error', reject)
      .setTimeout(30_000, function (this: http.ClientRequest) {
        this.destroy(new Error(`no answer within 30 s: ${url}`));
      });
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const opt = (name: string): string | undefined => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const out = path.resolve(opt('out') ?? path.join(ROOT, 'bench', 'results', 'start-times.json'));
  const buildDir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-start-bench-'));
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-start-jupyter-'));
  const loadBefore = os.loadavg();
  const t0 = Date.now();
  const seconds = (): number => Math.round((Date.now() - t0) / 100) / 10;
  const child = spawn(process.execPath, [path.join(ROOT, 'tools', 'dist', 'cli.js'), 'start', '--book', '--port', '0', '--build-dir', buildDir, '--data-dir', dataDir, ...(opt('jobs') ? ['--jobs', opt('jobs')!] : [])], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  let stdout = '';
  child.stdout.on('data', (c: Buffer) => {
    stdout += c.toString();
    process.stdout.write(c);
  });
  const times: Record<string, number> = {};
  let url = '';
  while (!url) {
    const m = /the course is at (http:\/\/\S+)/.exec(stdout);
    if (m) {
      url = m[1];
      times.urlPrinted = seconds();
    }
    if (child.exitCode !== null) throw new Error(`start exited (${child.exitCode}) before printing its URL`);
    await new Promise((r) => setTimeout(r, 50));
  }
  const index = await get(url);
  times.indexServed = seconds();
  const chapters = (index.match(/<span class="num">\d\d<\/span> <a /g) ?? []).length;
  const perNotebook: Record<string, number> = {};
  let loadPeak = os.loadavg()[0];
  for (;;) {
    const status = JSON.parse(await get(`${url}status.json`)) as { finished: boolean; pages: Record<string, { file: string; shows: string; state: string }> };
    for (const s of Object.values(status.pages)) if (s.shows !== 'source' && perNotebook[s.file] === undefined) perNotebook[s.file] = seconds();
    if (times.firstChapterWithPlots === undefined && perNotebook['00-getting-started.ipynb'] !== undefined) {
      const page = await get(`${url}00-getting-started.html`);
      if (page.includes('class="plot"')) times.firstChapterWithPlots = seconds();
    }
    loadPeak = Math.max(loadPeak, os.loadavg()[0]);
    if (status.finished) break;
    await new Promise((r) => setTimeout(r, 1000));
  }
  times.wholeCourseQuick = seconds();
  const failed = Object.values(JSON.parse(await get(`${url}status.json`)).pages as Record<string, { file: string; state: string }>).filter((s) => s.state === 'failed').map((s) => s.file);
  const loadAfter = os.loadavg();
  child.kill('SIGTERM');
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  const result = {
    command: 'npx tsx bench/start-times.ts',
    date: new Date().toISOString(),
    cpus: os.cpus().length,
    node: process.version,
    chaptersListed: chapters,
    secondsSinceStart: times,
    quickRunFinishedAt: perNotebook,
    failed,
    exitCodeOnSigterm: code,
    loadAverage: { before: loadBefore.map((x) => +x.toFixed(2)), peak1min: +loadPeak.toFixed(2), after: loadAfter.map((x) => +x.toFixed(2)) },
  };
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(result, null, 2) + '\n');
  console.log(JSON.stringify(result, null, 2));
  fs.rmSync(buildDir, { recursive: true, force: true });
  fs.rmSync(dataDir, { recursive: true, force: true });
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
