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
import { parseFlags } from '../tools/src/util/flags';

const ROOT = path.resolve(__dirname, '..');

function samplingSeconds(model: string, count: number, threads: number, jobs: number): number {
  const r = spawnSync(process.execPath, [path.join(ROOT, 'tools', 'dist', 'cli.js'), 'evaluate', model, '--count', String(count), '--jobs', String(jobs), '--json'], {
    cwd: ROOT, encoding: 'utf8', env: { ...process.env, GENBOOK_QUICK: '1', GENBOOK_THREADS: String(threads) },
  });
  if (r.status !== 0) throw new Error(`evaluate failed: ${r.stderr}`);
  const summary = JSON.parse(r.stdout.trim().split('\n').pop()!) as { secondsPerSample: number };
  return summary.secondsPerSample * count;
}

function main(): void {
  const flags = parseFlags(process.argv.slice(2), { model: 'string', count: 'number', jobs: 'number', rounds: 'number' });
  const model = (flags.model as string | undefined) ?? 'ddpm-ddim50';
  const count = (flags.count as number | undefined) ?? 400;
  const jobs = (flags.jobs as number | undefined) ?? 2;
  const rounds = (flags.rounds as number | undefined) ?? 3;
  for (const [k, v] of Object.entries({ count, jobs, rounds })) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`--${k} must be a positive integer; got ${v}`);
  }
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
