/**
 * `genbook start` (`npm start`): register the kernel, then open the course.
 *
 * JupyterLab, else Jupyter Notebook, on `notebooks/` when either is on PATH; otherwise a few lines
 * on opening the notebooks in VS Code (the kernel is registered already) or installing Jupyter,
 * and the executed course as a static book (build/book/, built or refreshed by the book builder)
 * served on localhost, whose URL it prints.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { buildBook } from '../book/build';
import { serveBook } from '../book/serve';
import { installKernelSpec, jupyterDataDir, projectRoot } from '../kernel/spec';
import { parseFlags } from '../util/flags';

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
    '  - meanwhile, read the executed course as HTML: building the book (build/book/) and serving it on localhost.',
  );
  return { kernelFile, lines, serveBook: true };
}

/** Build the book (reusing fresh executed notebooks), serve it on `port` and wait for Ctrl+C. */
async function serveTheBook(root: string, port: number): Promise<number> {
  const result = await buildBook({ root, log: (line) => console.log(`  ${line}`) });
  for (const f of result.failures) console.error(`  did not run to the end: ${f}`);
  const server = await serveBook(result.outDir, port);
  console.log(`the course book is at ${server.url} (Ctrl+C to stop)`);
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  await server.close();
  return 0;
}

export async function startCommand(args: string[]): Promise<number> {
  const flags = parseFlags(args, { 'dry-run': 'boolean', 'data-dir': 'string', port: 'number' });
  const root = projectRoot();
  const plan = planStart(root, (flags['data-dir'] as string | undefined) ?? jupyterDataDir());
  for (const line of plan.lines) console.log(line);
  if (flags['dry-run']) return 0;
  if (plan.serveBook) return serveTheBook(root, (flags.port as number | undefined) ?? 8765);
  if (!plan.launch) return 0;
  const { command, args: launchArgs } = plan.launch;
  return await new Promise<number>((resolve) => {
    const child = spawn(command, launchArgs, { stdio: 'inherit', cwd: path.join(root, 'notebooks') });
    child.on('error', (e) => {
      console.error(`could not start ${command}: ${e.message}`);
      resolve(1);
    });
    child.on('exit', (code) => resolve(code ?? 0));
    process.on('SIGINT', () => child.kill('SIGINT'));
  });
}
