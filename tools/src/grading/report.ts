/**
 * What grading writes: one JSON report per student (schema `genbook-grade-report/1`, below), a
 * Markdown feedback file per student, and the class gradebook (CSV).
 *
 * ## Report schema `genbook-grade-report/1`
 * ```
 * {
 *   "schema": "genbook-grade-report/1",
 *   "student": "alice",                 // the submission folder's name
 *   "gradedAt": "2025-…Z",
 *   "hiddenIncluded": true,              // graded with --hidden
 *   "points": 57, "max": 60,             // public + hidden (when included)
 *   "public": { "points": 30, "max": 30 },
 *   "hidden": { "points": 27, "max": 30 },   // absent without --hidden
 *   "weeks": [{
 *     "week": "hw01", "file": "hw01.ts", "present": true,
 *     "points": 9, "max": 10, "public": {…}, "hidden": {…},
 *     "loadError": "syntax error in hw01.ts: …",   // absent when the module loaded
 *     "typeErrors": ["hw01.ts:12:5 Type 'string' is not assignable to type 'number'."],
 *     "tests": [{
 *       "id": "hw01/public/Task 1: entropy > a fair coin has 1 bit",
 *       "kind": "public" | "hidden", "suite": ["Task 1: entropy"], "title": "a fair coin has 1 bit",
 *       "points": 2, "max": 2, "passed": true,
 *       "status": "passed" | "failed" | "timeout" | "crashed" | "not-run",
 *       "message": "",                   // why it failed (assertion, error, limit)
 *       "durationMs": 3
 *     }]
 *   }],
 *   "run": { "processes": 1, "durationMs": 5400, "stdoutTail": "…", "stderrTail": "…" },
 *   "gradingError": "…"                 // only when grading this student failed (every test then scores 0)
 * }
 * ```
 * Points are all-or-nothing per test. `public` and `hidden` are kept apart at every level.
 */
import { csvCell } from './csv';
import type { TestKind } from './protocol';
import { formatPoints, round } from './points';
import type { TestStatus } from './sandbox';

export const REPORT_SCHEMA = 'genbook-grade-report/1';

export interface Score {
  points: number;
  max: number;
}

export interface TestReport {
  id: string;
  kind: TestKind;
  suite: string[];
  title: string;
  points: number;
  max: number;
  passed: boolean;
  status: TestStatus;
  message: string;
  durationMs: number;
}

export interface WeekReport {
  week: string;
  file: string;
  present: boolean;
  points: number;
  max: number;
  public: Score;
  hidden?: Score;
  loadError?: string;
  typeErrors: string[];
  tests: TestReport[];
}

export interface StudentReport {
  schema: typeof REPORT_SCHEMA;
  student: string;
  gradedAt: string;
  hiddenIncluded: boolean;
  points: number;
  max: number;
  public: Score;
  hidden?: Score;
  weeks: WeekReport[];
  run: { processes: number; durationMs: number; stdoutTail: string; stderrTail: string };
  /** Why grading this student failed, when it did (every test then scores 0). Instructors only: not in the feedback. */
  gradingError?: string;
}

export function score(tests: readonly TestReport[]): Score {
  return {
    points: round(tests.reduce((s, t) => s + t.points, 0)),
    max: round(tests.reduce((s, t) => s + t.max, 0)),
  };
}

function escapeCell(text: string): string {
  return text.replace(/\|/g, '\\|').replace(/\r?\n/g, '<br>');
}

function firstLine(text: string, limit = 300): string {
  const line = text.split('\n')[0];
  return line.length > limit ? `${line.slice(0, limit)}…` : line;
}

/**
 * The student's feedback in Markdown. Public tests are listed with their messages; hidden tests
 * only with their titles and points, never their messages, inputs or code.
 */
export function feedbackMarkdown(report: StudentReport): string {
  const lines: string[] = [];
  lines.push(`# Homework feedback: ${report.student}`, '');
  const split = report.hidden ? ` (public ${report.public.points}/${report.public.max}, hidden ${report.hidden.points}/${report.hidden.max})` : '';
  lines.push(`**Total: ${report.points} / ${report.max} points**${split}`, '');
  // The reason may quote what the submission printed or sent (possibly a hidden test's input), so
  // the student sees only that grading failed; the reason is in the instructor's report.
  if (report.gradingError !== undefined) lines.push('The grader could not finish grading this submission, so every test counts as not passed. Your instructor has the details.', '');
  lines.push('| week | public | hidden | total |', '| --- | --- | --- | --- |');
  for (const w of report.weeks) {
    lines.push(`| ${w.week} | ${w.public.points} / ${w.public.max} | ${w.hidden ? `${w.hidden.points} / ${w.hidden.max}` : '—'} | ${w.points} / ${w.max} |`);
  }
  lines.push('');
  for (const w of report.weeks) {
    lines.push(`## ${w.week}: ${w.points} / ${w.max} points`, '');
    if (!w.present) lines.push(`\`${w.file}\` was not in the submission.`, '');
    else if (w.loadError) lines.push('Your file could not be loaded, so its tests could not call your functions:', '', '```', w.loadError, '```', '');
    if (w.typeErrors.length > 0) {
      lines.push('Type errors (the grader ran your code anyway; the notebook would stop at these):', '');
      for (const e of w.typeErrors) lines.push(`- \`${e}\``);
      lines.push('');
    }
    const pub = w.tests.filter((t) => t.kind === 'public');
    if (pub.length > 0) {
      lines.push('### Public tests', '', '| task | test | points | result | message |', '| --- | --- | --- | --- | --- |');
      for (const t of pub) {
        const result = t.passed ? 'passed' : t.status === 'failed' ? 'failed' : t.status;
        lines.push(`| ${escapeCell(t.suite.join(' › '))} | ${escapeCell(t.title)} | ${t.points} / ${t.max} | ${result} | ${t.passed ? '' : escapeCell(firstLine(t.message))} |`);
      }
      lines.push('');
    }
    const hid = w.tests.filter((t) => t.kind === 'hidden');
    if (hid.length > 0 && w.hidden) {
      lines.push(`### Hidden tests: ${w.hidden.points} / ${w.hidden.max} points`, '');
      lines.push('Hidden tests check the same tasks on other inputs; only their titles are shown.', '');
      lines.push('| task | test | points | result |', '| --- | --- | --- | --- |');
      for (const t of hid) lines.push(`| ${escapeCell(t.suite.join(' › '))} | ${escapeCell(t.title)} | ${t.points} / ${t.max} | ${t.passed ? 'passed' : 'not passed'} |`);
      lines.push('');
    }
  }
  return lines.join('\n');
}

/**
 * The gradebook: one row per student. Columns: `student`, one per week (points, public + hidden),
 * `total`, `max`, then `public`, `public_max` and (with hidden tests) `hidden`, `hidden_max`.
 */
export function gradebookCsv(reports: readonly StudentReport[], weeks: readonly string[]): string {
  const hidden = reports.some((r) => r.hidden !== undefined);
  const header = ['student', ...weeks, 'total', 'max', 'public', 'public_max', ...(hidden ? ['hidden', 'hidden_max'] : [])];
  const rows = reports.map((r) => {
    const perWeek = weeks.map((w) => r.weeks.find((x) => x.week === w)?.points ?? 0);
    const cells: (string | number)[] = [r.student, ...perWeek, r.points, r.max, r.public.points, r.public.max];
    if (hidden) cells.push(r.hidden?.points ?? 0, r.hidden?.max ?? 0);
    return cells.map(csvCell).join(',');
  });
  return [header.join(','), ...rows].join('\n') + '\n';
}

/** A plain-text table (the `check` command and the notebook self-check). */
export function textTable(header: readonly string[], rows: readonly (readonly string[])[], maxWidths: readonly number[] = []): string {
  const clipCell = (s: string, i: number) => {
    const limit = maxWidths[i];
    const one = s.replace(/\s*\n\s*/g, ' ');
    return limit && one.length > limit ? `${one.slice(0, limit - 1)}…` : one;
  };
  const body = rows.map((r) => r.map(clipCell));
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]))).join('  ').trimEnd();
  return [line(header), line(widths.map((w) => '-'.repeat(w))), ...body.map(line)].join('\n');
}

/** The check table for one week of a report: task, test, points, result, message. */
export function checkTable(week: WeekReport, messageWidth = 70): string {
  const rows = week.tests.map((t) => [t.suite.join(' › '), t.title, `${t.points}/${t.max}`, t.passed ? 'passed' : t.status === 'failed' ? 'FAILED' : t.status.toUpperCase(), t.passed ? '' : t.message]);
  const head = `${week.week}: ${week.public.points} / ${week.public.max} points on the public tests`;
  const load = week.loadError ? `\n${week.loadError}\n` : '';
  return `${head}${load}\n\n${textTable(['task', 'test', 'points', 'result', 'message'], rows, [28, 44, 0, 0, messageWidth])}`;
}

export function describeScore(s: Score): string {
  return `${s.points} / ${formatPoints(s.max)}`;
}
