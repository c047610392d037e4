/**
 * What a homework test sees of the student's module, the same whether mocha runs the tests
 * directly (`npm test`, `tests/homework/target.ts`) or the grader runs them (`runner.ts`):
 *
 * ```ts
 * const hw = homework<typeof Hw03>('hw03');
 * hw().klToStandardNormal(mu, logVar)            // a call across the boundary: plain data in and out
 * hw.remote((m, args, { tf }) => …, args)        // code that must run beside the submission
 * ```
 *
 * In the grader the student's code runs in another, sandboxed process (see runner.ts): a call
 * sends its arguments there as plain data (codec.ts: numbers, strings, arrays, plain objects, typed
 * arrays, tensors as dtype + shape + values, errors as name + message) and gets plain data back.
 * The assertions stay in the trusted process, so whatever the submission does to its own process
 * it can only change the values it returns. Locally the same rules are applied (arguments and
 * results go through the codec), so a test that would not work in the grader fails in `npm test`
 * too: a tensor a call returns is a fresh copy (no gradient flows through it), a function cannot
 * be passed or returned.
 *
 * What cannot be written as calls on plain data — a gradient through the student's function, a
 * callback the student's function calls, a trained model to question — is a `remote` function: it
 * runs beside the submission and returns plain data. It is sent as source text, so it may use only
 * its parameters (the module, `args`, and `{ tf, genbook }`), not variables of the test file.
 */
import { decode, encode, TensorLib } from './codec';

/** Thrown when a test uses a name the submission does not export. */
export class MissingExportError extends Error {
  constructor(
    readonly week: string,
    readonly exportName: string,
  ) {
    super(`${week}.ts does not export "${exportName}" (is it spelled as in the stub, and still marked \`export\`?)`);
    this.name = 'MissingExportError';
  }
}

/** Names that tools probe on any object; never reported as missing. */
const PROBED = new Set(['then', 'toJSON', 'default', '__esModule', 'constructor', 'inspect', 'asymmetricMatch', 'nodeType', 'toString', 'valueOf']);

/** The module's exports; reading a name it does not export throws MissingExportError. */
export function exportsProxy<T extends object>(exports: object, week: string): T {
  return new Proxy(exports, {
    get(target, key, receiver) {
      if (typeof key === 'string' && !PROBED.has(key) && !(key in target)) throw new MissingExportError(week, key);
      return Reflect.get(target, key, receiver);
    },
  }) as T;
}

/** What a remote function gets besides the module and its arguments (the sandbox's own copies). */
export interface RemoteLib {
  tf: typeof import('@tensorflow/tfjs');
  genbook: typeof import('genbook');
}

/** A function run beside the submission: only its parameters, no variables of the test file. */
export type RemoteFn<T, A, R> = (module: T, args: A, lib: RemoteLib) => R;

/** A week's module as the tests use it. */
export interface Homework<T> {
  /** The module: every exported function is called across the boundary (plain data in and out). */
  (): T;
  /**
   * Run `fn(module, args, { tf, genbook })` beside the submission and return its result as plain
   * data (a Promise result is awaited there; you get a Promise of the value).
   */
  remote<A, R>(fn: RemoteFn<T, A, R>, args?: A): R;
}

/** How a handle reaches the module: directly (mocha) or through the sandbox (grader). */
export interface HomeworkBackend {
  /** Export names and kinds, or throws the week's load error. */
  describe(week: string): Record<string, 'function' | 'value'>;
  /** A non-function export's value (plain data). */
  value(week: string, name: string): unknown;
  /** Call an exported function; a Promise result comes back as a Promise. */
  call(week: string, name: string, args: unknown[]): unknown;
  /** Run a remote function given as source text. */
  remote(week: string, source: string, args: unknown): unknown;
}

/** A handle for `week` over a backend. */
export function makeHomework<T extends object>(week: string, backend: HomeworkBackend): Homework<T> {
  let module: T | undefined;
  const get = (): T => {
    if (!module) {
      const kinds = backend.describe(week);
      const target: Record<string, unknown> = Object.create(null);
      for (const [name, kind] of Object.entries(kinds)) {
        if (kind === 'function') {
          target[name] = (...args: unknown[]) => backend.call(week, name, args);
        } else {
          Object.defineProperty(target, name, { enumerable: true, get: () => backend.value(week, name) });
        }
      }
      module = exportsProxy<T>(target, week);
    }
    return module;
  };
  const handle = get as Homework<T>;
  handle.remote = <A, R>(fn: RemoteFn<T, A, R>, args?: A): R => {
    if (typeof fn !== 'function') throw new TypeError('remote() needs a function');
    return backend.remote(week, fn.toString(), args) as R;
  };
  return handle;
}

/**
 * Rebuild a remote function from its source. `__name` is the helper esbuild's keepNames (tsx)
 * wraps named inner functions in; it is given as the identity so such sources compile anywhere.
 */
export function compileRemote(source: string): (module: unknown, args: unknown, lib: unknown) => unknown {
  // eslint-disable-next-line @typescript-eslint/no-implied-eval
  const fn = new Function('__name', `"use strict"; return (${source});`)((f: unknown) => f) as unknown;
  if (typeof fn !== 'function') throw new TypeError('remote(): the source is not a function');
  return fn as (module: unknown, args: unknown, lib: unknown) => unknown;
}

/** Send a value through the codec and back, as the grader's boundary would. */
function roundTrip(value: unknown, tf: TensorLib): unknown {
  return decode(JSON.parse(JSON.stringify(encode(value, tf))), tf);
}

/** A thrown value as it arrives across the boundary (an Error of the same built-in class, or Error). */
function roundTripError(e: unknown, tf: TensorLib): unknown {
  const error = e instanceof Error ? e : new Error(`threw a non-Error value: ${String(e)}`);
  return decode({ $: 'error', name: String(error.name), message: String(error.message) }, tf);
}

/**
 * The backend mocha uses: the module in this process, with arguments and results sent through
 * the codec (so tests behave as they will in the grader).
 */
export function localBackend(load: (week: string) => object, lib: RemoteLib): HomeworkBackend {
  const tf = lib.tf as unknown as TensorLib;
  const modules = new Map<string, Record<string, unknown>>();
  const mod = (week: string) => {
    let m = modules.get(week);
    if (!m) {
      m = load(week) as Record<string, unknown>;
      modules.set(week, m);
    }
    return m;
  };
  const settle = (run: () => unknown): unknown => {
    let result: unknown;
    try {
      result = run();
    } catch (e) {
      throw roundTripError(e, tf);
    }
    if (result instanceof Promise) return result.then((v) => roundTrip(v, tf), (e) => Promise.reject(roundTripError(e, tf)));
    return roundTrip(result, tf);
  };
  return {
    describe(week) {
      const m = mod(week);
      const out: Record<string, 'function' | 'value'> = {};
      for (const key of Object.keys(m)) if (key !== '__esModule') out[key] = typeof m[key] === 'function' ? 'function' : 'value';
      return out;
    },
    value: (week, name) => roundTrip(mod(week)[name], tf),
    call(week, name, args) {
      const copied = roundTrip(args, tf) as unknown[];
      return settle(() => (mod(week)[name] as (...a: unknown[]) => unknown)(...copied));
    },
    remote(week, source, args) {
      const fn = compileRemote(source);
      const copied = roundTrip(args, tf);
      return settle(() => fn(mod(week), copied, lib));
    },
  };
}
