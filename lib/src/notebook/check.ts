/**
 * The printed two-sided check every lecture notebook uses: both sides of a formula, computed two
 * ways, are printed on one line and must agree within a relative tolerance.
 *
 * @see notebooks/01-information-theory (first use) and every lecture notebook after it
 */

/**
 * Prints `✓ label: left vs right` when the two numbers agree, otherwise `✗ label: left vs right`
 * and throws, which stops a notebook at the cell that failed.
 *
 * They agree when `left === right` (so `Infinity` equals `Infinity`) or when
 * |left − right| ≤ tolerance · max(1, |left|, |right|): relative for numbers larger than 1,
 * absolute below. NaN agrees with nothing, not even NaN.
 *
 * @param label what is compared, as the reader should see it (the formula, the two methods)
 * @param left one side, usually the value computed by hand or by the library
 * @param right the other side, usually the closed form
 * @param tolerance relative tolerance (see above); 0 asks for equality. Default 1e-9.
 * @throws RangeError if `tolerance` is negative or not a number
 * @throws Error `label: left != right (|left − right| = d > allowed a)` when the sides disagree
 */
export function check(label: string, left: number, right: number, tolerance = 1e-9): void {
  if (typeof tolerance !== 'number' || !(tolerance >= 0)) {
    throw new RangeError(`check("${label}"): tolerance must be a number ≥ 0; got ${tolerance}`);
  }
  const allowed = tolerance * Math.max(1, Math.abs(left), Math.abs(right));
  const difference = Math.abs(left - right);
  const ok = left === right || difference <= allowed;
  console.log(`${ok ? '✓' : '✗'} ${label}: ${left} vs ${right}`);
  if (!ok) throw new Error(`${label}: ${left} != ${right} (|left − right| = ${difference} > allowed ${allowed} = tolerance ${tolerance} × max(1, |left|, |right|))`);
}
