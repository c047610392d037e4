/**
 * One trainer of bench/shard-interference.ts: the shipped DDPM U-Net (ddpm-mnist-uncond's
 * configuration) on a single-threaded wasm backend, `steps` steps of L_simple on random batches
 * after 2 warm-up steps; with `update` each step changes the weights (Adam), without it only the
 * gradients are computed (the weights stay the same). The timed steps begin at the wall-clock time
 * `startAt` (ms since the epoch), so trainers started together time the same interval. Reports the ms per timed step. Runs as a
 * process (`node bench/shard-trainer.cjs '<json>'`) or as a worker thread (workerData = the same
 * object); plain CommonJS so that both load it without a TypeScript loader.
 */
'use strict';
const { parentPort, workerData, isMainThread } = require('worker_threads');

async function train({ batch, steps, update, startAt }) {
  const tf = require('@tensorflow/tfjs');
  const { backend, diffusion, models, train: ckpt } = require('genbook');
  await backend.setup('wasm', { threads: 1, log: null });
  const config = ckpt.readMeta(ckpt.checkpointDir('ddpm-mnist-uncond')).config;
  const net = new models.DiffusionUNet({ ...config, seed: 1 });
  const variables = net.variables();
  // ddpm-mnist-uncond keeps the class embedding and drops every label: the null label, numClasses
  const labels = net.numClasses > 0 ? new Array(batch).fill(net.numClasses) : null;
  const adam = tf.train.adam(1e-4);
  const warm = 2;
  let start = 0;
  let late = false;
  for (let s = 0; s < warm + steps; s++) {
    if (s === warm) {
      // every trainer of a run starts its timed steps at the same wall-clock time
      late = Date.now() > startAt;
      await new Promise((resolve) => setTimeout(resolve, Math.max(0, startAt - Date.now())));
      start = performance.now();
    }
    tf.tidy(() => {
      const xt = tf.randomNormal([batch, 28, 28, 1], 0, 1, 'float32', s);
      const eps = tf.randomNormal([batch, 28, 28, 1], 0, 1, 'float32', 1000 + s);
      const t = Array.from({ length: batch }, (_, i) => 1 + ((s * 131 + i * 17) % 999));
      const { value, grads } = tf.variableGrads(() => diffusion.simpleLoss(eps, net.apply(xt, t, labels)), variables);
      if (update) adam.applyGradients(grads);
      value.dataSync();
    });
  }
  return { msPerStep: (performance.now() - start) / steps, late };
}

if (!isMainThread && workerData && workerData.kind === 'shard-trainer') {
  train(workerData).then((r) => parentPort.postMessage(r), (e) => parentPort.postMessage({ error: String(e && e.stack) }));
} else if (require.main === module) {
  train(JSON.parse(process.argv[2])).then((r) => console.log(JSON.stringify(r)), (e) => {
    console.error(e);
    process.exit(1);
  });
}

module.exports = { train };
