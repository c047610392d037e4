/**
 * `genbook start` (`npm start`): register the kernel, then open the course.
 *
 * JupyterLab, else Jupyter Notebook, on `notebooks/` when either is on PATH; otherwise a few lines
 * on opening the notebooks in VS Code (the kernel is registered already) or installing Jupyter,
 * and the live book (book/live.ts) served on localhost at once: its URL is printed within seconds,
 * the notebooks run in the background (quick mode; with --full then full mode) and their pages
 * are replaced as each finishes; the terminal keeps one line per notebook.
 *
 * `genbook start [--port P] [--full] [--book] [--jobs N] [--build-dir DIR] [--data-dir DIR] [--dry-run]`:
 * --book serves the live book even when Jupyter is installed; --build-dir puts the executed copies
 * and the site in DIR/notebooks and DIR/book instead of build/.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { startLiveBook, statusLine } from '../book/live';
import { installKernelSpec, jupyterDataDir, projectRoot } from '../kernel/spec';
import { parseFlags, UsageError } from '../util/flags';
import { ProgressBoard } from '../util/progress-board';
import { signalExitCode, STOP_SIGNALS, waitForStopSignal } from '../util/signals';

/** The first of `names` found as an executable on PATH, or undefined. */
export function findOnPath(names: readonly string[], envPath: string = process.env.PATH ?? ''): string | undefined {
  const exts = process.platform === 'win32' ? ['.exe', '.cmd', '.bat', ''] : [''];
  for (const name of names) {
    for (const dir of envPath.split(path.delimiter)) {
      if (!dir) continue;
      for (const ext of exts) {
        const candidate = path.join(dir, name + ext);
        try {
          fs.accessSync(candidate, fs.constants.X_OK);
          if (fs.statSync(candidate).isFile()) return candidate;
        } catch {
          /* not here */
        }
      }
    }
  }
  return undefined;
}

export interface StartPlan {
  kernelFile: string;
  /** The Jupyter front end to launch, with its arguments; undefined when none is installed. */
  launch?: { command: string; args: string[] };
  /** Without a front end: build (or refresh) the book and serve it on localhost. */
  serveBook?: boolean;
  /** What to tell the user. */
  lines: string[];
}

export function planStart(root: string, dataDir: string, envPath?: string): StartPlan {
  const kernelFile = installKernelSpec(dataDir);
  const notebooks = path.join(root, 'notebooks');
  const lines = [`kernel "TypeScript (genbook)" registered: ${kernelFile}`];
  const lab = findOnPath(['jupyter-lab'], envPath);
  const classic = findOnPath(['jupyter-notebook'], envPath);
  const frontEnd = lab ?? classic;
  if (frontEnd) {
    // Jupyter refuses to start as root (containers, CI) unless told it may.
    const args = [`--notebook-dir=${notebooks}`, ...(process.getuid?.() === 0 ? ['--allow-root'] : [])];
    lines.push(`opening ${path.basename(frontEnd)} on ${notebooks} (Ctrl+C to stop)`);
    lines.push('choose the kernel "TypeScript (genbook)" if a notebook asks');
    return { kernelFile, launch: { command: frontEnd, args }, lines };
  }
  lines.push(
    'No Jupyter front end (jupyter-lab or jupyter-notebook) is on PATH. Either:',
    `  - open ${notebooks} in VS Code (Jupyter extension) and pick the kernel "TypeScript (genbook)";`,
    '  - or install Jupyter: `sudo apt-get install jupyter-notebook` (Debian/Ubuntu),',
    '    `brew install jupyterlab` (macOS) or `pip install jupyterlab`, then run `npm start` again;',
    '  - meanwhile, read the course as HTML on localhost: the pages fill in as the notebooks run in the',
    '    background (quick mode; `npm start -- --full` then reruns them in full mode).',
  );
  return { kernelFile, lines, serveBook: true };
}

export interface ServeOptions {
  port: number;
  full: boolean;
  jobs?: number;
  /** Executed copies in <buildDir>/notebooks, the site in <buildDir>/book (default <root>/build). */
  buildDir?: string;
}

/**
 * Serve the live book, keep one terminal line per notebook, and stop on SIGINT, SIGTERM or SIGHUP:
 * the server closes and the process exits, its exit hook killing any kernel still running.
 */
async function serveLiveCourse(root: string, options: ServeOptions): Promise<number> {
  const buildDir = options.buildDir ?? path.join(root, 'build');
  const board = new ProgressBoard();
  const width = (all: readonly { file: string }[]): number => Math.max(...all.map((s) => s.file.length));
  const book = await startLiveBook({
    root,
    outDir: path.join(buildDir, 'book'),
    executedDir: path.join(buildDir, 'notebooks'),
    port: options.port,
    full: options.full,
    jobs: options.jobs,
    onStatus: (s, all) => board.set(all.indexOf(s), statusLine(s, width(all)), `${s.state} ${s.mode ?? ''}`),
  });
  console.log(`the course is at ${book.server.url} (Ctrl+C to stop)`);
  const running = book.statuses.filter((s) => s.state !== 'done').length;
  console.log(running ? `running ${running} notebook(s) in the background, quick mode first${options.full ? ', then full mode' : ''}; reload a page to see its newest run:` : 'every page is up to date:');
  book.statuses.forEach((s, i) => board.set(i, statusLine(s, width(book.statuses)), `${s.state} ${s.mode ?? ''}`));
  board.flush();
  void book.done.then(() => {
    board.flush();
    console.log(`all runs finished; still serving ${book.server.url} (Ctrl+C to stop)`);
  });
  const signal = await waitForStopSignal();
  board.flush();
  console.log(`${signal === 'SIGINT' ? 'interrupted' : `got ${signal}`}: stopping the server and the kernels`);
  await book.server.close();
  process.exit(signalExitCode(signal)); // the kernel manager's exit hook kills the running kernels
}

export async function startCommand(args: string[]): Promise<number> {
  const flags = parseFlags(args, { 'dry-run': 'boolean', 'data-dir': 'string', port: 'number', full: 'boolean', book: 'boolean', jobs: 'number', 'build-dir': 'string' });
  const jobs = flags.jobs as number | undefined;
  if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1)) throw new UsageError(`--jobs must be a positive integer; got ${jobs}`);
  const root = projectRoot();
  const plan = planStart(root, (flags['data-dir'] as string | undefined) ?? jupyterDataDir(), flags.book ? '' : undefined);
  // With --book the course is served even where Jupyter is installed: no hints about installing it.
  for (const line of flags.book ? [plan.lines[0], 'serving the course as HTML on localhost (--book)'] : plan.lines) console.log(line);
  if (flags['dry-run']) return 0;
  if (plan.serveBook) {
    return serveLiveCourse(root, {
      port: (flags.port as number | undefined) ?? 8765,
      full: flags.full === true,
      jobs,
      buildDir: flags['build-dir'] === undefined ? undefined : path.resolve(flags['build-dir'] as string),
    });
  }
  if (!plan.launch) return 0;
  const { command, args: launchArgs } = plan.launch;
  return await new Promise<number>((resolve) => {
    const child = spawn(command, launchArgs, { stdio: 'inherit', cwd: path.join(root, 'notebooks') });
    child.on('error', (e) => {
      console.error(`could not start ${command}: ${e.message}`);
      resolve(1);
    });
    child.on('exit', (code) => resolve(code ?? 0));
    // Jupyter stops its kernels when it gets these signals; pass them on and wait for it to exit.
    for (const signal of STOP_SIGNALS) process.on(signal, () => child.kill(signal));
  });
}
