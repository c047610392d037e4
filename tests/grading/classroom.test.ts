/**
 * GitHub Classroom: `genbook check hwNN --format github-classroom` against the runner result
 * format of classroom-resources/autograding-command-grader (src/main.js `generateResult`, checked
 * field by field below), and the student edition's workflow, whose week step is run here for
 * real (bash, a GITHUB_OUTPUT file) and whose output is decoded and totalled the way
 * classroom-resources/autograding-grading-reporter@v1 does (src/main.js: the env variable
 * `<RUNNER>_RESULTS`, base64 JSON; src/notify-classroom.js: Σ tests' score over Σ max_score).
 * Expected points are the `[N pts]` declared in tests/homework/hw01.test.ts.
 */
import { expect } from 'chai';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { classroomError, classroomWorkflow, ClassroomResult, runnerId } from '../../tools/src/grading/classroom';
import { NODE_BUILD } from '../../tools/src/grading/node-build';
import { classFixture } from './class-fixtures';

const ROOT = path.resolve(__dirname, '..', '..');
const CLASS = classFixture();
const CLI = path.join(ROOT, 'tools', 'dist', 'cli.js');

/**
 * The runner result of autograding-command-grader's generateResult: exactly these fields, these
 * types and these status values. Throws on the first difference.
 */
function expectValid(result: unknown): asserts result is ClassroomResult {
  const r = result as Record<string, unknown>;
  expect(r).to.be.an('object');
  expect(Object.keys(r).sort()).to.deep.equal(['max_score', 'status', 'tests', 'version']);
  expect(r.version).to.equal(1);
  expect(['pass', 'fail', 'error']).to.include(r.status);
  expect(r.max_score).to.be.a('number').and.at.least(0);
  expect(r.tests).to.be.an('array');
  for (const t of r.tests as Record<string, unknown>[]) {
    expect(Object.keys(t).sort()).to.deep.equal(['duration', 'filename', 'line_no', 'message', 'name', 'score', 'status', 'test_code']);
    expect(t.name).to.be.a('string').and.not.equal('');
    expect(['pass', 'fail', 'error']).to.include(t.status);
    expect(t.score).to.be.a('number').and.at.least(0);
    for (const k of ['message', 'test_code', 'filename']) expect(t[k], k).to.be.a('string');
    expect(Number.isInteger(t.line_no) && (t.line_no as number) >= 0, 'line_no').to.equal(true);
    expect(t.duration).to.be.a('number').and.at.least(0);
  }
}

function declaredPoints(file: string): number[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/\bit\(\s*(['"`])(?:\\.|(?!\1).)*?\[(\d+(?:\.\d+)?) pts?\]\1/g)].map((m) => Number(m[2]));
}
const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** What the reporter sends to Classroom (notify-classroom.js). */
function classroomPoints(results: ClassroomResult[]): { totalPoints: number; maxPoints: number } {
  return results.reduce(
    (acc, r) => (r.max_score ? { totalPoints: acc.totalPoints + sum(r.tests.map((t) => t.score)), maxPoints: acc.maxPoints + r.max_score } : acc),
    { totalPoints: 0, maxPoints: 0 },
  );
}

function check(target: string, ...extra: string[]): { result: ClassroomResult; stderr: string; status: number | null } {
  const run = spawnSync(process.execPath, [CLI, 'check', 'hw01', '--format', 'github-classroom', '--target', target, ...extra], { cwd: ROOT, encoding: 'utf8', timeout: 300_000 });
  let result: unknown;
  try {
    result = JSON.parse(run.stdout);
  } catch {
    throw new Error(`stdout is not one JSON document (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
  }
  expectValid(result);
  return { result, stderr: run.stderr, status: run.status };
}

describe('genbook check --format github-classroom', function () {
  this.timeout(600_000);
  const points = declaredPoints(path.join(ROOT, 'tests', 'homework', 'hw01.test.ts'));
  const hiddenTitles = [...fs.readFileSync(path.join(ROOT, 'tests', 'hidden', 'hw01.test.ts'), 'utf8').matchAll(/\bit\(\s*'([^']+?) \[/g)].map((m) => m[1]);

  it('prints a valid runner result: the correct solution passes every public test, with its points', () => {
    const { result, stderr, status } = check(path.join(CLASS, 'correct'));
    expect(status).to.equal(0);
    expect(result.status).to.equal('pass');
    expect(result.max_score).to.equal(sum(points));
    expect(result.tests.map((t) => t.score)).to.deep.equal(points);
    expect(result.tests.every((t) => t.status === 'pass' && t.message === '')).to.equal(true);
    expect(classroomPoints([result])).to.deep.equal({ totalPoints: sum(points), maxPoints: sum(points) });
    // Public tests only.
    expect(hiddenTitles.length).to.be.greaterThan(5);
    for (const title of hiddenTitles) expect(result.tests.some((t) => t.name.includes(title)), title).to.equal(false);
    // The human table goes to stderr, for the Actions log.
    expect(stderr).to.contain(`hw01: ${sum(points)} / ${sum(points)} points on the public tests`);
  });

  it('fails only the looping test of an infinite loop, with the reason in its message', () => {
    const { result } = check(path.join(CLASS, 'infinite-loop'), '--timeout', '5');
    expect(result.status).to.equal('fail');
    const failed = result.tests.filter((t) => t.status === 'fail');
    expect(failed).to.have.length(1);
    expect(failed[0].name).to.match(/^hw01 › Task 6: isPrefixFree › /);
    expect(failed[0].message).to.match(/^\[timeout\] .*timed out after 5 s/);
    expect(classroomPoints([result]).totalPoints).to.equal(sum(points) - 1);
  });

  it('puts a syntax error in each failed test\'s message', () => {
    const { result } = check(path.join(CLASS, 'syntax-error'));
    expect(result.status).to.equal('fail');
    expect(classroomPoints([result]).totalPoints).to.equal(0);
    for (const t of result.tests) expect(t.message).to.match(/syntax error in hw01\.ts/);
  });

  it('reports a check that cannot run as status error, still valid', () => {
    const r = classroomError('hw01', 'x'.repeat(5000));
    expectValid(r);
    expect(r.status).to.equal('error');
    expect(r.tests[0].message.length).to.equal(1000);
  });
});

interface Step {
  name?: string;
  id?: string;
  uses?: string;
  run?: string;
  env?: Record<string, string>;
  with?: Record<string, string | number>;
}
interface Workflow {
  on: Record<string, unknown>;
  permissions: Record<string, string>;
  jobs: Record<string, { 'runs-on': string; steps: Step[] }>;
}

describe('the student edition\'s .github/workflows/classroom.yml', function () {
  this.timeout(300_000);
  const weeks = ['hw01', 'hw02', 'hw03'];
  const workflow = yaml.load(classroomWorkflow(weeks, NODE_BUILD.version)) as Workflow;
  const steps = Object.values(workflow.jobs)[0].steps;

  it('installs the pinned Node, runs a step per week and reports them all', () => {
    expect(Object.keys(workflow.on)).to.include('push');
    expect(workflow.permissions).to.deep.include({ checks: 'write', contents: 'read' });
    expect(steps.find((s) => s.uses === 'actions/setup-node@v4')?.with?.['node-version']).to.equal(NODE_BUILD.version);
    const reporter = steps[steps.length - 1];
    expect(reporter.uses).to.equal('classroom-resources/autograding-grading-reporter@v1');
    expect(String(reporter.with?.runners).split(',')).to.deep.equal(weeks);
    for (const w of weeks) {
      const step = steps.find((s) => s.id === runnerId(w));
      expect(step?.run).to.contain(`check ${w} --format github-classroom`);
      // The reporter reads `${runner.trim().toUpperCase()}_RESULTS`.
      expect(reporter.env?.[`${w.trim().toUpperCase()}_RESULTS`]).to.equal(`\${{ steps.${w}.outputs.result }}`);
    }
    expect(() => runnerId('hw-01')).to.throw(RangeError);
  });

  it('a week step, run by bash as Actions runs it, sets an output the reporter decodes', () => {
    const step = steps.find((s) => s.id === 'hw01') as Step;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-classroom-'));
    try {
      const output = path.join(dir, 'github_output');
      fs.writeFileSync(output, '');
      const run = spawnSync('bash', ['-e', '-c', step.run as string], { cwd: ROOT, env: { ...process.env, GITHUB_OUTPUT: output }, encoding: 'utf8', timeout: 200_000 });
      expect(run.status, run.stderr).to.equal(0);
      const line = fs.readFileSync(output, 'utf8').trim();
      expect(line).to.match(/^result=[A-Za-z0-9+/=]+$/);
      // autograding-grading-reporter src/main.js:
      const env: Record<string, string> = { HW01_RESULTS: line.slice('result='.length) };
      const results = JSON.parse(Buffer.from(env[`${'hw01'.toUpperCase()}_RESULTS`], 'base64').toString('utf-8')) as unknown;
      expectValid(results);
      // notebooks/homework/hw01.ts is the stub here: every public point lost.
      const points = declaredPoints(path.join(ROOT, 'tests', 'homework', 'hw01.test.ts'));
      expect(results.status).to.equal('fail');
      expect(classroomPoints([results])).to.deep.equal({ totalPoints: 0, maxPoints: sum(points) });
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
