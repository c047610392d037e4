/**
 * The printed expectation lecture notebooks use for statements that are not an equation
 * ("training lowered the loss", "the samples cover all 8 modes").
 *
 * @see notebooks/05-gan-minimax (first use)
 */

/**
 * Prints `✓ label` when `condition` holds; otherwise prints `✗ label` and throws
 * `Error("expected: label")`, which stops the notebook at that cell.
 *
 * @param label the statement, as the reader should see it
 * @param condition whether it holds
 */
export function expectThat(label: string, condition: boolean): void {
  console.log(`${condition ? '✓' : '✗'} ${label}`);
  if (!condition) throw new Error(`expected: ${label}`);
}
