/**
 * Executing one notebook on a fresh kernel, cell by cell, the way nbclient does it: empty code
 * cells and cells tagged `skip-execution` are skipped, every other code cell is sent as an
 * execute_request and is done when both its execute_reply (shell) and its `idle` status (IOPub)
 * have arrived; the first failing cell stops the run unless it is tagged `raises-exception`.
 *
 * On top of nbclient: display updates addressed to a cell that already finished (a progress bar
 * that goes on in the background) still update that display (OutputCollector.applyDisplayUpdate);
 * a per-cell timeout interrupts the kernel (as its spec says), then kills it if
 * the cell still does not finish; a kernel that dies is reported with the cell it died in.
 */
import type { ICodeCell, INotebookMetadata } from '@jupyterlab/nbformat';
import { KernelSpec } from '../kernel/spec';
import { describeExit, KernelProcess, raceTimeout, sleep, startKernel } from './kernel-manager';
import { Message } from './message';
import { Notebook, joinLines } from './nbformat';
import { coalesceStreams, OutputCollector } from './outputs';

export type CellStatus = 'ok' | 'error' | 'timeout' | 'kernel-died' | 'skipped';

export interface CellReport {
  /** Index in notebook.cells (0-based). */
  index: number;
  /** 1-based position among the notebook's code cells, and their count. */
  codeNumber: number;
  codeCount: number;
  id?: string;
  status: CellStatus;
  seconds: number;
  /** What went wrong, for status error / timeout / kernel-died. */
  message?: string;
  /** The cell wrote to stderr. */
  stderr: boolean;
  /** The cell failed but is tagged `raises-exception`, so the run went on. */
  allowed?: boolean;
}

export interface ExecuteOptions {
  spec: KernelSpec;
  kernelName: string;
  /** The kernel's working directory: the notebook's folder. */
  cwd: string;
  extraEnv?: Record<string, string>;
  /** Per-cell timeout in seconds (default 600). */
  timeoutSeconds?: number;
  /** How long the kernel may take to start (default 300 s). */
  startupTimeoutSeconds?: number;
  /** After an interrupt, how long the cell may take to stop before the kernel is killed (default 10 s). */
  interruptGraceSeconds?: number;
  /** Record nbclient's cell timing metadata (metadata.execution); default true. */
  recordTiming?: boolean;
  onCell?: (report: CellReport) => void;
}

export interface NotebookReport {
  /** The executed copy (the input notebook is not modified). */
  notebook: Notebook;
  cells: CellReport[];
  /** Code cells that were executed. */
  executed: number;
  codeCount: number;
  /** The failed cell that stopped the run (empty, or one cell); allowed failures are not here. */
  errors: CellReport[];
  /** A failure outside any cell (the kernel would not start). */
  startError?: string;
  seconds: number;
}

function tags(cell: { metadata?: { tags?: unknown } }): string[] {
  const t = cell.metadata?.tags;
  return Array.isArray(t) ? t.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * An error report short enough for a terminal: ANSI colours removed, stack frames outside the
 * cell's own code (node internals, tslab, the kernel) dropped, at most `maxLines` lines.
 */
export function errorSummary(text: string, maxLines = 12): string {
  const lines = text
    .replace(/\x1b\[[0-9;]*m/g, '')
    .trimEnd()
    .split('\n')
    .filter((l) => !/^\s+at /.test(l) || /evalmachine|<anonymous>:\d/.test(l));
  const kept = lines.length > maxLines ? [...lines.slice(0, maxLines), '…'] : lines;
  return kept.join('\n').trim();
}

/** The line of an error report that says what went wrong (`Error: …`, a type error `1:7 - …`). */
export function errorHeadline(text: string): string {
  const lines = text.split('\n').map((l) => l.trim()).filter((l) => l !== '');
  return lines.find((l) => /^([A-Za-z_$][\w$.]*)?(Error|Exception)\b.*:/.test(l) || /^\d+:\d+ - /.test(l)) ?? lines[0] ?? '';
}

type Outcome = { kind: 'done'; reply: Message } | { kind: 'timeout' } | { kind: 'died' };

/** Execute `source` (not modified) on a new kernel; never throws for cell failures. */
export async function executeNotebook(source: Notebook, options: ExecuteOptions): Promise<NotebookReport> {
  const started = Date.now();
  const nb = JSON.parse(JSON.stringify(source)) as Notebook;
  const timeout = options.timeoutSeconds ?? 600;
  const grace = options.interruptGraceSeconds ?? 10;
  const recordTiming = options.recordTiming ?? true;
  const codeIndices = nb.cells.map((c, i) => (c.cell_type === 'code' ? i : -1)).filter((i) => i >= 0);
  const report: NotebookReport = { notebook: nb, cells: [], executed: 0, codeCount: codeIndices.length, errors: [], seconds: 0 };

  let kernel: KernelProcess;
  try {
    const launched = await startKernel({ spec: options.spec, kernelName: options.kernelName, cwd: options.cwd, extraEnv: options.extraEnv, startupTimeoutSeconds: options.startupTimeoutSeconds });
    kernel = launched.kernel;
    const languageInfo = launched.kernelInfo.language_info;
    if (languageInfo && typeof languageInfo === 'object') (nb.metadata as INotebookMetadata).language_info = languageInfo as INotebookMetadata['language_info'];
  } catch (e) {
    report.startError = (e as Error).message;
    report.seconds = (Date.now() - started) / 1000;
    return report;
  }

  const collector = new OutputCollector(nb.cells);
  /** The execute_requests sent so far, and the one whose messages go to its cell (until its idle). */
  const sent = new Set<string>();
  let collecting = '';
  const stopLateUpdates = kernel.client.onIopub((m) => {
    const parent = m.parent_header.msg_id ?? '';
    if (m.header.msg_type === 'update_display_data' && sent.has(parent) && parent !== collecting) collector.applyDisplayUpdate(m);
  });
  try {
    for (let n = 0; n < codeIndices.length; n++) {
      const index = codeIndices[n];
      const cell = nb.cells[index] as ICodeCell;
      const code = joinLines(cell.source);
      const base = { index, codeNumber: n + 1, codeCount: codeIndices.length, id: typeof cell.id === 'string' ? cell.id : undefined };
      if (code.trim() === '' || tags(cell).includes('skip-execution')) {
        const r: CellReport = { ...base, status: 'skipped', seconds: 0, stderr: false };
        report.cells.push(r);
        options.onCell?.(r);
        continue;
      }
      const cellStart = Date.now();
      if (recordTiming) cell.metadata = { ...cell.metadata, execution: {} };
      const timing = (cell.metadata as { execution?: Record<string, string> }).execution;
      collector.beginCell(index);

      let idle = false;
      let msgId = '';
      let markIdle: () => void = () => undefined;
      const idleSeen = new Promise<void>((resolve) => (markIdle = resolve));
      const early: Message[] = [];
      const onMessage = (m: Message): void => {
        if (!msgId) {
          early.push(m);
          return;
        }
        if (m.parent_header.msg_id !== msgId || idle) return;
        const type = m.header.msg_type;
        const state = (m.content as { execution_state?: string }).execution_state;
        if (recordTiming && timing) {
          if (type === 'status' && state === 'busy') timing['iopub.status.busy'] = m.header.date;
          if (type === 'status' && state === 'idle') timing['iopub.status.idle'] = m.header.date;
          if (type === 'execute_input') timing['iopub.execute_input'] = m.header.date;
        }
        if (type === 'status' && state === 'idle') {
          idle = true;
          collecting = '';
          markIdle();
          return;
        }
        collector.handle(m, index);
      };
      const stop = kernel.client.onIopub(onMessage);
      const request = kernel.client.request('shell', 'execute_request', {
        code,
        silent: false,
        store_history: true,
        user_expressions: {},
        allow_stdin: false,
        stop_on_error: !tags(cell).includes('raises-exception'),
      });
      msgId = request.msgId;
      sent.add(msgId);
      collecting = msgId;
      for (const m of early.splice(0)) onMessage(m);

      const finished = Promise.all([request.reply, idleSeen]).then(([reply]) => ({ kind: 'done', reply }) as Outcome);
      const died = kernel.exited.then(() => ({ kind: 'died' }) as Outcome);
      const timedOut: Outcome = { kind: 'timeout' };
      let outcome = await raceTimeout<Outcome, Outcome>([finished, died], timeout * 1000, timedOut);
      let interruptNote = '';
      if (outcome.kind === 'timeout') {
        await kernel.interrupt();
        outcome = await raceTimeout<Outcome, Outcome>([finished, died], grace * 1000, timedOut);
        if (outcome.kind === 'timeout') {
          await kernel.kill();
          interruptNote = `; the interrupt did not stop it within ${grace} s, so the kernel was killed`;
        } else {
          interruptNote = '; the kernel was interrupted';
        }
        outcome = { kind: 'timeout' };
      }
      // Outputs published just before the reply may still be in flight on IOPub.
      if (outcome.kind === 'died') await sleep(100);
      stop();
      collecting = '';

      report.executed++;
      // The kernel's own count (execute_reply, as JupyterLab shows it), else the run's count.
      const kernelCount = outcome.kind === 'done' ? (outcome.reply.content as { execution_count?: unknown }).execution_count : undefined;
      cell.execution_count = typeof kernelCount === 'number' ? kernelCount : report.executed;
      if (outcome.kind === 'done' && recordTiming && timing) timing['shell.execute_reply'] = outcome.reply.header.date;
      const stderrText = cell.outputs
        .filter((o) => o.output_type === 'stream' && o.name === 'stderr')
        .map((o) => joinLines(o.text as string | string[]))
        .join('');
      const r: CellReport = { ...base, status: 'ok', seconds: (Date.now() - cellStart) / 1000, stderr: stderrText !== '' };
      if (outcome.kind === 'died') {
        r.status = 'kernel-died';
        r.message = `the kernel died (${describeExit(kernel.exit)}) while running this cell` + (stderrText ? `\n${errorSummary(stderrText)}` : '');
      } else if (outcome.kind === 'timeout') {
        r.status = 'timeout';
        r.message = `the cell did not finish within ${timeout} s${interruptNote}`;
      } else if ((outcome.reply.content as { status?: string }).status !== 'ok') {
        const content = outcome.reply.content as { status?: string; ename?: string; evalue?: string };
        const errorOutputs = cell.outputs.filter((o) => o.output_type === 'error').map((o) => `${String(o.ename)}: ${String(o.evalue)}`);
        const text = content.ename ? `${content.ename}: ${content.evalue ?? ''}` : errorOutputs.length ? errorOutputs.join('\n') : stderrText;
        r.status = 'error';
        r.message = errorSummary(text || `the kernel replied status "${content.status}" without an error message`);
      }
      if (r.status === 'error' && tags(cell).includes('raises-exception')) r.allowed = true;
      report.cells.push(r);
      options.onCell?.(r);
      if (r.status !== 'ok' && !r.allowed) {
        report.errors.push(r);
        break;
      }
    }
  } finally {
    await kernel.shutdown();
    stopLateUpdates();
    for (const cell of nb.cells) if (cell.cell_type === 'code') (cell as ICodeCell).outputs = coalesceStreams((cell as ICodeCell).outputs);
    report.seconds = (Date.now() - started) / 1000;
  }
  return report;
}
