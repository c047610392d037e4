/**
 * Text helpers shared by the viz renderers: HTML escaping and number formatting for tables and
 * summaries. Numbers are shown the way a reader compares them: integers in full (no grouping, so
 * they stay copyable), other finite numbers with `digits` significant digits, switching to
 * exponent notation below 1e-4 or at/above 1e6.
 */

/** Escape `& < > " '` for HTML text and attribute values. */
export function escapeHtml(text: string): string {
  return text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

/**
 * Format one number for a table cell: `formatNumber(0.123456) = "0.1235"`, `formatNumber(3) = "3"`,
 * `formatNumber(1.5e-7) = "1.500e-7"`, `formatNumber(NaN) = "NaN"`, `formatNumber(-Infinity) = "-∞"`.
 */
export function formatNumber(value: number, digits = 4): string {
  if (!Number.isInteger(digits) || digits < 1 || digits > 17) {
    throw new RangeError(`digits must be an integer in [1, 17]; got ${digits}`);
  }
  if (Number.isNaN(value)) return 'NaN';
  if (value === Infinity) return '∞';
  if (value === -Infinity) return '-∞';
  if (Number.isInteger(value) && Math.abs(value) < 1e15) return String(value);
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-4 || abs >= 1e6)) {
    const [mantissa, exponent] = value.toExponential(digits - 1).split('e');
    return `${mantissa}e${Number(exponent)}`;
  }
  // `digits` significant digits, but never fewer than the integer part (66123.4 → 66123), then
  // drop trailing zeros (0.5000 → 0.5).
  const integerDigits = abs >= 1 ? Math.floor(Math.log10(abs)) + 1 : 0;
  const fixed = abs >= 1 ? value.toFixed(Math.max(0, digits - integerDigits)) : value.toPrecision(digits);
  return fixed.includes('.') ? fixed.replace(/0+$/, '').replace(/\.$/, '') : fixed;
}

/** Format any cell value: numbers as above, bigints in full, null/undefined as empty, others as text. */
export function formatCell(value: unknown, digits = 4): string {
  if (typeof value === 'number') return formatNumber(value, digits);
  if (typeof value === 'bigint') return value.toString();
  if (value === null || value === undefined) return '';
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'object') {
    try {
      return JSON.stringify(value);
    } catch {
      return String(value);
    }
  }
  return String(value);
}

/** A duration in seconds as `m:ss` or `h:mm:ss` (for ETAs). */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds < 0) return '?';
  const s = Math.round(seconds);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const pad = (n: number): string => String(n).padStart(2, '0');
  return h > 0 ? `${h}:${pad(m)}:${pad(sec)}` : `${m}:${pad(sec)}`;
}
