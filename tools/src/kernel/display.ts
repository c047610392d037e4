/**
 * Rich display in the genbook kernel: turning a value into a Jupyter MIME bundle, and the
 * `display(value)` every cell can call.
 *
 * A value is shown as a bundle when it implements the display protocol
 * (`[Symbol.for("Jupyter.display")]()` returns `{ "text/html": …, "text/plain": … }`, as in Deno's
 * kernel) or when a formatter registered by a library claims it (the registry is the array at
 * `globalThis[Symbol.for("genbook.display.formatters")]`; the genbook library registers danfojs
 * DataFrames/Series, tf.Tensors and arrays of records). Anything else prints as tslab prints it.
 *
 * The genbook library reaches this kernel through `globalThis[Symbol.for("genbook.kernel.display")]`
 * (a sink with `publish(bundle, { displayId, update })`), so `viz.show` and progress bars send
 * whole bundles here. This file never imports the library: the two agree only on those symbols.
 */
import { randomBytes } from 'crypto';
import { inspect } from 'util';
import type { Publish, RunningKernel } from './tslab-internals';

export const DISPLAY = Symbol.for('Jupyter.display');
export const DISPLAY_ID = Symbol.for('genbook.display.id');
export const FORMATTERS_KEY = Symbol.for('genbook.display.formatters');
export const KERNEL_SINK_KEY = Symbol.for('genbook.kernel.display');

export type MimeBundle = Record<string, unknown>;


interface Formatter {
  name: string;
  test(value: unknown): boolean;
  format(value: unknown): unknown;
}

/** Marks the handles `display` returns: a cell ending with `display(x)` shows x once, not the handle. */
const HANDLE: unique symbol = Symbol('genbook.display.handle');

/** Options of `display(value, options)`. */
export interface DisplayOptions {
  /** Display id: later `update`s with this id replace this output. Default: the value's own id, else a new one. */
  displayId?: string;
  /** Replace the output with this display id instead of adding one. */
  update?: boolean;
}

/** What `display` returns: the output's id, and a way to replace it. */
export interface DisplayHandle {
  readonly [HANDLE]: true;
  readonly displayId: string;
  update(value: unknown): void;
}

/** The error a throwing display method or formatter turns into. */
export class DisplayError extends Error {
  constructor(message: string, readonly cause: unknown) {
    super(message);
    this.name = 'DisplayError';
  }
}

/** Ambient declarations type-checked with every cell, so `display(…)` needs no import. */
export const GLOBAL_DECLARATIONS = `declare global {
  /**
   * genbook kernel: show a value now. Values with [Symbol.for("Jupyter.display")]() (viz charts,
   * tables, image grids, progress bars), tf.Tensors, danfojs DataFrames and arrays of records show
   * as rich output; anything else as text. Returns the output's display id and an update function.
   */
  function display(value: unknown, options?: { displayId?: string; update?: boolean }): { readonly displayId: string; update(value: unknown): void };
}`;

function plainText(value: unknown): string {
  return inspect(value, { depth: 2, breakLength: 100 });
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value !== 'object' && typeof value !== 'function') return typeof value;
  const name = (value as object).constructor?.name;
  if (!name || name === 'Object') return 'an object';
  return `${/^[AEIOU]/i.test(name) ? 'an' : 'a'} ${name}`;
}

/** Validate a bundle: MIME-type keys, Uint8Array → base64, text/plain added when missing. */
export function normalizeBundle(bundle: unknown, value: unknown): MimeBundle {
  if (bundle === null || typeof bundle !== 'object' || Array.isArray(bundle)) {
    throw new TypeError(`expected a MIME bundle object like { "text/html": "…" }; got ${bundle === null ? 'null' : Array.isArray(bundle) ? 'an array' : typeof bundle}`);
  }
  const out: MimeBundle = {};
  for (const [mime, data] of Object.entries(bundle as Record<string, unknown>)) {
    if (!/^[\w.+-]+\/[\w.+-]+$/.test(mime)) throw new TypeError(`MIME bundle key ${JSON.stringify(mime)} is not a MIME type`);
    if (data === undefined) continue;
    out[mime] = data instanceof Uint8Array ? Buffer.from(data).toString('base64') : data;
  }
  if (typeof out['text/plain'] !== 'string') {
    // A bundle without text: its Markdown or LaTeX source reads better than the object's inspection.
    const source = out['text/markdown'] ?? out['text/latex'];
    out['text/plain'] = typeof source === 'string' ? source : plainText(value);
  }
  return out;
}

/**
 * The MIME bundle of `value`, or undefined when it has no display method and no formatter claims
 * it. A failing display method or formatter throws a DisplayError that names the value's type.
 */
export function bundleOf(value: unknown): MimeBundle | undefined {
  if (value === null || value === undefined) return undefined;
  const method = (value as { [DISPLAY]?: unknown })[DISPLAY];
  if (typeof method === 'function') {
    try {
      return normalizeBundle(method.call(value), value);
    } catch (e) {
      throw new DisplayError(`[Symbol.for("Jupyter.display")]() of ${describe(value)} failed: ${e instanceof Error ? e.message : String(e)}`, e);
    }
  }
  const registry = (globalThis as Record<symbol, unknown>)[FORMATTERS_KEY];
  if (!Array.isArray(registry)) return undefined;
  for (const f of registry as Formatter[]) {
    let claims = false;
    try {
      claims = f.test(value);
    } catch {
      claims = false;
    }
    if (!claims) continue;
    try {
      return normalizeBundle(f.format(value), value);
    } catch (e) {
      throw new DisplayError(`formatter "${f.name}" failed on ${describe(value)}: ${e instanceof Error ? e.message : String(e)}`, e);
    }
  }
  return undefined;
}

/** The display id a value carries (progress bars), if any. */
export function displayIdOf(value: unknown): string | undefined {
  if (value === null || (typeof value !== 'object' && typeof value !== 'function')) return undefined;
  const id = (value as { [DISPLAY_ID]?: unknown })[DISPLAY_ID];
  return typeof id === 'string' && id !== '' ? id : undefined;
}

/** Jupyter `error` content for a failed display: ename, evalue and a readable traceback. */
export function errorContent(error: unknown): { ename: string; evalue: string; traceback: string[] } {
  const err = error instanceof Error ? error : new Error(String(error));
  const cause = err instanceof DisplayError ? err.cause : undefined;
  const stack = cause instanceof Error && cause.stack ? cause.stack : err.stack ?? `${err.name}: ${err.message}`;
  // The user's frames only: stop at the first frame inside this kernel file.
  const frames = stack.split('\n').slice(1);
  const ours = frames.findIndex((line) => line.includes(__filename));
  return { ename: err.name, evalue: err.message, traceback: [`${err.name}: ${err.message}`, ...(ours >= 0 ? frames.slice(0, ours) : frames)] };
}

function transient(displayId: string | undefined): { transient?: { display_id: string } } {
  return displayId ? { transient: { display_id: displayId } } : {};
}

/**
 * The kernel's display machinery: the last-value hook, the global `display`, and the sink the
 * library publishes through. `kernel` is the running tslab kernel (tslab-internals.ts).
 */
export function createDisplay(kernel: RunningKernel): {
  onLastValue(value: unknown, printPlain: (value: unknown) => void): void;
  display(value: unknown, options?: DisplayOptions): DisplayHandle;
  install(): void;
} {
  const publisher = (): Publish => {
    const publish = kernel.publisher();
    // tslab's own display says "Not ready" here too; viz.show recognises it.
    if (!publish) throw new Error('Not ready: display works only while the kernel runs a cell');
    return publish;
  };

  const publishBundle = (bundle: MimeBundle, options: { displayId?: string; update?: boolean }): void => {
    publisher()(options.update ? 'update_display_data' : 'display_data', { data: bundle, metadata: {}, ...transient(options.displayId) });
  };

  const display = (value: unknown, options: DisplayOptions = {}): DisplayHandle => {
    const displayId = options.displayId ?? displayIdOf(value) ?? randomBytes(8).toString('hex');
    const bundle = bundleOf(value) ?? { 'text/plain': plainText(value) };
    publishBundle(bundle, { displayId, update: options.update });
    return {
      [HANDLE]: true,
      displayId,
      update: (next: unknown) => {
        publishBundle(bundleOf(next) ?? { 'text/plain': plainText(next) }, { displayId, update: true });
      },
    };
  };

  const onLastValue = (value: unknown, printPlain: (value: unknown) => void): void => {
    if (typeof value === 'object' && value !== null && HANDLE in value) return;
    let bundle: MimeBundle | undefined;
    try {
      bundle = bundleOf(value);
    } catch (e) {
      publisher()('error', errorContent(e));
      kernel.failCurrentCell();
      return;
    }
    if (!bundle) {
      printPlain(value);
      return;
    }
    publisher()('execute_result', {
      execution_count: kernel.executionCount(),
      data: bundle,
      metadata: {},
      ...transient(displayIdOf(value)),
    });
  };

  const install = (): void => {
    const g = globalThis as Record<symbol, unknown>;
    g[KERNEL_SINK_KEY] = { publish: publishBundle };
    kernel.defineGlobal('display', display);
  };

  return { onLastValue, display, install };
}
