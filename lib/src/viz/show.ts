/**
 * Showing a value from code (not only as a cell's last value): `show(value)` sends its MIME
 * bundle to the notebook, `updateDisplay(value)` replaces an output shown earlier with the same
 * display id (progress bars).
 *
 * Where the output goes, in order:
 * 1. the genbook kernel's display channel (`globalThis[Symbol.for("genbook.kernel.display")]`,
 *    installed by tools/src/kernel/launch.ts): the whole bundle in one `display_data`;
 * 2. a plain tslab kernel: tslab's public `display` API, which sends one MIME type per message, so
 *    the richest type the bundle has is sent (HTML, PNG, SVG, Markdown, LaTeX, then text);
 * 3. no kernel (a test, a script): `show` throws; `updateDisplay` does nothing and returns false,
 *    so library training loops can report progress anywhere.
 *
 * @see notebooks/00-getting-started
 */
import { inspect } from 'util';
import { displayIdOf, type MimeBundle } from './protocol';
import { mimeBundleOf } from './formatters';

/** Options of one display message. */
export interface PublishOptions {
  /** Jupyter display id (`transient.display_id`): later updates with this id replace the output. */
  displayId?: string;
  /** Send `update_display_data` (replace the output with this id) instead of `display_data`. */
  update?: boolean;
}

/** A channel that carries MIME bundles to the front end (the genbook kernel installs one). */
export interface DisplaySink {
  publish(bundle: MimeBundle, options: PublishOptions): void;
}

/** The global key where the genbook kernel installs its DisplaySink. */
export const KERNEL_SINK_KEY: unique symbol = Symbol.for('genbook.kernel.display');

/** The genbook kernel's display channel, when running inside it. */
export function kernelSink(): DisplaySink | undefined {
  const sink = (globalThis as unknown as { [KERNEL_SINK_KEY]?: DisplaySink })[KERNEL_SINK_KEY];
  return sink && typeof sink.publish === 'function' ? sink : undefined;
}

/** The MIME types tslab's one-type display can send, richest first. */
const TSLAB_PREFERENCE = ['text/html', 'image/png', 'image/svg+xml', 'text/markdown', 'text/latex', 'text/plain'];

interface TslabDisplay {
  raw(contentType: string, data: string | Uint8Array): void;
}
interface TslabModule {
  display: TslabDisplay;
  newDisplay(): TslabDisplay;
}

const tslabDisplays = new Map<string, TslabDisplay>();

function loadTslab(): TslabModule | undefined {
  try {
    // tslab is the kernel's own package (a dependency of the workbook, not of this library).
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    return require('tslab') as TslabModule;
  } catch {
    return undefined;
  }
}

/** A sink over tslab's public display API (one MIME type per message). */
function tslabSink(): DisplaySink | undefined {
  const tslab = loadTslab();
  if (!tslab) return undefined;
  return {
    publish(bundle, options) {
      const mime = TSLAB_PREFERENCE.find((m) => typeof bundle[m] === 'string') ?? 'text/plain';
      const data = typeof bundle[mime] === 'string' ? (bundle[mime] as string) : String(bundle['text/plain'] ?? '');
      const payload = mime === 'image/png' ? Buffer.from(data, 'base64') : data;
      if (!options.displayId) {
        tslab.display.raw(mime, payload);
        return;
      }
      let target = tslabDisplays.get(options.displayId);
      if (!target) {
        if (options.update) return; // nothing shown under this id yet
        target = tslab.newDisplay();
        tslabDisplays.set(options.displayId, target);
      }
      target.raw(mime, payload);
    },
  };
}

/** True when tslab says it is not inside a kernel execution ("Not ready"). */
function notInKernel(error: unknown): boolean {
  return error instanceof Error && /not ready/i.test(error.message);
}

/** The bundle `show` sends for `value`: its own, a formatter's, or its text. */
export function bundleFor(value: unknown): MimeBundle {
  return mimeBundleOf(value) ?? { 'text/plain': inspect(value, { depth: 2, breakLength: 100 }) };
}

/**
 * Show `value` in the notebook now, as its MIME bundle. Works in the genbook kernel (whole bundle)
 * and in a plain tslab kernel (richest single type). Throws outside a kernel.
 */
export function show(value: unknown, options: { displayId?: string } = {}): void {
  const bundle = bundleFor(value);
  const displayId = options.displayId ?? displayIdOf(value);
  const sink = kernelSink() ?? tslabSink();
  const fail = (): Error => new Error('viz.show needs a Jupyter kernel (genbook or tslab); outside one, read the value\'s bundle with viz.mimeBundleOf(value)');
  if (!sink) throw fail();
  try {
    sink.publish(bundle, { displayId });
  } catch (e) {
    if (notInKernel(e)) throw fail();
    throw e;
  }
}

/**
 * Replace the output shown for `value`'s display id (or `displayId`) with its current bundle.
 * Returns false, doing nothing, when there is no kernel or no display id.
 */
export function updateDisplay(value: unknown, displayId: string | undefined = displayIdOf(value)): boolean {
  if (!displayId) return false;
  const sink = kernelSink() ?? tslabSink();
  if (!sink) return false;
  try {
    sink.publish(bundleFor(value), { displayId, update: true });
    return true;
  } catch (e) {
    if (notInKernel(e)) return false;
    throw e;
  }
}
