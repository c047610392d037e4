/**
 * Grading a class: every folder in the submissions folder is one student's copy of
 * `notebooks/homework/`. Each is graded in its own sandboxed process (a few at a time), so one bad
 * submission never stops the others. Writes, under the output folder:
 *
 * - `gradebook.csv`: one row per student (see report.ts `gradebookCsv` for the columns);
 * - `reports/<student>.json`: the full report (schema `genbook-grade-report/1`, see report.ts);
 * - `feedback/<student>.md`: the student's feedback (no hidden-test messages or code).
 *
 * `<student>` is `fileName(folder name)`: the name itself when it is plain, else an escaped name
 * plus a hash of the real one, so no two folders share a report.
 *
 * One student, one failure domain (issue 16): anything that goes wrong while grading one student
 * (a grader error, a file that cannot be read, a scratch folder that cannot be removed) is that
 * student's failed report or a note in the log, and the class goes on; each student is type-checked
 * in a program of their own; every folder is read before any submission's code runs.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { compileSubmission, Grader, GraderOptions, weekSummary } from './engine';
import { networkNotice } from './node-flags';
import { describeOsLayer, osSandboxStatus } from './os-sandbox';
import type { PlannedTest } from './protocol';
import { feedbackMarkdown, gradebookCsv, REPORT_SCHEMA, score, StudentReport, TestReport, WeekReport } from './report';
import { presentInSubmission } from './submission-files';
import { SubmissionTypeCheckOutcome, typeCheckSubmissions } from './typecheck';

export interface ClassOptions extends GraderOptions {
  submissionsDir: string;
  outDir: string;
  /** Submissions graded at once (default: the number of CPU cores). */
  jobs?: number;
  /** Type-check the submissions for the feedback (default true). */
  typecheck?: boolean;
  /** Progress lines (default console.log). */
  log?: (line: string) => void;
}

export interface ClassResult {
  reports: StudentReport[];
  weeks: string[];
  gradebookFile: string;
  durationMs: number;
}

const PLAIN_NAME = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,63}$/;
const HASHED = /-[0-9a-f]{10}$/;

/**
 * The file name (without extension) of a student's report and feedback. A plain name (letters,
 * digits, `_ . @ -`, at most 64, not ending like a hash) is kept as it is; any other name becomes
 * its escaped form (other characters as `_`, at most 40) plus `-` and 10 hex digits of the SHA-256
 * of the real name. The two kinds never meet (only hashed names end in `-` + 10 hex digits), so
 * `victim x`, `victim+x` and `victim_x` get three files; `fileNames` catches what is left (a hash
 * collision, names equal but for case on a case-insensitive disk).
 */
export function fileName(student: string): string {
  if (PLAIN_NAME.test(student) && !HASHED.test(student)) return student;
  const hash = crypto.createHash('sha256').update(student, 'utf8').digest('hex').slice(0, 10);
  const escaped = student.replace(/[^A-Za-z0-9_.@-]/g, '_').replace(/^[._]+/, '').slice(0, 40);
  return `${escaped || 'student'}-${hash}`;
}

/**
 * `fileName` for every student, with collisions (compared ignoring case, as macOS and Windows
 * disks do) resolved by a numbered suffix and reported through `onCollision`.
 */
export function fileNames(students: readonly string[], onCollision: (names: string[], file: string) => void = () => {}): Map<string, string> {
  const out = new Map<string, string>();
  const byKey = new Map<string, string[]>();
  for (const s of students) {
    const f = fileName(s);
    const key = f.toLowerCase();
    byKey.set(key, [...(byKey.get(key) ?? []), s]);
    out.set(s, f);
  }
  const taken = new Set([...out.values()].map((f) => f.toLowerCase()));
  for (const [key, names] of byKey) {
    if (names.length < 2) continue;
    onCollision(names, out.get(names[0]) as string);
    names.slice(1).forEach((name, i) => {
      let n = i + 2;
      while (taken.has(`${key}~${n}`)) n++;
      const file = `${out.get(name)}~${n}`;
      taken.add(file.toLowerCase());
      out.set(name, file);
    });
  }
  return out;
}

/** A report for a student whose grading failed: every planned test at 0 with the reason. */
export function failedReport(student: string, reason: string, plan: readonly PlannedTest[], weeks: readonly string[], hidden: boolean, dir?: string): StudentReport {
  const weekReports: WeekReport[] = weeks.map((week) => {
    const tests: TestReport[] = plan
      .filter((t) => t.week === week)
      .map((t) => ({ id: t.id, kind: t.kind, suite: t.suite, title: t.title, points: 0, max: t.points ?? 0, passed: false, status: 'not-run', message: 'not run: grading this submission failed (the reason is in the instructor\'s report)', durationMs: 0 }));
    const all = score(tests);
    const report: WeekReport = {
      week,
      file: `${week}.ts`,
      present: dir !== undefined && presentInSubmission(path.join(dir, `${week}.ts`)),
      points: 0,
      max: all.max,
      public: score(tests.filter((t) => t.kind === 'public')),
      typeErrors: [],
      tests,
    };
    if (hidden) report.hidden = score(tests.filter((t) => t.kind === 'hidden'));
    return report;
  });
  const all = weekReports.flatMap((w) => w.tests);
  const report: StudentReport = {
    schema: REPORT_SCHEMA,
    student,
    gradedAt: new Date().toISOString(),
    hiddenIncluded: hidden,
    points: 0,
    max: score(all).max,
    public: score(all.filter((t) => t.kind === 'public')),
    weeks: weekReports,
    run: { processes: 0, durationMs: 0, stdoutTail: '', stderrTail: '' },
    gradingError: reason,
  };
  if (hidden) report.hidden = score(all.filter((t) => t.kind === 'hidden'));
  return report;
}

export function listSubmissions(submissionsDir: string): { student: string; dir: string }[] {
  if (!fs.existsSync(submissionsDir) || !fs.statSync(submissionsDir).isDirectory()) {
    throw new Error(`submissions folder not found: ${submissionsDir}`);
  }
  return fs
    .readdirSync(submissionsDir, { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith('.'))
    .map((e) => ({ student: e.name, dir: path.join(submissionsDir, e.name) }))
    .sort((a, b) => a.student.localeCompare(b.student));
}

function seconds(ms: number): string {
  return `${(ms / 1000).toFixed(1)} s`;
}

export async function gradeClass(options: ClassOptions): Promise<ClassResult> {
  const started = Date.now();
  const log = options.log ?? console.log;
  const students = listSubmissions(options.submissionsDir);
  for (const e of fs.readdirSync(options.submissionsDir, { withFileTypes: true })) {
    if (!e.isDirectory() && !e.name.startsWith('.')) log(`note: skipped ${JSON.stringify(e.name)}: not a folder (a submission must be a real folder, not a link or a file)`);
  }
  const files = fileNames(
    students.map((s) => s.student),
    (names, file) => log(`note: the folders ${names.map((n) => JSON.stringify(n)).join(', ')} share the file name ${file}; they get ${file}, ${file}~2, …`),
  );
  const grader = Grader.create({ ...options, onScratchLeft: options.onScratchLeft ?? ((dir, reason) => log(`note: scratch folder left behind (${reason}); remove ${dir} by hand`)) });
  const jobs = Math.max(1, Math.floor(options.jobs ?? (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length)));
  const weeks = grader.weeks;
  const range = weeks.length > 1 ? `${weeks[0]}–${weeks[weeks.length - 1]}` : weeks[0];
  log(`grading ${students.length} submission${students.length === 1 ? '' : 's'}: ${range}, ${grader.hidden ? 'public + hidden' : 'public'} tests, ${jobs} at a time`);
  log(describeOsLayer());
  // The network is open only where neither the OS layer nor the permission model (Node 25+) closes it.
  const notice = osSandboxStatus().available ? undefined : networkNotice();
  if (notice !== undefined) log(notice);

  const typeCheck: Promise<Map<string, SubmissionTypeCheckOutcome> | undefined> =
    options.typecheck === false
      ? Promise.resolve(undefined)
      : typeCheckSubmissions(
          grader.layout.root,
          students.map((s) => ({ dir: s.dir, files: weeks.map((w) => path.join(s.dir, `${w}.ts`)).filter((f) => presentInSubmission(f)) })),
        ).catch((e: unknown) => {
          log(`note: the type check failed (${e instanceof Error ? e.message : String(e)}); reports list no type errors`);
          return undefined;
        });
  const failed = async (student: string, dir: string, e: unknown): Promise<StudentReport> => {
    const reason = e instanceof Error ? e.message : String(e);
    if (!grader.plan) {
      try {
        await grader.discover();
      } catch {
        // the tests themselves cannot be registered: the report lists no tests
      }
    }
    return failedReport(student, reason, grader.plan ?? [], weeks, grader.hidden, dir);
  };

  // Every folder is read (and compiled) before any submission runs: code that writes outside its
  // scratch (process.report ignores the permission model) cannot change a classmate's file before
  // the grader has read it.
  const compiled = students.map(({ dir }) => {
    try {
      return compileSubmission(dir, weeks);
    } catch (e) {
      return weeks.map((week) => ({ week, loadError: `could not read the submission: ${e instanceof Error ? e.message : String(e)}` }));
    }
  });

  const reports: StudentReport[] = new Array(students.length);
  let next = 0;
  let finished = 0;
  const width = String(students.length).length;
  const nameWidth = Math.min(24, Math.max(...students.map((s) => s.student.length), 7));
  const worker = async () => {
    while (next < students.length) {
      const index = next++;
      const { student, dir } = students[index];
      let report: StudentReport;
      try {
        report = await grader.grade({ student, dir, submissions: compiled[index] });
      } catch (e) {
        report = await failed(student, dir, e);
      }
      reports[index] = report;
      finished++;
      const issues = report.weeks.flatMap((w) => w.tests).filter((t) => t.status === 'timeout' || t.status === 'crashed' || t.status === 'not-run');
      const note =
        report.gradingError !== undefined
          ? `; grading failed: ${report.gradingError.split('\n')[0].slice(0, 200)}`
          : issues.length > 0
            ? `; ${issues.length} test${issues.length === 1 ? '' : 's'} timed out or crashed`
            : '';
      log(
        `[${String(finished).padStart(width)}/${students.length}] ${student.padEnd(nameWidth)} ${String(report.points).padStart(5)}/${report.max}  ${weekSummary(report)}  (${seconds(report.run.durationMs)}, ${report.run.processes} process${report.run.processes === 1 ? '' : 'es'}${note})`,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, students.length) }, worker));

  const types = await typeCheck;
  students.forEach(({ student, dir }, i) => {
    const outcome = types?.get(dir);
    if (outcome && !outcome.ok) log(`note: ${student}: ${outcome.reason}; the report lists no type errors`);
    for (const week of reports[i].weeks) week.typeErrors = outcome?.ok ? (outcome.result[path.join(dir, week.file)] ?? []) : [];
  });

  fs.mkdirSync(path.join(options.outDir, 'reports'), { recursive: true });
  fs.mkdirSync(path.join(options.outDir, 'feedback'), { recursive: true });
  for (const report of reports) {
    const name = files.get(report.student) as string;
    fs.writeFileSync(path.join(options.outDir, 'reports', `${name}.json`), JSON.stringify(report, null, 2) + '\n');
    fs.writeFileSync(path.join(options.outDir, 'feedback', `${name}.md`), feedbackMarkdown(report));
  }
  const gradebookFile = path.join(options.outDir, 'gradebook.csv');
  fs.writeFileSync(gradebookFile, gradebookCsv(reports, weeks));
  const durationMs = Date.now() - started;
  log(`graded ${students.length} submissions in ${seconds(durationMs)}; gradebook: ${gradebookFile}`);
  return { reports, weeks, gradebookFile, durationMs };
}
