/**
 * `genbook notebooks [paths…] [--inplace] [--timeout S] [--jobs N] [--quick]` (`npm run notebooks`):
 * execute notebooks headless on the `genbook` kernel and write executed copies under
 * build/notebooks/ (or back into the sources with --inplace). Without paths: every notebook in
 * notebooks/. Prints a line per cell, then a summary table; exits 1 if any cell failed.
 */
import * as path from 'path';
import { projectRoot } from '../kernel/spec';
import { CellReport, errorHeadline } from '../runner/executor';
import { defaultJobs, expandNotebookPaths, NotebookResult, runNotebooks } from '../runner/run';
import { parseFlags, UsageError } from '../util/flags';
import { onStopSignal, signalExitCode } from '../util/signals';

export interface NotebooksCommandIO {
  log: (line: string) => void;
  error: (line: string) => void;
}

function cellLabel(r: CellReport): string {
  return `cell ${r.index + 1} (code cell ${r.codeNumber}/${r.codeCount}${r.id ? `, id ${r.id}` : ''})`;
}

function relative(file: string): string {
  const rel = path.relative(process.cwd(), path.resolve(file));
  return rel.startsWith('..') ? path.resolve(file) : rel;
}

/** The summary table: notebook, cells (executed/code cells), errors, cells with stderr, seconds. */
export function summaryTable(results: readonly NotebookResult[]): string {
  const rows = results.map((r) => {
    const rep = r.report;
    const errors = r.failure ? 1 : (rep?.errors.length ?? 0);
    const stderr = rep ? rep.cells.filter((c) => c.stderr).length : 0;
    return [relative(r.file), rep ? `${rep.executed}/${rep.codeCount}` : '-', String(errors), String(stderr), r.seconds.toFixed(1)];
  });
  const totalSeconds = results.reduce((s, r) => s + r.seconds, 0);
  const totalErrors = rows.reduce((s, r) => s + Number(r[2]), 0);
  const header = ['notebook', 'cells', 'errors', 'stderr', 'seconds'];
  const footer = [`total (${results.length} notebooks)`, '', String(totalErrors), '', totalSeconds.toFixed(1)];
  const all = [header, ...rows, footer];
  const widths = header.map((_, c) => Math.max(...all.map((row) => row[c].length)));
  const fmt = (row: string[]): string => row.map((cell, c) => (c === 0 ? cell.padEnd(widths[c]) : cell.padStart(widths[c]))).join('  ');
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  return [fmt(header), rule, ...rows.map(fmt), rule, fmt(footer)].join('\n');
}

/** One line per failure: the notebook, the cell, and the error text. */
export function failureLines(results: readonly NotebookResult[]): string[] {
  const lines: string[] = [];
  for (const r of results) {
    if (r.failure) lines.push(r.failure);
    for (const e of r.report?.errors ?? []) {
      lines.push(`${relative(r.file)}: ${cellLabel(e)} ${e.status === 'error' ? 'failed' : e.status === 'timeout' ? 'timed out' : 'killed the kernel'}:\n${indent(e.message ?? '')}`);
    }
  }
  return lines;
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((l) => `    ${l}`)
    .join('\n');
}

export async function notebooksCommand(args: string[], io: NotebooksCommandIO = { log: console.log, error: console.error }): Promise<number> {
  const flags = parseFlags(args, { inplace: 'boolean', timeout: 'number', jobs: 'number', quick: 'boolean', 'out-dir': 'string' });
  const timeout = flags.timeout as number | undefined;
  const jobs = flags.jobs as number | undefined;
  if (timeout !== undefined && !(timeout > 0)) throw new UsageError(`--timeout must be a positive number of seconds; got ${timeout}`);
  if (jobs !== undefined && !(Number.isInteger(jobs) && jobs >= 1)) throw new UsageError(`--jobs must be a positive integer; got ${jobs}`);
  if (flags.inplace && flags['out-dir']) throw new UsageError('--inplace and --out-dir exclude each other');
  const root = projectRoot();
  const files = expandNotebookPaths(flags._.length ? flags._ : [path.join(root, 'notebooks')]);
  if (files.length === 0) throw new UsageError('no notebooks to run');
  const quick = flags.quick === true || process.env.GENBOOK_QUICK === '1';
  const width = Math.max(...files.map((f) => path.basename(f).length));
  io.log(`running ${files.length} notebook(s), ${Math.min(jobs ?? defaultJobs(), files.length)} at a time, ${quick ? 'quick mode (GENBOOK_QUICK=1)' : 'full mode'}, per-cell timeout ${timeout ?? 600} s`);
  const removeSignalHandler = onStopSignal((signal) => {
    io.error(`${signal === 'SIGINT' ? 'interrupted' : `got ${signal}`}: stopping the kernels`);
    process.exit(signalExitCode(signal)); // the kernel manager's exit hook kills every kernel still running
  });
  try {
    const results = await runNotebooks(files, {
      timeoutSeconds: timeout,
      jobs,
      quick,
      inplace: flags.inplace === true,
      outDir: flags['out-dir'] === undefined ? undefined : path.resolve(flags['out-dir'] as string),
      root,
      onStart: (file) => io.log(`${path.basename(file).padEnd(width)}  starting its kernel in ${relative(path.dirname(file)) || '.'}`),
      onCell: (file, r) => {
        if (r.status === 'skipped') return;
        const status = r.status === 'ok' ? (r.stderr ? 'ok (stderr)' : 'ok') : r.allowed ? 'error (allowed: raises-exception)' : r.status.toUpperCase();
        const first = r.message ? `: ${errorHeadline(r.message)}` : '';
        io.log(`${path.basename(file).padEnd(width)}  cell ${String(r.index + 1).padStart(3)}  code ${r.codeNumber}/${r.codeCount}  ${status}  ${r.seconds.toFixed(1)} s${first}`);
      },
      onDone: (r) => {
        if (r.failure) io.error(r.failure);
        else if (r.output) io.log(`${path.basename(r.file).padEnd(width)}  wrote ${relative(r.output)}`);
        else if (r.report && r.report.errors.length) io.log(`${path.basename(r.file).padEnd(width)}  not written back (it failed)`);
      },
    });
    io.log('');
    io.log(summaryTable(results));
    const failures = failureLines(results);
    if (failures.length) {
      io.error('');
      for (const line of failures) io.error(line);
      return 1;
    }
    return 0;
  } finally {
    removeSignalHandler();
  }
}
