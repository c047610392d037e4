/**
 * The sandboxed test worker: the process a submission's code runs in.
 *
 * Started by the grader (sandbox.ts) as
 * `node --experimental-permission --allow-fs-read=<node_modules packages, lib/dist, tools/dist/grading, scratch>
 *  --allow-fs-write=<scratch> --frozen-intrinsics --max-old-space-size=<MB> worker.js`,
 * so the submission can read no other file (not `solutions/`, not the hidden tests, not another
 * student's folder), write only its scratch folder, and start no process or worker thread.
 *
 * It reads one WorkerJob (JSON) from stdin: the compiled tests and the compiled submission, both as
 * in-memory module bundles. It registers the tests with a small mocha-compatible harness (describe,
 * it, before/after[Each], `this.timeout`), then runs them one by one, loading the student's module
 * for a week the first time a test asks for it. Events go to the grader on fd 3, stamped with the
 * job's nonce. Timeouts are the grader's job: it kills this process and starts a fresh one that
 * skips the tests already done, so an infinite loop costs only the test it is in.
 *
 * Hardening against a submission that tampers with the harness (it runs in the same process):
 * intrinsics are frozen (`--frozen-intrinsics`, so Math.abs or Array.prototype cannot be patched);
 * the submission's `require` gives it only its own files, `genbook`, `@tensorflow/tfjs` and Node
 * built-ins other than `module`, `vm`, `v8`, `inspector` and `repl` (so it cannot reach the module
 * cache, chai or this harness); `module` is a plain object; `process.mainModule` is removed;
 * `process.kill`, `process.exit`, `process.dlopen` and friends throw; the library's namespace
 * objects and the tensor prototypes are frozen (so `tf.losses.meanSquaredError` or
 * `Tensor.prototype.dataSync`, which the tests use too, cannot be replaced); the nonce lives in a
 * closure.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as vm from 'vm';
import { isBuiltin } from 'module';
import type { Bundle } from './compile';
import { parsePoints } from './points';
import { TARGET_KEY } from './protocol';
import type { PlannedTest, SubmissionModule, TestKind, WorkerEvent, WorkerJob } from './protocol';
import { lineMap, LineMap, originalLine } from './sourcemap';
import { exportsProxy } from './target-runtime';

// ---- primitives captured before any other code runs ----------------------------------------
const writeSync = fs.writeSync;
const readFileSync = fs.readFileSync;
const exitNow: (code: number) => never = (process as unknown as { reallyExit: (code: number) => never }).reallyExit.bind(process);
const stringify = JSON.stringify;
const now = (): number => Number(process.hrtime.bigint() / 1000n) / 1000;

const ROOT = path.resolve(__dirname, '..', '..', '..');
const GENBOOK_ENTRY = path.join(ROOT, 'lib', 'dist', 'index.js');
const SUBMISSION_PREFIX = '<submission>/';
const TESTS_PREFIX = '<tests>/';
/** Built-ins a submission may not import: each hands out the module cache or the engine. */
const DENIED_BUILTINS = new Set(['module', 'vm', 'v8', 'inspector', 'repl', 'inspector/promises']);
const MESSAGE_LIMIT = 4000;

function makeEmitter(nonce: string): (event: WorkerEvent) => void {
  return (event) => {
    const line = stringify({ ...event, nonce }) + '\n';
    let offset = 0;
    const bytes = Buffer.from(line, 'utf8');
    while (offset < bytes.length) {
      try {
        offset += writeSync(3, bytes, offset, bytes.length - offset);
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
      }
    }
  };
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

function safeString(value: unknown): string {
  try {
    if (typeof value === 'string') return stringify(value);
    if (value === null || typeof value !== 'object') return String(value);
    const s = stringify(value);
    return s === undefined ? Object.prototype.toString.call(value) : s;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function clip(text: string): string {
  return text.length > MESSAGE_LIMIT ? `${text.slice(0, MESSAGE_LIMIT)}… (${text.length - MESSAGE_LIMIT} more characters)` : text;
}

/** A one-paragraph description of anything thrown, without the tests' own stack frames. */
export function describeError(e: unknown): string {
  try {
    if (e instanceof Error || (typeof e === 'object' && e !== null && 'message' in e && 'stack' in e)) {
      const err = e as Error & { code?: unknown; permission?: unknown; resource?: unknown };
      if (err.code === 'ERR_ACCESS_DENIED') {
        const what = err.permission ? String(err.permission) : 'this operation';
        const resource = err.resource ? ` (${String(err.resource)})` : '';
        return clip(
          `blocked by the grader's sandbox: ${what}${resource} is not allowed. Submissions may not read files ` +
            `outside their own folder, write outside the scratch folder, or start processes or threads.`,
        );
      }
      const name = typeof err.name === 'string' ? err.name : 'Error';
      const message = typeof err.message === 'string' ? err.message : safeString(err.message);
      const where = typeof err.stack === 'string' ? submissionLocation(err.stack) : undefined;
      const head = name === 'AssertionError' ? message : `${name}: ${message}`;
      return clip(where ? `${head} (at ${where})` : head);
    }
    return clip(`threw a non-Error value: ${safeString(e)}`);
  } catch {
    return 'threw a value that cannot be described';
  }
}

// ---- the test harness (a mocha-compatible subset) --------------------------------------------
type Fn = (this: unknown, done?: (err?: unknown) => void) => unknown;

interface Suite {
  title: string;
  parent?: Suite;
  timeoutMs?: number;
  before: Fn[];
  after: Fn[];
  beforeEach: Fn[];
  afterEach: Fn[];
  /** Tests registered under this suite or any descendant, in order. */
  allTests: RegisteredTest[];
  beforeState: 'pending' | 'done' | string;
}

interface RegisteredTest {
  planned: PlannedTest;
  fn: Fn | undefined;
  suite: Suite;
  ownTimeoutMs?: number;
}

function chain(suite: Suite): Suite[] {
  const out: Suite[] = [];
  for (let s: Suite | undefined = suite; s; s = s.parent) out.unshift(s);
  return out;
}

function newSuite(title: string, parent?: Suite): Suite {
  return { title, parent, before: [], after: [], beforeEach: [], afterEach: [], allTests: [], beforeState: 'pending' };
}

class Registry {
  readonly tests: RegisteredTest[] = [];
  private current: Suite | undefined;
  private week = '';
  private kind: TestKind = 'public';
  private readonly ids = new Set<string>();

  constructor(private readonly defaultTimeoutMs: number) {}

  /** The globals a test file sees while it is being loaded. */
  globals(): Record<string, unknown> {
    const registry = this;
    const suiteContext = (suite: Suite) => ({
      timeout(ms: number) {
        suite.timeoutMs = ms;
      },
      slow() {},
      retries() {},
    });
    const describe = (title: string, body: (this: unknown) => void) => {
      const parent = registry.current;
      const suite = newSuite(String(title), parent);
      registry.current = suite;
      try {
        body.call(suiteContext(suite));
      } finally {
        registry.current = parent;
      }
    };
    const it = (title: string, fn?: Fn) => registry.addTest(String(title), fn);
    const hook = (kind: 'before' | 'after' | 'beforeEach' | 'afterEach') => (a: Fn | string, b?: Fn) => {
      const fn = typeof a === 'function' ? a : b;
      if (!fn) return;
      registry.suite()[kind].push(fn);
    };
    return {
      describe,
      context: describe,
      it,
      specify: it,
      before: hook('before'),
      after: hook('after'),
      beforeEach: hook('beforeEach'),
      afterEach: hook('afterEach'),
    };
  }

  beginFile(week: string, kind: TestKind): void {
    this.week = week;
    this.kind = kind;
    this.current = newSuite('');
  }

  private suite(): Suite {
    if (!this.current) this.current = newSuite('');
    return this.current;
  }

  private addTest(rawTitle: string, fn: Fn | undefined): void {
    const suite = this.suite();
    const { title, points } = parsePoints(rawTitle);
    const suitePath = chain(suite).map((s) => s.title).filter((t) => t !== '');
    let id = `${this.week}/${this.kind}/${[...suitePath, title].join(' > ')}`;
    if (this.ids.has(id)) {
      let n = 2;
      while (this.ids.has(`${id} #${n}`)) n++;
      id = `${id} #${n}`;
    }
    this.ids.add(id);
    let timeoutMs: number | undefined;
    for (const s of chain(suite)) if (s.timeoutMs !== undefined) timeoutMs = s.timeoutMs;
    const test: RegisteredTest = {
      planned: { id, week: this.week, kind: this.kind, suite: suitePath, title, points, timeoutMs: timeoutMs ?? this.defaultTimeoutMs },
      fn,
      suite,
    };
    this.tests.push(test);
    for (const s of chain(suite)) s.allTests.push(test);
  }
}

// ---- running functions, catching what escapes them -----------------------------------------
let escaped: ((e: unknown) => void) | undefined;
process.on('uncaughtException', (e) => escaped?.(e));
process.on('unhandledRejection', (e) => escaped?.(e));

async function call(fn: Fn, context: unknown): Promise<void> {
  const escape = new Promise<never>((_, reject) => {
    escaped = (e) => reject(new Error(`an error escaped the test (uncaught): ${describeError(e)}`));
  });
  const run = new Promise<void>((resolve, reject) => {
    try {
      if (fn.length > 0) {
        fn.call(context, (err?: unknown) => (err ? reject(err) : resolve()));
      } else {
        Promise.resolve(fn.call(context)).then(() => resolve(), reject);
      }
    } catch (e) {
      reject(e);
    }
  });
  try {
    await Promise.race([run, escape]);
  } finally {
    escaped = undefined;
  }
}

const testContext = { timeout() {}, slow() {}, retries() {} };

async function runOne(test: RegisteredTest): Promise<string | undefined> {
  const suites = chain(test.suite);
  for (const s of suites) {
    if (s.beforeState === 'pending') {
      s.beforeState = 'done';
      for (const fn of s.before) {
        try {
          await call(fn, testContext);
        } catch (e) {
          s.beforeState = `a "before all" hook failed: ${describeError(e)}`;
          break;
        }
      }
    }
    if (s.beforeState !== 'done') return s.beforeState;
  }
  if (!test.fn) return 'the test has no body';
  try {
    for (const s of suites) for (const fn of s.beforeEach) await call(fn, testContext);
    await call(test.fn, testContext);
  } catch (e) {
    return describeError(e);
  } finally {
    for (const s of [...suites].reverse()) {
      for (const fn of s.afterEach) {
        try {
          await call(fn, testContext);
        } catch {
          /* an afterEach failure does not change the verdict */
        }
      }
    }
  }
  return undefined;
}

async function runAfterHooks(test: RegisteredTest, remaining: Set<RegisteredTest>): Promise<void> {
  for (const s of [...chain(test.suite)].reverse()) {
    if (s.beforeState === 'pending') continue;
    if (s.allTests.some((t) => remaining.has(t))) continue;
    for (const fn of s.after) {
      try {
        await call(fn, testContext);
      } catch {
        /* after-all failures are the tests' problem, not the student's */
      }
    }
    s.after = [];
  }
}

// ---- loading modules from bundles -------------------------------------------------------------
type Require = (specifier: string) => unknown;

function resolveKey(fromKey: string, specifier: string, bundle: Bundle): string | undefined {
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(fromKey), specifier));
  for (const candidate of [joined, `${joined}.ts`, `${joined}/index.ts`]) {
    if (bundle.modules[candidate]) return candidate;
  }
  return undefined;
}

function makeLoader(bundle: Bundle, prefix: string, external: (specifier: string, fromKey: string) => unknown): (key: string) => unknown {
  const cache = new Map<string, { exports: unknown }>();
  const load = (key: string): unknown => {
    const cached = cache.get(key);
    if (cached) return cached.exports;
    const compiled = bundle.modules[key];
    const module = { exports: {} as unknown };
    cache.set(key, module);
    const filename = prefix + key;
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

// ---- main --------------------------------------------------------------------------------------
function isPlainObject(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value) || ArrayBuffer.isView(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

/**
 * Freeze what the tests and the submission share: the library's namespace objects (`genbook`,
 * `tf`, `tf.losses`, `genbook.random`, …, plain objects only, not their stateful instances) and
 * the tensor classes' prototypes, so a submission cannot replace `tf.losses.meanSquaredError` or
 * `Tensor.prototype.dataSync` to fool the tests' own computations.
 */
function hardenLibrary(genbook: unknown): void {
  const seen = new Set<unknown>();
  const visit = (value: unknown, depth: number) => {
    if (!isPlainObject(value) || seen.has(value) || depth > 3) return;
    seen.add(value);
    for (const key of Object.keys(value)) {
      let child: unknown;
      try {
        child = value[key];
      } catch {
        continue;
      }
      visit(child, depth + 1);
    }
    Object.freeze(value);
  };
  visit(genbook, 0);
  const tf = (genbook as { tf?: { Tensor?: { prototype: object }; Variable?: { prototype: object } } }).tf;
  for (const cls of [tf?.Tensor, tf?.Variable]) if (cls) Object.freeze(cls.prototype);
}

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
  try {
    Object.defineProperty(process, 'reallyExit', { value: exitNow, writable: false, configurable: false });
  } catch {
    /* keep going */
  }
  try {
    Object.defineProperty(process, 'mainModule', { value: undefined, writable: false, configurable: false });
  } catch {
    /* keep going */
  }
}

async function main(): Promise<void> {
  const job = JSON.parse(readFileSync(0, 'utf8')) as WorkerJob;
  const emit = makeEmitter(job.nonce);
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const genbook = require(GENBOOK_ENTRY) as { backend: { setup: (p?: undefined, o?: { log: null }) => Promise<unknown> } };
  if (job.mode === 'run') await genbook.backend.setup(undefined, { log: null });

  // The student's modules, loaded on first use by a test.
  const submissions = new Map<string, SubmissionModule>(job.submissions.map((s) => [s.week, s]));
  const loaded = new Map<string, { exports?: object; error?: string }>();
  const studentExternal = (specifier: string, fromKey: string): unknown => {
    const bare = specifier.startsWith('node:') ? specifier.slice(5) : specifier;
    if (specifier === 'genbook') return genbook;
    if (specifier === '@tensorflow/tfjs') return require('@tensorflow/tfjs');
    if (isBuiltin(specifier)) {
      if (DENIED_BUILTINS.has(bare)) throw new Error(`"${specifier}" is not available to submissions`);
      return require(specifier);
    }
    if (specifier.startsWith('.')) throw new Error(`${fromKey} imports "${specifier}", which is not a .ts file of the submission`);
    throw new Error(`${fromKey} imports "${specifier}": a submission may import only its own files, genbook, @tensorflow/tfjs and Node built-ins`);
  };
  const loadWeek = (week: string): object => {
    let state = loaded.get(week);
    if (!state) {
      const sub = submissions.get(week);
      if (!sub || sub.loadError || !sub.bundle) {
        state = { error: sub?.loadError ?? `${week}.ts is not in the submission` };
      } else {
        emit({ type: 'load-start', week });
        try {
          for (const [key, m] of Object.entries(sub.bundle.modules)) if (m.map) sourceLineMaps.set(key, lineMap(m.map));
          const exports = makeLoader(sub.bundle, SUBMISSION_PREFIX, studentExternal)(sub.bundle.entry);
          state = { exports: exportsProxy(exports as object, week) };
          emit({ type: 'load-end', week });
        } catch (e) {
          state = { error: `${week}.ts failed to load: ${describeError(e)}` };
          emit({ type: 'load-end', week, error: state.error });
        }
      }
      loaded.set(week, state);
    }
    if (state.error !== undefined) throw new Error(state.error);
    return state.exports as object;
  };
  const target = {
    homework: (week: string) => () => loadWeek(week),
    ready: async () => {},
  };

  // Complete assertion messages (chai shortens long values to 40 characters by default).
  try {
    (require('chai') as { config: { truncateThreshold: number } }).config.truncateThreshold = 0;
  } catch {
    /* the tests do not use chai */
  }

  // Register the tests.
  const registry = new Registry(job.defaultTimeoutMs);
  const globals = registry.globals();
  const g = globalThis as Record<string, unknown>;
  for (const [name, value] of Object.entries(globals)) g[name] = value;
  for (const suite of job.suites) {
    registry.beginFile(suite.week, suite.kind);
    const testExternal = (specifier: string): unknown => {
      if (specifier === 'genbook') return genbook;
      return require(specifier);
    };
    try {
      loadTestFile(suite.bundle, () => target, testExternal);
    } catch (e) {
      emit({ type: 'fatal', message: `could not load the ${suite.kind} tests of ${suite.week}: ${describeError(e)}` });
      exitNow(3);
    }
  }
  for (const name of Object.keys(globals)) delete g[name];

  emit({ type: 'plan', tests: registry.tests.map((t) => t.planned) });
  if (job.mode === 'discover') {
    emit({ type: 'done' });
    exitNow(0);
  }

  lockProcess();
  hardenLibrary(genbook);
  const keepAlive = setInterval(() => {}, 1 << 30);
  const skip = new Set(job.skip);
  const remaining = new Set(registry.tests.filter((t) => !skip.has(t.planned.id)));
  for (const test of registry.tests) {
    if (!remaining.has(test)) continue;
    emit({ type: 'start', id: test.planned.id, timeoutMs: test.planned.timeoutMs });
    const t0 = now();
    const failure = await runOne(test);
    const durationMs = Math.round(now() - t0);
    remaining.delete(test);
    emit({ type: 'result', id: test.planned.id, passed: failure === undefined, message: failure ?? '', durationMs });
    await runAfterHooks(test, remaining);
  }
  clearInterval(keepAlive);
  emit({ type: 'done' });
  exitNow(0);
}

/**
 * Load a test file's bundle: relative imports inside it come from the bundle, the target helper
 * from this worker, anything else through the worker's own require.
 */
function loadTestFile(bundle: Bundle, provide: (key: string) => unknown, external: (specifier: string) => unknown): void {
  const cache = new Map<string, { exports: unknown }>();
  const load = (key: string): unknown => {
    if (key === TARGET_KEY) return provide(key);
    const cached = cache.get(key);
    if (cached) return cached.exports;
    const module = { exports: {} as unknown };
    cache.set(key, module);
    const filename = TESTS_PREFIX + key;
    const localRequire: Require = (specifier) => {
      if (specifier.startsWith('.')) {
        const targetKey = path.posix.normalize(path.posix.join(path.posix.dirname(key), specifier));
        for (const candidate of [targetKey, `${targetKey}.ts`, `${targetKey}/index.ts`]) {
          if (candidate === TARGET_KEY) return provide(candidate);
          if (bundle.modules[candidate]?.code) return load(candidate);
        }
        throw new Error(`${key}: cannot resolve "${specifier}"`);
      }
      return external(specifier);
    };
    const wrapper = vm.compileFunction(bundle.modules[key].code, ['exports', 'require', 'module', '__filename', '__dirname'], { filename });
    wrapper.call(module.exports, module.exports, localRequire, module, filename, path.posix.dirname(filename));
    return module.exports;
  };
  load(bundle.entry);
}

if (require.main === module) {
  main().catch((e: unknown) => {
    try {
      process.stderr.write(`grading worker failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    } finally {
      exitNow(4);
    }
  });
}
