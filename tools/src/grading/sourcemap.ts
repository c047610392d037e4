/**
 * A minimal source-map reader (version 3, one source): maps a line of the JavaScript that the
 * grader runs back to the line of the student's TypeScript, so messages say `hw01.ts:42`.
 */
const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function decodeVlq(segment: string): number[] {
  const out: number[] = [];
  let value = 0;
  let shift = 0;
  for (const ch of segment) {
    const digit = BASE64.indexOf(ch);
    if (digit < 0) return out;
    value += (digit & 31) << shift;
    if (digit & 32) {
      shift += 5;
    } else {
      out.push(value & 1 ? -(value >>> 1) : value >>> 1);
      value = 0;
      shift = 0;
    }
  }
  return out;
}

/** For each generated line (0-based), the original line (0-based) of its first mapped segment. */
export type LineMap = (number | undefined)[];

export function lineMap(sourceMapJson: string): LineMap {
  let mappings: string;
  try {
    mappings = (JSON.parse(sourceMapJson) as { mappings?: string }).mappings ?? '';
  } catch {
    return [];
  }
  const out: LineMap = [];
  let originalLine = 0;
  const lines = mappings.split(';');
  for (let g = 0; g < lines.length; g++) {
    let first: number | undefined;
    for (const segment of lines[g].split(',')) {
      if (!segment) continue;
      const fields = decodeVlq(segment);
      if (fields.length >= 4) {
        originalLine += fields[2];
        if (first === undefined) first = originalLine;
      }
    }
    out[g] = first;
  }
  return out;
}

/** The original 1-based line for a generated 1-based line, or undefined. */
export function originalLine(map: LineMap, generatedLine: number): number | undefined {
  for (let g = generatedLine - 1; g >= 0; g--) {
    const o = map[g];
    if (o !== undefined) return o + 1;
    if (generatedLine - 1 - g > 3) break;
  }
  return undefined;
}
