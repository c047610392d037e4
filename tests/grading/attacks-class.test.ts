/**
 * Issue 16: a class of attack submissions (built at test time, see attack-fixtures.ts) plus honest
 * ones, graded in one `genbook grade` run by an unprivileged user (nobody when the tests run as
 * root), from the project root (so `/proc/self/cwd/solutions/hw01.ts` would reach the solutions),
 * with the grader's stdin an open pipe (so `/dev/stdin` would block). Every attacker gets at most
 * what its honest code earns (0: each is the stub or nothing), no classmate's score changes, the
 * gradebook lists everyone once, every student has a report and feedback of their own, and no
 * scratch folder is left behind.
 *
 * Expected points: hw01's public maximum is the sum of the points declared in the test titles;
 * the stub scores 0; `victim_x` and `=2+3` are copies of `partial` and must score what it scores.
 */
import { expect } from 'chai';
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { StudentReport } from '../../tools/src/grading/report';
import * as A from './attack-fixtures';

const ROOT = A.ROOT;
const HW01_MAX = A.declaredPoints(path.join(ROOT, 'tests', 'homework', 'hw01.test.ts'));
const MARKER = 'FORGED-FATAL-MARKER';

describe('issue 16: a class of attacks graded in one run, as a non-root user', function () {
  this.timeout(600_000);
  let base: string;
  let classDir: string;
  let outDir: string;
  let tmpDir: string;
  let stdout = '';
  let stderr = '';
  let status: number | null = null;
  const reports = new Map<string, StudentReport>();
  const attackers: string[] = [];
  const report = (s: string): StudentReport => {
    const r = reports.get(s);
    if (!r) throw new Error(`no report for ${s}`);
    return r;
  };

  before(async () => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-attack-class-'));
    classDir = path.join(base, 'class');
    outDir = path.join(base, 'out');
    tmpDir = path.join(base, 'tmp');
    for (const d of [classDir, outDir, tmpDir]) fs.mkdirSync(d);
    A.copyFixture(classDir, 'correct');
    A.copyFixture(classDir, 'empty', 'stub');
    A.copyFixture(classDir, 'partial');
    A.copyFixture(classDir, 'correct', 'victim x');
    A.copyFixture(classDir, 'empty', 'victim+x');
    A.copyFixture(classDir, 'partial', 'victim_x');
    A.copyFixture(classDir, 'partial', '=2+3');
    A.copyFixture(classDir, 'correct', 'zz-report-victim');
    attackers.push(
      A.symlinkToProcCwd(classDir),
      A.symlinkToSolutions(classDir),
      A.symlinkToClassmate(classDir, 'correct'),
      A.linkedFolder(classDir),
      A.fifo(classDir),
      A.devStdin(classDir),
      A.hugeFile(classDir),
      A.directoryNamedHw01(classDir),
      A.declareGlobal(classDir),
      A.unremovableScratch(classDir),
      A.forgedFatal(classDir, 'forged-fatal', MARKER),
      A.reportOverwrite(classDir, 'zz-report-victim'),
    );
    // A student folder that is a link to a classmate's: not a submission of its own.
    fs.symlinkSync('correct', path.join(classDir, 'alias'));
    const owner = A.runAsUnprivileged(base);
    fs.chmodSync(base, 0o755);
    const child = spawn(process.execPath, [path.join(ROOT, 'tools', 'dist', 'cli.js'), 'grade', '--submissions', classDir, '--out', outDir, '--weeks', 'hw01', '--jobs', '2', '--timeout', '20'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TMPDIR: tmpDir, HOME: tmpDir },
      stdio: ['pipe', 'pipe', 'pipe'],
      ...owner,
    });
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.setEncoding('utf8').on('data', (s: string) => (stderr += s));
    // stdin stays open (never ended) until the grader exits.
    status = await new Promise<number | null>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), 540_000);
      child.on('close', (code) => {
        clearTimeout(timer);
        resolve(code);
      });
    });
    if (status !== 0) throw new Error(`grade failed (${status}):\n${stdout}\n${stderr}`);
    for (const f of fs.readdirSync(path.join(outDir, 'reports'))) {
      const r = JSON.parse(fs.readFileSync(path.join(outDir, 'reports', f), 'utf8')) as StudentReport;
      reports.set(r.student, r);
    }
  });

  after(() => {
    if (base) fs.rmSync(base, { recursive: true, force: true });
  });

  const students = () => fs.readdirSync(classDir).filter((s) => s !== 'alias').sort((a, b) => a.localeCompare(b));

  it('ran as a non-root user and finished with a gradebook row for every student, once', () => {
    expect(status).to.equal(0);
    expect(fs.statSync(path.join(outDir, 'gradebook.csv')).uid).to.equal(process.getuid?.() === 0 ? 65534 : process.getuid?.());
    const rows = A.parseCsv(fs.readFileSync(path.join(outDir, 'gradebook.csv'), 'utf8'));
    expect(rows[0]).to.deep.equal(['student', 'hw01', 'total', 'max', 'public', 'public_max']);
    expect(rows.slice(1).map((r) => r[0])).to.deep.equal(students().map((s) => (s === '=2+3' ? "'=2+3" : s)));
    for (const row of rows.slice(1)) {
      const r = report(row[0].replace(/^'/, ''));
      expect(row.slice(1).map(Number)).to.deep.equal([r.points, r.points, HW01_MAX, r.public.points, HW01_MAX]);
    }
    expect(stdout).to.match(/note: skipped "alias": not a folder/);
  });

  it('the honest students get what their code earns, copies included', () => {
    expect(HW01_MAX).to.be.greaterThan(0);
    expect(report('correct').points).to.equal(HW01_MAX);
    expect(report('victim x').points).to.equal(HW01_MAX);
    // Read before any code ran, whatever report-overwrite did to the file afterwards.
    expect(report('zz-report-victim').points).to.equal(HW01_MAX);
    expect(report('stub').points).to.equal(0);
    expect(report('victim+x').points).to.equal(0);
    const partial = report('partial').points;
    expect(partial).to.be.greaterThan(0).and.lessThan(HW01_MAX);
    expect(report('victim_x').points).to.equal(partial);
    expect(report('=2+3').points).to.equal(partial);
  });

  it('every attacker gets 0, with a clear load error for the file attacks', () => {
    for (const s of attackers) expect(report(s).points, s).to.equal(0);
    const loadError = (s: string) => report(s).weeks[0].loadError;
    for (const s of ['link-proc-cwd', 'link-solutions', 'link-classmate', 'dev-stdin']) expect(loadError(s), s).to.equal('hw01.ts is a symbolic link: submissions must be regular files');
    expect(loadError('linked-folder')).to.equal('sol is a symbolic link: the files of a submission must be in real folders inside it');
    expect(loadError('fifo')).to.equal('hw01.ts is a FIFO (named pipe): submissions must be regular files');
    expect(loadError('huge')).to.equal('hw01.ts is 100 MB: the limit is 1.0 MB per file');
    expect(loadError('dir-hw01')).to.equal('hw01.ts is a folder: submissions must be regular files');
  });

  it('every student has a report and a feedback file of their own', () => {
    expect([...reports.keys()].sort((a, b) => a.localeCompare(b))).to.deep.equal(students());
    expect(fs.readdirSync(path.join(outDir, 'reports'))).to.have.length(students().length);
    expect(fs.readdirSync(path.join(outDir, 'feedback'))).to.have.length(students().length);
  });

  it('one student\'s declare global puts no type errors into anyone else\'s feedback', () => {
    for (const s of ['correct', 'victim x', 'partial', 'stub']) expect(report(s).weeks[0].typeErrors, s).to.deep.equal([]);
    for (const f of fs.readdirSync(path.join(outDir, 'feedback'))) {
      const text = fs.readFileSync(path.join(outDir, 'feedback', f), 'utf8');
      if (!text.includes('linked-folder')) expect(text, f).not.to.match(/arithmetic operation/);
    }
  });

  it('the forged message appears in no feedback', () => {
    for (const f of fs.readdirSync(path.join(outDir, 'feedback'))) expect(fs.readFileSync(path.join(outDir, 'feedback', f), 'utf8'), f).not.to.contain(MARKER);
  });

  it('no scratch folder is left, the locked one included', () => {
    expect(fs.readdirSync(tmpDir).filter((f) => f.startsWith('genbook-'))).to.deep.equal([]);
    expect(stdout).not.to.match(/scratch folder left behind/);
  });
});
