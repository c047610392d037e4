/**
 * The Gradescope autograder, run the way Gradescope runs it but in a temp folder: build the zip
 * with `genbook autograder gradescope --week hw01`, unpack it with Info-ZIP's `unzip` (not the
 * library that wrote it) into AUTOGRADER_ROOT/source, run setup.sh (the Node on PATH is one the
 * grader's sandbox supports, so nothing is downloaded; `npm ci` reads npm's cache with npm_config_offline=true), copy
 * run_autograder to AUTOGRADER_ROOT as Gradescope does, then grade four submissions from
 * the class fixture (class-fixtures.ts) and read each results.json.
 *
 * Expected scores come from the test files themselves (the `[N pts]` in each title, summed here
 * with a regular expression), not from the grader: the correct solution gets all of them, the
 * stub none, a syntax error none (with the compiler's message in the top-level output), and the
 * infinite loop in isPrefixFree loses exactly the two isPrefixFree tests (1 public + 1 hidden
 * point, lecture 000 task 6), both by timeout. results.json is checked against the fields and
 * values of Gradescope's specification (docs/specs.md of gradescope/autograder_samples).
 */
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { codeBlock, findWeekFolder, GradescopeResults } from '../../tools/src/grading/gradescope';
import { setupScript } from '../../tools/src/grading/gradescope-package';
import { NODE_BUILD, sha512Hex } from '../../tools/src/grading/node-build';
import { sandboxUnsupported } from '../../tools/src/grading/node-flags';
import { classFixture } from './class-fixtures';

const ROOT = path.resolve(__dirname, '..', '..');
const CLASS = classFixture();
const CLI = path.join(ROOT, 'tools', 'dist', 'cli.js');

/** Points declared in a test file's titles: `it('… [2 pts]', …)`. */
function declaredPoints(file: string): number[] {
  const text = fs.readFileSync(file, 'utf8');
  return [...text.matchAll(/\bit\(\s*(['"`])(?:\\.|(?!\1).)*?\[(\d+(?:\.\d+)?) pts?\]\1/g)].map((m) => Number(m[2]));
}

const TOP_KEYS = ['score', 'execution_time', 'output', 'output_format', 'test_output_format', 'test_name_format', 'visibility', 'stdout_visibility', 'extra_data', 'tests', 'leaderboard'];
const TEST_KEYS = ['score', 'max_score', 'status', 'name', 'name_format', 'number', 'output', 'output_format', 'tags', 'visibility', 'extra_data'];
const VISIBILITY = ['hidden', 'after_due_date', 'after_published', 'visible'];
const FORMATS = ['text', 'html', 'simple_format', 'md', 'ansi'];

/** The fields and values docs/specs.md allows; throws with the first violation. */
function expectSpecConformant(r: GradescopeResults): void {
  for (const k of Object.keys(r)) expect(TOP_KEYS, `top-level key ${k}`).to.include(k);
  if (r.output_format !== undefined) expect(FORMATS).to.include(r.output_format);
  expect(r.execution_time).to.be.a('number').and.at.least(0);
  expect(r.tests).to.be.an('array');
  if (r.tests.length === 0) expect(r.score, 'a top-level score when there are no tests').to.be.a('number');
  for (const t of r.tests) {
    for (const k of Object.keys(t)) expect(TEST_KEYS, `test key ${k}`).to.include(k);
    expect(t.name).to.be.a('string').and.not.equal('');
    expect(t.score).to.be.a('number');
    expect(t.max_score).to.be.a('number');
    expect(t.score).to.be.within(0, t.max_score);
    expect(['passed', 'failed']).to.include(t.status);
    expect(t.status === 'passed').to.equal(t.score === t.max_score);
    expect(VISIBILITY).to.include(t.visibility);
    if (t.output_format !== undefined) expect(FORMATS).to.include(t.output_format);
  }
}

describe('genbook autograder gradescope: the zip, run locally with AUTOGRADER_ROOT', function () {
  this.timeout(600_000);
  let work: string;
  let agRoot: string;
  let zip: string;
  const publicPoints = declaredPoints(path.join(ROOT, 'tests', 'homework', 'hw01.test.ts'));
  const hiddenPoints = declaredPoints(path.join(ROOT, 'tests', 'hidden', 'hw01.test.ts'));
  const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
  const env = (root: string) => ({ ...process.env, AUTOGRADER_ROOT: root, npm_config_offline: 'true', PATH: `${path.dirname(process.execPath)}${path.delimiter}${process.env.PATH ?? ''}` });

  /** Put `files` (fixture path → path inside the submission) in the submission folder and grade it. */
  function grade(files: Record<string, string>): { results: GradescopeResults; stdout: string; status: number | null } {
    const submission = path.join(agRoot, 'submission');
    fs.rmSync(submission, { recursive: true, force: true });
    for (const [from, to] of Object.entries(files)) {
      fs.mkdirSync(path.dirname(path.join(submission, to)), { recursive: true });
      fs.copyFileSync(from, path.join(submission, to));
    }
    const run = spawnSync('bash', [path.join(agRoot, 'run_autograder')], { cwd: agRoot, env: env(agRoot), encoding: 'utf8', timeout: 300_000 });
    const file = path.join(agRoot, 'results', 'results.json');
    if (!fs.existsSync(file)) throw new Error(`no results.json (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);
    return { results: JSON.parse(fs.readFileSync(file, 'utf8')) as GradescopeResults, stdout: run.stdout, status: run.status };
  }

  before(() => {
    expect(publicPoints.length).to.be.greaterThan(5);
    expect(hiddenPoints.length).to.be.greaterThan(5);
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-gradescope-test-'));
    zip = path.join(work, 'hw01.zip');
    execFileSync(process.execPath, [CLI, 'autograder', 'gradescope', '--week', 'hw01', '--out', zip, '--timeout', '8'], { encoding: 'utf8' });
    agRoot = path.join(work, 'autograder');
    fs.mkdirSync(path.join(agRoot, 'source'), { recursive: true });
    execFileSync('unzip', ['-q', zip, '-d', path.join(agRoot, 'source')]);
    const setup = spawnSync('bash', [path.join(agRoot, 'source', 'setup.sh')], { cwd: path.join(agRoot, 'source'), env: env(agRoot), encoding: 'utf8', timeout: 400_000 });
    if (setup.status !== 0) throw new Error(`setup.sh failed (${setup.status}):\n${setup.stdout}\n${setup.stderr}`);
    // The Node running these tests is one the sandbox supports, so setup.sh uses it.
    expect(setup.stdout).to.contain(`(${process.version})`).and.match(/using .*node/);
    expect(setup.stdout).to.contain(`ready (${process.version}, week hw01)`);
    // Gradescope copies run_autograder to /autograder and runs it from there.
    fs.copyFileSync(path.join(agRoot, 'source', 'run_autograder'), path.join(agRoot, 'run_autograder'));
  });

  after(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  it('has setup.sh and run_autograder (executable) at the root, the week\'s tests, and no solutions', () => {
    const listing = execFileSync('unzip', ['-Z', '-1', zip], { encoding: 'utf8' }).trim().split('\n');
    expect(listing).to.include.members(['setup.sh', 'run_autograder', 'genbook/package.json', 'genbook/package-lock.json', 'genbook/autograder.json', 'genbook/tests/homework/hw01.test.ts', 'genbook/tests/hidden/hw01.test.ts', 'genbook/lib/dist/index.js']);
    // The whole built grader, whatever its files are called.
    const grader = fs.readdirSync(path.join(ROOT, 'tools', 'dist', 'grading')).filter((f) => f.endsWith('.js'));
    expect(grader).to.include.members(['gradescope.js', 'sandbox.js']);
    expect(listing).to.include.members(grader.map((f) => `genbook/tools/dist/grading/${f}`));
    expect(listing.filter((f) => /solutions\/|fixtures\/|notebooks\/|hw0[2-9]\.test\.ts|node_modules\//.test(f))).to.deep.equal([]);
    const modes = execFileSync('unzip', ['-Z', zip], { encoding: 'utf8' });
    expect(modes).to.match(/^-rwxr-xr-x .* setup\.sh$/m);
    expect(modes).to.match(/^-rwxr-xr-x .* run_autograder$/m);
    // No file holds a line of the solution's code (the lines between BEGIN and END SOLUTION); the
    // built library is left out of this scan: it is public (the student edition ships it) and
    // shares generic lines such as loop headers with the solutions.
    const regions = [...fs.readFileSync(path.join(ROOT, 'solutions', 'hw01.ts'), 'utf8').matchAll(/\/\/ BEGIN SOLUTION\n([\s\S]*?)\/\/ END SOLUTION/g)].map((m) => m[1]);
    const lines = regions.flatMap((r) => r.split('\n').map((x) => x.trim())).filter((x) => x.length > 30);
    expect(lines.length).to.be.greaterThan(5);
    for (const f of listing.filter((x) => /\.(ts|js|json)$/.test(x) && !x.startsWith('genbook/lib/dist/'))) {
      const text = fs.readFileSync(path.join(agRoot, 'source', f), 'utf8');
      for (const line of lines) expect(text.includes(line), `${f} contains the solution line ${line}`).to.equal(false);
    }
    const pkg = JSON.parse(fs.readFileSync(path.join(agRoot, 'source', 'genbook', 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    expect(Object.keys(pkg.dependencies).sort()).to.deep.equal(['@types/node', 'chai', 'typescript']);
  });

  it('gives the correct solution every point (found in notebooks/homework/ of an uploaded repository)', () => {
    const { results } = grade({ [path.join(CLASS, 'correct', 'hw01.ts')]: 'my-repo/notebooks/homework/hw01.ts', [path.join(CLASS, 'correct', 'hw02.ts')]: 'my-repo/notebooks/homework/hw02.ts' });
    expectSpecConformant(results);
    expect(results.score).to.equal(undefined);
    expect(results.tests).to.have.length(publicPoints.length + hiddenPoints.length);
    expect(sum(results.tests.map((t) => t.score))).to.equal(sum(publicPoints) + sum(hiddenPoints));
    expect(results.tests.map((t) => t.max_score)).to.deep.equal([...publicPoints, ...hiddenPoints]);
    expect(results.tests.every((t) => t.status === 'passed')).to.equal(true);
    const visible = results.tests.filter((t) => t.visibility === 'visible');
    const later = results.tests.filter((t) => t.visibility === 'after_published');
    expect(visible).to.have.length(publicPoints.length);
    expect(later).to.have.length(hiddenPoints.length);
    for (const t of later) expect(t).not.to.have.property('output');
    // The student's hidden points appear only in the after_published tests, not at the top level.
    expect(results.extra_data).not.to.have.property('hidden');
    expect(results.output).to.contain(`**hw01**: ${sum(publicPoints)} / ${sum(publicPoints)} points on the public tests`);
    expect(results.output).not.to.match(/could not be loaded|Type errors/);
  });

  it('gives the stub 0, with "not implemented" in the public tests\' output', () => {
    const { results } = grade({ [path.join(CLASS, 'empty', 'hw01.ts')]: 'hw01.ts' });
    expectSpecConformant(results);
    expect(results.tests).to.have.length(publicPoints.length + hiddenPoints.length);
    expect(sum(results.tests.map((t) => t.score))).to.equal(0);
    for (const t of results.tests.filter((x) => x.visibility === 'visible')) expect(t.output).to.match(/not implemented yet/);
  });

  it('gives a syntax error 0 and shows the compiler\'s message in the top-level output', () => {
    const { results } = grade({ [path.join(CLASS, 'syntax-error', 'hw01.ts')]: 'hw01.ts' });
    expectSpecConformant(results);
    expect(sum(results.tests.map((t) => t.score))).to.equal(0);
    expect(results.output).to.match(/could not be loaded[\s\S]*syntax error in hw01\.ts:\nhw01\.ts:\d+:\d+ '\)' expected/);
  });

  it('costs an infinite loop only the two isPrefixFree tests, by timeout', () => {
    const { results } = grade({ [path.join(CLASS, 'infinite-loop', 'hw01.ts')]: 'hw01.ts' });
    expectSpecConformant(results);
    const failed = results.tests.filter((t) => t.status === 'failed');
    expect(failed.map((t) => t.name)).to.satisfy((names: string[]) => names.length === 2 && names.every((n) => /isPrefixFree/.test(n)));
    expect(failed.map((t) => t.extra_data.status)).to.deep.equal(['timeout', 'timeout']);
    expect(failed.map((t) => t.visibility)).to.deep.equal(['visible', 'after_published']);
    expect(failed[0].output).to.match(/timed out after 8 s/);
    expect(sum(results.tests.map((t) => t.score))).to.equal(sum(publicPoints) + sum(hiddenPoints) - 2);
  });

  it('gives a submission without hw01.ts 0 and says what to upload', () => {
    const { results } = grade({ [path.join(CLASS, 'correct', 'hw02.ts')]: 'hw02.ts' });
    expectSpecConformant(results);
    expect(sum(results.tests.map((t) => t.score))).to.equal(0);
    expect(results.output).to.contain('`hw01.ts` was not found in your submission');
  });

  it('still writes results.json when the grader cannot start', () => {
    const broken = path.join(work, 'broken');
    fs.mkdirSync(path.join(broken, 'submission'), { recursive: true });
    fs.copyFileSync(path.join(agRoot, 'run_autograder'), path.join(broken, 'run_autograder'));
    const run = spawnSync('bash', [path.join(broken, 'run_autograder')], { cwd: broken, env: env(broken), encoding: 'utf8' });
    expect(run.status).to.equal(0);
    const results = JSON.parse(fs.readFileSync(path.join(broken, 'results', 'results.json'), 'utf8')) as GradescopeResults;
    expectSpecConformant(results);
    expect(results.score).to.equal(0);
    expect(results.output).to.match(/could not start \(exit code 1\)/);
  });
});

describe('setup.sh where no suitable Node is on PATH', () => {
  const arch = os.arch() === 'x64' ? 'x64' : 'arm64';
  /** A folder with setup.sh, a Node 18 stand-in on PATH (not suitable), and no genbook/ folder. */
  function stage(dir: string, curl?: string): NodeJS.ProcessEnv {
    const bin = path.join(dir, 'bin');
    fs.mkdirSync(bin);
    fs.writeFileSync(path.join(bin, 'node'), '#!/bin/sh\necho 18\n', { mode: 0o755 });
    if (curl) fs.writeFileSync(path.join(bin, 'curl'), curl, { mode: 0o755 });
    fs.writeFileSync(path.join(dir, 'setup.sh'), setupScript());
    return { ...process.env, AUTOGRADER_ROOT: path.join(dir, 'ag'), PATH: `${bin}:/usr/bin:/bin` };
  }

  it('downloads the pinned registry build and refuses it when the SHA-512 differs (fake curl, no network)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-setup-'));
    try {
      // curl records the URL and writes a file that is not Node.
      const env = stage(dir, `#!/bin/sh\nwhile [ $# -gt 0 ]; do if [ "$1" = -o ]; then out="$2"; shift; fi; url="$1"; shift; done\necho "$url" >> "${dir}/curl.log"\necho not-node > "$out"\n`);
      const run = spawnSync('bash', [path.join(dir, 'setup.sh')], { env, encoding: 'utf8' });
      expect(fs.readFileSync(path.join(dir, 'curl.log'), 'utf8').trim()).to.equal(`https://registry.npmjs.org/node-linux-${arch}/-/node-linux-${arch}-${NODE_BUILD.version}.tgz`);
      expect(run.status).to.not.equal(0);
      expect(run.stdout + run.stderr).to.match(/FAILED/);
      expect(fs.existsSync(path.join(dir, 'ag', 'node'))).to.equal(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('installs the pinned Node and npm from the npm registry, checked, and runs them (real download)', function () {
    this.timeout(300_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-setup-real-'));
    try {
      const run = spawnSync('bash', [path.join(dir, 'setup.sh')], { env: stage(dir), encoding: 'utf8', timeout: 280_000 });
      const out = run.stdout + run.stderr;
      // both checks passed, then it stopped where the project should be (there is none here)
      expect(out.match(/: OK$/gm), out).to.have.length(2);
      expect(out).to.contain(`installed v${NODE_BUILD.version}, npm ${NODE_BUILD.npm.version}`);
      expect(run.status, 'no genbook/ folder to install').to.not.equal(0);
      const node = path.join(dir, 'ag', 'node', 'bin', 'node');
      expect(spawnSync(node, ['--version'], { encoding: 'utf8' }).stdout.trim()).to.equal(`v${NODE_BUILD.version}`);
      const npm = spawnSync(path.join(dir, 'ag', 'node', 'bin', 'npm'), ['--version'], { encoding: 'utf8', env: { ...process.env, PATH: `${path.dirname(node)}:/usr/bin:/bin` } });
      expect(npm.stdout.trim()).to.equal(NODE_BUILD.npm.version);
      // and the sandbox supports the pinned Node
      expect(sandboxUnsupported(`v${NODE_BUILD.version}`)).to.equal(undefined);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('the pinned integrities are well-formed SHA-512 digests', () => {
    for (const i of [NODE_BUILD.integrity.x64, NODE_BUILD.integrity.arm64, NODE_BUILD.npm.integrity]) expect(sha512Hex(i)).to.match(/^[0-9a-f]{128}$/);
    expect(() => sha512Hex('sha256-abc=')).to.throw(/not an sha512/);
  });
});

describe('gradescope helpers', () => {
  it('findWeekFolder prefers notebooks/homework, then the shallowest folder', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-find-'));
    try {
      expect(findWeekFolder(dir, 'hw01')).to.equal(undefined);
      for (const d of ['a/b', 'repo/notebooks/homework', 'repo/solutions']) {
        fs.mkdirSync(path.join(dir, d), { recursive: true });
        fs.writeFileSync(path.join(dir, d, 'hw01.ts'), '');
      }
      expect(findWeekFolder(dir, 'hw01')).to.equal(path.join(dir, 'repo', 'notebooks', 'homework'));
      fs.rmSync(path.join(dir, 'repo'), { recursive: true });
      expect(findWeekFolder(dir, 'hw01')).to.equal(path.join(dir, 'a', 'b'));
      fs.writeFileSync(path.join(dir, 'hw01.ts'), '');
      expect(findWeekFolder(dir, 'hw01')).to.equal(dir);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('codeBlock fences text that itself contains backticks', () => {
    expect(codeBlock('a')).to.equal('```text\na\n```');
    expect(codeBlock('x ```` y')).to.equal('`````text\nx ```` y\n`````');
  });
});
