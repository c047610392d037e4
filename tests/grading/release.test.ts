/**
 * The student edition (`genbook release --out DIR`), checked structurally: no solutions, no hidden
 * tests, no class fixtures, fresh stubs, a student README, no instructor scripts. Then, without a
 * full `npm install` (too slow for CI; a real install is measured by hand, see notes), the edition
 * gets a node_modules of links to this checkout's packages — with `genbook` and `genbook-tools`
 * linked to the edition's own lib/ and tools/ — builds its lib and tools from its own sources and
 * runs `genbook check hw01` there: exit code 0, 0 points.
 */
import { expect } from 'chai';
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'js-yaml';
import { generateStub } from '../../tools/src/grading/regions';

const ROOT = path.resolve(__dirname, '..', '..');
const WEEKS = ['hw01', 'hw02', 'hw03', 'hw04', 'hw05', 'hw06'];

function listFiles(dir: string, base = dir): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const full = path.join(dir, e.name);
    if (e.name === 'node_modules' || e.name === 'dist') return [];
    return e.isDirectory() ? listFiles(full, base) : [path.relative(base, full).split(path.sep).join('/')];
  });
}

describe('genbook release: the student edition', function () {
  this.timeout(600_000);
  let out: string;
  let files: string[];

  before(() => {
    out = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-release-')), 'edition');
    execFileSync(process.execPath, [path.join(ROOT, 'tools', 'dist', 'cli.js'), 'release', '--out', out], { encoding: 'utf8' });
    files = listFiles(out);
  });

  after(() => {
    if (out) fs.rmSync(path.dirname(out), { recursive: true, force: true });
  });

  it('has no solutions, hidden tests, mutant catalogues, class fixtures or grading tests', () => {
    expect(files.filter((f) => /^solutions\/|^tests\/hidden\/|^tests\/mutants\/|^tests\/fixtures\/class\/|^tests\/grading\//.test(f))).to.deep.equal([]);
    for (const f of files.filter((x) => x.endsWith('.ts'))) {
      expect(fs.readFileSync(path.join(out, f), 'utf8'), f).not.to.match(/^\s*\/\/ BEGIN SOLUTION\s*$/m);
    }
  });

  it('has the stubs generated from the solutions, the notebooks and the public tests', () => {
    for (const w of WEEKS) {
      expect(fs.readFileSync(path.join(out, 'notebooks', 'homework', `${w}.ts`), 'utf8')).to.equal(generateStub(fs.readFileSync(path.join(ROOT, 'solutions', `${w}.ts`), 'utf8'), w));
      expect(files).to.include.members([`notebooks/homework/${w}.ipynb`, `tests/homework/${w}.test.ts`]);
    }
    expect(files).to.include.members(['tests/homework/target.ts', 'tools/src/grading/runner.ts', 'tools/src/grading/host.ts', 'lib/src/index.ts', 'package-lock.json']);
  });

  it('has a student README, no instructor scripts, and keeps homework tests out of npm test', () => {
    const readme = fs.readFileSync(path.join(out, 'README.md'), 'utf8');
    expect(readme).to.contain('## For students: the homework');
    expect(readme).to.contain('npm run check -- hw01');
    const pkg = JSON.parse(fs.readFileSync(path.join(out, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(pkg.scripts.check).to.equal('node tools/dist/cli.js check');
    expect(pkg.scripts).not.to.have.any.keys('grade', 'validate', 'release', 'autograder');
    expect(fs.readFileSync(path.join(out, '.mocharc.cjs'), 'utf8')).to.contain("'tests/homework/**'");
    expect(JSON.parse(fs.readFileSync(path.join(out, 'RELEASE.json'), 'utf8')).weeks).to.deep.equal(WEEKS);
  });

  it('carries the GitHub Classroom workflow: one step per week, reported to Classroom', () => {
    const text = fs.readFileSync(path.join(out, '.github', 'workflows', 'classroom.yml'), 'utf8');
    const workflow = yaml.load(text) as { jobs: Record<string, { steps: { id?: string; run?: string; uses?: string; with?: Record<string, string> }[] }> };
    const steps = Object.values(workflow.jobs)[0].steps;
    for (const w of WEEKS) expect(steps.find((s) => s.id === w)?.run).to.contain(`node tools/dist/cli.js check ${w} --format github-classroom`);
    const reporter = steps.find((s) => s.uses === 'classroom-resources/autograding-grading-reporter@v1');
    expect(reporter?.with?.runners).to.equal(WEEKS.join(','));
    expect(files).to.include('.github/workflows/classroom.yml');
  });

  it('refuses an output folder inside the project or a non-empty one', () => {
    const cli = path.join(ROOT, 'tools', 'dist', 'cli.js');
    const inside = spawnSync(process.execPath, [cli, 'release', '--out', path.join(ROOT, 'build', 'edition')], { encoding: 'utf8' });
    expect(inside.status).to.equal(1);
    expect(inside.stderr).to.contain('--out must be outside the project');
    const again = spawnSync(process.execPath, [cli, 'release', '--out', out], { encoding: 'utf8' });
    expect(again.stderr).to.contain('is not empty');
  });

  it('builds from its own sources and `genbook check hw01` there scores 0 with exit code 0', () => {
    const modules = path.join(out, 'node_modules');
    fs.mkdirSync(modules);
    for (const entry of fs.readdirSync(path.join(ROOT, 'node_modules'))) {
      if (entry === 'genbook' || entry === 'genbook-tools' || entry.startsWith('.')) continue;
      fs.symlinkSync(path.join(ROOT, 'node_modules', entry), path.join(modules, entry));
    }
    fs.symlinkSync('../lib', path.join(modules, 'genbook'));
    fs.symlinkSync('../tools', path.join(modules, 'genbook-tools'));
    // Packages npm could not hoist live in the workspaces' own node_modules.
    for (const workspace of ['lib', 'tools']) {
      const own = path.join(ROOT, workspace, 'node_modules');
      if (fs.existsSync(own)) fs.symlinkSync(own, path.join(out, workspace, 'node_modules'));
    }
    const build = spawnSync(process.execPath, [path.join(ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-b', 'lib', 'tools'], { cwd: out, encoding: 'utf8' });
    expect(build.status, `the edition does not build:\n${build.stdout}${build.stderr}`).to.equal(0);
    const check = spawnSync(process.execPath, [path.join(out, 'tools', 'dist', 'cli.js'), 'check', 'hw01'], { cwd: out, encoding: 'utf8' });
    expect(check.status, check.stderr).to.equal(0);
    // The maximum is the sum of the points the public test titles declare.
    const declared = [...fs.readFileSync(path.join(ROOT, 'tests', 'homework', 'hw01.test.ts'), 'utf8').matchAll(/\[(\d+(?:\.\d+)?) pts?\]/g)].reduce((sum, m) => sum + Number(m[1]), 0);
    expect(check.stdout).to.contain(`hw01: 0 / ${declared} points on the public tests`);
    expect(check.stdout).to.contain('hw01: entropy is not implemented yet');
  });
});
