/**
 * Issue 16, "inputs are files" and "one student, one failure domain", piece by piece: each attack
 * submission of the red-team report against the shared reader (submission-files.ts), the bundler,
 * `compileSubmission`, the per-student type check, the report file names, the gradebook's CSV and
 * the scratch removal. The whole class graded at once is in attacks-class.test.ts.
 *
 * Expected messages are the reader's documented sentences; expected CSV cells follow RFC 4180 and
 * OWASP's CSV-injection rule by hand.
 */
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { failedReport, fileName, fileNames } from '../../tools/src/grading/class';
import { bundle, CompileError } from '../../tools/src/grading/compile';
import { compileSubmission } from '../../tools/src/grading/engine';
import { defaultTarget, selfCheck } from '../../tools/src/grading/self-check';
import { csvCell } from '../../tools/src/grading/csv';
import { feedbackMarkdown, gradebookCsv, StudentReport } from '../../tools/src/grading/report';
import type { PlannedTest } from '../../tools/src/grading/protocol';
import { removeTree } from '../../tools/src/grading/scratch';
import { MAX_SUBMISSION_FILE_BYTES, SubmissionFileError, SubmissionFiles } from '../../tools/src/grading/submission-files';
import { typeCheckFiles, typeCheckSubmissions } from '../../tools/src/grading/typecheck';
import * as A from './attack-fixtures';

const ROOT = A.ROOT;
const SOLUTION = fs.readFileSync(path.join(ROOT, 'solutions', 'hw01.ts'), 'utf8');

describe('issue 16: submission files are regular files inside the folder', function () {
  let classDir: string;
  const hw01 = (student: string) => path.join(classDir, student, 'hw01.ts');
  const refusal = (student: string): string => {
    try {
      new SubmissionFiles(path.join(classDir, student)).read(hw01(student));
    } catch (e) {
      expect(e).to.be.instanceOf(SubmissionFileError);
      expect(e).to.be.instanceOf(CompileError);
      return (e as Error).message;
    }
    throw new Error(`${student}/hw01.ts was read`);
  };

  before(() => {
    classDir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-attacks-'));
    A.copyFixture(classDir, 'correct');
  });
  after(() => fs.rmSync(classDir, { recursive: true, force: true }));

  it('reads a regular file, and reports a missing one as not found', () => {
    expect(new SubmissionFiles(path.join(classDir, 'correct')).read(hw01('correct'))).to.equal(SOLUTION);
    expect(new SubmissionFiles(path.join(classDir, 'correct')).problem(path.join(classDir, 'correct', 'hw02.ts'))).to.equal('hw02.ts not found');
  });

  it('refuses hw01.ts as a symbolic link to /proc/self/cwd/solutions, the solutions, a classmate, /dev/stdin', () => {
    for (const s of [A.symlinkToProcCwd(classDir), A.symlinkToSolutions(classDir), A.symlinkToClassmate(classDir, 'correct'), A.devStdin(classDir)]) {
      expect(refusal(s), s).to.equal('hw01.ts is a symbolic link: submissions must be regular files');
    }
  });

  it('refuses a linked folder on the way (sol -> solutions, re-exported from hw01.ts)', () => {
    const s = A.linkedFolder(classDir);
    const files = new SubmissionFiles(path.join(classDir, s));
    expect(files.read(hw01(s))).to.equal("export * from './sol/hw01';\n");
    expect(() => files.read(path.join(classDir, s, 'sol', 'hw01.ts'))).to.throw(SubmissionFileError, /^sol is a symbolic link: the files of a submission must be in real folders inside it$/);
    // The bundler follows the import through the same reader.
    expect(() => bundle(path.join(classDir, s), hw01(s), { files })).to.throw(CompileError, /^sol is a symbolic link/);
  });

  it('refuses a FIFO at once (no hang), a folder, and a 100 MB file', function () {
    this.timeout(10_000);
    expect(refusal(A.fifo(classDir))).to.equal('hw01.ts is a FIFO (named pipe): submissions must be regular files');
    expect(refusal(A.directoryNamedHw01(classDir))).to.equal('hw01.ts is a folder: submissions must be regular files');
    expect(refusal(A.hugeFile(classDir))).to.equal('hw01.ts is 100 MB: the limit is 1.0 MB per file');
  });

  it('accepts a file of exactly the cap and refuses one byte more', () => {
    const dir = path.join(classDir, 'cap');
    fs.mkdirSync(dir);
    fs.writeFileSync(path.join(dir, 'a.ts'), 'x'.repeat(MAX_SUBMISSION_FILE_BYTES));
    fs.writeFileSync(path.join(dir, 'b.ts'), 'x'.repeat(MAX_SUBMISSION_FILE_BYTES + 1));
    const files = new SubmissionFiles(dir);
    expect(files.read(path.join(dir, 'a.ts'))).to.have.length(MAX_SUBMISSION_FILE_BYTES);
    expect(() => files.read(path.join(dir, 'b.ts'))).to.throw(SubmissionFileError, /^b\.ts is 1\.0 MB: the limit is 1\.0 MB per file$/);
  });

  it('caps the total read: many files just under the cap are refused once they add up', () => {
    const dir = path.join(classDir, 'many');
    fs.mkdirSync(dir);
    for (const f of ['a', 'b', 'c']) fs.writeFileSync(path.join(dir, `${f}.ts`), 'x'.repeat(400));
    const files = new SubmissionFiles(dir, { maxTotalBytes: 1000 });
    expect(files.read(path.join(dir, 'a.ts'))).to.have.length(400);
    expect(files.read(path.join(dir, 'b.ts'))).to.have.length(400);
    expect(() => files.read(path.join(dir, 'c.ts'))).to.throw(SubmissionFileError, /^reading c\.ts would bring the submission's files past 1000 bytes in all$/);
  });

  it('refuses paths outside the folder', () => {
    const files = new SubmissionFiles(path.join(classDir, 'correct'));
    expect(() => files.read(path.join(ROOT, 'solutions', 'hw01.ts'))).to.throw(SubmissionFileError, /is outside the submission folder/);
    expect(() => files.read(path.join(classDir, 'correct', '..', 'link-classmate', 'hw01.ts'))).to.throw(SubmissionFileError, /is outside the submission folder/);
  });

  describe('a swap after the check is caught after the open', () => {
    // The checks before the open are skipped (as if the file changed right after them): what is
    // left are O_NOFOLLOW, O_NONBLOCK, fstat and the descriptor's real path.
    const unchecked = (dir: string) => {
      const files = new SubmissionFiles(dir);
      files.problem = () => undefined;
      return files;
    };

    it('a symbolic link swapped in fails the O_NOFOLLOW open', () => {
      const s = A.symlinkToSolutions(classDir, 'swap-link');
      expect(() => unchecked(path.join(classDir, s)).read(hw01(s))).to.throw(SubmissionFileError, /^hw01\.ts is a symbolic link/);
    });

    it('a FIFO swapped in neither blocks the open nor is read (fstat)', function () {
      this.timeout(10_000);
      const s = A.fifo(classDir, 'swap-fifo');
      expect(() => unchecked(path.join(classDir, s)).read(hw01(s))).to.throw(SubmissionFileError, /^hw01\.ts is a FIFO \(named pipe\)/);
    });

    it('a folder on the way swapped for a link is caught by the real path of the descriptor', () => {
      const s = A.linkedFolder(classDir, 'swap-folder');
      expect(() => unchecked(path.join(classDir, s)).read(path.join(classDir, s, 'sol', 'hw01.ts'))).to.throw(SubmissionFileError, /changed while it was being read: it now leads outside the submission folder/);
    });

    it('the size is checked again on the open descriptor', () => {
      const dir = path.join(classDir, 'grown');
      fs.mkdirSync(dir);
      fs.writeFileSync(path.join(dir, 'hw01.ts'), 'x'.repeat(200));
      const files = new SubmissionFiles(dir, { maxBytes: 100 });
      files.problem = () => undefined;
      expect(() => files.read(path.join(dir, 'hw01.ts'))).to.throw(SubmissionFileError, /^hw01\.ts is 200 bytes: the limit is 100 bytes per file$/);
    });
  });

  it('compileSubmission turns every attack into that week\'s load error', function () {
    this.timeout(20_000);
    const expectations: [string, RegExp][] = [
      ['link-proc-cwd', /^hw01\.ts is a symbolic link: submissions must be regular files$/],
      ['link-solutions', /^hw01\.ts is a symbolic link/],
      ['link-classmate', /^hw01\.ts is a symbolic link/],
      ['dev-stdin', /^hw01\.ts is a symbolic link/],
      ['linked-folder', /^sol is a symbolic link/],
      ['fifo', /^hw01\.ts is a FIFO/],
      ['dir-hw01', /^hw01\.ts is a folder/],
      ['huge', /^hw01\.ts is 100 MB/],
    ];
    for (const [student, message] of expectations) {
      const [week] = compileSubmission(path.join(classDir, student), ['hw01']);
      expect(week.bundle, student).to.equal(undefined);
      expect(week.loadError, student).to.match(message);
    }
    const [ok] = compileSubmission(path.join(classDir, 'correct'), ['hw01']);
    expect(ok.loadError).to.equal(undefined);
    expect(Object.keys(ok.bundle?.modules ?? {})).to.deep.equal(['hw01.ts']);
  });
});

describe('issue 16: the self-check reads through the same rules', function () {
  this.timeout(120_000);
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-selfcheck-'));
    A.symlinkToSolutions(dir, 'linked');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('a linked hw01.ts in the current folder is the target (not silently skipped), and is refused', async () => {
    const target = path.join(dir, 'linked');
    expect(defaultTarget('hw01', ROOT, target)).to.equal(target);
    const week = await selfCheck('hw01', { root: ROOT, target, print: null });
    expect(week.loadError).to.equal('hw01.ts is a symbolic link: submissions must be regular files');
    expect(week.points).to.equal(0);
  });
});

describe('issue 16: one type-check program per student', function () {
  this.timeout(240_000);
  let classDir: string;

  before(() => {
    classDir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-types-'));
    A.copyFixture(classDir, 'correct');
    A.copyFixture(classDir, 'type-error');
    A.declareGlobal(classDir);
    // Imports the solutions by absolute path: the check must not read them.
    fs.mkdirSync(path.join(classDir, 'import-solutions'));
    fs.writeFileSync(path.join(classDir, 'import-solutions', 'hw01.ts'), `export * from ${JSON.stringify(path.join(ROOT, 'solutions', 'hw01'))};\n`);
    A.symlinkToSolutions(classDir);
  });
  after(() => fs.rmSync(classDir, { recursive: true, force: true }));

  it('a declare global in one program puts false errors into a classmate\'s file (the bug this fixes)', () => {
    const files = ['correct', 'declare-global'].map((s) => path.join(classDir, s, 'hw01.ts'));
    const shared = typeCheckFiles({ root: ROOT, files });
    expect(shared[files[0]].join('\n')).to.match(/The right-hand side of an arithmetic operation must be of type/);
  });

  it('per student: the classmate has no errors, the type error is still found, nothing outside is read', async () => {
    const students = ['correct', 'declare-global', 'type-error', 'import-solutions', 'link-solutions'];
    const file = (s: string) => path.join(classDir, s, 'hw01.ts');
    const result = await typeCheckSubmissions(
      ROOT,
      students.map((s) => ({ dir: path.join(classDir, s), files: [file(s)] })),
    );
    const errors = (s: string) => {
      const r = result.get(path.join(classDir, s));
      if (!r?.ok) throw new Error(`${s}: ${r ? r.reason : 'no result'}`);
      return r.result[file(s)];
    };
    expect(errors('correct')).to.deep.equal([]);
    expect(errors('declare-global')).to.deep.equal([]);
    expect(errors('type-error').join('\n')).to.match(/hw01\.ts:\d+:\d+ Type 'string' is not assignable to type 'number'/);
    expect(errors('import-solutions')).to.have.length(1);
    expect(errors('import-solutions')[0]).to.match(/Cannot find module/);
    // The refused file is not checked (its load error says why).
    expect(errors('link-solutions')).to.deep.equal([]);
  });
});

describe('issue 16: report file names, the gradebook and the scratch folder', () => {
  it('victim x, victim+x and victim_x get three different files; plain names stay as they are', () => {
    const names = ['victim x', 'victim+x', 'victim_x'].map(fileName);
    expect(new Set(names).size).to.equal(3);
    expect(names[2]).to.equal('victim_x');
    expect(names[0]).to.match(/^victim_x-[0-9a-f]{10}$/);
    expect(fileName('correct')).to.equal('correct');
    expect(fileName('=2+3')).to.match(/^2_3-[0-9a-f]{10}$/);
    expect(fileName('../../etc')).to.match(/^etc-[0-9a-f]{10}$/);
    for (const n of names) expect(n).to.match(/^[A-Za-z0-9_.@~-]+$/);
  });

  it('a folder named like another student\'s hashed file name does not take it over', () => {
    const forged = fileName('victim x');
    expect(fileName(forged)).not.to.equal(forged);
  });

  it('names equal but for case are detected and told apart', () => {
    const seen: string[][] = [];
    const map = fileNames(['Alice', 'alice', 'bob'], (names) => seen.push(names));
    expect(seen).to.deep.equal([['Alice', 'alice']]);
    expect(new Set([...map.values()].map((f) => f.toLowerCase())).size).to.equal(3);
    expect(map.get('bob')).to.equal('bob');
  });

  it('a student whose grading failed gets a report with every test at 0; the reason stays out of the feedback', () => {
    const plan = [
      { id: 'hw01/public/a', week: 'hw01', kind: 'public', suite: ['Task 1'], title: 'a', points: 2, timeoutMs: 1000 },
      { id: 'hw01/hidden/b', week: 'hw01', kind: 'hidden', suite: ['Task 1'], title: 'b', points: 3, timeoutMs: 1000 },
    ] as unknown as PlannedTest[];
    const r = failedReport('mallory', 'SECRET hidden input [1, 2, 3]', plan, ['hw01'], true);
    expect([r.points, r.max, r.public.max, r.hidden?.max, r.weeks[0].max]).to.deep.equal([0, 5, 2, 3, 5]);
    expect(r.gradingError).to.equal('SECRET hidden input [1, 2, 3]');
    expect(r.weeks[0].tests.map((t) => [t.status, t.points, t.passed])).to.deep.equal([['not-run', 0, false], ['not-run', 0, false]]);
    const feedback = feedbackMarkdown(r);
    expect(feedback).to.contain('The grader could not finish grading this submission');
    expect(feedback).not.to.contain('SECRET');
  });

  it('CSV cells: RFC 4180 quoting, formula prefixes neutralised (OWASP)', () => {
    expect(csvCell('alice')).to.equal('alice');
    expect(csvCell('=2+3')).to.equal(`'=2+3`);
    expect(csvCell('+1')).to.equal(`'+1`);
    expect(csvCell('-1')).to.equal(`'-1`);
    expect(csvCell('@SUM(A1)')).to.equal(`'@SUM(A1)`);
    expect(csvCell('\tx')).to.equal(`'\tx`);
    expect(csvCell('\rx')).to.equal(`"'\rx"`);
    expect(csvCell('a,b')).to.equal('"a,b"');
    expect(csvCell('say "hi"')).to.equal('"say ""hi"""');
    expect(csvCell('=HYPERLINK("x")')).to.equal(`"'=HYPERLINK(""x"")"`);
    expect(csvCell(-0.5)).to.equal('-0.5');
    const report = { student: '=2+3', points: 3, max: 4, public: { points: 3, max: 4 }, weeks: [{ week: 'hw01', points: 3 }] } as unknown as StudentReport;
    expect(gradebookCsv([report], ['hw01']).split('\n')[1]).to.equal(`'=2+3,3,3,4,3,4`);
  });

  it('removeTree empties a scratch folder its submission locked (0500, 0000) without following links, as a non-root owner', function () {
    this.timeout(30_000);
    const base = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-rmtree-'));
    try {
      const scratch = path.join(base, 'scratch');
      const outside = path.join(base, 'outside');
      fs.mkdirSync(path.join(scratch, 'locked', 'inner'), { recursive: true });
      fs.mkdirSync(path.join(scratch, 'hidden'));
      fs.mkdirSync(outside);
      fs.writeFileSync(path.join(scratch, 'locked', 'inner', 'f.txt'), 'x');
      fs.writeFileSync(path.join(scratch, 'hidden', 'g.txt'), 'y');
      fs.writeFileSync(path.join(outside, 'keep.txt'), 'keep');
      fs.chmodSync(outside, 0o555);
      fs.symlinkSync(outside, path.join(scratch, 'link'));
      fs.chmodSync(path.join(scratch, 'locked', 'inner'), 0o500);
      fs.chmodSync(path.join(scratch, 'locked'), 0o500);
      fs.chmodSync(path.join(scratch, 'hidden'), 0o000);
      const asOwner = A.runAsUnprivileged(base);
      const script = `const { removeTree } = require(${JSON.stringify(path.join(ROOT, 'tools', 'dist', 'grading', 'scratch.js'))}); const fs = require('fs');
        let plain = 'removed'; try { fs.rmSync(${JSON.stringify(scratch)}, { recursive: true, force: true }); } catch (e) { plain = e.code; }
        process.stdout.write(JSON.stringify({ plain, problem: removeTree(${JSON.stringify(scratch)}) ?? null }));`;
      const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', ...asOwner });
      expect(run.status, run.stderr).to.equal(0);
      const out = JSON.parse(run.stdout) as { plain: string; problem: string | null };
      expect(out.plain).to.equal('EACCES');
      expect(out.problem).to.equal(null);
      expect(fs.existsSync(scratch)).to.equal(false);
      expect(fs.readFileSync(path.join(outside, 'keep.txt'), 'utf8')).to.equal('keep');
      expect(fs.statSync(outside).mode & 0o777).to.equal(0o555);
    } finally {
      execFileSync('chmod', ['-R', 'u+rwx', base]);
      fs.rmSync(base, { recursive: true, force: true });
    }
  });

  it('removeTree reports, not throws, a tree it cannot remove', function () {
    if (process.getuid?.() === 0) {
      // As root nothing is unremovable on an ordinary file system; a file under a folder owned by
      // root is, for an unprivileged user: run that case as nobody.
      const base = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-rmtree-'));
      try {
        fs.mkdirSync(path.join(base, 'scratch', 'rootowned'), { recursive: true });
        fs.writeFileSync(path.join(base, 'scratch', 'rootowned', 'f'), 'x');
        fs.chmodSync(base, 0o777);
        fs.chmodSync(path.join(base, 'scratch'), 0o777);
        const script = `const { removeTree } = require(${JSON.stringify(path.join(ROOT, 'tools', 'dist', 'grading', 'scratch.js'))}); process.stdout.write(String(removeTree(${JSON.stringify(path.join(base, 'scratch'))})));`;
        const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', uid: 65534, gid: 65534 });
        expect(run.status, run.stderr).to.equal(0);
        expect(run.stdout).to.match(/^could not remove .*scratch: EACCES/);
      } finally {
        fs.rmSync(base, { recursive: true, force: true });
      }
    } else {
      expect(removeTree(path.join(os.tmpdir(), 'genbook-no-such-folder-here'))).to.equal(undefined);
    }
  });
});
