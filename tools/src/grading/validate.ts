/**
 * `genbook validate`: the homework is consistent before it is released.
 *
 * 1. Every solution's regions are well formed and the committed stub `notebooks/homework/hwNN.ts`
 *    is exactly the stub generated from `solutions/hwNN.ts` (no drift; `--update-stubs` rewrites
 *    them; the grading tests' class fixture is built from both at test time).
 * 2. Solutions and stubs type-check.
 * 3. Every test declares its points; the solutions score 100% on the public and hidden tests; the
 *    stubs score 0 (every test fails), all in the grader's sandbox.
 * 4. Every homework notebook ends with the self-check cell and runs, in quick mode, with zero
 *    errors and no stderr against the solutions (copied beside it under build/validate/).
 * 5. With `mutants`: every mutant in tests/mutants/hwNN.json is caught by the tests (mutants.ts);
 *    the report per week goes to the log and build/validate/mutants.json.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { runNotebooks } from '../runner/run';
import { Grader } from './engine';
import { Layout, layout, listWeeks } from './layout';
import { mutantTable, runMutants } from './mutants';
import { generateStub, RegionError } from './regions';
import type { StudentReport } from './report';
import { typeCheckInChild } from './typecheck';

export interface ValidateOptions {
  root?: string;
  weeks?: string[];
  /** Rewrite drifted stubs (and the class fixtures correct/ and empty/) instead of failing. */
  updateStubs?: boolean;
  /** Skip running the notebooks. */
  skipNotebooks?: boolean;
  /** Notebooks (and mutants) run at once. */
  jobs?: number;
  /** Also grade every mutant of tests/mutants/ (step 5). */
  mutants?: boolean;
  /** Grade the mutants in the sandbox (default) or with mocha in child processes. */
  mutantsRunner?: 'sandbox' | 'mocha';
  /** Only these mutants (`id` or `hwNN/id`). */
  mutantIds?: string[];
  log?: (line: string) => void;
}

export interface ValidateResult {
  ok: boolean;
  problems: string[];
}

/** The stub file for a week, generated from its solution. */
export function expectedStub(l: Layout, week: string): string {
  return generateStub(fs.readFileSync(path.join(l.solutionsDir, `${week}.ts`), 'utf8'), week);
}

function failures(report: StudentReport, wantPassed: boolean): string[] {
  return report.weeks.flatMap((w) => w.tests.filter((t) => t.passed !== wantPassed).map((t) => `${t.id}: ${wantPassed ? t.message || t.status : 'passes on the stub'}`));
}

/** The notebook's last code cell, as text. */
function lastCodeCell(file: string): string {
  const nb = JSON.parse(fs.readFileSync(file, 'utf8')) as { cells: { cell_type: string; source: string | string[] }[] };
  const code = nb.cells.filter((c) => c.cell_type === 'code');
  const last = code[code.length - 1];
  return last ? (Array.isArray(last.source) ? last.source.join('') : last.source) : '';
}

export async function validate(options: ValidateOptions = {}): Promise<ValidateResult> {
  const log = options.log ?? console.log;
  const l = layout(options.root);
  const weeks = options.weeks ?? listWeeks(l);
  const problems: string[] = [];
  const problem = (text: string) => {
    problems.push(text);
    log(`  ✗ ${text}`);
  };
  if (!fs.existsSync(l.solutionsDir)) {
    return { ok: false, problems: [`${l.solutionsDir} not found: validate needs the instructor's checkout (the student edition has no solutions)`] };
  }

  log(`1. stubs generated from the solutions (${weeks.join(', ')})`);
  for (const week of weeks) {
    const solution = path.join(l.solutionsDir, `${week}.ts`);
    if (!fs.existsSync(solution)) {
      problem(`${week}: solutions/${week}.ts is missing`);
      continue;
    }
    let stub: string;
    try {
      stub = expectedStub(l, week);
    } catch (e) {
      problem(e instanceof RegionError ? e.message : String(e));
      continue;
    }
    const stubFile = path.join(l.stubsDir, `${week}.ts`);
    const current = fs.existsSync(stubFile) ? fs.readFileSync(stubFile, 'utf8') : undefined;
    if (current !== stub) {
      if (options.updateStubs) {
        fs.writeFileSync(stubFile, stub);
        log(`  updated notebooks/homework/${week}.ts`);
      } else {
        problem(`notebooks/homework/${week}.ts is ${current === undefined ? 'missing' : 'out of date'}: run \`npm run validate -- --update-stubs\``);
      }
    }
  }

  log('2. solutions and stubs type-check');
  const files = weeks.flatMap((w) => [path.join(l.solutionsDir, `${w}.ts`), path.join(l.stubsDir, `${w}.ts`)]).filter((f) => fs.existsSync(f));
  const types = await typeCheckInChild({ root: l.root, files });
  if (!types) problem('the type check did not finish');
  else for (const [file, errors] of Object.entries(types)) for (const e of errors) problem(`${path.relative(l.root, file)}: ${e}`);

  log('3. tests: points declared, solutions 100%, stubs 0 (in the sandbox)');
  const grader = Grader.create({ root: l.root, weeks, hidden: true });
  const solutions = await grader.grade({ student: 'solutions', dir: l.solutionsDir });
  for (const t of (grader.plan ?? []).filter((p) => p.points === undefined)) problem(`${t.id}: the title declares no points ("… [2 pts]")`);
  for (const f of failures(solutions, true)) problem(`solution fails ${f}`);
  log(`  solutions: ${solutions.points} / ${solutions.max} (public ${solutions.public.points}/${solutions.public.max}, hidden ${solutions.hidden?.points}/${solutions.hidden?.max})`);
  const stubDir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-stubs-'));
  try {
    for (const week of weeks) {
      if (fs.existsSync(path.join(l.solutionsDir, `${week}.ts`))) fs.writeFileSync(path.join(stubDir, `${week}.ts`), expectedStub(l, week));
    }
    const stubs = await grader.grade({ student: 'stubs', dir: stubDir });
    for (const f of failures(stubs, false)) problem(`stub ${f}`);
    log(`  stubs: ${stubs.points} / ${stubs.max}`);
  } finally {
    fs.rmSync(stubDir, { recursive: true, force: true });
  }

  if (!options.skipNotebooks) {
    log('4. homework notebooks run against the solutions (quick mode)');
    const work = path.join(l.root, 'build', 'validate', 'homework');
    fs.rmSync(work, { recursive: true, force: true });
    fs.mkdirSync(work, { recursive: true });
    const notebooks: string[] = [];
    for (const week of weeks) {
      const nb = path.join(l.stubsDir, `${week}.ipynb`);
      if (!fs.existsSync(nb)) {
        problem(`notebooks/homework/${week}.ipynb is missing`);
        continue;
      }
      if (!/selfCheck\(\s*['"]/.test(lastCodeCell(nb)) || !lastCodeCell(nb).includes(week)) problem(`${week}.ipynb: the last code cell must be the self-check (selfCheck('${week}'))`);
      fs.copyFileSync(nb, path.join(work, `${week}.ipynb`));
      fs.copyFileSync(path.join(l.solutionsDir, `${week}.ts`), path.join(work, `${week}.ts`));
      notebooks.push(path.join(work, `${week}.ipynb`));
    }
    for (const extra of fs.readdirSync(l.stubsDir)) {
      // Helper modules beside the notebooks (not hwNN.ts) go along.
      if (extra.endsWith('.ts') && !/^hw\d\d\.ts$/.test(extra)) fs.copyFileSync(path.join(l.stubsDir, extra), path.join(work, extra));
    }
    const results = await runNotebooks(notebooks, {
      root: l.root,
      quick: true,
      jobs: options.jobs ?? 1,
      timeoutSeconds: 300,
      outDir: path.join(l.root, 'build', 'validate', 'executed'),
      onDone: (r) => log(`  ${path.basename(r.file)}: ${r.failure ? 'failed' : `${r.report?.errors.length ? 'errors' : 'ok'}`} (${r.seconds.toFixed(1)} s)`),
    });
    for (const r of results) {
      const name = path.basename(r.file);
      if (r.failure) problem(`${name}: ${r.failure}`);
      for (const e of r.report?.errors ?? []) problem(`${name} cell ${e.codeNumber}: ${e.message ?? e.status}`);
      for (const c of r.report?.cells ?? []) if (c.stderr) problem(`${name} cell ${c.codeNumber} wrote to stderr`);
    }
  }
  if (options.mutants) {
    log(`5. mutants: each must fail a test the solution passes (${options.mutantsRunner ?? 'sandbox'})`);
    const report = await runMutants({ root: l.root, weeks, jobs: options.jobs, runner: options.mutantsRunner, only: options.mutantIds, baseline: solutions, log });
    log(mutantTable(report));
    const out = path.join(l.root, 'build', 'validate', 'mutants.json');
    fs.mkdirSync(path.dirname(out), { recursive: true });
    fs.writeFileSync(out, JSON.stringify(report, null, 2) + '\n');
    log(`  report: ${path.relative(l.root, out)} (${(report.durationMs / 1000).toFixed(1)} s)`);
    for (const w of report.weeks) {
      for (const r of w.results) {
        if (r.status === 'survived') problems.push(`mutant ${r.week}/${r.id} survived (no test fails): ${r.description}`);
        if (r.status === 'error') problems.push(`mutant ${r.week}/${r.id}: ${r.error}`);
      }
    }
  }
  log(problems.length === 0 ? 'validate: all good' : `validate: ${problems.length} problem${problems.length === 1 ? '' : 's'}`);
  return { ok: problems.length === 0, problems };
}
