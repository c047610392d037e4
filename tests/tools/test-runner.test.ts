/**
 * `npm test` (tests/run.cjs) on a small fixture project: its two groups of test files run as two
 * mocha processes at the same time, a failure anywhere fails the run and its details come last,
 * GENBOOK_TEST_PROCESSES=1 runs one process, and paths given run only those files.
 */
import { expect } from 'chai';
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const RUN = path.join(ROOT, 'tests', 'run.cjs');

/** A test file that marks its start in the project folder, then waits (up to FIXTURE_WAIT_MS) for `other`'s mark. */
function waitingTest(me: string, other: string, extra = ''): string {
  return `import * as assert from 'node:assert';
import * as fs from 'node:fs';
describe('${me}', function () {
  this.timeout(60000);
  it('${me} runs while ${other} runs', async () => {
    fs.writeFileSync('${me}.started', '');
    const deadline = Date.now() + Number(process.env.FIXTURE_WAIT_MS);
    while (!fs.existsSync('${other}.started') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
    assert.ok(fs.existsSync('${other}.started'), '${other} never started');
  });
  ${extra}
});
`;
}

describe('npm test: tests/run.cjs', function () {
  this.timeout(120_000);
  let project: string;

  beforeEach(() => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-test-runner-'));
    fs.writeFileSync(
      path.join(project, '.mocharc.cjs'),
      // as the project's own: paths given on the command line replace the default spec
      `const paths = process.argv.slice(2).filter((a) => a.endsWith('.ts'));\n` +
        `module.exports = { require: [${JSON.stringify(require.resolve('tsx/cjs'))}], extension: ['ts'], spec: paths.length > 0 ? [] : ['tests/**/*.test.ts'] };\n`,
    );
    fs.mkdirSync(path.join(project, 'tests', 'notebooks'), { recursive: true });
    fs.mkdirSync(path.join(project, 'tests', 'lib', 'deep'), { recursive: true });
    fs.writeFileSync(path.join(project, 'tests', 'notebooks', 'a.test.ts'), waitingTest('a', 'b'));
    fs.writeFileSync(path.join(project, 'tests', 'lib', 'deep', 'b.test.ts'), waitingTest('b', 'a', "it('fails on purpose', () => assert.strictEqual(1, 2, 'deliberate failure in b'));"));
  });
  afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

  const run = (args: string[], env: Record<string, string>) => {
    const r = spawnSync(process.execPath, [RUN, ...args], { cwd: project, encoding: 'utf8', timeout: 90_000, env: { ...process.env, FIXTURE_WAIT_MS: '30000', ...env } });
    return { status: r.status, out: r.stdout + r.stderr, stdout: r.stdout };
  };

  it('runs the two groups at the same time and fails when one fails, its failures printed last', () => {
    const r = run([], { GENBOOK_TEST_PROCESSES: '2' });
    expect(r.status, r.out).to.equal(1);
    // each file waited for the other's start: they ran side by side, in two processes
    expect(r.stdout).to.match(/group 1 \(tests\/notebooks, tests\/tools\) passed/);
    expect(r.stdout).to.match(/group 2 \(the other tests\) FAILED \(exit 1\)/);
    expect(r.stdout).to.contain('b runs while a runs'); // group 2's log is printed
    const tail = r.stdout.slice(r.stdout.lastIndexOf('=== npm test, group 2'));
    expect(tail).to.contain('failed: its failures again');
    expect(tail).to.contain('deliberate failure in b');
    expect(tail).to.match(/1 failing/);
  });

  it('passes when both groups pass', () => {
    fs.writeFileSync(path.join(project, 'tests', 'lib', 'deep', 'b.test.ts'), waitingTest('b', 'a'));
    const r = run([], { GENBOOK_TEST_PROCESSES: '2' });
    expect(r.status, r.out).to.equal(0);
    expect(r.stdout).to.match(/group 1 .* passed .*; group 2 .* passed/);
  });

  it('GENBOOK_TEST_PROCESSES=1 runs every file in one mocha process, one after the other', () => {
    const r = run([], { GENBOOK_TEST_PROCESSES: '1', FIXTURE_WAIT_MS: '300' });
    expect(r.status, r.out).to.equal(2); // b's deliberate failure, and b (first in order) waited for a in vain
    expect(r.stdout).to.contain('a never started');
    expect(r.stdout).not.to.contain('group 1');
  });

  it('runs only the files it is given', () => {
    const r = run(['tests/lib/deep/b.test.ts'], { GENBOOK_TEST_PROCESSES: '2', FIXTURE_WAIT_MS: '300' });
    expect(r.stdout).not.to.contain('a runs while b runs');
    expect(r.stdout).to.contain('a never started');
    expect(r.status, r.out).to.equal(2);
  });

  it('refuses a bad GENBOOK_TEST_PROCESSES', () => {
    const r = run([], { GENBOOK_TEST_PROCESSES: '3' });
    expect(r.status).to.equal(2);
    expect(r.out).to.contain('GENBOOK_TEST_PROCESSES must be 1 or 2; got "3"');
  });
});
