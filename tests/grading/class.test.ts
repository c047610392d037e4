/**
 * A class of messy submissions (built from today's solutions and stubs by class-fixtures.ts; the
 * cheater's files are in tests/fixtures/class/) graded in one command, as an instructor would:
 * `genbook grade --submissions <class> --out … --hidden`. The correct
 * submission gets 100%, every other one exactly what its code earns, nothing hangs, the gradebook
 * lists every student, and a submission that tries to escape the sandbox is refused with a clear
 * message and no points while the rest of the class is graded.
 *
 * The expected points follow from the fixture and the tests (arithmetic in the comments); the
 * per-week maxima come from the correct submission's report.
 */
import { expect } from 'chai';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { expectedStub } from '../../tools/src/grading/validate';
import { layout } from '../../tools/src/grading/layout';
import type { StudentReport, WeekReport } from '../../tools/src/grading/report';
import { classFixture } from './class-fixtures';

const ROOT = path.resolve(__dirname, '..', '..');
const CLASS = classFixture();
const STUDENTS = ['cheater', 'correct', 'empty', 'infinite-loop', 'misspelled', 'out-of-memory', 'partial', 'syntax-error', 'type-error'];
const WEEKS = ['hw01', 'hw02', 'hw03', 'hw04', 'hw05', 'hw06'];

describe('grading the messy class (tests/grading/class-fixtures.ts)', function () {
  this.timeout(900_000);
  let out: string;
  let stdout = '';
  let status: number | null = null;
  const reports = new Map<string, StudentReport>();
  const week = (student: string, name: string): WeekReport => {
    const w = reports.get(student)?.weeks.find((x) => x.week === name);
    if (!w) throw new Error(`no ${name} in ${student}'s report`);
    return w;
  };
  const max = (name: string) => week('correct', name).max;
  const failed = (student: string, name: string) => week(student, name).tests.filter((t) => !t.passed);

  before(() => {
    out = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-class-'));
    const run = spawnSync(
      process.execPath,
      [path.join(ROOT, 'tools', 'dist', 'cli.js'), 'grade', '--submissions', CLASS, '--out', out, '--hidden', '--jobs', '2', '--timeout', '15', '--memory', '256'],
      { encoding: 'utf8', timeout: 880_000 },
    );
    stdout = run.stdout;
    status = run.status;
    if (run.status !== 0) throw new Error(`grade failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
    for (const s of STUDENTS) reports.set(s, JSON.parse(fs.readFileSync(path.join(out, 'reports', `${s}.json`), 'utf8')) as StudentReport);
  });

  after(() => {
    if (out) fs.rmSync(out, { recursive: true, force: true });
  });

  it('the fixtures correct/ and empty/ are the current solutions and stubs', () => {
    const l = layout(ROOT);
    for (const w of WEEKS) {
      expect(fs.readFileSync(path.join(CLASS, 'correct', `${w}.ts`), 'utf8'), `correct/${w}.ts (tests/grading/class-fixtures.ts)`).to.equal(fs.readFileSync(path.join(l.solutionsDir, `${w}.ts`), 'utf8'));
      expect(fs.readFileSync(path.join(CLASS, 'empty', `${w}.ts`), 'utf8'), `empty/${w}.ts (tests/grading/class-fixtures.ts)`).to.equal(expectedStub(l, w));
    }
  });

  it('finishes with exit code 0, progress for every student and a gradebook row for each', () => {
    expect(status).to.equal(0);
    expect(stdout).to.match(/grading 9 submissions: hw01–hw06, public \+ hidden tests, 2 at a time/);
    expect(stdout).to.contain('[9/9]');
    const lines = fs.readFileSync(path.join(out, 'gradebook.csv'), 'utf8').trim().split('\n');
    expect(lines[0]).to.equal('student,hw01,hw02,hw03,hw04,hw05,hw06,total,max,public,public_max,hidden,hidden_max');
    expect(lines.slice(1).map((l) => l.split(',')[0])).to.deep.equal(STUDENTS);
    for (const s of STUDENTS) {
      expect(fs.existsSync(path.join(out, 'feedback', `${s}.md`))).to.equal(true);
      const row = lines.find((l) => l.startsWith(`${s},`))?.split(',').map(Number) ?? [];
      const r = reports.get(s) as StudentReport;
      expect(row.slice(1, 7)).to.deep.equal(r.weeks.map((w) => w.points));
      expect(row[7]).to.equal(r.points);
      expect(row[9] + row[11]).to.equal(r.points);
      expect(row[10] + row[12]).to.equal(r.max);
    }
  });

  it('gives the correct submission 100% and the empty one 0', () => {
    const correct = reports.get('correct') as StudentReport;
    expect(correct.points).to.equal(correct.max);
    expect(correct.max).to.be.greaterThan(100);
    const empty = reports.get('empty') as StudentReport;
    expect(empty.points).to.equal(0);
    for (const t of empty.weeks.flatMap((w) => w.tests)) expect(t.message).to.match(/not implemented yet/);
  });

  it('a syntax error costs the week it is in, not the others', () => {
    const hw01 = week('syntax-error', 'hw01');
    expect(hw01.points).to.equal(0);
    expect(hw01.loadError).to.match(/syntax error in hw01\.ts:\nhw01\.ts:\d+:\d+ '\)' expected/);
    expect(week('syntax-error', 'hw05').points).to.equal(max('hw05'));
    expect(week('syntax-error', 'hw02').present).to.equal(false);
  });

  it('a type error costs only the tests of the function it breaks, and is reported', () => {
    // averageCodeLength returns a string: 2 public points + 1 hidden point lost.
    const hw01 = week('type-error', 'hw01');
    expect(hw01.points).to.equal(max('hw01') - 3);
    for (const t of failed('type-error', 'hw01')) expect(t.message).to.match(/to be a number/);
    expect(hw01.typeErrors.join('\n')).to.match(/hw01\.ts:\d+:\d+ Type 'string' is not assignable to type 'number'/);
  });

  it('an infinite loop costs only the tests in it; a loop at load time fails its week at once', () => {
    // isPrefixFree loops: 1 public + 1 hidden point.
    expect(week('infinite-loop', 'hw01').points).to.equal(max('hw01') - 2);
    const loops = failed('infinite-loop', 'hw01');
    expect(loops.map((t) => t.status)).to.deep.equal(['timeout', 'timeout']);
    for (const t of loops) expect(t.message).to.match(/timed out after 15 s/);
    const hw04 = week('infinite-loop', 'hw04');
    expect(hw04.points).to.equal(0);
    expect(hw04.loadError).to.match(/hw04\.ts did not finish loading: it timed out/);
    expect(hw04.tests.filter((t) => t.status === 'timeout')).to.have.length(1);
    expect(hw04.tests.filter((t) => t.durationMs > 5000)).to.have.length(1);
  });

  it('running out of memory costs only the tests that allocate', () => {
    // jsDivergence allocates forever: 2 public tests (3 points) and 1 hidden test (1 point).
    expect(week('out-of-memory', 'hw01').points).to.equal(max('hw01') - 4);
    for (const t of failed('out-of-memory', 'hw01')) {
      expect(t.status).to.be.oneOf(['crashed', 'timeout']);
      expect(t.message).to.match(/ran out of memory|timed out|memory/);
    }
    // On a quiet machine each of them dies at the 256 MB heap limit within seconds ("ran out of
    // memory (the heap limit is 256 MB)"); on a crowded one V8's last-ditch garbage collections can
    // outlast the 15 s limit first. Either way only these tests fail.
  });

  it('partial work earns exactly its tests', () => {
    // hw01 public: entropy 6 + crossEntropy 5 + isPrefixFree 1 + the KL test that holds in any
    // base (0 at P = Q, asymmetry) 1 = 13; hidden: entropy 3 + Gibbs 1 + KL in nats 1 (the test
    // asks for base e, which the bug always uses) + isPrefixFree 1 = 6. Total 19.
    expect(week('partial', 'hw01').points).to.equal(19);
    // hw03: reparameterize (3) + KL (2) public, the Monte Carlo KL test (2) hidden.
    expect(week('partial', 'hw03').points).to.equal(7);
  });

  it('a missing export and thrown non-Errors fail only the tests that touch them, with clear messages', () => {
    // Passing: reparameterize (3), vqLoss (3 public, 1 hidden).
    expect(week('misspelled', 'hw03').points).to.equal(7);
    const messages = failed('misspelled', 'hw03').map((t) => t.message).join('\n');
    expect(messages).to.contain('hw03.ts does not export "vectorQuantize"');
    expect(messages).to.contain('threw a non-Error value: "TODO: finish the KL"');
    expect(messages).to.contain('threw a non-Error value: null');
  });

  it('refuses every attempt to escape the sandbox with a clear message and no points', () => {
    const cheater = reports.get('cheater') as StudentReport;
    expect(week('cheater', 'hw01').points).to.equal(0);
    // hw02 patches tf.losses.meanSquaredError and Tensor.prototype.dataSync, then returns an
    // all-zero "autoencoder". The patches take effect only in its own process: what crosses to the
    // tests is its reconstruction, whose 1 value for a [500, 784] tensor is refused, so the MSE
    // test fails (the error is measured in the tests' process, never by the submission's tf).
    const mseTest = week('cheater', 'hw02').tests.find((t) => /reconstruction MSE below/.test(t.title));
    expect(mseTest?.passed).to.equal(false);
    expect(mseTest?.message).to.match(/TransferError: a tensor of shape \[500, 784\] with 1 values/);
    // (Its zero model honestly passes the shape, pixel-range, memory and determinism tests, public
    // and hidden: 1 + 1 + 1 + 1 public, 1 + 1 hidden.)
    expect(cheater.points).to.equal(week('cheater', 'hw02').points);
    expect(week('cheater', 'hw02').points).to.be.at.most(6);
    const byTask = (suite: RegExp) => week('cheater', 'hw01').tests.filter((t) => t.kind === 'public' && suite.test(t.suite[0]));
    const blocked = (kind: string) => new RegExp(`blocked by the grader's sandbox: ${kind}`);
    for (const t of byTask(/entropy$/).filter((x) => !/RangeError/.test(x.title))) expect(t.message).to.match(blocked('FileSystemRead \\(.*solutions/hw01\\.ts\\)'));
    for (const t of byTask(/crossEntropy/)) expect(t.message).to.match(blocked('FileSystemRead \\(.*tests/hidden/hw01\\.test\\.ts\\)'));
    for (const t of byTask(/klDivergence/)) expect(t.message).to.match(blocked('FileSystemWrite'));
    for (const t of byTask(/jsDivergence/)) expect(t.message).to.match(blocked('ChildProcess'));
    for (const t of byTask(/huffman/)) expect(t.message).to.match(blocked('FileSystemRead \\(.*node_modules/genbook/\\.\\./solutions'));
    for (const t of byTask(/isPrefixFree/)) expect(t.message).to.match(blocked('WorkerThreads'));
    for (const t of byTask(/averageCodeLength/)) expect(t.message).to.contain('process.kill is not available to submissions');
    expect(fs.existsSync(path.join(ROOT, 'notebooks', 'homework', 'cheater-was-here.txt'))).to.equal(false);
    // The forged result line on fd 3 was ignored: that test failed like the others.
    expect(byTask(/isPrefixFree/).every((t) => !t.passed)).to.equal(true);
    // … and the class was graded after it.
    expect(reports.get('correct')?.points).to.equal(reports.get('correct')?.max);
  });

  it('feedback shows public messages but never a hidden test\'s message or code', () => {
    for (const s of STUDENTS) {
      const feedback = fs.readFileSync(path.join(out, 'feedback', `${s}.md`), 'utf8');
      expect(feedback).to.contain(`# Homework feedback: ${s}`);
      expect(feedback).not.to.contain('expect(');
      const tests = (reports.get(s) as StudentReport).weeks.flatMap((w) => w.tests);
      // A hidden test's message may repeat what a public one already shows ("entropy is not
      // implemented yet"); any other hidden message must not appear.
      const publicText = tests.filter((t) => t.kind === 'public').map((t) => t.message).join('\n');
      for (const t of tests) {
        const first = t.message.split('\n')[0];
        if (t.kind === 'hidden' && first && !publicText.includes(first)) expect(feedback, `${s}: ${t.id}`).not.to.contain(first);
      }
    }
    expect(fs.readFileSync(path.join(out, 'feedback', 'partial.md'), 'utf8')).to.contain('expected 0.14384103622589042 to be close to 0.20751874963942185');
  });

  it('writes reports in the documented schema, public and hidden apart', () => {
    for (const s of STUDENTS) {
      const r = reports.get(s) as StudentReport;
      expect(r.schema).to.equal('genbook-grade-report/1');
      expect(r.hiddenIncluded).to.equal(true);
      expect(r.public.points + (r.hidden?.points ?? 0)).to.equal(r.points);
      for (const w of r.weeks) {
        for (const t of w.tests) {
          expect(t).to.have.all.keys('id', 'kind', 'suite', 'title', 'points', 'max', 'passed', 'status', 'message', 'durationMs');
          expect(t.points).to.equal(t.passed ? t.max : 0);
        }
      }
    }
  });
});
