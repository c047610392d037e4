/**
 * `npm run evaluate -- <diffusion model> --jobs N`: the samples drawn by N worker threads, each with
 * its own single-threaded backend, in place of one backend whose thread pool shares every operation.
 *
 * Why: a DDPM sampling step is many small operations; tfjs-wasm's thread pool speeds the U-Net up
 * only 1.3–1.4× on 2 cores (`npx tsx bench/profile.ts unet-ddpm --threads 2`,
 * bench/results/profile-threads.txt), while two single-threaded wasm instances run side by side at
 * almost full speed each. Batches are independent: `diffusion.generate` seeds batch b with
 * seed + b. So a worker takes the next batch whenever it finishes one, and the samples are those of
 * one process drawing batch after batch, in the same order (tests/tools/evaluate.test.ts compares
 * them). Measured on 2 cores, DDIM-50 sampling gains only 1.05× over the 2-thread pool
 * (`npx tsx bench/evaluate-jobs.ts`, bench/results/evaluate-jobs.txt), so `--jobs` defaults to 1.
 */
import { Worker, isMainThread, parentPort, workerData } from 'worker_threads';

/** What every worker loads once: the U-Net, the sampler, and for classifier guidance the classifier. */
export interface DiffusionDrawJob {
  /** The backend the workers set up (the main thread's), each with 1 thread. */
  backend: string;
  unetDir: string;
  /** The noisy classifier's checkpoint (classifier guidance). */
  classifierDir?: string;
  classifierScale?: number;
  sampler: 'ddpm' | 'ddim';
  steps: number;
  guidanceWeight?: number;
}

/** One batch of a draw: batch b has n samples, seeded `seed` (the draw's seed + b), with their labels. */
export interface BatchRequest {
  b: number;
  n: number;
  seed: number;
  labels?: number[];
}

/** The batches of a draw of `count` samples in batches of `batch`: batch b seeded seed + b (`diffusion.generate`). */
export function batchPlan(count: number, seed: number, batch: number, labels?: number[]): BatchRequest[] {
  const batches: BatchRequest[] = [];
  for (let b = 0, done = 0; done < count; b++, done += batch) {
    const n = Math.min(batch, count - done);
    batches.push({ b, n, seed: seed + b, labels: labels?.slice(done, done + n) });
  }
  return batches;
}

type WorkerMessage = { ready: true } | { b: number; values: Float32Array };

const WORKER_KIND = 'genbook-evaluate-diffusion';

/**
 * Draw `batches` (28 × 28 × 1 samples, values as the sampler returns them, in [−1, 1]) over `jobs`
 * workers; `onBatch(request, values)` as each batch comes back, in the order they finish. The
 * result is the wall time from the first batch handed out to the last one back (as
 * `diffusion.generate` times its loop: loading the network is not included).
 */
export async function drawInWorkers(
  job: DiffusionDrawJob,
  options: { batches: readonly BatchRequest[]; jobs: number; onBatch: (request: BatchRequest, values: Float32Array) => void },
): Promise<number> {
  const { batches, jobs } = options;
  if (batches.length === 0) return 0;
  const workers = Array.from({ length: Math.min(jobs, batches.length) }, () => new Worker(__filename, { workerData: { kind: WORKER_KIND, job } }));
  const byB = new Map(batches.map((r) => [r.b, r]));
  let next = 0;
  let finished = 0;
  let start = 0;
  try {
    await new Promise<void>((resolve, reject) => {
      const handOut = (w: Worker): void => {
        if (next < batches.length) w.postMessage(batches[next++]);
      };
      let ready = 0;
      for (const w of workers) {
        w.on('error', reject);
        w.on('exit', (code) => {
          if (finished < batches.length) reject(new Error(`an evaluation worker exited (code ${code}) with ${batches.length - finished} batches to draw`));
        });
        w.on('message', (m: WorkerMessage) => {
          if ('ready' in m) {
            // start the clock when every worker has loaded its network, then hand out the batches
            if (++ready === workers.length) {
              start = performance.now();
              for (const x of workers) handOut(x);
            }
            return;
          }
          options.onBatch(byB.get(m.b)!, m.values);
          finished++;
          if (finished === batches.length) resolve();
          else handOut(w);
        });
      }
    });
  } finally {
    await Promise.all(workers.map((w) => w.terminate()));
  }
  return (performance.now() - start) / 1000;
}

type Genbook = typeof import('genbook');
type DrawNetworks = { unet: import('genbook').models.DiffusionUNet; classifier?: import('genbook').models.NoisyClassifier };

/** The networks a draw needs: the U-Net, and for classifier guidance the noisy classifier. */
export function loadDrawNetworks(genbook: Genbook, job: DiffusionDrawJob): DrawNetworks {
  const { models } = genbook;
  const unet = models.loadDiffusionCheckpoint(job.unetDir).network as import('genbook').models.DiffusionUNet;
  const classifier = job.classifierDir ? (models.loadDiffusionCheckpoint(job.classifierDir).network as import('genbook').models.NoisyClassifier) : undefined;
  return { unet, classifier };
}

/**
 * The evaluation protocol's call of `diffusion.generate` for the MNIST U-Nets (linear β, T = 1000,
 * 28 × 28 × 1): one thread drawing everything, or a worker drawing one batch.
 */
export function generatePixels(
  genbook: Genbook,
  nets: DrawNetworks,
  job: DiffusionDrawJob,
  draw: { count: number; seed: number; batchSize: number; labels?: number[]; onBatch?: (done: number, count: number) => void },
): Promise<{ samples: import('genbook').tf.Tensor; seconds: number }> {
  const { diffusion } = genbook;
  const { classifier } = nets;
  const classifierGuidance = classifier && job.classifierScale !== undefined
    ? { gradientFor: (ys: number[]) => diffusion.classifierLogProbGradient(classifier.asGuidanceClassifier(), ys), scale: job.classifierScale }
    : undefined;
  return diffusion.generate({
    network: nets.unet, schedule: diffusion.noiseSchedule('linear', 1000), sampleShape: [28, 28, 1], ...draw,
    sampler: job.sampler, steps: job.steps, guidanceWeight: job.guidanceWeight, classifierGuidance,
  });
}

/** A worker: set up the backend with 1 thread, load the networks, draw each batch it is sent. */
async function work(job: DiffusionDrawJob): Promise<void> {
  const genbook = require('genbook') as Genbook; // eslint-disable-line @typescript-eslint/no-require-imports
  await genbook.backend.setup(job.backend as Parameters<typeof genbook.backend.setup>[0], { threads: 1, log: null });
  const nets = loadDrawNetworks(genbook, job);
  const port = parentPort!;
  port.on('message', (req: BatchRequest) => {
    void (async () => {
      const { samples } = await generatePixels(genbook, nets, job, { count: req.n, seed: req.seed, batchSize: req.n, labels: req.labels });
      const values = new Float32Array(samples.dataSync());
      samples.dispose();
      port.postMessage({ b: req.b, values } satisfies WorkerMessage, [values.buffer]);
    })().catch((e: unknown) => {
      // rethrown outside the promise: the worker's 'error' event reaches the main thread
      setImmediate(() => {
        throw e;
      });
    });
  });
  port.postMessage({ ready: true } satisfies WorkerMessage);
}

if (!isMainThread && (workerData as { kind?: string } | null)?.kind === WORKER_KIND) {
  work((workerData as { job: DiffusionDrawJob }).job).catch((e: unknown) => {
    setImmediate(() => {
      throw e;
    });
  });
}
