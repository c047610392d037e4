/**
 * Mutation testing of the homework tests (`genbook validate --mutants`): how strong are the tests?
 *
 * Each week has a catalogue of realistic student mistakes, `tests/mutants/hwNN.json`: every entry
 * is a small edit of one solution region of `solutions/hwNN.ts`, applied when the check runs (the
 * catalogue stores edits, not copies, so it follows the solution; an edit that no longer applies is
 * an error the instructor must fix). Every mutant is graded with the week's public and hidden tests
 * and must fail at least one test that the unmodified solution passes:
 *
 * - **caught by public tests**: a student's self-check (`npm run check`) already shows lost points;
 * - **caught only by hidden tests**: the self-check says "full marks" for wrong code, the grade
 *   will not (acceptable only where no public test should reveal it);
 * - **survived**: every test passes; the tests need strengthening.
 *
 * Catalogue format (JSON, one file per week):
 * ```json
 * { "mutants": [
 *   { "id": "entropy-natural-log", "function": "entropy",
 *     "description": "forgets to divide by log(base): always nats",
 *     "find": "return h / Math.log(base);", "replace": "return h;" },
 *   { "id": "…", "function": "…", "description": "…", "find": "Math.log(", "replace": "Math.log2(", "all": true },
 *   { "id": "…", "function": "…", "description": "…", "body": "return 0;" }
 * ] }
 * ```
 * `function` names the function whose solution region is edited (as the stub names it); `find` must
 * occur exactly once in that region (or, with `"all": true`, at least once: every occurrence is
 * replaced); `body` replaces the whole region (each line indented like the region).
 *
 * Mutants are graded a few at a time (`jobs`), with one grader (compiled tests) per week, either in
 * the grading sandbox (`runner: 'sandbox'`, the default: exactly what students get) or by mocha in
 * a child process per mutant (`runner: 'mocha'`, the same tests through tests/homework/target.ts).
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { Grader } from './engine';
import { Layout, layout, listWeeks } from './layout';
import type { TestKind } from './protocol';
import { findRegions, Region, RegionError } from './regions';
import type { StudentReport } from './report';

export interface MutantSpec {
  /** Unique within the week, kebab-case. */
  id: string;
  /** The mistake, in one line, as a student would make it. */
  description: string;
  /** The function whose solution region is edited. */
  function: string;
  find?: string;
  replace?: string;
  /** Replace every occurrence of `find` (default: it must occur exactly once). */
  all?: boolean;
  /** Replace the whole region with these lines. */
  body?: string;
}

export class MutantError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MutantError';
  }
}

export function catalogueFile(l: Layout, week: string): string {
  return path.join(l.root, 'tests', 'mutants', `${week}.json`);
}

const ID = /^[a-z0-9][a-z0-9-]*$/;

/** Read and check a week's catalogue (shape, unique ids); throws MutantError. */
export function loadCatalogue(l: Layout, week: string): MutantSpec[] {
  const file = catalogueFile(l, week);
  const rel = path.relative(l.root, file);
  if (!fs.existsSync(file)) throw new MutantError(`${rel} does not exist: every week needs a mutant catalogue`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new MutantError(`${rel} is not valid JSON: ${(e as Error).message}`);
  }
  const list = (parsed as { mutants?: unknown }).mutants;
  if (!Array.isArray(list)) throw new MutantError(`${rel}: expected { "mutants": [ … ] }`);
  const seen = new Set<string>();
  return list.map((m: Record<string, unknown>, i) => {
    const where = `${rel} mutant ${i + 1}${typeof m?.id === 'string' ? ` (${m.id})` : ''}`;
    if (typeof m !== 'object' || m === null) throw new MutantError(`${where}: not an object`);
    for (const key of Object.keys(m)) {
      if (!['id', 'description', 'function', 'find', 'replace', 'all', 'body'].includes(key)) throw new MutantError(`${where}: unknown field "${key}"`);
    }
    if (typeof m.id !== 'string' || !ID.test(m.id)) throw new MutantError(`${where}: "id" must be kebab-case`);
    if (seen.has(m.id)) throw new MutantError(`${where}: duplicate id`);
    seen.add(m.id);
    if (typeof m.description !== 'string' || m.description.trim().length < 10) throw new MutantError(`${where}: "description" must say what mistake this is`);
    if (typeof m.function !== 'string' || m.function === '') throw new MutantError(`${where}: "function" must name the function whose region is edited`);
    const hasFind = m.find !== undefined || m.replace !== undefined;
    if (hasFind === (m.body !== undefined)) throw new MutantError(`${where}: give either "find" and "replace" or "body"`);
    if (hasFind && (typeof m.find !== 'string' || m.find === '' || typeof m.replace !== 'string')) throw new MutantError(`${where}: "find" (non-empty) and "replace" must be strings`);
    if (m.body !== undefined && typeof m.body !== 'string') throw new MutantError(`${where}: "body" must be a string`);
    if (m.all !== undefined && (typeof m.all !== 'boolean' || !hasFind)) throw new MutantError(`${where}: "all" is a boolean for find/replace`);
    return m as unknown as MutantSpec;
  });
}

function countOccurrences(text: string, find: string): number {
  let n = 0;
  for (let i = text.indexOf(find); i !== -1; i = text.indexOf(find, i + find.length)) n++;
  return n;
}

/** The regions of a solution file; MutantError when they are malformed. */
export function solutionRegions(source: string, fileName = 'solution.ts'): Region[] {
  try {
    return findRegions(source, fileName);
  } catch (e) {
    throw new MutantError(e instanceof RegionError ? e.message : String(e));
  }
}

/**
 * The solution with one mutant applied; MutantError when it no longer applies. `regions` (from
 * solutionRegions) saves parsing the source again for every mutant.
 */
export function applyMutant(source: string, spec: MutantSpec, fileName = 'solution.ts', regions: Region[] = solutionRegions(source, fileName)): string {
  const mine = regions.filter((r) => r.functionName === spec.function);
  if (mine.length === 0) throw new MutantError(`${spec.id}: ${fileName} has no solution region in a function named ${spec.function}`);
  const lines = source.split('\n');
  const inner = (r: (typeof mine)[number]) => lines.slice(r.begin + 1, r.end).join('\n');
  let replaced: Map<number, string>;
  if (spec.body !== undefined) {
    if (mine.length !== 1) throw new MutantError(`${spec.id}: ${spec.function} has ${mine.length} regions; "body" needs exactly one`);
    const body = spec.body.split('\n').map((line) => (line === '' ? '' : mine[0].indent + line)).join('\n');
    replaced = new Map([[0, body]]);
  } else {
    const find = spec.find as string;
    const counts = mine.map((r) => countOccurrences(inner(r), find));
    const total = counts.reduce((a, b) => a + b, 0);
    if (total === 0) throw new MutantError(`${spec.id}: ${JSON.stringify(find)} no longer occurs in the solution region of ${spec.function}`);
    if (total > 1 && !spec.all) throw new MutantError(`${spec.id}: ${JSON.stringify(find)} occurs ${total} times in the region of ${spec.function}; make "find" longer or set "all": true`);
    replaced = new Map(mine.map((r, i) => [i, counts[i] > 0 ? inner(r).split(find).join(spec.replace as string) : inner(r)]));
  }
  const out: string[] = [];
  for (let i = 0; i < lines.length; i++) {
    const k = mine.findIndex((r) => r.begin + 1 === i);
    if (k === -1) {
      out.push(lines[i]);
      continue;
    }
    out.push(replaced.get(k) as string);
    i = mine[k].end - 1;
  }
  const mutated = out.join('\n');
  if (mutated === source) throw new MutantError(`${spec.id}: the edit does not change the solution`);
  return mutated;
}

export type MutantStatus = 'public' | 'hidden' | 'survived' | 'error';

export interface MutantResult {
  week: string;
  id: string;
  description: string;
  function: string;
  /** public: a public test fails; hidden: only hidden tests fail; survived: none; error: did not apply or load. */
  status: MutantStatus;
  /** The tests (passing on the solution) that fail on the mutant: `public/…` or `hidden/…`. */
  caughtBy: string[];
  error?: string;
  durationMs: number;
}

export interface WeekMutants {
  week: string;
  total: number;
  public: number;
  hiddenOnly: number;
  survived: number;
  errors: number;
  /** Tests that fail on the solution itself in this runner (they cannot catch anything). */
  baselineFailures: string[];
  results: MutantResult[];
  durationMs: number;
}

export interface MutantReport {
  runner: 'sandbox' | 'mocha';
  weeks: WeekMutants[];
  ok: boolean;
  durationMs: number;
}

export interface MutantOptions {
  root?: string;
  weeks?: string[];
  /** Mutants graded at once (default 2). */
  jobs?: number;
  runner?: 'sandbox' | 'mocha';
  /** Only these mutants (`id` or `week/id`); a name that matches nothing is an error. */
  only?: string[];
  /** The solutions' report from the same sandbox (reused as the baseline instead of grading again). */
  baseline?: StudentReport;
  /** Where mutated files are written (default build/mutants; removed afterwards). */
  workDir?: string;
  log?: (line: string) => void;
}

/** Outcome of one grading run: every test's key (`public/…`, `hidden/…`) and whether it passed; or a load error. */
interface Run {
  passed: Map<string, boolean>;
  loadError?: string;
}

interface WeekRunner {
  run(dir: string, name: string): Promise<Run>;
}

function fromReport(report: StudentReport, week: string): Run {
  const w = report.weeks.find((x) => x.week === week);
  if (!w) throw new Error(`the report has no ${week}`);
  return { passed: new Map(w.tests.map((t) => [`${t.kind}/${t.suite.join(' > ')} > ${t.title}`, t.passed])), loadError: w.loadError };
}

function sandboxRunner(l: Layout, week: string): WeekRunner {
  const grader = Grader.create({ root: l.root, weeks: [week], hidden: true });
  return { run: async (dir, name) => fromReport(await grader.grade({ student: name, dir }), week) };
}

/** mocha in a child process on the week's public and hidden test files, the module from `dir`. */
function mochaRunner(l: Layout, week: string): WeekRunner {
  const files: [TestKind, string][] = [
    ['public', path.join(l.publicTestsDir, `${week}.test.ts`)],
    ['hidden', path.join(l.hiddenTestsDir, `${week}.test.ts`)],
  ];
  return {
    run: (dir, name) =>
      new Promise((resolve, reject) => {
        const out = path.join(dir, `${name}.mocha.json`);
        const args = [path.join(l.root, 'node_modules', 'mocha', 'bin', 'mocha.js'), '--reporter', 'json', '--reporter-option', `output=${out}`, ...files.map((f) => f[1])];
        const child = spawn(process.execPath, args, { cwd: l.root, env: { ...process.env, GENBOOK_HOMEWORK_DIR: dir, GENBOOK_QUICK: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
        let stderr = '';
        child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
        child.on('error', reject);
        child.on('close', () => {
          if (!fs.existsSync(out)) return reject(new Error(`mocha wrote no report for ${name}:\n${stderr}`));
          type T = { fullTitle: string; file: string };
          const json = JSON.parse(fs.readFileSync(out, 'utf8')) as { tests: T[]; passes: T[]; failures: T[] };
          const key = (t: T) => `${files.find((f) => path.resolve(f[1]) === path.resolve(t.file))?.[0] ?? 'public'}/${t.fullTitle}`;
          const passed = new Map<string, boolean>();
          for (const t of [...json.tests, ...json.failures]) passed.set(key(t), false);
          for (const t of json.passes) passed.set(key(t), true);
          resolve({ passed });
        });
      }),
  };
}

/** Run `tasks` with at most `jobs` at once. */
async function pool<T>(items: T[], jobs: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const workers = Array.from({ length: Math.max(1, Math.min(jobs, items.length)) }, async () => {
    while (next < items.length) await work(items[next++]);
  });
  await Promise.all(workers);
}

function judge(baseline: Run, mutant: Run): { status: MutantStatus; caughtBy: string[]; error?: string } {
  if (mutant.loadError) return { status: 'error', caughtBy: [], error: `the mutated file does not load: ${mutant.loadError.split('\n')[0]}` };
  // A test that passes on the solution and does not pass on the mutant catches it (a test missing
  // from the mutant's run, e.g. after a failed hook, did not pass either).
  const caughtBy = [...baseline.passed].filter(([key, ok]) => ok && mutant.passed.get(key) !== true).map(([key]) => key);
  const status: MutantStatus = caughtBy.some((k) => k.startsWith('public/')) ? 'public' : caughtBy.length > 0 ? 'hidden' : 'survived';
  return { status, caughtBy };
}

/** Grade every mutant of the chosen weeks; see the file comment. */
export async function runMutants(options: MutantOptions = {}): Promise<MutantReport> {
  const started = Date.now();
  const l = layout(options.root);
  const log = options.log ?? console.log;
  const runnerKind = options.runner ?? 'sandbox';
  const weeks = options.weeks ?? listWeeks(l);
  const work = options.workDir ?? path.join(l.root, 'build', 'mutants');
  const only = options.only ? new Set(options.only) : undefined;
  const matched = new Set<string>();
  const report: MutantReport = { runner: runnerKind, weeks: [], ok: true, durationMs: 0 };
  fs.mkdirSync(work, { recursive: true });
  try {
    for (const week of weeks) {
      const weekStarted = Date.now();
      const solutionFile = path.join(l.solutionsDir, `${week}.ts`);
      const source = fs.readFileSync(solutionFile, 'utf8');
      const results: MutantResult[] = [];
      let regions: Region[] = [];
      let specs: MutantSpec[];
      try {
        specs = loadCatalogue(l, week);
        regions = solutionRegions(source, `solutions/${week}.ts`);
      } catch (e) {
        results.push({ week, id: '(catalogue)', description: '', function: '', status: 'error', caughtBy: [], error: (e as Error).message, durationMs: 0 });
        specs = [];
      }
      if (only) {
        specs = specs.filter((s) => only.has(s.id) || only.has(`${week}/${s.id}`));
        for (const s of specs) matched.add(only.has(s.id) ? s.id : `${week}/${s.id}`);
        if (specs.length === 0) continue;
      }
      const runner = runnerKind === 'mocha' ? mochaRunner(l, week) : sandboxRunner(l, week);
      const weekDir = fs.mkdtempSync(path.join(work, `${week}-`));
      try {
        let baseline: Run;
        if (options.baseline && runnerKind === 'sandbox' && options.baseline.weeks.some((w) => w.week === week)) {
          baseline = fromReport(options.baseline, week);
        } else {
          const dir = path.join(weekDir, 'solution');
          fs.mkdirSync(dir);
          fs.copyFileSync(solutionFile, path.join(dir, `${week}.ts`));
          baseline = await runner.run(dir, 'solution');
        }
        const baselineFailures = [...baseline.passed].filter(([, ok]) => !ok).map(([key]) => key);
        await pool(specs, options.jobs ?? 2, async (spec) => {
          const t0 = Date.now();
          const base = { week, id: spec.id, description: spec.description, function: spec.function };
          let mutated: string;
          try {
            mutated = applyMutant(source, spec, `solutions/${week}.ts`, regions);
          } catch (e) {
            results.push({ ...base, status: 'error', caughtBy: [], error: `no longer applies: ${(e as Error).message}`, durationMs: 0 });
            return;
          }
          const dir = path.join(weekDir, spec.id);
          fs.mkdirSync(dir);
          fs.writeFileSync(path.join(dir, `${week}.ts`), mutated);
          try {
            const verdict = judge(baseline, await runner.run(dir, `${week}-${spec.id}`));
            results.push({ ...base, ...verdict, durationMs: Date.now() - t0 });
          } catch (e) {
            results.push({ ...base, status: 'error', caughtBy: [], error: `could not be graded: ${(e as Error).message}`, durationMs: Date.now() - t0 });
          }
        });
        const order = new Map(specs.map((s, i) => [s.id, i]));
        results.sort((a, b) => (order.get(a.id) ?? -1) - (order.get(b.id) ?? -1));
        const count = (s: MutantStatus) => results.filter((r) => r.status === s).length;
        const summary: WeekMutants = {
          week,
          total: specs.length,
          public: count('public'),
          hiddenOnly: count('hidden'),
          survived: count('survived'),
          errors: count('error'),
          baselineFailures,
          results,
          durationMs: Date.now() - weekStarted,
        };
        report.weeks.push(summary);
        logWeek(summary, log);
      } finally {
        fs.rmSync(weekDir, { recursive: true, force: true });
      }
    }
  } finally {
    if (!options.workDir) fs.rmSync(work, { recursive: true, force: true });
  }
  if (only) {
    for (const name of only) {
      if (!matched.has(name)) {
        report.weeks.push({ week: '-', total: 0, public: 0, hiddenOnly: 0, survived: 0, errors: 1, baselineFailures: [], results: [{ week: '-', id: name, description: '', function: '', status: 'error', caughtBy: [], error: `no mutant named ${name}`, durationMs: 0 }], durationMs: 0 });
        log(`  ✗ no mutant named ${name}`);
      }
    }
  }
  report.ok = report.weeks.every((w) => w.survived === 0 && w.errors === 0);
  report.durationMs = Date.now() - started;
  return report;
}

function percent(part: number, whole: number): string {
  return whole === 0 ? '-' : `${Math.round((100 * part) / whole)}%`;
}

function logWeek(w: WeekMutants, log: (line: string) => void): void {
  log(`  ${w.week}: ${w.total} mutants: caught by public tests ${w.public} (${percent(w.public, w.total)}), only by hidden tests ${w.hiddenOnly}, survived ${w.survived}${w.errors ? `, errors ${w.errors}` : ''} (${(w.durationMs / 1000).toFixed(1)} s)`);
  if (w.baselineFailures.length > 0) log(`    note: ${w.baselineFailures.length} test(s) fail on the solution here and cannot catch mutants: ${w.baselineFailures.join('; ')}`);
  for (const r of w.results) {
    if (r.status === 'hidden') log(`    hidden only  ${r.id}: ${r.description}`);
    if (r.status === 'survived') log(`    ✗ survived   ${r.id}: ${r.description}`);
    if (r.status === 'error') log(`    ✗ error      ${r.id}: ${r.error}`);
  }
}

/** The per-week table (Markdown), with the public-only catch rate. */
export function mutantTable(report: MutantReport): string {
  const rows = report.weeks.filter((w) => w.week !== '-');
  const sum = (f: (w: WeekMutants) => number) => rows.reduce((s, w) => s + f(w), 0);
  const line = (name: string, total: number, pub: number, hid: number, surv: number, err: number) =>
    `| ${name} | ${total} | ${pub} (${percent(pub, total)}) | ${hid} | ${surv} | ${err} |`;
  return [
    '| week | mutants | caught by public tests | caught only by hidden tests | survived | errors |',
    '| --- | --- | --- | --- | --- | --- |',
    ...rows.map((w) => line(w.week, w.total, w.public, w.hiddenOnly, w.survived, w.errors)),
    line('all', sum((w) => w.total), sum((w) => w.public), sum((w) => w.hiddenOnly), sum((w) => w.survived), sum((w) => w.errors)),
  ].join('\n');
}
