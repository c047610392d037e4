/**
 * `genbook grade` run by an unprivileged user (issue 16): nobody when the tests run as root, else
 * the current user. A small class from the class fixture (correct and empty, hw01 and hw02,
 * public + hidden tests) is graded with the output folder and the scratch root (TMPDIR) owned by
 * that user. Expected: the correct submission gets every point the test titles declare, the stub
 * none, the outputs belong to the grading user, and no scratch folder is left behind.
 */
import { expect } from 'chai';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as A from './attack-fixtures';

const ROOT = A.ROOT;
const WEEKS = ['hw01', 'hw02'];
const declared = (kind: 'homework' | 'hidden', week: string) => A.declaredPoints(path.join(ROOT, 'tests', kind, `${week}.test.ts`));

describe('grading a class as a non-root user', function () {
  this.timeout(600_000);
  let base: string;
  let uid: number | undefined;

  before(() => {
    base = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-nonroot-'));
    for (const d of ['class', 'out', 'tmp']) fs.mkdirSync(path.join(base, d));
    A.copyFixture(path.join(base, 'class'), 'correct', 'correct', WEEKS);
    A.copyFixture(path.join(base, 'class'), 'empty', 'stub', WEEKS);
    const owner = A.runAsUnprivileged(base);
    fs.chmodSync(base, 0o755);
    uid = owner.uid ?? process.getuid?.();
    const run = spawnSync(
      process.execPath,
      [path.join(ROOT, 'tools', 'dist', 'cli.js'), 'grade', '--submissions', path.join(base, 'class'), '--out', path.join(base, 'out'), '--weeks', WEEKS.join(','), '--hidden', '--jobs', '2', '--timeout', '20'],
      { cwd: ROOT, encoding: 'utf8', env: { PATH: process.env.PATH ?? '/usr/bin:/bin', TMPDIR: path.join(base, 'tmp'), HOME: path.join(base, 'tmp') }, timeout: 580_000, ...owner },
    );
    if (run.status !== 0) throw new Error(`grade failed (${run.status ?? run.signal}):\n${run.stdout}\n${run.stderr}`);
  });

  after(() => {
    if (base) fs.rmSync(base, { recursive: true, force: true });
  });

  it('ran unprivileged: the outputs belong to the grading user, who is not root', () => {
    expect(uid).to.be.a('number').and.not.equal(0);
    for (const f of ['gradebook.csv', 'reports/correct.json', 'feedback/stub.md']) expect(fs.statSync(path.join(base, 'out', f)).uid, f).to.equal(uid);
  });

  it('the gradebook: correct has every declared point, the stub none', () => {
    const rows = A.parseCsv(fs.readFileSync(path.join(base, 'out', 'gradebook.csv'), 'utf8'));
    const pub = WEEKS.map((w) => declared('homework', w));
    const hid = WEEKS.map((w) => declared('hidden', w));
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    const perWeek = WEEKS.map((_, i) => pub[i] + hid[i]);
    const max = sum(perWeek);
    expect(rows).to.deep.equal([
      ['student', ...WEEKS, 'total', 'max', 'public', 'public_max', 'hidden', 'hidden_max'],
      ['correct', ...perWeek.map(String), String(max), String(max), String(sum(pub)), String(sum(pub)), String(sum(hid)), String(sum(hid))],
      ['stub', ...WEEKS.map(() => '0'), '0', String(max), '0', String(sum(pub)), '0', String(sum(hid))],
    ]);
  });

  it('left no scratch folder behind', () => {
    expect(fs.readdirSync(path.join(base, 'tmp')).filter((f) => f.startsWith('genbook-'))).to.deep.equal([]);
  });
});
