/**
 * The display protocol: any value with a `[Symbol.for("Jupyter.display")]()` method returning a MIME
 * bundle is shown as that bundle (the convention of Deno's Jupyter kernel, followed by the genbook
 * kernel). A bundle maps MIME types to data: strings for text and base64 images, JSON values for
 * `application/*+json`. Every viz value includes `text/plain`, so a front end that renders nothing
 * richer still shows something readable.
 *
 * Values that cannot carry the method (a danfojs DataFrame, a tf.Tensor, a plain array of records)
 * are rendered by formatters (see `formatters.ts`). `mimeBundleOf` is the one place that turns a
 * value into a bundle; the kernel and `show` both use the same rules.
 *
 * @see notebooks/00-getting-started
 */

/** The well-known symbol of the display protocol (`Symbol.for("Jupyter.display")`). */
export const DISPLAY: unique symbol = Symbol.for('Jupyter.display');

/**
 * Optional: a value that updates one output in place (a progress bar) exposes its display id under
 * this symbol; displaying it sends the id as `transient.display_id`, so later updates replace it.
 */
export const DISPLAY_ID: unique symbol = Symbol.for('genbook.display.id');

/** A MIME bundle: MIME type → data (string, or JSON for `application/*+json`). */
export type MimeBundle = { 'text/plain'?: string } & Record<string, unknown>;

/** A value that renders itself as a MIME bundle. */
export interface Displayable {
  [DISPLAY](): MimeBundle;
}

/** True when `value` has a display method (`[Symbol.for("Jupyter.display")]`). */
export function isDisplayable(value: unknown): value is Displayable {
  return (
    value !== null &&
    (typeof value === 'object' || typeof value === 'function') &&
    typeof (value as { [DISPLAY]?: unknown })[DISPLAY] === 'function'
  );
}

/** The display id a value asks for (progress bars), or undefined. */
export function displayIdOf(value: unknown): string | undefined {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined;
  const id = (value as { [DISPLAY_ID]?: unknown })[DISPLAY_ID];
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/**
 * Check a bundle returned by a display method: a plain object whose keys look like MIME types
 * (`type/subtype`), with `text/plain` added when missing (the Markdown or LaTeX source, else
 * `fallbackText()`). Uint8Array values
 * (PNG bytes) become base64 strings, as the Jupyter wire format requires. Throws a TypeError that
 * says what arrived otherwise.
 */
export function normalizeBundle(bundle: unknown, fallbackText: () => string): MimeBundle {
  if (bundle === null || typeof bundle !== 'object' || Array.isArray(bundle)) {
    throw new TypeError(`a display method must return a MIME bundle object; got ${describe(bundle)}`);
  }
  const out: MimeBundle = {};
  for (const [mime, data] of Object.entries(bundle as Record<string, unknown>)) {
    if (!/^[\w.+-]+\/[\w.+-]+$/.test(mime)) {
      throw new TypeError(`a MIME bundle key must be a MIME type like "text/html"; got ${JSON.stringify(mime)}`);
    }
    if (data === undefined) continue;
    out[mime] = data instanceof Uint8Array ? Buffer.from(data).toString('base64') : data;
  }
  if (typeof out['text/plain'] !== 'string') {
    // Without text, a bundle's Markdown or LaTeX source reads better than the object's inspection.
    const source = out['text/markdown'] ?? out['text/latex'];
    out['text/plain'] = typeof source === 'string' ? source : fallbackText();
  }
  return out;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value;
}
