/**
 * `genbook release --out DIR`: the student edition of the course.
 *
 * A copy of the project's files (the files git tracks, as they are in the working tree; without
 * git, every file but node_modules, dist, build and .git) with:
 * - no `solutions/`, no `tests/hidden/`, no mutant catalogues (`tests/mutants/`, which quote the
 *   solutions), no class fixtures (`tests/fixtures/class/`, whose cheater's submission quotes the
 *   grader; tests/grading/class-fixtures.ts builds the others from the solutions), no grading tests (`tests/grading/`) and no grading benchmark;
 * - the stubs `notebooks/homework/hwNN.ts` freshly generated from the solutions;
 * - a README for students, and package.json without the instructor scripts (grade, validate,
 *   release); `.mocharc.cjs` skips tests/homework in `npm test` (students run them with
 *   `npm run check`);
 * - `.github/workflows/classroom.yml`: GitHub Classroom autograding of every week's public tests
 *   (see classroom.ts);
 * - `RELEASE.json`: the weeks, the date and the commit it was made from.
 * A final scan refuses the edition if any TypeScript file in it still holds a solution region or
 * equals a solution file.
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { classroomWorkflow } from './classroom';
import { layout, listWeeks } from './layout';
import { NODE_BUILD } from './node-build';
import { BEGIN, generateStub } from './regions';
import { studentReadme } from './student-readme';

/** Paths (relative, '/'-separated) left out of the student edition. */
export const EXCLUDED = [/^solutions\//, /^tests\/hidden\//, /^tests\/mutants\//, /^tests\/fixtures\/class\//, /^tests\/grading\//, /^bench\/grade-/, /^build\//, /(^|\/)node_modules\//, /(^|\/)dist\//, /\.tsbuildinfo$/];

export interface ReleaseOptions {
  root?: string;
  out: string;
  /** Replace a non-empty output folder. */
  force?: boolean;
  log?: (line: string) => void;
}

export interface ReleaseResult {
  files: string[];
  weeks: string[];
}

function projectFiles(root: string): string[] {
  try {
    const out = execFileSync('git', ['ls-files', '--cached', '-z'], { cwd: root, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split('\0').filter((f) => f !== '' && fs.existsSync(path.join(root, f)) && fs.statSync(path.join(root, f)).isFile());
  } catch {
    const files: string[] = [];
    const walk = (dir: string) => {
      for (const e of fs.readdirSync(path.join(root, dir), { withFileTypes: true })) {
        const rel = dir ? `${dir}/${e.name}` : e.name;
        if (e.isDirectory()) {
          if (!['node_modules', 'dist', 'build', '.git'].includes(e.name)) walk(rel);
        } else if (e.isFile()) {
          files.push(rel);
        }
      }
    };
    walk('');
    return files;
  }
}

function currentCommit(root: string): string | undefined {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return undefined;
  }
}

const REGION_LINE = new RegExp(`^\\s*${BEGIN.replace(/[/]/g, '\\/')}\\s*$`, 'm');

export function release(options: ReleaseOptions): ReleaseResult {
  const log = options.log ?? console.log;
  const l = layout(options.root);
  const out = path.resolve(options.out);
  if (!fs.existsSync(l.solutionsDir)) throw new Error(`${l.solutionsDir} not found: release needs the instructor's checkout`);
  const rel = path.relative(l.root, out);
  if (rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel))) throw new Error(`--out must be outside the project (got ${out})`);
  if (fs.existsSync(out) && fs.readdirSync(out).length > 0) {
    if (!options.force) throw new Error(`${out} is not empty (use --force to replace it)`);
    fs.rmSync(out, { recursive: true, force: true });
  }
  const weeks = listWeeks(l);
  const files = projectFiles(l.root).filter((f) => !EXCLUDED.some((re) => re.test(f)));
  for (const file of files) {
    const target = path.join(out, file);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.copyFileSync(path.join(l.root, file), target);
  }
  // Fresh stubs.
  for (const week of weeks) {
    const solution = path.join(l.solutionsDir, `${week}.ts`);
    if (!fs.existsSync(solution)) continue;
    const stub = path.join(out, 'notebooks', 'homework', `${week}.ts`);
    fs.mkdirSync(path.dirname(stub), { recursive: true });
    fs.writeFileSync(stub, generateStub(fs.readFileSync(solution, 'utf8'), week));
    if (!files.includes(`notebooks/homework/${week}.ts`)) files.push(`notebooks/homework/${week}.ts`);
  }
  // README, package.json scripts, mocha config.
  fs.writeFileSync(path.join(out, 'README.md'), studentReadme(weeks));
  const pkgFile = path.join(out, 'package.json');
  const pkg = JSON.parse(fs.readFileSync(pkgFile, 'utf8')) as { scripts?: Record<string, string> };
  for (const name of ['grade', 'validate', 'release', 'autograder']) delete pkg.scripts?.[name];
  fs.writeFileSync(pkgFile, JSON.stringify(pkg, null, 2) + '\n');
  const mocharc = path.join(out, '.mocharc.cjs');
  if (fs.existsSync(mocharc)) {
    fs.appendFileSync(
      mocharc,
      "\n// Student edition: the homework tests run through `npm run check -- hwNN`, not `npm test`.\nmodule.exports.ignore = [...(module.exports.ignore || []), 'tests/homework/**'];\n",
    );
  }
  const workflow = '.github/workflows/classroom.yml';
  fs.mkdirSync(path.dirname(path.join(out, workflow)), { recursive: true });
  fs.writeFileSync(path.join(out, workflow), classroomWorkflow(weeks, NODE_BUILD.version));
  if (!files.includes(workflow)) files.push(workflow);
  fs.writeFileSync(path.join(out, 'RELEASE.json'), JSON.stringify({ edition: 'student', weeks, releasedAt: new Date().toISOString(), fromCommit: currentCommit(l.root) ?? null }, null, 2) + '\n');

  // Safety scan.
  const solutionTexts = weeks.map((w) => path.join(l.solutionsDir, `${w}.ts`)).filter((f) => fs.existsSync(f)).map((f) => fs.readFileSync(f, 'utf8'));
  const leaks: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith('.ts')) {
        const text = fs.readFileSync(full, 'utf8');
        if (REGION_LINE.test(text) || solutionTexts.includes(text)) leaks.push(path.relative(out, full));
      }
    }
  };
  walk(out);
  if (leaks.length > 0) {
    fs.rmSync(out, { recursive: true, force: true });
    throw new Error(`refusing to release: solution code found in ${leaks.join(', ')}`);
  }
  log(`student edition written to ${out}: ${files.length} files, homework ${weeks.join(', ')}`);
  return { files, weeks };
}
