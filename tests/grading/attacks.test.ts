/**
 * The grader attacked as a student who wants points would (issue 16's red-team list), in one class
 * graded by the real command: `genbook grade --weeks hw01,hw06 --hidden`. Each attacker is the stub
 * (0 points) or the reference solution with a few lines added at the top of `hw01.ts`, written at
 * test time so the fixtures follow the solutions. Independent expectations: a stub earns 0, the
 * solution earns the maximum, an attack earns at most what its honest code earns, a classmate's
 * score never changes, nothing is written outside the scratch folders, and the public part of
 * the feedback is identical with and without the hidden tests.
 */
import { expect } from 'chai';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { until } from '../until';
import { expectedStub } from '../../tools/src/grading/validate';
import { layout } from '../../tools/src/grading/layout';
import type { StudentReport } from '../../tools/src/grading/report';

const ROOT = path.resolve(__dirname, '..', '..');
const L = layout(ROOT);
const solution = (week: string) => fs.readFileSync(path.join(L.solutionsDir, `${week}.ts`), 'utf8');
const stub = (week: string) => expectedStub(L, week);

/** hw01 sources of the class; hw06 is the honest solution for everyone but the leaker. */
function attackers(sandbox: { victimFile: string; marker: string }): Record<string, { hw01: string; hw06?: string }> {
  const victim = JSON.stringify(sandbox.victimFile);
  const marker = JSON.stringify(sandbox.marker);
  return {
    correct: { hw01: solution('hw01') },
    stub: { hw01: stub('hw01') },
    // Rewrites every result line the process writes, forges results on every descriptor, and
    // tampers with the built-ins a harness would use.
    'stub-rewrites-results': {
      hw01:
        `import * as fs from 'fs';
const origFrom = Buffer.from;
(Buffer as any).from = (v: any, ...rest: any[]) => origFrom(typeof v === 'string' ? v.replace(/"passed":false/g, '"passed":true').replace(/"status":"failed"/g, '"status":"passed"').replace(/"ok":false/g, '"ok":true') : v, ...rest);
const origStringify = JSON.stringify;
JSON.stringify = ((v: any, ...rest: any[]) => origStringify(v, ...(rest as [])).replace(/"passed":false/g, '"passed":true')) as any;
(process as any).hrtime = Object.assign(() => [0, 0], { bigint: () => 0n });
for (const fd of [1, 2, 3, 4, 5]) {
  for (const id of [0, 1, 2, 3, 4, 5]) {
    try { fs.writeSync(fd, origStringify({ type: 'result', id: 'hw01/public/Task 1: entropy > a fair coin has 1 bit and a fair die log2(6) bits', status: 'passed', passed: true, message: '', durationMs: 1 }) + '\\n'); } catch {}
    try { fs.writeSync(fd, origStringify({ id, ok: true, value: 1, promise: false }) + '\\n'); } catch {}
    try { fs.writeSync(fd, origStringify({ type: 'fatal', message: 'forged' }) + '\\n' + origStringify({ type: 'plan', tests: [] }) + '\\n'); } catch {}
  }
}
` + stub('hw01'),
    },
    // Writes a diagnostic report over a classmate's file and over the grader's own scripts.
    'report-writer': {
      hw01:
        `for (const target of [${victim}, ${JSON.stringify(path.join(ROOT, 'tools', 'dist', 'grading', 'runner.js'))}]) {
  try { (process as any).report.filename = target; (process as any).report.writeReport(); } catch {}
  try { (process as any).report.writeReport(target); } catch {}
}
` + stub('hw01'),
    },
    // The honest solution, but every call leaves a microtask loop behind: the process never
    // answers again. Only the tests after the first call can be lost, and the run must end.
    'microtask-loop': {
      hw01: solution('hw01').replace(
        /export function entropy\(([^)]*)\)([^{]*)\{/,
        (_m, params, ret) => `export function entropy(${params})${ret}{\n  if ((globalThis as any).__armed) { const loop = (): Promise<void> => Promise.resolve().then(loop); void loop(); }\n  (globalThis as any).__armed = true;`,
      ),
    },
    // Loops forever where a test expects a RangeError: a limit broken is never a pass.
    'loops-instead-of-throwing': {
      hw01: solution('hw01').replace(
        'export function entropy(',
        'export function entropy(...args: any[]): number {\n  try { return honestEntropy(...(args as [any])); } catch { for (;;) {} }\n}\nfunction honestEntropy(',
      ),
    },
    // Records every input it is given and reports them in the messages of later tests, and
    // leaves a folder in its scratch that a non-root grader could not remove.
    leaker: {
      hw01:
        `import * as fs from 'fs';
(globalThis as any).__seen = [];
try { fs.mkdirSync('locked/inner', { recursive: true }); fs.writeFileSync('locked/inner/f', 'x'); fs.chmodSync('locked', 0o500); } catch {}
process.stdin.on('data', (d: any) => (globalThis as any).__seen.push(String(d).length));
` + solution('hw01').replace(/export function (\w+)\(/g, 'export function $1(...args: any[]) { (globalThis as any).__seen.push(JSON.stringify(args)); return __$1(...(args as [any])); }\nfunction __$1('),
      hw06: `export function matrixSqrt(): never { throw new Error(${marker} + JSON.stringify((globalThis as any).__seen)); }
export function frechetDistance(): never { throw new Error(${marker} + JSON.stringify((globalThis as any).__seen)); }
export function inceptionScore(): never { throw new Error(${marker} + JSON.stringify((globalThis as any).__seen)); }
export function pixelCnnMask(): never { throw new Error(${marker} + JSON.stringify((globalThis as any).__seen)); }
`,
    },
  };
}

function grade(submissions: string, out: string, hidden: boolean, tmp: string): { status: number | null; stdout: string; stderr: string } {
  const args = [path.join(ROOT, 'tools', 'dist', 'cli.js'), 'grade', '--submissions', submissions, '--out', out, '--weeks', 'hw01,hw06', '--jobs', '2', '--timeout', '8', '--submission-timeout', '240', '--no-typecheck'];
  if (hidden) args.push('--hidden');
  const run = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 600_000, env: { ...process.env, TMPDIR: tmp } });
  return { status: run.status, stdout: run.stdout, stderr: run.stderr };
}

function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  const walk = (d: string) => {
    for (const e of fs.readdirSync(d, { withFileTypes: true })) {
      const full = path.join(d, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.isFile()) out.set(full, fs.readFileSync(full, 'utf8'));
    }
  };
  walk(dir);
  return out;
}

describe('the grader under attack (a class of attackers, graded in one run)', function () {
  this.timeout(900_000);
  const base = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-attacks-'));
  const submissions = path.join(base, 'class');
  const tmp = path.join(base, 'tmp');
  const marker = 'LEAKED:';
  const reports = new Map<string, StudentReport>();
  const publicOnly = new Map<string, StudentReport>();
  let untouched: Map<string, string>;
  let gradeRun: { status: number | null; stdout: string; stderr: string };

  before(() => {
    fs.mkdirSync(tmp, { recursive: true });
    const victimFile = path.join(submissions, 'correct', 'hw01.ts');
    for (const [student, files] of Object.entries(attackers({ victimFile, marker }))) {
      fs.mkdirSync(path.join(submissions, student), { recursive: true });
      fs.writeFileSync(path.join(submissions, student, 'hw01.ts'), files.hw01);
      fs.writeFileSync(path.join(submissions, student, 'hw06.ts'), files.hw06 ?? solution('hw06'));
    }
    untouched = new Map([...snapshot(submissions), ...snapshot(path.join(ROOT, 'tools', 'dist', 'grading'))]);
    gradeRun = grade(submissions, path.join(base, 'out'), true, tmp);
    if (gradeRun.status !== 0) throw new Error(`grade failed (${gradeRun.status}):\n${gradeRun.stdout}\n${gradeRun.stderr}`);
    for (const student of fs.readdirSync(submissions)) {
      reports.set(student, JSON.parse(fs.readFileSync(path.join(base, 'out', 'reports', `${student}.json`), 'utf8')) as StudentReport);
    }
    const again = grade(submissions, path.join(base, 'out-public'), false, tmp);
    if (again.status !== 0) throw new Error(`grade (public) failed (${again.status}):\n${again.stdout}\n${again.stderr}`);
    for (const student of ['leaker', 'correct']) {
      publicOnly.set(student, JSON.parse(fs.readFileSync(path.join(base, 'out-public', 'reports', `${student}.json`), 'utf8')) as StudentReport);
    }
  });

  after(() => fs.rmSync(base, { recursive: true, force: true }));

  const report = (s: string) => reports.get(s) as StudentReport;
  const week = (s: string, w: string) => report(s).weeks.find((x) => x.week === w)!;

  it('grades everyone: the solution gets full marks, the stub 0, and the gradebook lists the whole class', () => {
    expect(report('correct').points).to.equal(report('correct').max);
    expect(report('correct').max).to.be.greaterThan(40);
    expect(week('stub', 'hw01').points).to.equal(0);
    const rows = fs.readFileSync(path.join(base, 'out', 'gradebook.csv'), 'utf8').trim().split('\n');
    expect(rows).to.have.length(1 + reports.size);
  });

  it('a stub that rewrites result lines, forges events on every descriptor and patches built-ins earns 0', () => {
    expect(week('stub-rewrites-results', 'hw01').points).to.equal(0);
    // Its patches garble its own answers, so its honest hw06 may lose points too, never gain.
    expect(week('stub-rewrites-results', 'hw06').points).to.be.at.most(week('correct', 'hw06').points);
  });

  it('a diagnostic report cannot overwrite a classmate\'s file or the grader\'s scripts', () => {
    expect(week('report-writer', 'hw01').points).to.equal(0);
    expect(report('correct').points).to.equal(report('correct').max);
    const after = new Map([...snapshot(submissions), ...snapshot(path.join(ROOT, 'tools', 'dist', 'grading'))]);
    expect([...after.keys()].sort()).to.deep.equal([...untouched.keys()].sort());
    for (const [file, text] of untouched) expect(after.get(file), file).to.equal(text);
  });

  it('a process that never answers again costs only the tests after it, and the run ends in time', () => {
    const tests = week('microtask-loop', 'hw01').tests;
    const lost = tests.filter((t) => !t.passed);
    // Every test that fails here failed on a limit, never on a wrong value: the loop's promises
    // reach the time limit or, first, the heap limit (Node 24 allocates them faster).
    for (const t of lost) {
      expect(t.status, t.title).to.be.oneOf(['timeout', 'crashed']);
      expect(t.message, t.title).to.match(/timed out|memory|time limit/);
    }
    expect(lost.length).to.be.greaterThan(0);
    // Tests of the other tasks (a fresh process each time after a kill) still pass.
    expect(tests.filter((t) => t.passed && !/entropy/.test(t.suite.join(' '))).length).to.be.greaterThan(5);
    expect(week('microtask-loop', 'hw06').points).to.equal(week('correct', 'hw06').points);
    expect(report('microtask-loop').run.durationMs).to.be.below(240_000);
  });

  it('an infinite loop where a RangeError is expected fails that test (a broken limit is never a pass)', () => {
    // Every entropy test that expects a RangeError (public and hidden) meets the loop instead.
    const throwing = week('loops-instead-of-throwing', 'hw01').tests.filter((t) => /RangeError|rejects/.test(t.title) && /entropy/.test(t.suite.join(' ')));
    expect(week('loops-instead-of-throwing', 'hw01').points).to.equal(week('correct', 'hw01').points - throwing.reduce((s, t) => s + t.max, 0));
    expect(throwing.length).to.be.greaterThan(0);
    for (const t of throwing) {
      expect(t.passed, t.title).to.equal(false);
      expect(t.status).to.equal('timeout');
    }
  });

  it('no hidden test input reaches the feedback: its public part is the same with and without hidden tests', () => {
    const publicMessages = (r: StudentReport) => r.weeks.flatMap((w) => w.tests.filter((t) => t.kind === 'public').map((t) => `${t.id}: ${t.message}`));
    const leakedWithHidden = publicMessages(report('leaker')).filter((m) => m.includes(marker));
    expect(leakedWithHidden.length).to.be.greaterThan(0); // the attack ran and its messages are shown …
    expect(publicMessages(report('leaker'))).to.deep.equal(publicMessages(publicOnly.get('leaker') as StudentReport)); // … but carry nothing from hidden tests
    const feedback = fs.readFileSync(path.join(base, 'out', 'feedback', 'leaker.md'), 'utf8');
    for (const t of report('leaker').weeks.flatMap((w) => w.tests).filter((x) => x.kind === 'hidden' && x.message)) {
      expect(feedback).to.not.contain(t.message);
    }
  });

  it('leaves no scratch folder behind, even one the submission locked', () => {
    expect(fs.readdirSync(tmp).filter((e) => e.startsWith('genbook-'))).to.deep.equal([]);
  });
});

describe('stopping the grader', function () {
  this.timeout(120_000);
  const graderProcesses = () =>
    spawnSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
      .stdout.split('\n')
      .filter((line) => line.includes(path.join(ROOT, 'tools', 'dist', 'grading', 'host.js')) || line.includes(path.join(ROOT, 'tools', 'dist', 'grading', 'runner.js')));

  for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) {
    it(`with ${signal} mid-test leaves no runner or host process behind`, async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-stop-'));
      fs.writeFileSync(path.join(dir, 'hw01.ts'), 'export function entropy(): number { for (;;) {} }\n');
      const { spawn } = await import('child_process');
      const cli = spawn(process.execPath, [path.join(ROOT, 'tools', 'dist', 'cli.js'), 'check', 'hw01', '--target', dir], { stdio: 'ignore' });
      try {
        await until('a host', () => graderProcesses().some((l) => l.includes('host.js')), 60).catch(() => undefined);
        expect(graderProcesses().some((l) => l.includes('host.js')), 'a host started').to.equal(true);
        cli.kill(signal);
        await new Promise((r) => cli.once('exit', r));
        // The runners die with the grader (SIGKILL to their process groups); a host inside bwrap
        // follows its parent a moment later, longer on a loaded machine: wait up to 15 s.
        await until('the grader processes to exit', () => graderProcesses().length === 0, 15).catch(() => undefined);
        expect(graderProcesses()).to.deep.equal([]);
      } finally {
        cli.kill('SIGKILL');
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  }
});
