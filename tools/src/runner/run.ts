/**
 * Running several notebooks: where executed copies go, how many kernels run at once, and writing
 * the results (the executed copy under build/notebooks/, or the source itself with `inplace`).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { KERNEL_NAME, kernelSpec, KernelSpec, projectRoot } from '../kernel/spec';
import { CellReport, executeNotebook, NotebookReport } from './executor';
import { Notebook, NotebookFormatError, readNotebook, writeNotebook } from './nbformat';

export interface RunOptions {
  /** Per-cell timeout in seconds (default 600). */
  timeoutSeconds?: number;
  /** Notebooks run at once (default: the number of CPU cores). */
  jobs?: number;
  /** Set GENBOOK_QUICK=1 in the kernel's environment. */
  quick?: boolean;
  /** Write outputs back into the source notebook (atomically; only if it ran without errors). */
  inplace?: boolean;
  /** Where executed copies go (default <root>/build/notebooks). */
  outDir?: string;
  root?: string;
  spec?: KernelSpec;
  interruptGraceSeconds?: number;
  /** How long a kernel may take to start (default 300 s). */
  startupTimeoutSeconds?: number;
  onCell?: (file: string, report: CellReport) => void;
  onStart?: (file: string) => void;
  onDone?: (result: NotebookResult) => void;
  /**
   * wasm threads per kernel (GENBOOK_THREADS); default: the cores shared among the kernels that run
   * at once (at least 1), unless GENBOOK_THREADS is set in the environment. More threads than
   * cores make every kernel slower (the pool's threads wait for each other at each operation).
   */
  threadsPerKernel?: number;
}

export interface NotebookResult {
  /** The source notebook. */
  file: string;
  /** Where the executed notebook was written; undefined if it was not written. */
  output?: string;
  /** Why the notebook could not run at all (unreadable, invalid, kernel would not start). */
  failure?: string;
  report?: NotebookReport;
  seconds: number;
}

/** What the executed copy records about the run, in notebook metadata `genbook.run`. */
export interface RunMetadata {
  quick: boolean;
  errors: number;
  seconds: number;
  finished: string;
}

/** The default number of notebooks run at once: the machine's CPU cores. */
export function defaultJobs(): number {
  return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
}

/** wasm threads for each of `jobs` kernels on a machine with `cores` cores. */
export function threadsPerKernel(jobs: number, cores: number = defaultJobs()): number {
  return Math.max(1, Math.floor(cores / Math.max(1, jobs)));
}

/**
 * Where the executed copy of `file` goes: build/notebooks/<path inside notebooks/>, or
 * build/notebooks/<path inside the project> for notebooks elsewhere in it, or the bare file name.
 */
export function executedPath(file: string, outDir: string, root: string = projectRoot()): string {
  const abs = path.resolve(file);
  const inside = (dir: string): string | undefined => {
    const rel = path.relative(dir, abs);
    return rel && !rel.startsWith('..') && !path.isAbsolute(rel) ? rel : undefined;
  };
  const rel = inside(path.join(root, 'notebooks')) ?? inside(root) ?? path.basename(abs);
  return path.join(outDir, rel);
}

/** The run metadata an executed copy carries, if it has any. */
export function runMetadata(nb: Notebook): RunMetadata | undefined {
  const g = (nb.metadata as { genbook?: { run?: RunMetadata } }).genbook;
  return g?.run;
}

/**
 * Expand folders into the .ipynb files directly inside them (sorted; names starting with `.` or `_`
 * are scratch files and skipped); files are kept as given.
 */
export function expandNotebookPaths(paths: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (fs.existsSync(p) && fs.statSync(p).isDirectory()) {
      out.push(
        ...fs
          .readdirSync(p)
          .filter((f) => f.endsWith('.ipynb') && !f.startsWith('.') && !f.startsWith('_'))
          .sort()
          .map((f) => path.join(p, f)),
      );
    } else {
      out.push(p);
    }
  }
  return out;
}

async function runOne(file: string, options: RunOptions, root: string, outDir: string, spec: KernelSpec): Promise<NotebookResult> {
  const started = Date.now();
  options.onStart?.(file);
  let source: Notebook;
  try {
    source = readNotebook(file);
  } catch (e) {
    const message = e instanceof NotebookFormatError ? e.message : `${file}: ${(e as Error).message}`;
    return { file, failure: message, seconds: (Date.now() - started) / 1000 };
  }
  const extraEnv: Record<string, string> = options.quick ? { GENBOOK_QUICK: '1' } : {};
  if (options.threadsPerKernel !== undefined && process.env.GENBOOK_THREADS === undefined) extraEnv.GENBOOK_THREADS = String(options.threadsPerKernel);
  const report = await executeNotebook(source, {
    spec,
    kernelName: KERNEL_NAME,
    cwd: path.dirname(path.resolve(file)),
    extraEnv,
    timeoutSeconds: options.timeoutSeconds,
    interruptGraceSeconds: options.interruptGraceSeconds,
    startupTimeoutSeconds: options.startupTimeoutSeconds,
    onCell: (r) => options.onCell?.(file, r),
  });
  const seconds = (Date.now() - started) / 1000;
  if (report.startError) return { file, failure: `${file}: the kernel did not start: ${report.startError}`, report, seconds };
  const executed = report.notebook;
  let output: string | undefined;
  if (options.inplace) {
    if (report.errors.length === 0) {
      writeNotebook(file, executed);
      output = file;
    }
  } else {
    const quick = options.quick === true || process.env.GENBOOK_QUICK === '1';
    const meta = executed.metadata as Record<string, unknown>;
    const genbook = (meta.genbook && typeof meta.genbook === 'object' ? meta.genbook : {}) as Record<string, unknown>;
    const run: RunMetadata = { quick, errors: report.errors.length, seconds: Math.round(seconds * 10) / 10, finished: new Date().toISOString() };
    meta.genbook = { ...genbook, run };
    output = executedPath(file, outDir, root);
    writeNotebook(output, executed);
  }
  return { file, output, report, seconds };
}

/** Run `files` with up to `jobs` kernels at once; results in the order of `files`. */
export async function runNotebooks(files: readonly string[], options: RunOptions = {}): Promise<NotebookResult[]> {
  const root = options.root ?? projectRoot();
  const outDir = options.outDir ?? path.join(root, 'build', 'notebooks');
  const spec = options.spec ?? kernelSpec(root);
  if (options.jobs !== undefined && (!Number.isInteger(options.jobs) || options.jobs < 1)) throw new RangeError(`jobs must be a positive integer; got ${options.jobs}`);
  if (options.timeoutSeconds !== undefined && !(options.timeoutSeconds > 0)) throw new RangeError(`timeoutSeconds must be positive; got ${options.timeoutSeconds}`);
  const jobs = Math.max(1, Math.min(options.jobs ?? defaultJobs(), files.length));
  options = { ...options, threadsPerKernel: options.threadsPerKernel ?? threadsPerKernel(jobs) };
  const results: NotebookResult[] = new Array(files.length);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < files.length) {
      const i = next++;
      results[i] = await runOne(files[i], options, root, outDir, spec);
      options.onDone?.(results[i]);
    }
  };
  await Promise.all(Array.from({ length: jobs }, worker));
  return results;
}
