/**
 * Training the shipped DDPM U-Net (ddpm-mnist-uncond's configuration, batch 64) on every core, three
 * ways, in wall-clock ms per step, each in its own process, in turn for R rounds:
 *   1 thread                     GENBOOK_THREADS=1
 *   J threads (wasm's pool)      GENBOOK_THREADS=J
 *   J data-parallel shards       GENBOOK_THREADS=1, trainDiffusion({ dataParallel: J })
 * and the ratios against 1 thread from the same round. Prints the load average: a headline needs an
 * idle machine (load below the cores).
 *
 *   npx tsx bench/data-parallel.ts [--jobs J] [--steps 8] [--rounds 3] [--batch 64]
 */
import { spawnSync } from 'child_process';
import * as os from 'os';
import { parseFlags } from '../tools/src/util/flags';

/** One process: 2 warm-up steps, then `steps` timed steps; prints the ms per step. */
async function child(mode: { shards: number; steps: number; batch: number }): Promise<void> {
  const { backend, diffusion, models, random, train } = await import('genbook');
  await backend.setup(undefined, { log: null });
  const config = train.readMeta(train.checkpointDir('ddpm-mnist-uncond'))?.config as ConstructorParameters<typeof models.DiffusionUNet>[0];
  const net = new models.DiffusionUNet({ ...config, seed: 1 });
  const rows = random.rng(2).normalTensor([512, 28, 28, 1]).clipByValue(-1, 1);
  // (ddpm-mnist-uncond keeps the class embedding's shape and drops every label: p_uncond 1)
  const labels = net.numClasses > 0 ? new Int32Array(512) : undefined;
  const data = diffusion.arrayBatches(rows.dataSync() as Float32Array, [28, 28, 1], labels);
  rows.dispose();
  // one run (the workers start once, as in a real training); the clock runs from the end of the
  // 2nd step (warm-up: kernels compiled, workers loaded) to the end of the last
  const warm = 2;
  const elapsed: number[] = [];
  const result = await diffusion.trainDiffusion({
    network: net, schedule: diffusion.noiseSchedule('linear', 1000), data, steps: warm + mode.steps, batchSize: mode.batch, seed: 3,
    pUncond: net.numClasses > 0 ? 1 : 0, dataParallel: mode.shards, reportEvery: 1, onProgress: (p) => (elapsed[p.step] = performance.now()),
  });
  result.ema?.dispose();
  console.log(JSON.stringify({ msPerStep: (elapsed[warm + mode.steps] - elapsed[warm]) / mode.steps, threads: backend.threadsInUse() ?? null }));
}

function measure(threads: number, shards: number, steps: number, batch: number): number {
  const r = spawnSync('npx', ['--no-install', 'tsx', __filename, '--child', '--shards', String(shards), '--steps', String(steps), '--batch', String(batch)], {
    encoding: 'utf8', env: { ...process.env, GENBOOK_THREADS: String(threads) },
  });
  if (r.status !== 0) throw new Error(`child failed: ${r.stderr}`);
  return (JSON.parse(r.stdout.trim().split('\n').pop()!) as { msPerStep: number }).msPerStep;
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), { child: 'boolean', shards: 'number', jobs: 'number', steps: 'number', rounds: 'number', batch: 'number' });
  const steps = (flags.steps as number | undefined) ?? 8;
  const batch = (flags.batch as number | undefined) ?? 64;
  if (flags.child) return child({ shards: (flags.shards as number | undefined) ?? 1, steps, batch });
  const jobs = (flags.jobs as number | undefined) ?? os.cpus().length;
  const rounds = (flags.rounds as number | undefined) ?? 3;
  for (const [k, v] of Object.entries({ jobs, steps, rounds, batch })) {
    if (!Number.isInteger(v) || v < 1) throw new RangeError(`--${k} must be a positive integer; got ${v}`);
  }
  const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');
  console.log(`# npx tsx bench/data-parallel.ts --jobs ${jobs} --steps ${steps} --rounds ${rounds} --batch ${batch}: ${os.cpus().length} CPUs, Node ${process.version}, load average ${load()} at the start`);
  console.log(`| round | 1 thread (ms/step) | ${jobs} threads (ms/step) | ${jobs} data-parallel shards (ms/step) | threads ÷ 1 | shards ÷ 1 |`);
  console.log('| --- | --- | --- | --- | --- | --- |');
  const gains: { pool: number; shards: number }[] = [];
  for (let r = 1; r <= rounds; r++) {
    const one = measure(1, 1, steps, batch);
    const pool = measure(jobs, 1, steps, batch);
    const sharded = measure(1, jobs, steps, batch);
    gains.push({ pool: one / pool, shards: one / sharded });
    console.log(`| ${r} | ${one.toFixed(0)} | ${pool.toFixed(0)} | ${sharded.toFixed(0)} | ${(one / pool).toFixed(2)}× | ${(one / sharded).toFixed(2)}× |`);
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`median speed-up over 1 thread: ${median(gains.map((g) => g.pool)).toFixed(2)}× with ${jobs} threads, ${median(gains.map((g) => g.shards)).toFixed(2)}× with ${jobs} data-parallel shards; load average ${load()} at the end`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
