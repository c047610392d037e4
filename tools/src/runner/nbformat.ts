/**
 * Reading, validating and writing Jupyter notebooks (nbformat 4.5).
 *
 * Validation uses the official JSON schema (schema/nbformat.v4.5.schema.json, from nbformat 5.5.0)
 * with Ajv, plus the one rule the schema cannot express (cell ids are unique). Notebooks of format
 * 4.0–4.4 are upgraded on reading the way nbformat does it: every cell gets a random id.
 * Writing follows nbformat's own layout (keys sorted, one-space indent, multi-line strings stored as
 * lists of lines, a final newline), so an executed copy diffs cleanly against one Jupyter wrote, and
 * it is atomic: a temporary file in the same folder renamed over the target.
 */
import type { ICell, INotebookContent, IOutput } from '@jupyterlab/nbformat';
import Ajv, { ErrorObject, ValidateFunction } from 'ajv-draft-04';
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import schema from './schema/nbformat.v4.5.schema.json';

export type Notebook = INotebookContent;

/** A file that is not a readable nbformat 4 notebook; `problems` lists what is wrong. */
export class NotebookFormatError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file}: not a valid Jupyter notebook (nbformat 4.5):\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'NotebookFormatError';
  }
}

const SCHEMA_ID = 'nbformat-v4.5';
let validators: { notebook: ValidateFunction; definition: (name: string) => ValidateFunction } | undefined;

function getValidators(): NonNullable<typeof validators> {
  if (!validators) {
    const ajv = new Ajv({ strict: false, allErrors: true });
    ajv.addSchema(schema, SCHEMA_ID);
    const notebook = ajv.getSchema(SCHEMA_ID);
    if (!notebook) throw new Error('could not compile the nbformat schema');
    const cache = new Map<string, ValidateFunction>();
    const definition = (name: string): ValidateFunction => {
      let v = cache.get(name);
      if (!v) {
        v = ajv.getSchema(`${SCHEMA_ID}#/definitions/${name}`);
        if (!v) throw new Error(`nbformat schema has no definition ${name}`);
        cache.set(name, v);
      }
      return v;
    };
    validators = { notebook, definition };
  }
  return validators;
}

function describeErrors(errors: ErrorObject[] | null | undefined, prefix: string): string[] {
  return (errors ?? [])
    .filter((e) => e.keyword !== 'oneOf')
    .map((e) => {
      const where = `${prefix}${e.instancePath}`;
      const extra = e.keyword === 'additionalProperties' ? ` (${(e.params as { additionalProperty: string }).additionalProperty})` : '';
      const allowed = e.keyword === 'enum' ? ` (one of ${(e.params as { allowedValues: unknown[] }).allowedValues.join(', ')})` : '';
      return `${where || '/'}: ${e.message ?? e.keyword}${extra}${allowed}`;
    });
}

const CELL_DEFINITION: Record<string, string> = { code: 'code_cell', markdown: 'markdown_cell', raw: 'raw_cell' };
const OUTPUT_DEFINITION: Record<string, string> = { stream: 'stream', display_data: 'display_data', execute_result: 'execute_result', error: 'error' };

/**
 * Problems that make `value` an invalid nbformat 4.5 notebook, as readable lines naming the cell or
 * output (`cells/3 (code): outputs/0 (stream): must have required property 'name'`); [] when valid.
 */
export function validateNotebook(value: unknown): string[] {
  const { notebook, definition } = getValidators();
  const problems: string[] = [];
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return ['the top level must be a JSON object'];
  const nb = value as Record<string, unknown>;
  if (!notebook(value)) {
    // Re-validate cell by cell (and output by output) against the definition for its type: the
    // schema's oneOf makes Ajv's own report list every alternative.
    const cells = Array.isArray(nb.cells) ? (nb.cells as unknown[]) : [];
    const cellProblems: string[] = [];
    cells.forEach((cell, i) => {
      const type = (cell as { cell_type?: unknown } | null)?.cell_type;
      const name = typeof type === 'string' ? CELL_DEFINITION[type] : undefined;
      if (!name) {
        cellProblems.push(`/cells/${i}: cell_type must be one of code, markdown, raw; got ${JSON.stringify(type)}`);
        return;
      }
      const validateCell = definition(name);
      if (validateCell(cell)) return;
      const outputs = (cell as { outputs?: unknown }).outputs;
      const outputErrors = (validateCell.errors ?? []).some((e) => e.instancePath.startsWith('/outputs/'));
      const rest = (validateCell.errors ?? []).filter((e) => !e.instancePath.startsWith('/outputs/'));
      cellProblems.push(...describeErrors(rest, `/cells/${i} (${type})`));
      if (outputErrors && Array.isArray(outputs)) {
        outputs.forEach((output, j) => {
          const otype = (output as { output_type?: unknown } | null)?.output_type;
          const oname = typeof otype === 'string' ? OUTPUT_DEFINITION[otype] : undefined;
          if (!oname) {
            cellProblems.push(`/cells/${i} (${type})/outputs/${j}: output_type must be one of ${Object.keys(OUTPUT_DEFINITION).join(', ')}; got ${JSON.stringify(otype)}`);
            return;
          }
          const validateOutput = definition(oname);
          if (!validateOutput(output)) cellProblems.push(...describeErrors(validateOutput.errors, `/cells/${i} (${type})/outputs/${j} (${otype})`));
        });
      }
    });
    const topLevel = (notebook.errors ?? []).filter((e) => !e.instancePath.startsWith('/cells/'));
    problems.push(...describeErrors(topLevel, ''), ...cellProblems);
    if (problems.length === 0) problems.push(...describeErrors(notebook.errors, ''));
  }
  const seen = new Map<string, number>();
  if (Array.isArray(nb.cells)) {
    (nb.cells as { id?: unknown }[]).forEach((cell, i) => {
      if (typeof cell?.id !== 'string') return;
      const first = seen.get(cell.id);
      if (first !== undefined) problems.push(`/cells/${i}: id ${JSON.stringify(cell.id)} is already used by /cells/${first} (cell ids must be unique)`);
      else seen.set(cell.id, i);
    });
  }
  return problems;
}

/** A random cell id as nbformat makes them (8 hex digits). */
export function newCellId(): string {
  return randomBytes(4).toString('hex');
}

/**
 * Parse notebook JSON text; `file` names it in errors. Formats 4.0–4.4 are upgraded to 4.5 (cell
 * ids added); anything else that does not validate throws a {@link NotebookFormatError}.
 */
export function parseNotebook(text: string, file = '<notebook>'): Notebook {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new NotebookFormatError(file, [`not JSON: ${(e as Error).message}`]);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new NotebookFormatError(file, ['the top level must be a JSON object']);
  const nb = value as Record<string, unknown>;
  if (nb.nbformat !== 4) {
    const hint = typeof nb.nbformat === 'number' ? ` (convert it: jupyter nbconvert --to notebook --nbformat 4 ${path.basename(file)})` : '';
    throw new NotebookFormatError(file, [`nbformat must be 4; got ${JSON.stringify(nb.nbformat)}${hint}`]);
  }
  if (typeof nb.nbformat_minor === 'number' && nb.nbformat_minor < 5 && Array.isArray(nb.cells)) {
    for (const cell of nb.cells as Record<string, unknown>[]) {
      if (cell && typeof cell === 'object' && cell.id === undefined) cell.id = newCellId();
    }
    nb.nbformat_minor = 5;
  }
  const problems = validateNotebook(nb);
  if (problems.length) throw new NotebookFormatError(file, problems);
  return nb as unknown as Notebook;
}

export function readNotebook(file: string): Notebook {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    throw new NotebookFormatError(file, [`cannot read it: ${(e as Error).message}`]);
  }
  return parseNotebook(text, file);
}

/** A multi-line string or list of lines as one string. */
export function joinLines(value: string | string[] | undefined): string {
  return Array.isArray(value) ? value.join('') : (value ?? '');
}

/** Split into lines that keep their '\n' (the stored form of multi-line strings). */
export function splitLines(text: string): string[] {
  const lines = text.split(/(?<=\n)/);
  return lines.length === 1 && lines[0] === '' ? [] : lines;
}

/** nbformat splits text/* data, application/javascript and image/svg+xml; JSON and base64 stay whole. */
function splitMime(data: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [mime, value] of Object.entries(data)) {
    const split = typeof value === 'string' && (mime.startsWith('text/') || mime === 'application/javascript' || mime === 'image/svg+xml');
    out[mime] = split ? splitLines(value as string) : value;
  }
  return out;
}

function storedOutput(output: IOutput): IOutput {
  if (output.output_type === 'stream') return { ...output, text: splitLines(joinLines(output.text as string | string[])) };
  if ((output.output_type === 'display_data' || output.output_type === 'execute_result') && output.data) {
    return { ...output, data: splitMime(output.data as Record<string, unknown>) } as IOutput;
  }
  return output;
}

function storedCell(cell: ICell): ICell {
  const out = { ...cell, source: splitLines(joinLines(cell.source)) } as ICell;
  if (cell.cell_type === 'code') (out as { outputs: IOutput[] }).outputs = ((cell as { outputs?: IOutput[] }).outputs ?? []).map(storedOutput);
  return out;
}

function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeys);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) out[key] = sortKeys((value as Record<string, unknown>)[key]);
    return out;
  }
  return value;
}

/** The notebook as nbformat writes it (sorted keys, indent 1, lists of lines, final newline). */
export function serializeNotebook(nb: Notebook): string {
  const stored = { ...nb, cells: nb.cells.map(storedCell) };
  return JSON.stringify(sortKeys(stored), null, 1) + '\n';
}

/**
 * Validate, then write atomically: the text goes to a temporary file beside `file`, is flushed to
 * disk, and is renamed over `file`, so readers see the old notebook or the new one, never half.
 */
export function writeNotebook(file: string, nb: Notebook): void {
  const problems = validateNotebook(nb);
  if (problems.length) throw new NotebookFormatError(file, problems);
  const text = serializeNotebook(nb);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(3).toString('hex')}.tmp`);
  const fd = fs.openSync(tmp, 'w');
  try {
    fs.writeFileSync(fd, text);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  try {
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}
