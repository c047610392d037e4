/**
 * The submission's host: the sandboxed process where a student's code runs, and nothing else.
 *
 * Started by the trusted test runner (host-thread.ts) under Node's permission model (reads only of
 * the library's packages, lib/dist, tools/dist/grading and the scratch folder; writes only of the
 * scratch folder; no child processes or worker threads; no network from Node 25), inside
 * bubblewrap where available (os-sandbox.ts). It holds no test, no assertion, no expected value and
 * no secret: it answers requests — describe a week's exports, call an exported function, run a
 * test's `remote` function — with plain data (codec.ts). Whatever a submission does to this
 * process (its built-ins, the tfjs engine, this script) can only change the answers it gives.
 *
 * Wire: the first line on stdin is the `HostInit` (the compiled submission); then one
 * `HostRequest` per line. Answers go to file descriptor 3, one `HostResponse` per line.
 *
 * The hardening below is a seat belt for honest mistakes and a few cheap tricks (a submission
 * that calls `process.exit`, imports `vm`, writes a diagnostic report outside scratch); the
 * boundary itself is the process.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vm from 'vm';
import { isBuiltin } from 'module';
import type { Bundle } from './compile';
import { decode, encode, Encoded, TensorLib } from './codec';
import type { HostInit, HostRequest, HostResponse } from './protocol';
import { lineMap, LineMap, originalLine } from './sourcemap';
import { compileRemote, MissingExportError } from './target-runtime';

// ---- primitives captured before any other code runs ----------------------------------------
const writeSync = fs.writeSync;
const stringify = JSON.stringify;
const exitNow: (code: number) => never = (process as unknown as { reallyExit: (code: number) => never }).reallyExit.bind(process);

const ROOT = path.resolve(__dirname, '..', '..', '..');
const GENBOOK_ENTRY = path.join(ROOT, 'lib', 'dist', 'index.js');
const SUBMISSION_PREFIX = '<submission>/';
/** Built-ins a submission may not import: each hands out the module cache or the engine. */
const DENIED_BUILTINS = new Set(['module', 'vm', 'v8', 'inspector', 'repl', 'inspector/promises']);
const MESSAGE_LIMIT = 4000;

function respond(response: HostResponse): void {
  const bytes = Buffer.from(stringify(response) + '\n', 'utf8');
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(3, bytes, offset, bytes.length - offset);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    }
  }
}

// ---- messages --------------------------------------------------------------------------------
const sourceLineMaps = new Map<string, LineMap>();

/** `<submission>/hw01.ts:17:9` frames rewritten to `hw01.ts:42` (the TypeScript line). */
function submissionLocation(stack: string): string | undefined {
  for (const m of stack.matchAll(/<submission>\/([^\s:()]+):(\d+):(\d+)/g)) {
    const map = sourceLineMaps.get(m[1]);
    const line = map ? originalLine(map, Number(m[2])) : undefined;
    return `${m[1]}:${line ?? `${m[2]} (compiled)`}`;
  }
  return undefined;
}

function clip(text: string): string {
  return text.length > MESSAGE_LIMIT ? `${text.slice(0, MESSAGE_LIMIT)}… (${text.length - MESSAGE_LIMIT} more characters)` : text;
}

/** A thrown value as `{ name, message }`, the message ending with where in the submission it was thrown. */
export function describeThrown(e: unknown): { name: string; message: string } {
  try {
    if (typeof e === 'object' && e !== null && 'message' in e) {
      const err = e as Error & { code?: unknown; permission?: unknown; resource?: unknown };
      if (err.code === 'ERR_ACCESS_DENIED') {
        const what = err.permission ? String(err.permission) : 'this operation';
        const resource = err.resource ? ` (${String(err.resource)})` : '';
        return {
          name: 'Error',
          message: clip(`blocked by the grader's sandbox: ${what}${resource} is not allowed. Submissions may not read files outside their own folder, write outside the scratch folder, or start processes or threads.`),
        };
      }
      const name = typeof err.name === 'string' ? err.name.slice(0, 100) : 'Error';
      const message = typeof err.message === 'string' ? err.message : String(err.message);
      const where = typeof err.stack === 'string' ? submissionLocation(err.stack) : undefined;
      return { name, message: clip(where ? `${message} (at ${where})` : message) };
    }
    return { name: 'Error', message: clip(`threw a non-Error value: ${typeof e === 'string' ? stringify(e) : String(e)}`) };
  } catch {
    return { name: 'Error', message: 'threw a value that cannot be described' };
  }
}

// ---- loading the submission from its bundle ----------------------------------------------------
type Require = (specifier: string) => unknown;

function resolveKey(fromKey: string, specifier: string, bundle: Bundle): string | undefined {
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(fromKey), specifier));
  for (const candidate of [joined, `${joined}.ts`, `${joined}/index.ts`]) {
    if (Object.prototype.hasOwnProperty.call(bundle.modules, candidate)) return candidate;
  }
  return undefined;
}

function makeLoader(bundle: Bundle, external: (specifier: string, fromKey: string) => unknown): (key: string) => unknown {
  const cache = new Map<string, { exports: unknown }>();
  const load = (key: string): unknown => {
    const cached = cache.get(key);
    if (cached) return cached.exports;
    const compiled = bundle.modules[key];
    const module = { exports: {} as unknown };
    cache.set(key, module);
    const filename = SUBMISSION_PREFIX + key;
    const localRequire: Require = (specifier) => {
      if (typeof specifier !== 'string') throw new TypeError('require() needs a string');
      if (specifier.startsWith('.')) {
        const target = resolveKey(key, specifier, bundle);
        if (target) return load(target);
      }
      return external(specifier, key);
    };
    const wrapper = vm.compileFunction(compiled.code, ['exports', 'require', 'module', '__filename', '__dirname'], { filename });
    wrapper.call(module.exports, module.exports, localRequire, module, filename, path.posix.dirname(filename));
    return module.exports;
  };
  return load;
}

// ---- the process, locked ----------------------------------------------------------------------
function lockProcess(): void {
  const deny = (name: string) => () => {
    throw new Error(`process.${name} is not available to submissions`);
  };
  for (const name of ['kill', '_kill', 'exit', 'abort', 'dlopen', 'binding', '_linkedBinding', '_debugProcess', '_debugEnd', 'setuid', 'setgid', 'seteuid', 'setegid', 'setgroups', 'initgroups']) {
    try {
      Object.defineProperty(process, name, { value: deny(name), writable: false, configurable: false, enumerable: false });
    } catch {
      /* not present on this platform */
    }
  }
  // The permission model does not check the path of a diagnostic report (design.md fact 7).
  try {
    const report = Object.freeze({ writeReport: deny('report.writeReport'), getReport: deny('report.getReport'), directory: '', filename: '' });
    Object.defineProperty(process, 'report', { value: report, writable: false, configurable: false, enumerable: false });
  } catch {
    /* keep going */
  }
  for (const name of ['reallyExit', 'mainModule']) {
    try {
      Object.defineProperty(process, name, { value: name === 'reallyExit' ? deny(name) : undefined, writable: false, configurable: false });
    } catch {
      /* keep going */
    }
  }
}

// ---- main --------------------------------------------------------------------------------------
interface Genbook {
  tf: TensorLib & { engine(): { startScope(): void; endScope(): void } };
  backend: { setup: (p?: undefined, o?: { log: null; threads?: number }) => Promise<unknown> };
}

async function main(): Promise<void> {
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const genbook = require(GENBOOK_ENTRY) as Genbook;
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const tfjs = require('@tensorflow/tfjs') as unknown;
  const tf = genbook.tf;
  let init: HostInit | undefined;
  const loaded = new Map<string, { exports?: Record<string, unknown>; error?: { name: string; message: string } }>();

  const external = (specifier: string, fromKey: string): unknown => {
    const bare = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
    if (specifier === 'genbook') return genbook;
    if (specifier === '@tensorflow/tfjs') return tfjs;
    if (isBuiltin(specifier)) {
      if (DENIED_BUILTINS.has(bare)) throw new Error(`"${specifier}" is not available to submissions`);
      return require(specifier);
    }
    if (specifier.startsWith('.')) throw new Error(`${fromKey} imports "${specifier}", which is not a .ts file of the submission`);
    throw new Error(`${fromKey} imports "${specifier}": a submission may import only its own files, genbook, @tensorflow/tfjs and Node built-ins`);
  };

  const week = (name: string): Record<string, unknown> => {
    let state = loaded.get(name);
    if (!state) {
      const sub = init?.submissions.find((s) => s.week === name);
      if (!sub || sub.loadError || !sub.bundle) {
        state = { error: { name: 'LoadError', message: sub?.loadError ?? `${name}.ts is not in the submission` } };
      } else {
        try {
          for (const [key, m] of Object.entries(sub.bundle.modules)) if (m.map) sourceLineMaps.set(key, lineMap(m.map));
          state = { exports: makeLoader(sub.bundle, external)(sub.bundle.entry) as Record<string, unknown> };
        } catch (e) {
          const d = describeThrown(e);
          state = { error: { name: 'LoadError', message: `${name}.ts failed to load: ${d.name === 'Error' ? '' : `${d.name}: `}${d.message}` } };
        }
      }
      loaded.set(name, state);
    }
    if (state.error) throw Object.assign(new Error(state.error.message), { name: state.error.name, fromHost: true });
    return state.exports as Record<string, unknown>;
  };

  const answer = async (request: HostRequest): Promise<{ value: Encoded; promise: boolean }> => {
    const m = week(request.week);
    const settle = async (result: unknown) => {
      const promise = typeof (result as { then?: unknown } | null)?.then === 'function';
      const value = promise ? await (result as Promise<unknown>) : result;
      return { value: encode(value, tf, 'the result'), promise };
    };
    switch (request.op) {
      case 'describe': {
        const kinds: Record<string, Encoded> = {};
        for (const key of Object.keys(m)) if (key !== '__esModule') kinds[key] = typeof m[key] === 'function' ? 'function' : 'value';
        return { value: kinds, promise: false };
      }
      case 'value':
        if (!(request.name in m)) throw new MissingExportError(request.week, request.name);
        return settle(m[request.name]);
      case 'call': {
        const fn = m[request.name];
        if (typeof fn !== 'function') throw new TypeError(`${request.week}.ts exports "${request.name}", but it is not a function`);
        const args = decode(request.args, tf) as unknown[];
        return settle((fn as (...a: unknown[]) => unknown)(...args));
      }
      case 'remote': {
        const fn = compileRemote(request.source);
        return settle(fn(m, decode(request.args, tf), { tf: tfjs, genbook }));
      }
    }
  };

  let queue = Promise.resolve();
  const handle = (line: string) => {
    let request: HostRequest;
    try {
      request = JSON.parse(line) as HostRequest;
    } catch {
      return;
    }
    queue = queue.then(async () => {
      tf.engine().startScope();
      try {
        const { value, promise } = await answer(request);
        respond({ id: request.id, ok: true, value, promise });
      } catch (e) {
        const fromHost = typeof e === 'object' && e !== null && (e as { fromHost?: boolean }).fromHost === true;
        const error = fromHost ? { name: (e as Error).name, message: (e as Error).message } : describeThrown(e);
        respond({ id: request.id, ok: false, error });
      } finally {
        try {
          tf.engine().endScope();
        } catch {
          /* the submission broke the engine: only its own answers suffer */
        }
      }
    });
  };

  let buffer = '';
  process.stdin.setEncoding('utf8');
  process.stdin.on('data', (chunk: string) => {
    buffer += chunk;
    let newline: number;
    while ((newline = buffer.indexOf('\n')) >= 0) {
      const line = buffer.slice(0, newline);
      buffer = buffer.slice(newline + 1);
      if (!init) {
        init = JSON.parse(line) as HostInit;
        const ready = genbook.backend.setup(undefined, { log: null }).then(() => {
          lockProcess();
          respond({ id: 0, ok: true, value: 'ready', promise: false });
        });
        queue = queue.then(() => ready);
      } else {
        handle(line);
      }
    }
  });
  process.stdin.on('end', () => exitNow(0));
}

if (require.main === module) {
  main().catch((e: unknown) => {
    try {
      process.stderr.write(`submission host failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    } finally {
      exitNow(4);
    }
  });
}
