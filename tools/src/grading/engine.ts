/**
 * Grading: compile the tests once, register them in a sandbox (the plan: every test, its points
 * and time limit), then run each submission (a trusted test runner plus its sandboxed host, see
 * runner.ts and host.ts) and turn the outcomes into
 * reports. Used by `genbook grade`, `genbook check`, `genbook validate` and the notebooks'
 * self-check cell.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { bundle, CompileError } from './compile';
import { checkWeek, hiddenTestFile, Layout, layout, listWeeks, publicTestFile } from './layout';
import { round } from './points';
import { TARGET_KEY } from './protocol';
import type { PlannedTest, SubmissionModule, SuiteBundle, TestKind } from './protocol';
import { REPORT_SCHEMA, score, StudentReport, TestReport, WeekReport } from './report';
import { discover, runSubmission, SandboxOptions, TestOutcome } from './sandbox';
import { removeScratch } from './scratch';
import { presentInSubmission, SubmissionFiles } from './submission-files';

export interface GraderOptions {
  /** Project root (default: this checkout). */
  root?: string;
  /** Weeks to grade (default: every week with public tests). */
  weeks?: string[];
  /** Include the hidden tests (tests/hidden/hwNN.test.ts). */
  hidden?: boolean;
  /** Default per-test time limit in seconds (default 30; a test may declare more). */
  testTimeoutSeconds?: number;
  /** Time limit per submission in seconds (default 600). */
  submissionTimeoutSeconds?: number;
  /** V8 heap cap per submission in MB (default 1024). */
  memoryMb?: number;
  /** Where scratch folders go (default: the OS temp folder). */
  scratchRoot?: string;
  /** Environment for the test runners and hosts (GENBOOK_QUICK=1 and PATH are always set). */
  env?: Record<string, string>;
  /** Told about a scratch folder that could not be removed (default: a line on stderr); never fatal. */
  onScratchLeft?: (dir: string, reason: string) => void;
}

/**
 * Compile the test files of the chosen weeks into bundles: every week's public tests, then every
 * week's hidden tests. The order matters: the submission sees a test's inputs, so no public test
 * (whose messages the student reads) runs after a hidden one — the public part of the feedback is
 * the same with or without the hidden tests.
 */
export function compileSuites(l: Layout, weeks: readonly string[], hidden: boolean): SuiteBundle[] {
  const testsDir = path.join(l.root, 'tests');
  const provided = new Set([TARGET_KEY]);
  const suites: SuiteBundle[] = [];
  const files: [string, TestKind, string][] = weeks.map((week) => [week, 'public', publicTestFile(l, week)]);
  if (hidden) files.push(...weeks.map((week): [string, TestKind, string] => [week, 'hidden', hiddenTestFile(l, week)]));
  for (const [week, kind, file] of files) {
    if (!fs.existsSync(file)) {
      if (kind === 'hidden') throw new Error(`--hidden: ${path.relative(l.root, file)} does not exist (the student edition has no hidden tests)`);
      throw new Error(`no public tests for ${week}: ${path.relative(l.root, file)} does not exist`);
    }
    suites.push({ week, kind, bundle: bundle(testsDir, file, { provided }) });
  }
  return suites;
}

/** Compile a submission folder's `hwNN.ts` files; a missing file or syntax error becomes a loadError. */
export function compileSubmission(dir: string, weeks: readonly string[]): SubmissionModule[] {
  let files: SubmissionFiles;
  try {
    files = new SubmissionFiles(dir);
  } catch (e) {
    return weeks.map((week) => ({ week, loadError: (e as Error).message }));
  }
  return weeks.map((week) => {
    const file = path.join(dir, `${week}.ts`);
    if (!files.present(file)) return { week, loadError: `${week}.ts is not in the submission` };
    try {
      return { week, bundle: bundle(dir, file, { files }) };
    } catch (e) {
      return { week, loadError: e instanceof CompileError ? e.message : `could not compile ${week}.ts: ${String(e)}` };
    }
  });
}

export interface GradeRequest {
  student: string;
  dir: string;
  typeErrors?: Record<string, string[]>;
  onResult?: (outcome: TestOutcome) => void;
  /** The submission already compiled (`compileSubmission(dir, weeks)`): a class reads every folder before any code runs. */
  submissions?: SubmissionModule[];
}

export class Grader {
  private constructor(
    readonly layout: Layout,
    readonly weeks: string[],
    readonly hidden: boolean,
    readonly suites: SuiteBundle[],
    private readonly options: GraderOptions,
  ) {}

  /** The tests as the sandbox registered them; known after the first `grade` (or `discover`). */
  plan: PlannedTest[] | undefined;

  /** Compile the tests of the chosen weeks. */
  static create(options: GraderOptions = {}): Grader {
    const l = layout(options.root);
    const weeks = (options.weeks ?? listWeeks(l)).map(checkWeek);
    if (weeks.length === 0) throw new Error(`no homework tests found in ${l.publicTestsDir}`);
    const hidden = options.hidden ?? false;
    return new Grader(l, weeks, hidden, compileSuites(l, weeks, hidden), options);
  }

  /** Register the tests in a sandbox without any submission: every test, its points and limit. */
  async discover(): Promise<PlannedTest[]> {
    const scratch = fs.mkdtempSync(path.join(this.options.scratchRoot ?? os.tmpdir(), 'genbook-discover-'));
    try {
      this.plan = await discover(this.suites, sandboxOptions(this.layout, this.options, scratch));
      return this.plan;
    } finally {
      removeScratch(scratch, this.options.onScratchLeft);
    }
  }

  /** Grade one submission folder (a copy of a student's notebooks/homework/). */
  async grade(request: GradeRequest): Promise<StudentReport> {
    const submissions = request.submissions ?? compileSubmission(request.dir, this.weeks);
    const scratch = fs.mkdtempSync(path.join(this.options.scratchRoot ?? os.tmpdir(), `genbook-scratch-${safeName(request.student)}-`));
    try {
      const outcome = await runSubmission(this.plan, this.suites, submissions, { ...sandboxOptions(this.layout, this.options, scratch), onResult: request.onResult });
      this.plan ??= outcome.plan;
      const weeks: WeekReport[] = this.weeks.map((week) => {
        const tests: TestReport[] = outcome.plan
          .filter((t) => t.week === week)
          .map((t) => {
            const r = outcome.results.get(t.id) as TestOutcome;
            const max = t.points ?? 0;
            return { id: t.id, kind: t.kind, suite: t.suite, title: t.title, points: r.passed ? max : 0, max, passed: r.passed, status: r.status, message: r.message, durationMs: r.durationMs };
          });
        const file = path.join(request.dir, `${week}.ts`);
        const all = score(tests);
        const report: WeekReport = {
          week,
          file: `${week}.ts`,
          present: presentInSubmission(file),
          points: all.points,
          max: all.max,
          public: score(tests.filter((t) => t.kind === 'public')),
          typeErrors: request.typeErrors?.[file] ?? [],
          tests,
        };
        if (this.hidden) report.hidden = score(tests.filter((t) => t.kind === 'hidden'));
        const loadError = outcome.loadErrors.get(week);
        if (loadError && report.present) report.loadError = loadError;
        return report;
      });
      const allTests = weeks.flatMap((w) => w.tests);
      const total = score(allTests);
      const report: StudentReport = {
        schema: REPORT_SCHEMA,
        student: request.student,
        gradedAt: new Date().toISOString(),
        hiddenIncluded: this.hidden,
        points: total.points,
        max: total.max,
        public: score(allTests.filter((t) => t.kind === 'public')),
        weeks,
        run: { processes: outcome.processes, durationMs: outcome.durationMs, stdoutTail: outcome.stdoutTail, stderrTail: outcome.stderrTail },
      };
      if (this.hidden) report.hidden = score(allTests.filter((t) => t.kind === 'hidden'));
      return report;
    } finally {
      removeScratch(scratch, this.options.onScratchLeft);
    }
  }
}

function safeName(s: string): string {
  return s.replace(/[^A-Za-z0-9_.-]/g, '_').slice(0, 40);
}

function sandboxOptions(l: Layout, o: GraderOptions, scratchDir: string): SandboxOptions {
  return {
    root: l.root,
    scratchDir,
    memoryMb: o.memoryMb,
    testTimeoutMs: o.testTimeoutSeconds === undefined ? undefined : o.testTimeoutSeconds * 1000,
    submissionTimeoutMs: o.submissionTimeoutSeconds === undefined ? undefined : o.submissionTimeoutSeconds * 1000,
    env: o.env,
  };
}

/** "hw01 10/10  hw02 4/12 …" for progress lines. */
export function weekSummary(report: StudentReport): string {
  return report.weeks.map((w) => `${w.week} ${round(w.points)}/${round(w.max)}`).join('  ');
}
