/**
 * The tests' one way to wait for another process (a kernel's output, a grader's exit, a training's
 * save): poll instead of sleeping a fixed time that a loaded machine outruns.
 */

/**
 * Call `probe` every `everyMs` until it returns a value other than `undefined` or `false`, and
 * resolve with that value; after `seconds`, reject with "timed out after … s waiting for `what`".
 * A wait followed by an assertion that says more uses `.catch(() => undefined)`.
 */
export async function until<T>(what: string, probe: () => T | undefined | false, seconds: number, everyMs = 200): Promise<T> {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${seconds} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
