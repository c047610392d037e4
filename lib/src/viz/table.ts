/**
 * Tables: a danfojs DataFrame or Series, or a plain array of records, as an HTML table (numbers
 * right-aligned, `digits` significant digits, long tables cut to head and tail) plus an aligned
 * text table for `text/plain`.
 *
 * danfojs is recognised by shape (`columns`, `index`, `values`), not imported: loading
 * danfojs-node takes seconds, and a notebook that never makes a DataFrame should not pay for it.
 *
 * @see notebooks/00-getting-started
 */
import { DISPLAY, type Displayable, type MimeBundle } from './protocol';
import { escapeHtml, formatCell } from './format';

/** A danfojs DataFrame as the table reads it (any object with these fields works). */
export interface DataFrameLike {
  readonly columns: readonly string[];
  readonly index: readonly (string | number)[];
  readonly values: readonly (readonly unknown[])[];
}

/** A danfojs Series as the table reads it. */
export interface SeriesLike {
  readonly values: readonly unknown[];
  readonly index: readonly (string | number)[];
  readonly columns?: readonly string[];
}

/** One record: column name → cell value. */
export type TableRecord = Readonly<Record<string, unknown>>;

/** What `table` accepts. */
export type TableSource = readonly TableRecord[] | DataFrameLike | SeriesLike;

export interface TableOptions {
  /** Significant digits of non-integer numbers (default 4). */
  digits?: number;
  /** Longest table shown in full; longer ones show the first and last maxRows/2 rows (default 30). */
  maxRows?: number;
  /** Caption above the table. */
  caption?: string;
  /** Show the row index (default: true for DataFrames and Series, false for records). */
  showIndex?: boolean;
  /** Only these columns, in this order (default: all, in order of first appearance). */
  columns?: readonly string[];
}

/** Structural check for a danfojs DataFrame (or anything with the same fields). */
export function isDataFrameLike(value: unknown): value is DataFrameLike {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Partial<DataFrameLike>;
  return Array.isArray(v.columns) && Array.isArray(v.index) && Array.isArray(v.values) &&
    v.values.every((row) => Array.isArray(row)) && (value as object).constructor?.name === 'DataFrame';
}

/** Structural check for a danfojs Series. */
export function isSeriesLike(value: unknown): value is SeriesLike {
  if (value === null || typeof value !== 'object') return false;
  const v = value as Partial<SeriesLike>;
  return Array.isArray(v.values) && Array.isArray(v.index) && (value as object).constructor?.name === 'Series';
}

/** True for a non-empty array whose items are all plain objects (records). */
export function isRecordArray(value: unknown): value is TableRecord[] {
  return (
    Array.isArray(value) &&
    value.length > 0 &&
    value.every((r) => r !== null && typeof r === 'object' && !Array.isArray(r) &&
      (Object.getPrototypeOf(r) === Object.prototype || Object.getPrototypeOf(r) === null))
  );
}

/** A table value: columns, rows and an optional index; renders as HTML + text. */
export class Table implements Displayable {
  readonly columns: readonly string[];
  readonly rows: readonly (readonly unknown[])[];
  readonly index: readonly (string | number)[] | undefined;
  readonly options: Readonly<Required<Pick<TableOptions, 'digits' | 'maxRows'>>> & { caption?: string };

  constructor(
    columns: readonly string[],
    rows: readonly (readonly unknown[])[],
    index: readonly (string | number)[] | undefined,
    options: TableOptions = {},
  ) {
    const digits = options.digits ?? 4;
    const maxRows = options.maxRows ?? 30;
    if (!Number.isInteger(maxRows) || maxRows < 2) throw new RangeError(`maxRows must be an integer ≥ 2; got ${maxRows}`);
    if (!Number.isInteger(digits) || digits < 1 || digits > 17) throw new RangeError(`digits must be an integer in [1, 17]; got ${digits}`);
    if (index && index.length !== rows.length) {
      throw new RangeError(`index must have one entry per row (${rows.length}); got ${index.length}`);
    }
    this.columns = columns;
    this.rows = rows;
    this.index = index;
    this.options = { digits, maxRows, caption: options.caption };
  }

  /** Number of rows. */
  get rowCount(): number {
    return this.rows.length;
  }

  /** The rows shown: all, or head and tail around a gap (null marks the gap). */
  private shownRows(): (number | null)[] {
    const n = this.rows.length;
    const max = this.options.maxRows;
    if (n <= max) return Array.from({ length: n }, (_, i) => i);
    const head = Math.ceil(max / 2);
    const tail = Math.floor(max / 2);
    return [...Array.from({ length: head }, (_, i) => i), null, ...Array.from({ length: tail }, (_, i) => n - tail + i)];
  }

  private numericColumn(c: number): boolean {
    let numbers = 0;
    for (const row of this.rows) {
      const v = row[c];
      if (v === null || v === undefined) continue;
      if (typeof v !== 'number' && typeof v !== 'bigint') return false;
      numbers++;
    }
    return numbers > 0;
  }

  /** The HTML table (self-contained inline styles, readable in light and dark themes). */
  html(): string {
    const { digits, caption } = this.options;
    const numeric = this.columns.map((_, c) => this.numericColumn(c));
    const cell = 'padding:2px 10px;border-bottom:1px solid rgba(128,128,128,0.25);';
    const th = (text: string, right: boolean): string =>
      `<th style="${cell}text-align:${right ? 'right' : 'left'};font-weight:600">${escapeHtml(text)}</th>`;
    const parts: string[] = [];
    parts.push('<table class="genbook-table" style="border-collapse:collapse;font-variant-numeric:tabular-nums;font-size:13px">');
    const dims = `${this.rows.length} row${this.rows.length === 1 ? '' : 's'} × ${this.columns.length} column${this.columns.length === 1 ? '' : 's'}`;
    const captionText = caption ? `${caption} (${dims})` : this.rows.length > this.options.maxRows ? dims : '';
    if (captionText) parts.push(`<caption style="caption-side:top;text-align:left;padding:2px 0;opacity:0.8">${escapeHtml(captionText)}</caption>`);
    parts.push('<thead><tr>');
    if (this.index) parts.push(th('', false));
    this.columns.forEach((name, c) => parts.push(th(name, numeric[c])));
    parts.push('</tr></thead><tbody>');
    for (const r of this.shownRows()) {
      parts.push('<tr>');
      if (r === null) {
        const span = this.columns.length + (this.index ? 1 : 0);
        parts.push(`<td colspan="${span}" style="${cell}text-align:center;opacity:0.6">⋯ ${this.rows.length - this.options.maxRows} more rows ⋯</td></tr>`);
        continue;
      }
      if (this.index) parts.push(`<th style="${cell}text-align:left;font-weight:600">${escapeHtml(String(this.index[r]))}</th>`);
      this.columns.forEach((_, c) => {
        parts.push(`<td style="${cell}text-align:${numeric[c] ? 'right' : 'left'}">${escapeHtml(formatCell(this.rows[r][c], digits))}</td>`);
      });
      parts.push('</tr>');
    }
    parts.push('</tbody></table>');
    return parts.join('');
  }

  /** The aligned text table (columns padded, numbers right-aligned). */
  text(): string {
    const { digits, caption } = this.options;
    const numeric = this.columns.map((_, c) => this.numericColumn(c));
    const header = [...(this.index ? [''] : []), ...this.columns];
    const rightAlign = [...(this.index ? [false] : []), ...numeric];
    const lines: string[][] = [];
    for (const r of this.shownRows()) {
      if (r === null) {
        lines.push(header.map((_, i) => (i === 0 ? '…' : '')));
        continue;
      }
      lines.push([...(this.index ? [String(this.index[r])] : []), ...this.columns.map((_, c) => formatCell(this.rows[r][c], digits))]);
    }
    const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i].length)));
    const fmt = (cells: string[]): string =>
      cells.map((s, i) => (rightAlign[i] ? s.padStart(widths[i]) : s.padEnd(widths[i]))).join('  ').trimEnd();
    const out = [fmt(header), widths.map((w) => '-'.repeat(w)).join('  '), ...lines.map(fmt)];
    const dims = `[${this.rows.length} rows × ${this.columns.length} columns]`;
    if (caption) out.unshift(caption);
    if (this.rows.length > this.options.maxRows || caption) out.push(dims);
    return out.join('\n');
  }

  [DISPLAY](): MimeBundle {
    return { 'text/html': this.html(), 'text/plain': this.text() };
  }
}

/**
 * A table from records, a danfojs DataFrame or a danfojs Series.
 *
 * ```ts
 * viz.table([{ epoch: 1, loss: 0.6931 }, { epoch: 2, loss: 0.4123 }])   // end a cell with it
 * viz.table(df, { digits: 3, caption: 'MNIST summary' })
 * ```
 */
export function table(source: TableSource, options: TableOptions = {}): Table {
  if (isDataFrameLike(source)) {
    const wanted = options.columns ?? source.columns;
    const at = wanted.map((name) => {
      const i = source.columns.indexOf(name);
      if (i < 0) throw new RangeError(`columns: no column named ${JSON.stringify(name)} (have ${source.columns.join(', ')})`);
      return i;
    });
    const rows = source.values.map((row) => at.map((i) => row[i]));
    return new Table(wanted, rows, options.showIndex === false ? undefined : source.index, options);
  }
  if (isSeriesLike(source)) {
    const name = source.columns?.[0] ?? 'value';
    return new Table([name], source.values.map((v) => [v]), options.showIndex === false ? undefined : source.index, options);
  }
  if (Array.isArray(source)) {
    const records = source as readonly TableRecord[];
    if (!records.every((r) => r !== null && typeof r === 'object' && !Array.isArray(r))) {
      throw new RangeError('source must be an array of records (plain objects), a DataFrame or a Series');
    }
    let columns: string[];
    if (options.columns) {
      columns = [...options.columns];
    } else {
      const seen = new Set<string>();
      for (const r of records) for (const k of Object.keys(r)) seen.add(k);
      columns = [...seen];
    }
    const rows = records.map((r) => columns.map((c) => r[c]));
    const index = options.showIndex ? records.map((_, i) => i) : undefined;
    return new Table(columns, rows, index, options);
  }
  throw new RangeError('source must be an array of records (plain objects), a DataFrame or a Series');
}
