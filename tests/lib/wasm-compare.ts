/**
 * Helpers for the wasm kernel tests: run the same computation on `wasm` (with the genbook
 * kernels) and on `cpu` (tfjs's reference JavaScript kernels) and compare.
 */
import { spawnSync } from 'child_process';
import { expect } from 'chai';
import { backend, random, tf } from 'genbook';

/**
 * Run a short script against lib/dist in a fresh Node process, with GENBOOK_BACKEND and
 * GENBOOK_THREADS cleared unless `env` sets them.
 */
export function runNode(args: string[], script: string, env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [...args, '-e', script], {
    encoding: 'utf8',
    timeout: 60000,
    env: { ...process.env, GENBOOK_BACKEND: '', GENBOOK_THREADS: '', ...env },
  });
}

/** Activate wasm through `backend.setup` (which registers the genbook kernels). */
export async function useWasm(): Promise<void> {
  // Initialise cpu through setup first: it silences tfjs's "running in Node.js" banner.
  await backend.setup('cpu', { log: null });
  await backend.setup('wasm', { log: null });
}

/** Run `fn` on backend `name` and return its outputs as plain arrays (no tensors escape). */
export async function runOn(name: 'wasm' | 'cpu', fn: () => tf.Tensor | tf.Tensor[]): Promise<Float32Array[]> {
  const previous = tf.getBackend();
  await tf.setBackend(name);
  try {
    return tf.tidy(() => {
      const out = fn();
      return (Array.isArray(out) ? out : [out]).map((t) => t.dataSync() as Float32Array);
    });
  } finally {
    await tf.setBackend(previous);
  }
}

/**
 * Tolerance used throughout: |wasm − cpu| ≤ 1e-4 · max(1, max|cpu|) elementwise. Both backends
 * compute in float32 but sum in different orders (XNNPACK's blocked GEMM vs. cpu's loops), so
 * results differ by rounding of order √K·2⁻²⁴ relative to the result's scale.
 */
export const RELATIVE_TOLERANCE = 1e-4;

export function expectClose(actual: Float32Array, expected: Float32Array, what: string, tolerance = RELATIVE_TOLERANCE): void {
  expect(actual.length, `${what}: length`).to.equal(expected.length);
  let scale = 1;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  let worstAt = -1;
  for (let i = 0; i < expected.length; i++) {
    const d = Math.abs(actual[i] - expected[i]);
    if (!(d <= worst)) {
      worst = d;
      worstAt = i;
    }
  }
  expect(
    worst,
    `${what}: max |wasm − cpu| = ${worst} at ${worstAt} (wasm ${actual[worstAt]}, cpu ${expected[worstAt]}), scale ${scale}`,
  ).to.be.at.most(tolerance * scale);
}

/** Seeded standard-normal data of a shape, as a plain array (fed to both backends). */
export function normalData(rng: random.Rng, shape: number[]): Float32Array {
  const size = shape.reduce((a, b) => a * b, 1);
  return Float32Array.from(rng.normals(size));
}

/**
 * Run `fn` on wasm and `cpuReference` (default: the same `fn`) on cpu and compare every output.
 * A separate reference is for cases the cpu kernel itself does not cover.
 */
export async function compareKernel(
  what: string,
  fn: () => tf.Tensor | tf.Tensor[],
  cpuReference: () => tf.Tensor | tf.Tensor[] = fn,
): Promise<void> {
  const onWasm = await runOn('wasm', fn);
  const onCpu = await runOn('cpu', cpuReference);
  expect(onWasm.length).to.equal(onCpu.length);
  onWasm.forEach((w, i) => expectClose(w, onCpu[i], `${what} output ${i}`));
}

/** Run one kernel by name on the active backend (the ops for the backprop kernels are not public). */
export function runKernel(name: string, inputs: Record<string, tf.Tensor>, attrs: object): tf.Tensor {
  return tf.engine().runKernel(name, inputs, attrs as unknown as tf.NamedAttrMap) as tf.Tensor;
}
