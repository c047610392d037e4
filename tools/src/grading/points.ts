/**
 * Points are declared in each test's title: `it('entropy of a fair coin is 1 bit [2 pts]', …)`.
 * The suffix is `[N pt]` or `[N pts]` (N may be fractional, e.g. `[0.5 pts]`). A test without it
 * is an authoring error that `genbook validate` reports.
 */
const SUFFIX = /\s*\[\s*(\d+(?:\.\d+)?)\s*pts?\s*\]\s*$/;

export interface PointsTitle {
  /** The title without the points suffix. */
  title: string;
  /** The points, or undefined when the title declares none. */
  points: number | undefined;
}

export function parsePoints(title: string): PointsTitle {
  const m = SUFFIX.exec(title);
  if (!m) return { title, points: undefined };
  return { title: title.slice(0, m.index), points: Number(m[1]) };
}

/** `2` → "2 pts", `1` → "1 pt", `0.5` → "0.5 pts". */
export function formatPoints(points: number): string {
  return `${round(points)} ${points === 1 ? 'pt' : 'pts'}`;
}

/** Points rounded to at most two decimals, for tables and the gradebook. */
export function round(points: number): number {
  return Math.round(points * 100) / 100;
}
