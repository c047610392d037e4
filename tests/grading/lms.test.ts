/**
 * LMS gradebooks: CSV cells quoted and formula-neutralised (hand-written expectations), rosters
 * parsed (Canvas's own export with a folder column added, Moodle-style rosters, bad rosters), and
 * `genbook grade --roster … --lms canvas` on a small class whose points follow from the test files'
 * `[N pts]` (correct solution: all public points; stub: 0), with a folder missing from the roster
 * and a roster row without a folder both listed.
 */
import { expect } from 'chai';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { csvCell, csvLine, parseCsv } from '../../tools/src/grading/csv';
import { matchRoster, moodleCsv, parseRoster, RosterError, unmatchedCsv } from '../../tools/src/grading/lms';
import type { StudentReport } from '../../tools/src/grading/report';
import { classFixture } from './class-fixtures';

const ROOT = path.resolve(__dirname, '..', '..');
const CLASS = classFixture();
const CLI = path.join(ROOT, 'tools', 'dist', 'cli.js');

describe('CSV cells', () => {
  it('quotes commas, quotes, line breaks and edge spaces; numbers stay numbers', () => {
    expect(csvCell('plain')).to.equal('plain');
    expect(csvCell('Kim, Jr.')).to.equal('"Kim, Jr."');
    expect(csvCell('say "hi"')).to.equal('"say ""hi"""');
    expect(csvCell('two\nlines')).to.equal('"two\nlines"');
    expect(csvCell(' padded')).to.equal('" padded"');
    expect(csvCell(3.5)).to.equal('3.5');
    expect(csvCell(-2)).to.equal('-2');
    expect(csvCell(undefined)).to.equal('');
    expect(() => csvCell(NaN)).to.throw(RangeError);
  });

  it('neutralises text that a spreadsheet would run as a formula', () => {
    expect(csvCell('=SUM(A1:A9)')).to.equal("'=SUM(A1:A9)");
    expect(csvCell('+1 555')).to.equal("'+1 555");
    expect(csvCell('-x')).to.equal("'-x");
    expect(csvCell('@cmd')).to.equal("'@cmd");
    expect(csvCell('\tx')).to.equal("'\tx");
    expect(csvCell('=HYPERLINK("http://x","y")')).to.equal('"\'=HYPERLINK(""http://x"",""y"")"');
    expect(csvCell('a=b')).to.equal('a=b');
  });

  it('parses what it writes back (BOM, CRLF, quoted line breaks)', () => {
    const rows = [['a', 'Kim, Jr.', 'say "hi"'], ['two\nlines', '', '3']];
    expect(parseCsv(rows.map(csvLine).join('\r\n') + '\r\n')).to.deep.equal(rows);
    expect(parseCsv('\ufeffx,y\n1,2')).to.deep.equal([['x', 'y'], ['1', '2']]);
    expect(() => parseCsv('"open')).to.throw(SyntaxError);
  });
});

describe('rosters', () => {
  // A Canvas gradebook export (Student, ID, SIS User ID, SIS Login ID, Section, assignments) with a
  // folder column added; its second row is Canvas's "Points Possible" row.
  const canvasExport = [
    'Student,ID,SIS User ID,SIS Login ID,Section,Homework 1 (101),folder',
    '    Points Possible,,,,,21,',
    '"Lee, Ann",4001,S01,alee,Sec A,,ann-lee',
    '"Park, Bo",4002,S02,bpark,Sec B,,bo-park',
  ].join('\n');

  it('reads a Canvas export with a folder column and skips its Points Possible row', () => {
    const r = parseRoster(canvasExport, 'canvas');
    expect(r).to.deep.equal([
      { folder: 'ann-lee', line: 3, name: 'Lee, Ann', canvasId: '4001', sisUserId: 'S01', sisLoginId: 'alee', section: 'Sec A' },
      { folder: 'bo-park', line: 4, name: 'Park, Bo', canvasId: '4002', sisUserId: 'S02', sisLoginId: 'bpark', section: 'Sec B' },
    ]);
  });

  it('reads a GitHub Classroom roster (github_username) with Moodle identities', () => {
    const r = parseRoster('identifier,github_username,Email address,ID number\nann,ann-gh,ann@uni.edu,77\n', 'moodle');
    expect(r).to.deep.equal([{ folder: 'ann-gh', line: 2, email: 'ann@uni.edu', idNumber: '77' }]);
  });

  it('refuses rosters it cannot use, saying why', () => {
    expect(() => parseRoster('Student,ID\nAnn,1\n', 'canvas')).to.throw(RosterError, /no folder column/);
    expect(() => parseRoster('folder,Student\nann,Ann\n', 'canvas')).to.throw(RosterError, /ID, SIS User ID or SIS Login ID/);
    expect(() => parseRoster('folder,ID\nann,1\nann,2\n', 'canvas')).to.throw(RosterError, /lines 2 and 3 both name the folder "ann"/);
    expect(() => parseRoster('folder,email,username\nann,,\n', 'moodle')).to.throw(RosterError, /line 2 \(ann\): no Email address, Username or ID number/);
  });

  it('Moodle CSV: identity columns the roster has, names, one column per week; nothing dropped', () => {
    const report = (student: string, points: number[]) => ({ student, weeks: points.map((p, i) => ({ week: `hw0${i + 1}`, points: p, max: 10 })) }) as unknown as StudentReport;
    const roster = parseRoster('folder,Email address,First name,Last name\nann,ann@uni.edu,Ann,=Lee\nbo,bo@uni.edu,Bo,Park\n', 'moodle');
    const match = matchRoster(roster, [report('ann', [7, 9.5]), report('zed', [1, 1])]);
    expect(moodleCsv(match, ['hw01', 'hw02'])).to.equal('Email address,First name,Last name,hw01,hw02\nann@uni.edu,Ann,\'=Lee,7,9.5\nbo@uni.edu,Bo,Park,,\n');
    expect(match.unmatchedFolders).to.deep.equal(['zed']);
    expect(match.missingFolders.map((e) => e.folder)).to.deep.equal(['bo']);
    expect(parseCsv(unmatchedCsv(match)).slice(1)).to.deep.equal([
      ['graded folder not in the roster (its grades are not in the LMS file)', 'zed', ''],
      ['roster row without a graded folder (empty grades in the LMS file)', 'bo', '3'],
    ]);
  });
});

describe('genbook grade --roster --lms canvas', function () {
  this.timeout(600_000);
  let work: string;
  let run: ReturnType<typeof spawnSync>;
  const publicPoints = [...fs.readFileSync(path.join(ROOT, 'tests', 'homework', 'hw01.test.ts'), 'utf8').matchAll(/\[(\d+(?:\.\d+)?) pts?\]['"`]/g)].reduce((s, m) => s + Number(m[1]), 0);

  before(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-lms-'));
    const subs = path.join(work, 'submissions');
    for (const [folder, fixture] of [['ann-lee', 'correct'], ['bo-park', 'empty'], ['stranger', 'empty']]) {
      fs.mkdirSync(path.join(subs, folder), { recursive: true });
      fs.copyFileSync(path.join(CLASS, fixture, 'hw01.ts'), path.join(subs, folder, 'hw01.ts'));
    }
    fs.writeFileSync(
      path.join(work, 'roster.csv'),
      ['folder,Student,ID,SIS User ID,SIS Login ID,Section', 'ann-lee,"Lee, Ann",4001,S01,alee,A', 'bo-park,=cmd|x,4002,S02,bpark,B', 'cy-absent,"Cho, Cy",4003,S03,ccho,A'].join('\n'),
    );
    run = spawnSync(
      process.execPath,
      [CLI, 'grade', '--submissions', subs, '--out', path.join(work, 'out'), '--weeks', 'hw01', '--jobs', '2', '--no-typecheck', '--roster', path.join(work, 'roster.csv'), '--lms', 'canvas'],
      { encoding: 'utf8', timeout: 580_000 },
    );
    if (run.status !== 0) throw new Error(`grade failed (${run.status}):\n${run.stdout}\n${run.stderr}`);
  });

  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('writes canvas-grades.csv with Canvas\'s columns, a Points Possible row and every roster row', () => {
    expect(publicPoints).to.be.greaterThan(10);
    expect(fs.readFileSync(path.join(work, 'out', 'canvas-grades.csv'), 'utf8')).to.equal(
      [
        'Student,ID,SIS User ID,SIS Login ID,Section,hw01',
        `Points Possible,,,,,${publicPoints}`,
        `"Lee, Ann",4001,S01,alee,A,${publicPoints}`,
        "'=cmd|x,4002,S02,bpark,B,0",
        '"Cho, Cy",4003,S03,ccho,A,',
        '',
      ].join('\n'),
    );
    expect(fs.existsSync(path.join(work, 'out', 'gradebook.csv'))).to.equal(true);
  });

  it('lists the folder without a roster row and the roster row without a folder', () => {
    expect(String(run.stdout)).to.contain('not in the roster, left out of the LMS file: stranger');
    expect(String(run.stdout)).to.contain('roster line 4: no submission folder "cy-absent"');
    const rows = parseCsv(fs.readFileSync(path.join(work, 'out', 'lms-unmatched.csv'), 'utf8'));
    expect(rows.slice(1).map((r) => [r[1], r[2]])).to.deep.equal([
      ['stranger', ''],
      ['cy-absent', '4'],
    ]);
  });

  it('refuses a bad roster before grading anything', () => {
    fs.writeFileSync(path.join(work, 'bad.csv'), 'Student,ID\nAnn,1\n');
    const bad = spawnSync(process.execPath, [CLI, 'grade', '--submissions', path.join(work, 'submissions'), '--out', path.join(work, 'out2'), '--roster', path.join(work, 'bad.csv'), '--lms', 'canvas'], { encoding: 'utf8' });
    expect(bad.status).to.equal(2);
    expect(bad.stderr).to.match(/bad\.csv has no folder column/);
    expect(fs.existsSync(path.join(work, 'out2'))).to.equal(false);
    const noLms = spawnSync(process.execPath, [CLI, 'grade', '--submissions', path.join(work, 'submissions'), '--out', path.join(work, 'out2'), '--roster', path.join(work, 'bad.csv')], { encoding: 'utf8' });
    expect(noLms.stderr).to.contain('--roster and --lms go together');
  });
});
