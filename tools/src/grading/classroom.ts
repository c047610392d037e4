/**
 * GitHub Classroom: the result format of its autograding runners and the student edition's
 * workflow.
 *
 * A runner (classroom-resources/autograding-command-grader, src/main.js `generateResult`) sets a
 * step output `result`: base64 of
 * ```
 * { "version": 1, "status": "pass" | "fail" | "error", "max_score": 21,
 *   "tests": [{ "name": "…", "status": "pass" | "fail" | "error", "score": 2, "message": "…",
 *               "test_code": "", "filename": "tests/homework/hw01.test.ts", "line_no": 0, "duration": 3 }] }
 * ```
 * The reporter (classroom-resources/autograding-grading-reporter@v1, src/main.js) reads each
 * runner's result from the environment variable `<RUNNER ID IN CAPITALS>_RESULTS`, decodes the
 * base64 JSON, prints every test (✅/❌, "Error: message" for status error), and reports to GitHub
 * Classroom `Points <Σ tests' score>/<Σ max_score>` (src/notify-classroom.js); the job fails when
 * a runner's status is fail or error. Its console table per runner shows (passed tests / tests) ×
 * max_score, which differs from the points when tests carry different points; Classroom records
 * the sum of the scores.
 *
 * `genbook check hwNN --format github-classroom` prints one such result for the week's public
 * tests (hidden tests never leave the instructor's checkout); the workflow below base64-encodes it
 * into the step output.
 */
import type { WeekReport } from './report';

export type ClassroomStatus = 'pass' | 'fail' | 'error';

export interface ClassroomTest {
  name: string;
  status: ClassroomStatus;
  score: number;
  message: string;
  test_code: string;
  filename: string;
  line_no: number;
  duration: number;
}

export interface ClassroomResult {
  version: 1;
  status: ClassroomStatus;
  max_score: number;
  tests: ClassroomTest[];
}

/**
 * Longest message kept per test. The reporter receives every week's result through one
 * environment variable each, and Linux caps a single environment string at 128 KiB.
 */
export const MESSAGE_LIMIT = 1000;

function clip(text: string, limit = MESSAGE_LIMIT): string {
  return text.length > limit ? `${text.slice(0, limit - 1)}…` : text;
}

/** The runner result for one week: its public tests only. */
export function classroomResult(week: WeekReport): ClassroomResult {
  const tests = week.tests
    .filter((t) => t.kind === 'public')
    .map((t): ClassroomTest => {
      const reason = t.passed ? '' : `${t.status === 'failed' ? '' : `[${t.status}] `}${t.message || 'failed'}`;
      const load = !t.passed && week.loadError && !reason.includes(week.loadError) ? `${week.loadError}\n` : '';
      return {
        name: `${week.week} › ${[...t.suite, t.title].join(' › ')}`,
        status: t.passed ? 'pass' : 'fail',
        score: t.points,
        message: clip(load + reason),
        test_code: '',
        filename: `tests/homework/${week.week}.test.ts`,
        line_no: 0,
        duration: t.durationMs,
      };
    });
  return {
    version: 1,
    status: tests.every((t) => t.status === 'pass') ? 'pass' : 'fail',
    max_score: week.public.max,
    tests,
  };
}

/** The runner result when the check itself could not run (no points, one errored entry). */
export function classroomError(week: string, message: string): ClassroomResult {
  return {
    version: 1,
    status: 'error',
    max_score: 0,
    tests: [{ name: `${week}: the self-check could not run`, status: 'error', score: 0, message: clip(message), test_code: '', filename: '', line_no: 0, duration: 0 }],
  };
}

/** The step id (and runner name) of a week: the reporter reads `<ID>_RESULTS`. */
export function runnerId(week: string): string {
  if (!/^[a-z0-9]+$/.test(week)) throw new RangeError(`a runner id must be lower-case letters and digits; got ${JSON.stringify(week)}`);
  return week;
}

/**
 * `.github/workflows/classroom.yml` of the student edition: on every push, install Node and the
 * project, run each week's public tests, and report through the Classroom reporter.
 */
export function classroomWorkflow(weeks: readonly string[], nodeVersion: string): string {
  if (weeks.length === 0) throw new RangeError('classroomWorkflow needs at least one week');
  const steps = weeks
    .map((w) => {
      const id = runnerId(w);
      return `      - name: ${w} public tests
        id: ${id}
        run: echo "result=$(node tools/dist/cli.js check ${w} --format github-classroom | base64 -w 0)" >> "$GITHUB_OUTPUT"`;
    })
    .join('\n');
  const env = weeks.map((w) => `          ${runnerId(w).toUpperCase()}_RESULTS: "\${{ steps.${runnerId(w)}.outputs.result }}"`).join('\n');
  return `# GitHub Classroom autograding for genbook (written by \`genbook release\`).
# Every push runs each week's public tests on notebooks/homework/hwNN.ts with
# \`genbook check hwNN --format github-classroom\` (the result format of
# classroom-resources/autograding-command-grader) and reports the points of every test to GitHub
# Classroom through classroom-resources/autograding-grading-reporter. The tables with each failed
# test's message are in the log of each week's step.
name: Autograding Tests
on:
  push:
  workflow_dispatch:
  repository_dispatch:
permissions:
  checks: write
  actions: read
  contents: read
jobs:
  run-autograding-tests:
    runs-on: ubuntu-latest
    if: github.actor != 'github-classroom[bot]'
    timeout-minutes: 30
    steps:
      - name: Checkout code
        uses: actions/checkout@v4
      - name: Set up Node
        uses: actions/setup-node@v4
        with:
          node-version: "${nodeVersion}"
          cache: npm
      - name: Install and build
        run: |
          npm ci --ignore-scripts --no-audit --no-fund
          npm run build
${steps}
      - name: Autograding Reporter
        uses: classroom-resources/autograding-grading-reporter@v1
        env:
${env}
        with:
          runners: ${weeks.map(runnerId).join(',')}
`;
}
