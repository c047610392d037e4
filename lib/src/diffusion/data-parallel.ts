/**
 * Data-parallel gradients of L_simple over worker threads (issue 18's fallback for using every
 * core): the mini-batch of Algorithm 1 is cut into J shards; the main thread computes the gradient
 * of shard 0 while J − 1 worker threads, each with its own single-threaded backend and a replica of
 * the network, compute the others. The shard gradients, weighted by shard size, add up to the
 * gradient of the whole batch (L_simple is a mean over the batch, and the course's U-Net normalises
 * per example: GroupNorm, no batch statistics), so training takes the same steps as on one thread,
 * up to float32 rounding. Before each step the workers receive the current weights; Adam, gradient
 * clipping and the EMA stay on the main thread.
 *
 * Why by hand: tfjs has no data-parallel training for wasm in Node (its thread pool splits single
 * operations, and a U-Net step is many small ones: 1.3–1.4× from 2 threads,
 * bench/results/profile-threads.txt), while two single-threaded wasm instances run side by side at
 * almost full speed each. Use it with GENBOOK_THREADS=1 (the main thread's backend), or the pool
 * and the workers compete for the same cores.
 *
 * @see notebooks/08-diffusion-ddpm
 */
import * as tf from '@tensorflow/tfjs';
import { Worker, isMainThread, parentPort, workerData } from 'worker_threads';
import { simpleLoss, weightedSimpleLoss } from './losses';
import { DiffusionNetwork } from './network';

/** A network that can be rebuilt in a worker: its checkpoint kind and configuration. */
export interface ReplicableNetwork extends DiffusionNetwork {
  readonly config: unknown;
}

/** The shard sizes of a batch of `batch` over `shards` (as equal as possible, larger first). */
export function shardSizes(batch: number, shards: number): number[] {
  if (!Number.isInteger(shards) || shards < 1) throw new RangeError(`shards must be a positive integer; got ${shards}`);
  if (!Number.isInteger(batch) || batch < shards) throw new RangeError(`the batch (${batch}) must have at least one example per shard (${shards})`);
  return Array.from({ length: shards }, (_, i) => Math.floor(batch / shards) + (i < batch % shards ? 1 : 0));
}

interface ShardRequest {
  weights?: Float32Array[];
  xt: Float32Array;
  eps: Float32Array;
  shape: number[];
  t: number[];
  labels: number[] | null;
  /** Per-example loss weights (Min-SNR-γ), or null for L_simple. */
  lossWeights: number[] | null;
}
type WorkerReply = { ready: true } | { loss: number; grads: Float32Array[] } | { error: string };

const WORKER_KIND = 'genbook-diffusion-data-parallel';

/** The gradient of L_simple(ε, ε_θ(x_t, t, c)) (weighted per example when `lossWeights` are given) with respect to `variables`, in their order. */
function shardGradients(network: DiffusionNetwork, variables: tf.Variable[], xt: tf.Tensor, eps: tf.Tensor, t: number[], labels: number[] | null, lossWeights: number[] | null): { loss: tf.Scalar; grads: tf.Tensor[] } {
  const { value, grads } = tf.variableGrads(() => {
    const epsPred = network.apply(xt, t, labels);
    return lossWeights ? weightedSimpleLoss(eps, epsPred, lossWeights) : simpleLoss(eps, epsPred);
  }, variables);
  return { loss: value, grads: variables.map((v) => grads[v.name]) };
}

/**
 * J − 1 worker replicas of `network` (J = `shards`), started and loaded. `gradients` computes the
 * whole batch's L_simple and its gradient for the main thread's `network`, shard 0 on the main
 * thread. Call `dispose` to stop the workers.
 */
export class DataParallelGradients {
  private constructor(
    private readonly network: DiffusionNetwork,
    private readonly workers: Worker[],
    private readonly replies: ((reply: WorkerReply) => void)[][],
  ) {}

  /** Start `shards − 1` workers, each rebuilding `network` (a checkpointable kind: DiffusionUNet, …) from its `config`. */
  static async start(network: DiffusionNetwork, shards: number): Promise<DataParallelGradients> {
    if (!Number.isInteger(shards) || shards < 2) throw new RangeError(`data-parallel training needs at least 2 shards; got ${shards}`);
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { diffusionNetworkKind } = require('../models/recipes/diffusion-checkpoint') as typeof import('../models/recipes/diffusion-checkpoint');
    const kind = diffusionNetworkKind(network as Parameters<typeof diffusionNetworkKind>[0]);
    const workers = Array.from({ length: shards - 1 }, () => new Worker(__filename, { workerData: { kind: WORKER_KIND, networkKind: kind, config: (network as ReplicableNetwork).config, backend: tf.getBackend() } }));
    const replies: ((reply: WorkerReply) => void)[][] = workers.map(() => []);
    const failed: Error[] = [];
    workers.forEach((w, i) => {
      w.on('message', (m: WorkerReply) => replies[i].shift()?.(m));
      w.on('error', (e) => {
        failed.push(e);
        for (const r of replies[i].splice(0)) r({ error: e.message });
      });
      w.on('exit', (code) => {
        for (const r of replies[i].splice(0)) r({ error: `the data-parallel worker exited (code ${code})` });
      });
    });
    const parallel = new DataParallelGradients(network, workers, replies);
    const ready = await Promise.all(workers.map((_, i) => parallel.next(i)));
    const bad = ready.find((r) => 'error' in r);
    if (bad || failed.length) {
      await parallel.dispose();
      throw new Error(`data-parallel workers did not start: ${bad && 'error' in bad ? bad.error : failed[0].message}`);
    }
    return parallel;
  }

  private next(i: number): Promise<WorkerReply> {
    return new Promise((resolve) => this.replies[i].push(resolve));
  }

  /**
   * L_simple over the whole batch (x_t, ε [B, …], one t and label per example; with `lossWeights`, one
   * loss weight per example) and its gradient, one tensor per variable of `variables` (the network's,
   * in order; the caller disposes them).
   */
  async gradients(variables: tf.Variable[], xt: tf.Tensor, eps: tf.Tensor, t: number[], labels: number[] | null, lossWeights: number[] | null = null): Promise<{ loss: number; grads: tf.Tensor[] }> {
    const batch = xt.shape[0];
    const sizes = shardSizes(batch, this.workers.length + 1);
    const weights = variables.map((v) => v.dataSync() as Float32Array);
    const rest = xt.shape.slice(1);
    const perExample = rest.reduce((a, b) => a * b, 1);
    const xtValues = xt.dataSync() as Float32Array;
    const epsValues = eps.dataSync() as Float32Array;
    // hand the other shards to the workers first, then compute shard 0 here while they work
    const pending: Promise<WorkerReply>[] = [];
    let offset = sizes[0];
    this.workers.forEach((w, i) => {
      const n = sizes[i + 1];
      const request: ShardRequest = {
        weights,
        xt: xtValues.slice(offset * perExample, (offset + n) * perExample),
        eps: epsValues.slice(offset * perExample, (offset + n) * perExample),
        shape: [n, ...rest],
        t: t.slice(offset, offset + n),
        labels: labels ? labels.slice(offset, offset + n) : null,
        lossWeights: lossWeights ? lossWeights.slice(offset, offset + n) : null,
      };
      pending.push(this.next(i));
      w.postMessage(request, [request.xt.buffer as ArrayBuffer, request.eps.buffer as ArrayBuffer]);
      offset += n;
    });
    const n0 = sizes[0];
    const local = tf.tidy(() => {
      const { loss, grads } = shardGradients(
        this.network, variables,
        xt.slice(0, n0), eps.slice(0, n0), t.slice(0, n0), labels ? labels.slice(0, n0) : null, lossWeights ? lossWeights.slice(0, n0) : null,
      );
      return { loss: tf.mul(loss, n0 / batch) as tf.Scalar, grads: grads.map((g) => tf.mul(g, n0 / batch)) };
    });
    const replies = await Promise.all(pending);
    const failed = replies.find((r) => 'error' in r);
    if (failed && 'error' in failed) {
      tf.dispose([local.loss, ...local.grads]);
      throw new Error(`data-parallel worker: ${failed.error}`);
    }
    const grads = tf.tidy(() =>
      local.grads.map((g, k) => replies.reduce((sum, r, i) => {
        const { grads: shard } = r as { grads: Float32Array[] };
        return tf.add(sum, tf.mul(tf.tensor(shard[k], g.shape), sizes[i + 1] / batch));
      }, g)),
    );
    let loss = local.loss.dataSync()[0];
    replies.forEach((r, i) => (loss += ((r as { loss: number }).loss * sizes[i + 1]) / batch));
    tf.dispose([local.loss, ...local.grads]);
    return { loss, grads };
  }

  async dispose(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}

/** A worker: a single-threaded backend, the network rebuilt, then one shard gradient per request. */
async function work(data: { networkKind: string; config: unknown; backend: string }): Promise<void> {
  const port = parentPort!;
  try {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const { setup } = require('../backend/setup') as typeof import('../backend/setup');
    const { buildDiffusionNetwork } = require('../models/recipes/diffusion-checkpoint') as typeof import('../models/recipes/diffusion-checkpoint');
    /* eslint-enable @typescript-eslint/no-require-imports */
    await setup(data.backend as Parameters<typeof setup>[0], { threads: 1, log: null });
    const network = buildDiffusionNetwork(data.networkKind, data.config) as unknown as DiffusionNetwork;
    const variables = network.variables();
    port.on('message', (request: ShardRequest) => {
      try {
        if (request.weights) tf.tidy(() => variables.forEach((v, k) => v.assign(tf.tensor(request.weights![k], v.shape))));
        const r = tf.tidy(() => {
          const xt = tf.tensor(request.xt, request.shape);
          const eps = tf.tensor(request.eps, request.shape);
          return shardGradients(network, variables, xt, eps, request.t, request.labels, request.lossWeights);
        });
        // Read the values after the tidy, never inside it: tf.tidy walks what its function returns
        // for tensors to keep, index by index through a typed array (tfjs-core's
        // walkTensorContainer), which cost 190–290 ms per step for the U-Net's gradients here.
        // Copies: the cpu backend's dataSync is its own storage, and these buffers are transferred.
        const loss = r.loss.dataSync()[0];
        const grads = r.grads.map((g) => new Float32Array(g.dataSync()));
        tf.dispose([r.loss, ...r.grads]);
        port.postMessage({ loss, grads } satisfies WorkerReply, grads.map((g) => g.buffer));
      } catch (e) {
        port.postMessage({ error: (e as Error).stack ?? String(e) } satisfies WorkerReply);
      }
    });
    port.postMessage({ ready: true } satisfies WorkerReply);
  } catch (e) {
    port.postMessage({ error: (e as Error).stack ?? String(e) } satisfies WorkerReply);
  }
}

if (!isMainThread && (workerData as { kind?: string } | null)?.kind === WORKER_KIND) {
  void work(workerData as { networkKind: string; config: unknown; backend: string });
}
