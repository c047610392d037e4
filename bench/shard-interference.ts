/**
 * Why do two data-parallel shards in one process not run at the speed of two processes? (issue 18;
 * bench/data-parallel.ts: 2 shards 1.10× over 1 thread, while one shard alone takes about half a
 * step.) Trains the shipped DDPM U-Net at batch B on a single-threaded wasm backend
 * (bench/shard-trainer.cjs) in four placements, each with and without weight updates:
 *   alone         one process
 *   processes     two processes at once
 *   workers       one process, two worker threads at once (the main thread waits)
 *   main+worker   one process: the main thread and one worker at once (as data-parallel.ts does)
 * and prints, per placement, each trainer's ms per step and the throughput against `alone` from the
 * same round (2.00× = two trainers at full speed each). Prints the load average.
 *
 *   npx tsx bench/shard-interference.ts [--batch 32] [--steps 6] [--rounds 2]
 */
import { spawn } from 'child_process';
import * as os from 'os';
import * as path from 'path';
import { Worker } from 'worker_threads';
import { parseFlags } from '../tools/src/util/flags';

interface Job { batch: number; steps: number; update: boolean; startAt: number }
interface Result { msPerStep: number; late: boolean }

const TRAINER = path.join(__dirname, 'shard-trainer.cjs');

function inProcess(job: Job): Promise<Result> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [TRAINER, JSON.stringify(job)], { env: { ...process.env, GENBOOK_THREADS: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as Result) : reject(new Error(`trainer exited ${code}`))));
  });
}

function inWorker(job: Job): Promise<Result> {
  return new Promise((resolve, reject) => {
    const worker = new Worker(TRAINER, { workerData: { kind: 'shard-trainer', ...job } });
    worker.once('message', (m: Result & { error?: string }) => {
      void worker.terminate();
      if (m.error) reject(new Error(m.error));
      else resolve(m);
    });
    worker.once('error', reject);
  });
}

async function onMain(job: Job): Promise<Result> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { train } = require(TRAINER) as { train(job: Job): Promise<Result> };
  return train(job);
}

type Placement = 'alone' | 'processes' | 'workers' | 'main+worker';

async function place(placement: Placement, batch: number, steps: number, update: boolean): Promise<Result[]> {
  const job = { batch, steps, update, startAt: Date.now() + 25_000 };
  switch (placement) {
    case 'alone':
      return [await inProcess(job)];
    case 'processes':
      return Promise.all([inProcess(job), inProcess(job)]);
    case 'workers':
      return Promise.all([inWorker(job), inWorker(job)]);
    case 'main+worker':
      // the main-thread trainer runs in a fresh process of its own, so its backend is set up once
      return new Promise((resolve, reject) => {
        const child = spawn(process.execPath, ['--import', 'tsx', __filename, '--main-worker', JSON.stringify(job)], { env: { ...process.env, GENBOOK_THREADS: '1' }, stdio: ['ignore', 'pipe', 'inherit'] });
        let out = '';
        child.stdout.on('data', (d: Buffer) => (out += d.toString()));
        child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop()!) as Result[]) : reject(new Error(`main+worker exited ${code}`))));
      });
  }
}

async function main(): Promise<void> {
  const at = process.argv.indexOf('--main-worker');
  if (at >= 0) {
    const job = JSON.parse(process.argv[at + 1]) as Job;
    const results = await Promise.all([onMain(job), inWorker(job)]);
    console.log(JSON.stringify(results));
    process.exit(0);
  }
  const flags = parseFlags(process.argv.slice(2), { batch: 'number', steps: 'number', rounds: 'number' });
  const batch = (flags.batch as number | undefined) ?? 32;
  const steps = (flags.steps as number | undefined) ?? 6;
  const rounds = (flags.rounds as number | undefined) ?? 2;
  const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`# npx tsx bench/shard-interference.ts --batch ${batch} --steps ${steps} --rounds ${rounds}: ${os.cpus().length} CPUs, Node ${process.version}, load average ${load()} at the start`);
  console.log('| round | weights | placement | ms per step (each trainer) | throughput ÷ alone |');
  console.log('| --- | --- | --- | --- | --- |');
  for (let r = 1; r <= rounds; r++) {
    for (const update of [true, false]) {
      let alone = NaN;
      for (const placement of ['alone', 'processes', 'workers', 'main+worker'] as Placement[]) {
        const results = await place(placement, batch, steps, update);
        const ms = results.map((x) => x.msPerStep);
        if (placement === 'alone') alone = ms[0];
        const throughput = ms.reduce((sum, m) => sum + alone / m, 0);
        const late = results.some((x) => x.late) ? ' (a trainer started late)' : '';
        console.log(`| ${r} | ${update ? 'updated (Adam)' : 'fixed'} | ${placement} | ${ms.map((m) => m.toFixed(0)).join(', ')}${late} | ${throughput.toFixed(2)}× |`);
      }
    }
  }
  console.log(`load average ${load()} at the end`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
