/**
 * The trusted test runner: one process per submission (started by sandbox.ts), holding the tests,
 * chai, the expected values and the bookkeeping. The student's code is never loaded here: it runs
 * in the submission's host (host.ts), a sandboxed child of this process, and a test reaches it
 * through `homework(week)` (target-runtime.ts) — each call a synchronous request over channel.ts
 * with plain data both ways. So the points a test gives depend only on the values the student's
 * functions return, never on what the student's code does to a process.
 *
 * It reads one RunnerJob (JSON) from stdin: the compiled tests and the compiled submission. It
 * registers the tests with a small mocha-compatible harness (describe, it, before/after[Each],
 * `this.timeout`), then runs them one by one and reports each on file descriptor 3 (RunnerEvent
 * lines). Limits: a test's time limit covers its hooks, its own code and every call into the
 * student's code (a call past it kills the host; the next call starts a fresh one); a test during
 * which the host broke a limit fails whatever the test did with the error — a test that expects a
 * throw cannot be passed by an infinite loop.
 */
import * as path from 'path';
import * as vm from 'vm';
import type { Bundle } from './compile';
import { decode, encode, TensorLib } from './codec';
import { HostChannel } from './channel';
import type { HostOutcome } from './host-thread';
import { parsePoints } from './points';
import { TARGET_KEY } from './protocol';
import type { PlannedTest, ResultStatus, RunnerEvent, RunnerJob, TestKind } from './protocol';
import { HomeworkBackend, makeHomework } from './target-runtime';

const fs = require('fs') as typeof import('fs');
const ROOT = path.resolve(__dirname, '..', '..', '..');
const GENBOOK_ENTRY = path.join(ROOT, 'lib', 'dist', 'index.js');
const TESTS_PREFIX = '<tests>/';
const MESSAGE_LIMIT = 4000;
/** Time allowed to an after/afterEach hook. */
const HOOK_LIMIT_MS = 30_000;

function emit(event: RunnerEvent): void {
  const bytes = Buffer.from(JSON.stringify(event) + '\n', 'utf8');
  let offset = 0;
  while (offset < bytes.length) {
    try {
      offset += fs.writeSync(3, bytes, offset, bytes.length - offset);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    }
  }
}

/** A limit the student's code broke during the current test; the test fails with it. */
export class LimitError extends Error {
  constructor(
    readonly status: 'timeout' | 'crashed',
    message: string,
  ) {
    super(message);
    this.name = 'LimitError';
  }
}

/** The limit broken during the current test, if any. */
let violation: LimitError | undefined;
let currentTimeoutReason = '';

// ---- messages --------------------------------------------------------------------------------
function safeString(value: unknown): string {
  try {
    if (typeof value === 'string') return JSON.stringify(value);
    if (value === null || typeof value !== 'object') return String(value);
    const s = JSON.stringify(value);
    return s === undefined ? Object.prototype.toString.call(value) : s;
  } catch {
    return Object.prototype.toString.call(value);
  }
}

function clip(text: string): string {
  return text.length > MESSAGE_LIMIT ? `${text.slice(0, MESSAGE_LIMIT)}… (${text.length - MESSAGE_LIMIT} more characters)` : text;
}

/** A one-paragraph description of anything a test threw (student errors already carry their location). */
export function describeError(e: unknown): string {
  try {
    if (e instanceof LimitError) return clip(e.message);
    if (e instanceof Error || (typeof e === 'object' && e !== null && 'message' in e)) {
      const err = e as Error;
      const name = typeof err.name === 'string' ? err.name : 'Error';
      const message = typeof err.message === 'string' ? err.message : safeString(err.message);
      return clip(name === 'AssertionError' ? message : `${name}: ${message}`);
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

async function call(fn: Fn, context: unknown, deadline: number): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const escape = new Promise<never>((_, reject) => {
    escaped = (e) => reject(new Error(`an error escaped the test (uncaught): ${describeError(e)}`));
    const left = deadline - Date.now();
    timer = setTimeout(() => reject(new LimitError('timeout', currentTimeoutReason)), Math.max(0, left));
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
    if (timer) clearTimeout(timer);
  }
}

const testContext = { timeout() {}, slow() {}, retries() {} };

/** Run one test with its hooks; undefined when it passed, else why it failed. */
async function runOne(test: RegisteredTest, deadline: number): Promise<string | undefined> {
  const suites = chain(test.suite);
  for (const s of suites) {
    if (s.beforeState === 'pending') {
      s.beforeState = 'done';
      for (const fn of s.before) {
        try {
          await call(fn, testContext, deadline);
        } catch (e) {
          s.beforeState = e instanceof LimitError ? e.message : `a "before all" hook failed: ${describeError(e)}`;
          break;
        }
      }
    }
    if (s.beforeState !== 'done') return s.beforeState;
  }
  if (!test.fn) return 'the test has no body';
  try {
    for (const s of suites) for (const fn of s.beforeEach) await call(fn, testContext, deadline);
    await call(test.fn, testContext, deadline);
  } catch (e) {
    return describeError(e);
  } finally {
    for (const s of [...suites].reverse()) {
      for (const fn of s.afterEach) {
        try {
          await call(fn, testContext, Date.now() + HOOK_LIMIT_MS);
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
        await call(fn, testContext, Date.now() + HOOK_LIMIT_MS);
      } catch {
        /* after-all failures are the tests' problem, not the student's */
      }
    }
    s.after = [];
  }
}

// ---- the line to the submission ---------------------------------------------------------------
type Require = (specifier: string) => unknown;

/** A HomeworkBackend over the host channel: every answer decoded here, every limit recorded. */
function channelBackend(channel: HostChannel, tf: TensorLib, job: RunnerJob, testDeadline: () => number): HomeworkBackend {
  const loadFailures = new Map<string, string>(Object.entries(job.loadErrors));
  // Whether the current host process has been sent test inputs: a load error it reports after
  // that could carry them (a module loaded earlier can listen to stdin), so its text is not shown.
  let inputsSent = false;
  const send = (body: Parameters<HostChannel['request']>[0]): { value: unknown; promise: boolean } => {
    if (violation) throw violation;
    const week = body.week;
    const known = loadFailures.get(week);
    if (known !== undefined) throw Object.assign(new Error(known), { name: 'LoadError' });
    const deadline = Math.min(testDeadline(), job.deadline);
    const reason = deadline === job.deadline ? `the submission's time limit was reached` : currentTimeoutReason;
    if (body.op === 'call' || body.op === 'remote') inputsSent = true;
    const outcome: HostOutcome = channel.request(body, deadline - Date.now(), reason);
    if (outcome.kind === 'limit') {
      inputsSent = false; // the host is gone; the next request starts a fresh one
      violation = new LimitError(outcome.status, outcome.status === 'timeout' ? outcome.reason : `the test ${outcome.reason}`);
      if (body.op === 'describe') {
        // The week's module did not finish loading: its other tests fail at once.
        const message = `${week}.ts did not finish loading: it ${outcome.status === 'timeout' ? 'timed out' : outcome.reason}`;
        loadFailures.set(week, message);
        emit({ type: 'load', week, error: message });
      }
      throw violation;
    }
    if (outcome.kind !== 'response') throw new Error('unexpected answer from the test process');
    const response = outcome.response;
    if (!response.ok) {
      const name = String(response.error?.name ?? 'Error').slice(0, 100);
      const message = String(response.error?.message ?? '').slice(0, MESSAGE_LIMIT + 200);
      if (name === 'LoadError') {
        const shown = inputsSent ? `${week}.ts failed to load in a fresh test process` : message;
        loadFailures.set(week, shown);
        emit({ type: 'load', week, error: shown });
        throw Object.assign(new Error(shown), { name: 'LoadError' });
      }
      throw decode({ $: 'error', name, message }, tf);
    }
    return { value: decode(response.value, tf), promise: response.promise === true };
  };
  const settle = (r: { value: unknown; promise: boolean }) => (r.promise ? Promise.resolve(r.value) : r.value);
  return {
    describe(week) {
      const { value } = send({ op: 'describe', week });
      if (typeof value !== 'object' || value === null) throw new Error(`${week}.ts: the test process described its exports wrongly`);
      const kinds: Record<string, 'function' | 'value'> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) if (v === 'function' || v === 'value') kinds[k] = v;
      return kinds;
    },
    value: (week, name) => settle(send({ op: 'value', week, name })),
    call: (week, name, args) => settle(send({ op: 'call', week, name, args: encode(args, tf, 'the arguments') })),
    remote: (week, source, args) => settle(send({ op: 'remote', week, source, args: encode(args, tf, 'the arguments') })),
  };
}

// ---- main --------------------------------------------------------------------------------------
async function main(): Promise<void> {
  const job = JSON.parse(fs.readFileSync(0, 'utf8')) as RunnerJob;
  // eslint-disable-next-line @typescript-eslint/no-var-requires
  const genbook = require(GENBOOK_ENTRY) as { tf: TensorLib; backend: { setup: (p?: undefined, o?: { log: null }) => Promise<unknown>; current(): unknown } };
  if (job.mode === 'run') await genbook.backend.setup(undefined, { log: null });

  let testDeadline = job.deadline;
  const channel = job.mode === 'run' ? new HostChannel(job.host, { submissions: job.submissions }) : undefined;
  const backend = channel ? channelBackend(channel, genbook.tf, job, () => testDeadline) : undefined;
  const target = {
    homework: (week: string) => {
      if (!backend) throw new Error('no submission to test while registering the tests');
      return makeHomework(week, backend);
    },
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
    const testExternal = (specifier: string): unknown => (specifier === 'genbook' ? genbook : require(specifier));
    try {
      loadTestFile(suite.bundle, () => target, testExternal);
    } catch (e) {
      emit({ type: 'fatal', message: `could not load the ${suite.kind} tests of ${suite.week}: ${describeError(e)}` });
      process.exit(3);
    }
  }
  for (const name of Object.keys(globals)) delete g[name];

  emit({ type: 'plan', tests: registry.tests.map((t) => t.planned) });
  if (job.mode === 'discover' || !channel) {
    emit({ type: 'done' });
    process.exit(0);
  }

  const skip = new Set(job.skip);
  const remaining = new Set(registry.tests.filter((t) => !skip.has(t.planned.id)));
  for (const test of registry.tests) {
    if (!remaining.has(test)) continue;
    const limit = test.planned.timeoutMs;
    emit({ type: 'start', id: test.planned.id, timeoutMs: limit });
    const t0 = Date.now();
    testDeadline = Math.min(t0 + limit, job.deadline);
    currentTimeoutReason = testDeadline === job.deadline ? `the submission's time limit was reached` : `timed out after ${limit / 1000} s (an infinite loop, or too slow?)`;
    violation = undefined;
    const failure = await runOne(test, testDeadline);
    let status: ResultStatus = failure === undefined ? 'passed' : 'failed';
    let message = failure ?? '';
    const broken = violation as LimitError | undefined;
    if (broken) {
      status = broken.status;
      message = broken.message;
    } else if (Date.now() > testDeadline + 1000) {
      status = 'timeout';
      message = currentTimeoutReason;
    }
    violation = undefined;
    testDeadline = job.deadline;
    remaining.delete(test);
    emit({ type: 'result', id: test.planned.id, status, message, durationMs: Date.now() - t0 });
    await runAfterHooks(test, remaining);
  }
  const stats = channel.stats();
  channel.close();
  emit({ type: 'host', ...stats });
  emit({ type: 'done' });
  process.exit(0);
}

/**
 * Load a test file's bundle: relative imports inside it come from the bundle, the target helper
 * from this runner, anything else through the runner's own require.
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
      process.stderr.write(`grading runner failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
    } finally {
      process.exit(4);
    }
  });
}
