/**
 * Formatters: MIME renderers for values that cannot carry a display method themselves (a danfojs
 * DataFrame, a tf.Tensor, a plain array of records). The registry lives on `globalThis` under
 * `Symbol.for("genbook.display.formatters")`, so the genbook kernel finds it without importing the
 * library, and two copies of the library would share it. Loading `genbook` registers the built-in
 * formatters (`builtin-formatters.ts`); a notebook may register its own.
 *
 * @see notebooks/00-getting-started
 */
import { DISPLAY, isDisplayable, normalizeBundle, type MimeBundle } from './protocol';
import { inspect } from 'util';

/** One formatter: `test` picks the values it renders, `format` renders one to a MIME bundle. */
export interface Formatter {
  /** A short name, unique in the registry (registering the same name again replaces it). */
  readonly name: string;
  test(value: unknown): boolean;
  format(value: unknown): MimeBundle;
}

/** The global key of the registry (an array of Formatter, first match wins). */
export const FORMATTERS_KEY: unique symbol = Symbol.for('genbook.display.formatters');

type Registry = Formatter[];

function registry(): Registry {
  const g = globalThis as unknown as { [FORMATTERS_KEY]?: Registry };
  if (!Array.isArray(g[FORMATTERS_KEY])) g[FORMATTERS_KEY] = [];
  return g[FORMATTERS_KEY] as Registry;
}

/** Register (or replace, by name) a formatter. Later registrations are tried first. */
export function registerFormatter(formatter: Formatter): void {
  const list = registry();
  const at = list.findIndex((f) => f.name === formatter.name);
  if (at >= 0) list.splice(at, 1);
  list.unshift(formatter);
}

/** Remove a formatter by name; returns whether one was removed. */
export function unregisterFormatter(name: string): boolean {
  const list = registry();
  const at = list.findIndex((f) => f.name === name);
  if (at < 0) return false;
  list.splice(at, 1);
  return true;
}

/** The registered formatters' names, in the order they are tried. */
export function formatterNames(): string[] {
  return registry().map((f) => f.name);
}

/**
 * The MIME bundle for `value`, or undefined when it has neither a display method nor a formatter
 * (such values print as plain text). A display method or formatter that throws propagates its
 * error; the kernel turns it into an error output.
 */
export function mimeBundleOf(value: unknown): MimeBundle | undefined {
  const plain = (): string => inspect(value, { depth: 2, breakLength: 100 });
  if (isDisplayable(value)) return normalizeBundle(value[DISPLAY](), plain);
  if (value === null || value === undefined) return undefined;
  for (const f of registry()) {
    if (f.test(value)) return normalizeBundle(f.format(value), plain);
  }
  return undefined;
}
