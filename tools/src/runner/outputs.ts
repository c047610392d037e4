/**
 * Turning IOPub messages into notebook outputs, with the same rules as the reference client
 * (nbclient 0.7 `NotebookClient.process_message` / `output` / `clear_output`, and nbconvert's
 * `coalesce_streams`):
 * - stream, display_data, execute_result and error messages become outputs (nbformat's
 *   `output_from_msg`);
 * - a message carrying `transient.display_id` (display_data, execute_result, update_display_data)
 *   replaces data and metadata of every earlier output shown with that id, in any cell;
 *   update_display_data adds no output of its own;
 * - on top of nbclient, `applyDisplayUpdate` takes an update_display_data that arrives after its
 *   cell finished (a progress bar that goes on in the background): the saved notebook shows the
 *   display as it last was (a finished progress bar), not as it was when the cell ended;
 * - clear_output empties the cell's outputs, at once or (wait=true) just before the next output;
 * - after the run, consecutive stream outputs of the same name are merged into one, and in merged
 *   text a carriage return erases the line before it (a progress line rewritten in place).
 */
import type { ICodeCell, IOutput, IStream } from '@jupyterlab/nbformat';
import type { JsonObject, Message } from './message';

type Data = Record<string, unknown>;

/** The notebook output for an IOPub message, or undefined for messages that are not outputs. */
export function outputFromMessage(message: Message): IOutput | undefined {
  const c = message.content as JsonObject;
  switch (message.header.msg_type) {
    case 'stream':
      return { output_type: 'stream', name: String(c.name), text: String(c.text ?? '') } as IStream;
    case 'display_data':
      return { output_type: 'display_data', data: (c.data ?? {}) as Data, metadata: (c.metadata ?? {}) as Data } as IOutput;
    case 'execute_result':
      return { output_type: 'execute_result', data: (c.data ?? {}) as Data, metadata: (c.metadata ?? {}) as Data, execution_count: (c.execution_count ?? null) as number | null } as IOutput;
    case 'error':
      return { output_type: 'error', ename: String(c.ename ?? ''), evalue: String(c.evalue ?? ''), traceback: (c.traceback ?? []) as string[] } as IOutput;
    default:
      return undefined;
  }
}

/** Collects the outputs of a notebook's cells, one cell at a time, across the whole run. */
export class OutputCollector {
  /** display_id → cell index → indices of outputs in that cell showing it. */
  private readonly displays = new Map<string, Map<number, number[]>>();
  private clearBeforeNextOutput = false;

  constructor(private readonly cells: readonly { cell_type: string }[]) {}

  /** Start collecting for the code cell at `cellIndex`: its outputs are emptied. */
  beginCell(cellIndex: number): void {
    this.code(cellIndex).outputs = [];
    this.clearBeforeNextOutput = false;
  }

  private code(cellIndex: number): ICodeCell {
    const cell = this.cells[cellIndex];
    if (!cell || cell.cell_type !== 'code') throw new RangeError(`cellIndex ${cellIndex} is not a code cell`);
    return cell as ICodeCell;
  }

  /**
   * Apply one IOPub message addressed to the cell at `cellIndex` (the caller matches its parent
   * msg_id). Returns the output appended, if any.
   */
  handle(message: Message, cellIndex: number): IOutput | undefined {
    const type = message.header.msg_type;
    const content = message.content as JsonObject;
    const cell = this.code(cellIndex);
    const displayId = (content.transient as { display_id?: unknown } | undefined)?.display_id;
    const hasDisplayId = typeof displayId === 'string' && displayId !== '';
    if (hasDisplayId && (type === 'execute_result' || type === 'display_data' || type === 'update_display_data')) {
      this.updateDisplay(displayId, content);
    }
    if (typeof content.execution_count === 'number') cell.execution_count = content.execution_count;
    if (type === 'clear_output') {
      if (content.wait) this.clearBeforeNextOutput = true;
      else this.clear(cellIndex);
      return undefined;
    }
    if (type === 'update_display_data' || type === 'execute_input' || type === 'status') return undefined;
    const output = outputFromMessage(message);
    if (!output) return undefined;
    if (this.clearBeforeNextOutput) {
      this.clear(cellIndex);
      this.clearBeforeNextOutput = false;
    }
    if (hasDisplayId) {
      const byCell = this.displays.get(displayId) ?? new Map<number, number[]>();
      this.displays.set(displayId, byCell);
      const indices = byCell.get(cellIndex) ?? [];
      byCell.set(cellIndex, indices);
      indices.push(cell.outputs.length);
    }
    cell.outputs.push(output);
    return output;
  }

  /**
   * Apply an update_display_data addressed to an earlier cell of this run (its parent finished):
   * the outputs shown with its display id take its data; nothing is appended.
   */
  applyDisplayUpdate(message: Message): void {
    if (message.header.msg_type !== 'update_display_data') return;
    const content = message.content as JsonObject;
    const displayId = (content.transient as { display_id?: unknown } | undefined)?.display_id;
    if (typeof displayId === 'string' && displayId !== '') this.updateDisplay(displayId, content);
  }

  private clear(cellIndex: number): void {
    this.code(cellIndex).outputs = [];
    for (const byCell of this.displays.values()) if (byCell.has(cellIndex)) byCell.set(cellIndex, []);
  }

  private updateDisplay(displayId: string, content: JsonObject): void {
    const byCell = this.displays.get(displayId);
    if (!byCell) return;
    for (const [cellIndex, indices] of byCell) {
      const outputs = this.code(cellIndex).outputs;
      for (const i of indices) {
        const output = outputs[i] as { data?: unknown; metadata?: unknown } | undefined;
        if (!output) continue;
        output.data = content.data ?? {};
        output.metadata = content.metadata ?? {};
      }
    }
  }
}

/** nbconvert's rule for carriage returns in merged stream text: `.*\r(?=[^\n])` is removed. */
const CARRIAGE_RETURN = /[^\n]*\r(?=[^\n])/g;

/** Merge consecutive stream outputs of the same name (stdout, stderr) into one (nbconvert coalesce_streams). */
export function coalesceStreams(outputs: readonly IOutput[]): IOutput[] {
  const merged: IOutput[] = [];
  for (const output of outputs) {
    const last = merged[merged.length - 1];
    if (output.output_type === 'stream' && last?.output_type === 'stream' && (last as IStream).name === (output as IStream).name) {
      merged[merged.length - 1] = { ...last, text: streamText(last as IStream) + streamText(output as IStream) } as IStream;
    } else {
      merged.push(output.output_type === 'stream' ? ({ ...output, text: streamText(output as IStream) } as IStream) : output);
    }
  }
  for (const output of merged) {
    if (output.output_type === 'stream') {
      const s = output as IStream;
      const text = streamText(s);
      if (text.includes('\r')) s.text = text.replace(CARRIAGE_RETURN, '');
    }
  }
  return merged;
}

function streamText(s: IStream): string {
  return Array.isArray(s.text) ? s.text.join('') : s.text;
}
