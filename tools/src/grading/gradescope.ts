/**
 * Gradescope: what the autograder writes, and the program `run_autograder` starts.
 *
 * Gradescope's autograder specification (gradescope-autograders.readthedocs.io/en/latest/specs/,
 * source: github.com/gradescope/autograder_samples docs/specs.md): the submission is in
 * `/autograder/submission`, the result goes to `/autograder/results/results.json`:
 *
 * ```
 * { "execution_time": 12,                      // seconds
 *   "output": "…", "output_format": "md",      // about the whole submission: load and type errors
 *   "tests": [{ "name": "Task 1: entropy › a fair coin has 1 bit",
 *               "score": 1, "max_score": 1, "status": "passed" | "failed",
 *               "output": "expected 0.5 to be close to 1 …",   // public tests only
 *               "visibility": "visible" | "after_published",   // public | hidden tests
 *               "extra_data": { "id": "hw01/public/…", "kind": "public", "status": "timeout", "duration_ms": 3 } }],
 *   "extra_data": { "schema": "genbook-gradescope/1", "week": "hw01", … } }
 * ```
 * Hidden tests are `after_published`: students see neither them nor their points until the
 * instructor publishes the grades, and never their messages (none are written). The top-level
 * output names the public score only. No top-level `score`: Gradescope adds up the tests, and a
 * total would reveal the hidden points before publication. Only when grading itself fails is a
 * top-level `score` of 0 written, with the reason, so that results.json always exists.
 *
 * Run as `node tools/dist/grading/gradescope.js --config autograder.json --submission DIR
 * --results FILE [--metadata submission_metadata.json]`. It writes a provisional results.json
 * (score 0, "grading did not finish") before it starts, so a grader killed by Gradescope's time
 * limit still leaves one, then replaces it atomically.
 */
import * as fs from 'fs';
import * as path from 'path';
import { Grader } from './engine';
import { checkTable, StudentReport, WeekReport } from './report';
import { typeCheckInChild } from './typecheck';

/** `autograder.json`, written into the zip by gradescope-package.ts. */
export interface AutograderConfig {
  schema: 'genbook-autograder/1';
  week: string;
  /** Grade the hidden tests too (always true for zips built from the instructor's checkout). */
  hidden: boolean;
  testTimeoutSeconds?: number;
  submissionTimeoutSeconds?: number;
  memoryMb?: number;
  /** The Node release setup.sh installs. */
  node: string;
  builtAt: string;
  fromCommit: string | null;
}

export type Visibility = 'visible' | 'after_published';

export interface GradescopeTest {
  name: string;
  score: number;
  max_score: number;
  status: 'passed' | 'failed';
  visibility: Visibility;
  output?: string;
  output_format?: 'text';
  extra_data: { id: string; kind: 'public' | 'hidden'; status: string; duration_ms: number };
}

export interface GradescopeResults {
  score?: number;
  execution_time: number;
  output: string;
  output_format: 'md';
  tests: GradescopeTest[];
  extra_data: Record<string, unknown>;
}

export const RESULTS_SCHEMA = 'genbook-gradescope/1';

/** A Markdown code block that holds `text` whatever backticks it contains. */
export function codeBlock(text: string): string {
  const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
  const fence = '`'.repeat(longest + 1);
  return `${fence}text\n${text}\n${fence}`;
}

/** What a failed public test shows: its message, or the reason when it did not simply fail. */
function testOutput(t: WeekReport['tests'][number]): string {
  if (t.passed) return '';
  const reason = t.status === 'failed' ? '' : `[${t.status}] `;
  return `${reason}${t.message || 'failed'}`;
}

/** The top-level output: public score, then why the file could not load and its type errors. */
function submissionOutput(week: WeekReport): string {
  const parts: string[] = [];
  const hidden = week.hidden ? ` Hidden tests (${week.hidden.max} points) check the same tasks on other inputs; their results appear when grades are published.` : '';
  parts.push(`**${week.week}**: ${week.public.points} / ${week.public.max} points on the public tests.${hidden}`);
  if (!week.present) parts.push(`\`${week.file}\` was not found in your submission. Upload your \`notebooks/homework/${week.file}\` (the file itself, or a folder or repository that contains it).`);
  else if (week.loadError) parts.push(`Your \`${week.file}\` could not be loaded, so the tests could not call your functions:`, codeBlock(week.loadError));
  // A syntax error is also a type error: list only what the load error does not already say.
  const typeErrors = week.typeErrors.filter((e) => !week.loadError?.includes(e));
  if (typeErrors.length > 0) {
    parts.push('Type errors (the grader ran your code anyway; the notebook would stop at these):', codeBlock(typeErrors.join('\n')));
  }
  return parts.join('\n\n');
}

/** results.json for one graded week. */
export function gradescopeResults(week: WeekReport, executionSeconds: number, extra: Record<string, unknown> = {}): GradescopeResults {
  const tests: GradescopeTest[] = week.tests.map((t) => {
    const hidden = t.kind === 'hidden';
    const name = [...t.suite, t.title].join(' › ');
    const entry: GradescopeTest = {
      name,
      score: t.points,
      max_score: t.max,
      status: t.passed ? 'passed' : 'failed',
      visibility: hidden ? 'after_published' : 'visible',
      extra_data: { id: t.id, kind: t.kind, status: t.status, duration_ms: t.durationMs },
    };
    if (!hidden) {
      entry.output = testOutput(t);
      entry.output_format = 'text';
    }
    return entry;
  });
  return {
    execution_time: Math.round(executionSeconds),
    output: submissionOutput(week),
    output_format: 'md',
    tests,
    // No hidden score here: only the after_published tests carry hidden points.
    extra_data: { schema: RESULTS_SCHEMA, week: week.week, present: week.present, public: week.public, ...extra },
  };
}

/** results.json when grading could not finish: score 0 and the reason. */
export function failureResults(reason: string, executionSeconds: number, week?: string): GradescopeResults {
  return {
    score: 0,
    execution_time: Math.round(executionSeconds),
    output: `The autograder could not grade this submission${week ? ` (${week})` : ''}. This is not a verdict on your code: tell your instructor, who can see the details.\n\n${codeBlock(reason)}`,
    output_format: 'md',
    tests: [],
    extra_data: { schema: RESULTS_SCHEMA, week: week ?? null, failed: true },
  };
}

/** Write JSON atomically (a temp file renamed over the target). */
export function writeResults(file: string, results: GradescopeResults): void {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, JSON.stringify(results, null, 2) + '\n');
  fs.renameSync(temp, file);
}

/**
 * The folder to grade: the submission folder itself when it holds `week.ts`, else the one folder
 * below it that does (students may upload a folder, a zip or a whole repository). With several,
 * `notebooks/homework/` wins, then the shallowest. Undefined when there is none.
 */
export function findWeekFolder(submissionDir: string, week: string): string | undefined {
  const file = `${week}.ts`;
  const found: string[] = [];
  const walk = (dir: string, depth: number) => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    if (entries.some((e) => e.isFile() && e.name === file)) found.push(dir);
    if (depth >= 6) return;
    for (const e of entries) {
      if (e.isDirectory() && !e.isSymbolicLink() && e.name !== 'node_modules' && !e.name.startsWith('.') && e.name !== '__MACOSX') walk(path.join(dir, e.name), depth + 1);
    }
  };
  walk(submissionDir, 0);
  if (found.length === 0) return undefined;
  const depth = (d: string) => path.relative(submissionDir, d).split(path.sep).filter(Boolean).length;
  const preferred = found.filter((d) => d.split(path.sep).join('/').endsWith('notebooks/homework'));
  return (preferred.length > 0 ? preferred : found).sort((a, b) => depth(a) - depth(b) || a.localeCompare(b))[0];
}

/** The submitter's name or e-mail from Gradescope's submission_metadata.json, for the report. */
function submitterName(metadataFile: string | undefined): string {
  if (!metadataFile || !fs.existsSync(metadataFile)) return 'submission';
  try {
    const meta = JSON.parse(fs.readFileSync(metadataFile, 'utf8')) as { users?: { email?: string; name?: string }[] };
    const users = (meta.users ?? []).map((u) => u.email || u.name).filter((s): s is string => typeof s === 'string' && s !== '');
    return users.length > 0 ? users.join(', ') : 'submission';
  } catch {
    return 'submission';
  }
}

export interface GradescopeRunOptions {
  /** The trimmed project (the folder holding autograder.json). */
  root: string;
  config: AutograderConfig;
  submissionDir: string;
  resultsFile: string;
  metadataFile?: string;
  log?: (line: string) => void;
}

/** Grade one Gradescope submission and write results.json (also when grading fails). */
export async function runGradescope(options: GradescopeRunOptions): Promise<GradescopeResults> {
  const started = Date.now();
  const log = options.log ?? console.log;
  const { config } = options;
  const elapsed = () => (Date.now() - started) / 1000;
  writeResults(options.resultsFile, failureResults('grading did not finish (it was stopped, probably by the autograder time limit)', 0, config.week));
  try {
    const folder = findWeekFolder(options.submissionDir, config.week) ?? options.submissionDir;
    const file = path.join(folder, `${config.week}.ts`);
    log(`genbook autograder: ${config.week}, ${config.hidden ? 'public + hidden' : 'public'} tests, submission ${fs.existsSync(file) ? path.relative(options.submissionDir, file) || file : `without ${config.week}.ts`}`);
    const types = fs.existsSync(file) ? typeCheckInChild({ root: options.root, files: [file] }) : Promise.resolve(undefined);
    const grader = Grader.create({
      root: options.root,
      weeks: [config.week],
      hidden: config.hidden,
      testTimeoutSeconds: config.testTimeoutSeconds,
      submissionTimeoutSeconds: config.submissionTimeoutSeconds,
      memoryMb: config.memoryMb,
    });
    const report: StudentReport = await grader.grade({ student: submitterName(options.metadataFile), dir: folder });
    const week = report.weeks[0];
    week.typeErrors = (await types)?.[file] ?? [];
    const results = gradescopeResults(week, elapsed(), { processes: report.run.processes });
    writeResults(options.resultsFile, results);
    log(checkTable(week));
    if (week.hidden) log(`\nhidden tests: ${week.hidden.points} / ${week.hidden.max} points\ntotal: ${week.points} / ${week.max} points`);
    if (report.run.stderrTail.trim()) log(`\nsubmission stderr (tail):\n${report.run.stderrTail}`);
    return results;
  } catch (e) {
    const reason = e instanceof Error ? (e.stack ?? e.message) : String(e);
    log(`genbook autograder failed: ${reason}`);
    const results = failureResults(reason, elapsed(), config.week);
    writeResults(options.resultsFile, results);
    return results;
  }
}

function argValue(args: string[], name: string): string | undefined {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : undefined;
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const configFile = argValue(args, 'config');
  const submissionDir = argValue(args, 'submission');
  const resultsFile = argValue(args, 'results');
  if (!configFile || !submissionDir || !resultsFile) {
    console.error('usage: node gradescope.js --config autograder.json --submission DIR --results results.json [--metadata submission_metadata.json]');
    process.exitCode = 2;
  } else {
    let config: AutograderConfig | undefined;
    try {
      config = JSON.parse(fs.readFileSync(configFile, 'utf8')) as AutograderConfig;
    } catch (e) {
      writeResults(resultsFile, failureResults(`cannot read ${configFile}: ${String(e)}`, 0));
      process.exitCode = 1;
    }
    if (config) {
      runGradescope({ root: path.dirname(path.resolve(configFile)), config, submissionDir: path.resolve(submissionDir), resultsFile: path.resolve(resultsFile), metadataFile: argValue(args, 'metadata') }).then(
        (r) => {
          process.exitCode = r.extra_data.failed ? 1 : 0;
        },
        (e: unknown) => {
          writeResults(resultsFile, failureResults(String(e), 0, config?.week));
          process.exitCode = 1;
        },
      );
    }
  }
}
