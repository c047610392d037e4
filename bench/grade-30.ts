/**
 * Time to grade a class of 30 (`npx tsx bench/grade-30.ts [--jobs N] [--out FILE]`): builds 30
 * submission folders from the class fixture (tests/grading/class-fixtures.ts: 20 correct, 4 partial, 2 empty, 1 syntax error,
 * 1 type error, 1 infinite loop, 1 that tries to read the solutions), grades them with
 * `genbook grade --hidden` at the default limits (30 s per test, 1024 MB heap), and writes the wall
 * time, the load average before and after, and the per-student durations to
 * bench/results/grade-30.json (or FILE).
 */
import { spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { classFixture } from '../tests/grading/class-fixtures';

const ROOT = path.resolve(__dirname, '..');
const CLASS = classFixture();

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

const mix: [string, number][] = [
  ['correct', 20],
  ['partial', 4],
  ['empty', 2],
  ['syntax-error', 1],
  ['type-error', 1],
  ['infinite-loop', 1],
  ['cheater', 1],
];
const jobs = arg('jobs') ?? String(os.cpus().length);
const outFile = arg('out') ?? path.join(ROOT, 'bench', 'results', 'grade-30.json');

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-grade30-'));
const submissions = path.join(work, 'submissions');
let n = 0;
for (const [fixture, count] of mix) {
  for (let i = 0; i < count; i++) {
    const dir = path.join(submissions, `student${String(++n).padStart(2, '0')}-${fixture}`);
    fs.cpSync(path.join(CLASS, fixture), dir, { recursive: true });
  }
}
const load = () => os.loadavg().map((v) => Number(v.toFixed(2)));
const loadBefore = load();
const started = Date.now();
const run = spawnSync(process.execPath, [path.join(ROOT, 'tools', 'dist', 'cli.js'), 'grade', '--submissions', submissions, '--out', path.join(work, 'out'), '--hidden', '--jobs', jobs], {
  encoding: 'utf8',
  stdio: ['ignore', 'pipe', 'inherit'],
});
const seconds = (Date.now() - started) / 1000;
process.stdout.write(run.stdout);
if (run.status !== 0) throw new Error(`grade failed with ${run.status}`);
const reports = fs.readdirSync(path.join(work, 'out', 'reports')).map((f) => JSON.parse(fs.readFileSync(path.join(work, 'out', 'reports', f), 'utf8')) as { student: string; points: number; max: number; run: { durationMs: number; processes: number } });
const result = {
  command: 'npx tsx bench/grade-30.ts',
  submissions: n,
  jobs: Number(jobs),
  cpus: os.cpus().length,
  cpuModel: os.cpus()[0]?.model,
  node: process.version,
  wallSeconds: Number(seconds.toFixed(1)),
  loadAverageBefore: loadBefore,
  loadAverageAfter: load(),
  students: reports.map((r) => ({ student: r.student, points: r.points, max: r.max, seconds: Number((r.run.durationMs / 1000).toFixed(1)), processes: r.run.processes })),
  measuredAt: new Date().toISOString(),
};
fs.mkdirSync(path.dirname(outFile), { recursive: true });
fs.writeFileSync(outFile, JSON.stringify(result, null, 2) + '\n');
console.log(`graded ${n} submissions in ${result.wallSeconds} s with ${jobs} jobs (load average before ${loadBefore.join(' ')}); wrote ${path.relative(process.cwd(), outFile)}`);
fs.rmSync(work, { recursive: true, force: true });
