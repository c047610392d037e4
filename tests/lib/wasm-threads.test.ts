/**
 * The threaded wasm backend (lib/src/backend/wasm-threads.ts): thread-count resolution, agreement
 * of the threaded build with the single-threaded one (kernels and a seeded training run), no
 * leaked worker threads, processes that exit on their own, and single-threaded fallback under
 * Node's permission model (the grader's sandbox).
 *
 * The other wasm tests (wasm-kernels, wasm-layers, wasm-training) run on `backend.setup('wasm')`'s
 * default, every core, so on a multi-core machine they check the threaded build against cpu; run
 * them with GENBOOK_THREADS=1 for the single-threaded build.
 */
import * as fs from 'fs';
import * as path from 'path';
import { expect } from 'chai';
import { backend, random, tf } from 'genbook';
import { until } from '../until';
import { expectClose, normalData, runNode } from './wasm-compare';

const quiet = { log: null } as const;
const GENBOOK_DIST = path.join(__dirname, '..', '..', 'lib', 'dist', 'index.js');

/** Run `fn` on wasm with `threads` threads; outputs come back as plain arrays. */
async function onThreads(threads: number, fn: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  const result = await backend.setup('wasm', { ...quiet, threads });
  expect(result.threads, 'threads in use').to.equal(threads);
  return tf.tidy(() => {
    const out = fn();
    return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync() as Float32Array);
  });
}

/** Threads of this process, from /proc (Linux); undefined elsewhere. */
function osThreads(): number | undefined {
  try {
    const m = /^Threads:\s+(\d+)/m.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    return m ? Number(m[1]) : undefined;
  } catch {
    return undefined;
  }
}

describe('wasm threads: choosing the count', () => {
  it('takes the setup option, then GENBOOK_THREADS, then every core', () => {
    expect(backend.chooseWasmThreads(3, { GENBOOK_THREADS: '2' }).count).to.equal(3);
    expect(backend.chooseWasmThreads(undefined, { GENBOOK_THREADS: '2' })).to.deep.equal({ count: 2, why: 'GENBOOK_THREADS=2' });
    const all = backend.chooseWasmThreads(undefined, {});
    expect(all.count).to.equal(Math.min(backend.cpuCount(), backend.MAX_WASM_THREADS));
    expect(all.why).to.contain('every core');
  });

  it('caps at tfjs-backend-wasm’s maximum of 8 and says so', () => {
    const choice = backend.chooseWasmThreads(64, {});
    expect(choice.count).to.equal(8);
    expect(choice.why).to.contain('capped at 8');
  });

  it('rejects counts that are not positive integers, naming the source', () => {
    for (const bad of ['0', '-2', '1.5', 'all', ' ']) {
      if (bad.trim() === '') continue; // an empty GENBOOK_THREADS means "not set"
      expect(() => backend.chooseWasmThreads(undefined, { GENBOOK_THREADS: bad })).to.throw(RangeError, /GENBOOK_THREADS/);
    }
    expect(() => backend.chooseWasmThreads(0, {})).to.throw(RangeError, /option threads/);
    expect(() => backend.chooseWasmThreads(2.5, {})).to.throw(RangeError, /option threads/);
  });
});

describe('wasm threads: threaded and single-threaded builds agree', function () {
  this.timeout(300000);
  after(async () => {
    await backend.setup('cpu', quiet);
    expect(backend.threadsInUse()).to.equal(undefined);
  });

  it('reports the thread count in the backend line', async () => {
    const lines: string[] = [];
    await backend.setup('wasm', { threads: 2, log: (l) => lines.push(l) });
    expect(backend.threadsInUse()).to.equal(2);
    await backend.setup('wasm', { threads: 1, log: (l) => lines.push(l) });
    expect(backend.threadsInUse()).to.equal(1);
    expect(lines[0]).to.match(/^genbook backend: wasm \(WebAssembly SIMD, 2 threads \(XNNPACK pool on worker_threads\) \[threads: 2 requested by setup\(\)\]/);
    expect(lines[1]).to.match(/^genbook backend: wasm \(WebAssembly SIMD, single thread \[threads: 1 requested by setup\(\)\]/);
  });

  it('conv gradients, matmuls and reductions match between 1 and 2 threads on random shapes', async () => {
    const rng = random.rng(18);
    const cases: { what: string; inputs: Float32Array[]; shapes: number[][]; fn: (...t: tf.Tensor[]) => tf.Tensor }[] = [];
    for (let i = 0; i < 6; i++) {
      const [n, h, c, k, s] = [rng.int(1, 4 + 1), rng.int(5, 17), rng.int(1, 16 + 1), rng.int(1, 24 + 1), rng.int(1, 2 + 1)];
      const x = [n, h, h, c];
      const f = [3, 3, c, k];
      const y = [n, Math.ceil(h / s), Math.ceil(h / s), k];
      cases.push({
        what: `Conv2DBackpropFilter and Conv2DBackpropInput, x ${x}, filter ${f}, stride ${s}`,
        shapes: [x, f, y],
        inputs: [normalData(rng, x), normalData(rng, f), normalData(rng, y)],
        fn: (a, w, dy) => {
          const loss = (a2: tf.Tensor, w2: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a2 as tf.Tensor4D, w2 as tf.Tensor4D, s, 'same'), dy));
          const [da, dw] = tf.grads(loss)([a, w]);
          return tf.concat([da.flatten(), dw.flatten()]);
        },
      });
      const [b, m, kk, nn] = [rng.int(1, 3 + 1), rng.int(1, 90 + 1), rng.int(1, 90 + 1), rng.int(1, 90 + 1)];
      cases.push({
        what: `BatchMatMul ${b}×${kk}×${m} ᵀ· ${b}×${nn}×${kk} ᵀ`,
        shapes: [[b, kk, m], [b, nn, kk]],
        inputs: [normalData(rng, [b, kk, m]), normalData(rng, [b, nn, kk])],
        fn: (a, c2) => tf.matMul(a, c2, true, true),
      });
      cases.push({
        what: `Sum/Mean over batch and space of ${x}`,
        shapes: [x],
        inputs: [normalData(rng, x)],
        fn: (a) => tf.concat([tf.sum(a, [0, 1, 2]), tf.mean(a, [0, 1, 2])]),
      });
    }
    const run = (threads: number) =>
      onThreads(threads, () => cases.map((c) => c.fn(...c.inputs.map((v, j) => tf.tensor(v, c.shapes[j])))));
    const single = await run(1);
    const threaded = await run(2);
    cases.forEach((c, i) => expectClose(threaded[i], single[i], c.what));
  });

  it('a seeded training run gives the same losses step for step on 1 and 2 threads', async () => {
    /** A small conv/deconv autoencoder with seeded weights and data, trained by Adam. */
    const train = (threads: number) =>
      onThreads(threads, () => {
        const model = tf.sequential({
          layers: [
            tf.layers.conv2d({ inputShape: [16, 16, 1], filters: 8, kernelSize: 3, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 1 }) }),
            tf.layers.conv2d({ filters: 16, kernelSize: 3, strides: 2, padding: 'same', kernelInitializer: tf.initializers.glorotUniform({ seed: 2 }) }),
            tf.layers.leakyReLU({ alpha: 0.2 }),
            tf.layers.flatten(),
            tf.layers.dense({ units: 32, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 3 }) }),
            tf.layers.dense({ units: 4 * 4 * 16, kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }),
            tf.layers.reshape({ targetShape: [4, 4, 16] }),
            tf.layers.conv2dTranspose({ filters: 8, kernelSize: 4, strides: 2, padding: 'same', activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: 5 }) }),
            tf.layers.conv2dTranspose({ filters: 1, kernelSize: 4, strides: 2, padding: 'same', kernelInitializer: tf.initializers.glorotUniform({ seed: 6 }) }),
          ],
        });
        const x = tf.randomUniform([16, 16, 16, 1], 0, 1, 'float32', 7);
        const optimizer = tf.train.adam(1e-2);
        const losses: number[] = [];
        for (let step = 0; step < 12; step++) {
          const loss = optimizer.minimize(() => tf.losses.meanSquaredError(x, model.predict(x) as tf.Tensor), true) as tf.Scalar;
          losses.push(loss.dataSync()[0]);
          loss.dispose();
        }
        optimizer.dispose();
        const weights = model.getWeights().map((w) => w.flatten());
        const out = [tf.tensor1d(losses), tf.concat(weights)];
        model.dispose();
        return out;
      });
    const [lossesSingle, weightsSingle] = await train(1);
    const [lossesThreaded, weightsThreaded] = await train(2);
    expect(lossesSingle[lossesSingle.length - 1], 'the loss falls').to.be.below(lossesSingle[0]);
    // Float32 noise only: relative 1e-5 per step (the builds sum in the same order, so in
    // practice the runs are bit-identical).
    for (let i = 0; i < lossesSingle.length; i++) {
      expect(Math.abs(lossesThreaded[i] - lossesSingle[i]), `step ${i}: ${lossesThreaded[i]} vs ${lossesSingle[i]}`).to.be.at.most(1e-5 * Math.abs(lossesSingle[i]));
    }
    expectClose(weightsThreaded, weightsSingle, 'weights after 12 steps');
  });

  it('leaks no worker threads when the thread count changes', async function () {
    if (osThreads() === undefined) this.skip();
    await backend.setup('wasm', { ...quiet, threads: 1 });
    const before = osThreads() as number;
    await backend.setup('wasm', { ...quiet, threads: 3 });
    const during = osThreads() as number;
    await backend.setup('wasm', { ...quiet, threads: 1 });
    // Worker termination is asynchronous: give the threads a moment to end.
    await until("the pool's threads to end", () => (osThreads() as number) <= before, 15, 100).catch(() => undefined);
    const after = osThreads() as number;
    expect(during, 'the pool adds OS threads').to.be.above(before);
    expect(after, `threads: ${before} before, ${during} with the pool, ${after} after`).to.be.at.most(before);
  });
});

describe('wasm threads: processes', function () {
  this.timeout(180000);

  it('a process that used 2 threads exits on its own', () => {
    const r = runNode(
      [],
      `const { backend, tf } = require(${JSON.stringify(GENBOOK_DIST)});
       backend.setup('wasm', { threads: 2 }).then(() => {
         const a = tf.randomNormal([128, 128], 0, 1, 'float32', 1);
         console.log('sum', tf.matMul(a, a).sum().dataSync()[0]);
       });`,
    );
    expect(r.error, 'the process hung on its pool').to.equal(undefined);
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.contain('2 threads (XNNPACK pool on worker_threads)');
    expect(r.stdout).to.match(/sum -?\d/);
  });

  it('a replaced pool (as the Ctrl+C recovery replaces it) computes closed forms, and the process still exits on its own', () => {
    // Each round replaces the 2-thread pool, then: a 300×300 product of ones sums to 300³, and a
    // 3×3 'same' convolution of ones (8×16×16×32 by 3×3×32×64) has mean 32·(4·4 + 56·6 + 196·9)/256 = 264.5.
    const r = runNode(
      [],
      `const { backend, tf } = require(${JSON.stringify(GENBOOK_DIST)});
       backend.setup('wasm', { threads: 2, log: null }).then(async () => {
         const module = tf.backend().wasm;
         for (let round = 0; round < 4; round++) {
           backend.replaceWasmPoolForDiagnostics(module, 2);
           await new Promise((resolve) => setTimeout(resolve, 200));
           const product = tf.tidy(() => tf.matMul(tf.ones([300, 300]), tf.ones([300, 300])).sum().dataSync()[0]);
           const conv = tf.tidy(() => tf.conv2d(tf.ones([8, 16, 16, 32]), tf.ones([3, 3, 32, 64]), 1, 'same').mean().dataSync()[0]);
           console.log('round', round, product, conv);
         }
         let refused = '';
         try { backend.replaceWasmPoolForDiagnostics({}, 2); } catch (e) { refused = e.message; }
         console.log('refused:', refused);
       });`,
    );
    expect(r.error, 'the process hung on its pool').to.equal(undefined);
    expect(r.status, r.stderr).to.equal(0);
    for (let round = 0; round < 4; round++) expect(r.stdout).to.contain(`round ${round} 27000000 264.5`);
    expect(r.stdout).to.match(/refused: .*not the threaded wasm build/);
  });

  it('falls back to the single-threaded build, and says why, when the threaded one cannot start', () => {
    // No writable temp dir: the pthread worker script cannot be written.
    const r = runNode(
      [],
      `const { backend, tf } = require(${JSON.stringify(GENBOOK_DIST)});
       backend.setup('wasm', { threads: 2 }).then((result) => {
         console.log('threads', result.threads);
         console.log('sum', tf.matMul(tf.ones([4, 4]), tf.ones([4, 4])).sum().dataSync()[0]);
       });`,
      { TMPDIR: '/nonexistent/genbook-test' },
    );
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.match(/single thread \[1 thread: the threaded build failed to start \(asked for 2\): ENOENT[^\]]*mkdtemp[^\]]*\]/);
    expect(r.stdout).to.contain('threads 1');
    expect(r.stdout).to.contain('sum 64');
  });

  it('picks 1 thread without error under the permission model (the grader), even when asked for more', () => {
    const flag = Number(process.versions.node.split('.')[0]) >= 22 ? '--permission' : '--experimental-permission';
    const r = runNode(
      // Reading is allowed (the grader allows node_modules and lib/dist); workers are not.
      [flag, '--allow-fs-read=*', '--no-warnings'],
      `const { backend, tf } = require(${JSON.stringify(GENBOOK_DIST)});
       backend.setup('wasm').then((result) => {
         console.log('threads', result.threads);
         console.log('sum', tf.matMul(tf.ones([4, 4]), tf.ones([4, 4])).sum().dataSync()[0]);
       });`,
      { GENBOOK_THREADS: '2' },
    );
    expect(r.status, r.stderr).to.equal(0);
    expect(r.stdout).to.contain("single thread [1 thread: Node's permission model forbids worker threads (asked for 2)]");
    expect(r.stdout).to.contain('threads 1');
    expect(r.stdout).to.contain('sum 64');
  });
});
