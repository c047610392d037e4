/**
 * Drawing a diffusion model's evaluation samples over worker processes' worth of single-threaded
 * backends (`npm run evaluate -- <model> --jobs J`) against one backend with J threads: the
 * sampling wall time (the command's own secondsPerSample × count, the metrics not included) of
 * each, run in turn for R rounds, and their ratio in each round. Quick mode: results go to
 * build/results.
 *
 *   npx tsx bench/evaluate-jobs.ts [--model ddpm-ddim50] [--count 400] [--jobs 2] [--rounds 3]
 */
import { spawnSync } from 'child_process';
import * as os from 'os';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..');
const flag = (name: string, fallback: string): string => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : fallback;
};

function samplingSeconds(model: string, count: number, threads: number, jobs: number): number {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'tools', 'dist', 'cli.js'), 'evaluate', model, '--count', String(count), '--jobs', String(jobs), '--json'], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, GENBOOK_QUICK: '1', GENBOOK_THREADS: String(threads) },
  });
  if (r.status !== 0) throw new Error(`evaluate failed: ${r.stderr}`);
  const summary = JSON.parse(r.stdout.trim().split('\n').pop()!) as { secondsPerSample: number };
  return summary.secondsPerSample * count;
}

function main(): void {
  const model = flag('model', 'ddpm-ddim50');
  const count = Number(flag('count', '400'));
  const jobs = Number(flag('jobs', '2'));
  const rounds = Number(flag('rounds', '3'));
  console.log(`# npx tsx bench/evaluate-jobs.ts --model ${model} --count ${count} --jobs ${jobs} --rounds ${rounds}: ${os.cpus().length} CPUs, Node ${process.version}, load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at the start`);
  console.log(`| round | ${jobs} threads, 1 process (s) | ${jobs} workers × 1 thread, --jobs ${jobs} (s) | threads ÷ workers |`);
  console.log('| --- | --- | --- | --- |');
  const ratios: number[] = [];
  for (let r = 1; r <= rounds; r++) {
    const threaded = samplingSeconds(model, count, jobs, 1);
    const workers = samplingSeconds(model, count, 1, jobs);
    ratios.push(threaded / workers);
    console.log(`| ${r} | ${threaded.toFixed(1)} | ${workers.toFixed(1)} | ${(threaded / workers).toFixed(2)}× |`);
  }
  const median = [...ratios].sort((a, b) => a - b)[Math.floor(ratios.length / 2)];
  console.log(`median ratio ${median.toFixed(2)}×; load average ${os.loadavg().map((l) => l.toFixed(2)).join(' ')} at the end`);
}

main();
