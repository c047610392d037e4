/**
 * Grading a class: every folder in the submissions folder is one student's copy of
 * `notebooks/homework/`. Each is graded in its own sandboxed process (a few at a time), so one bad
 * submission never stops the others. Writes, under the output folder:
 *
 * - `gradebook.csv`: one row per student (see report.ts `gradebookCsv` for the columns);
 * - `reports/<student>.json`: the full report (schema `genbook-grade-report/1`, see report.ts);
 * - `feedback/<student>.md`: the student's feedback (no hidden-test messages or code).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { Grader, GraderOptions, weekSummary } from './engine';
import { networkNotice } from './node-flags';
import { feedbackMarkdown, gradebookCsv, StudentReport } from './report';
import { typeCheckInChild, TypeCheckResult } from './typecheck';

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

/** File-system-safe version of a student's folder name. */
export function fileName(student: string): string {
  return student.replace(/[^A-Za-z0-9_.@-]/g, '_');
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
  const grader = Grader.create(options);
  const jobs = Math.max(1, Math.floor(options.jobs ?? (typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length)));
  const weeks = grader.weeks;
  const range = weeks.length > 1 ? `${weeks[0]}–${weeks[weeks.length - 1]}` : weeks[0];
  log(`grading ${students.length} submission${students.length === 1 ? '' : 's'}: ${range}, ${grader.hidden ? 'public + hidden' : 'public'} tests, ${jobs} at a time`);
  const notice = networkNotice();
  if (notice !== undefined) log(notice);

  const typeCheck: Promise<TypeCheckResult | undefined> =
    options.typecheck === false
      ? Promise.resolve(undefined)
      : typeCheckInChild({ root: grader.layout.root, files: students.flatMap((s) => weeks.map((w) => path.join(s.dir, `${w}.ts`))).filter((f) => fs.existsSync(f)) });

  const reports: StudentReport[] = new Array(students.length);
  let next = 0;
  let finished = 0;
  const width = String(students.length).length;
  const nameWidth = Math.min(24, Math.max(...students.map((s) => s.student.length), 7));
  const worker = async () => {
    while (next < students.length) {
      const index = next++;
      const { student, dir } = students[index];
      const report = await grader.grade({ student, dir });
      reports[index] = report;
      finished++;
      const issues = report.weeks.flatMap((w) => w.tests).filter((t) => t.status === 'timeout' || t.status === 'crashed' || t.status === 'not-run');
      const note = issues.length > 0 ? `; ${issues.length} test${issues.length === 1 ? '' : 's'} timed out or crashed` : '';
      log(
        `[${String(finished).padStart(width)}/${students.length}] ${student.padEnd(nameWidth)} ${String(report.points).padStart(5)}/${report.max}  ${weekSummary(report)}  (${seconds(report.run.durationMs)}, ${report.run.processes} process${report.run.processes === 1 ? '' : 'es'}${note})`,
      );
    }
  };
  await Promise.all(Array.from({ length: Math.min(jobs, students.length) }, worker));

  const types = await typeCheck;
  if (options.typecheck !== false && !types) log('note: the type check did not finish; reports list no type errors');
  for (const report of reports) {
    for (const week of report.weeks) {
      const file = path.join(students.find((s) => s.student === report.student)?.dir ?? '', week.file);
      week.typeErrors = types?.[file] ?? [];
    }
  }

  fs.mkdirSync(path.join(options.outDir, 'reports'), { recursive: true });
  fs.mkdirSync(path.join(options.outDir, 'feedback'), { recursive: true });
  for (const report of reports) {
    fs.writeFileSync(path.join(options.outDir, 'reports', `${fileName(report.student)}.json`), JSON.stringify(report, null, 2) + '\n');
    fs.writeFileSync(path.join(options.outDir, 'feedback', `${fileName(report.student)}.md`), feedbackMarkdown(report));
  }
  const gradebookFile = path.join(options.outDir, 'gradebook.csv');
  fs.writeFileSync(gradebookFile, gradebookCsv(reports, weeks));
  const durationMs = Date.now() - started;
  log(`graded ${students.length} submissions in ${seconds(durationMs)}; gradebook: ${gradebookFile}`);
  return { reports, weeks, gradebookFile, durationMs };
}
