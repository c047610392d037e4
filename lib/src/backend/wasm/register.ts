/**
 * Registration of the genbook training kernels for the `wasm` backend.
 *
 * `backend.setup` calls `registerWasmTrainingKernels()` whenever it activates `wasm`; call it
 * yourself only if you activate wasm with `tf.setBackend('wasm')` directly.
 * `unregisterWasmTrainingKernels()` restores the stock kernels (the benchmark compares both).
 *
 * @see notebooks/00-getting-started
 */
import * as tf from '@tensorflow/tfjs';
import { captureStock, stockConfig, type WasmKernelArgs } from './kernel-utils';
import { conv2DBackpropFilter } from './conv2d-backprop-filter';
import { conv2DBackpropInput } from './conv2d-backprop-input';
import { batchMatMul, fusedMatMul } from './batch-mat-mul';
import { unsortedSegmentSum } from './unsorted-segment-sum';
import { depthwiseConv2dNativeBackpropFilter, depthwiseConv2dNativeBackpropInput } from './depthwise-backprop';
import { cast, concat, identity, slice, splitV, tile } from './data-movement';
import { mean, sum } from './reduce';
import { resizeBilinearGrad, resizeNearestNeighborGrad } from './resize-grad';
import { leakyRelu, leakyReluGradConfig } from './leaky-relu';
import { fusedBatchNorm } from './batch-norm';
import { transpose } from './transpose';
import { meanGradConfig, sumGradConfig } from './reduce-grad';

type GenbookKernel = (args: WasmKernelArgs<never>) => tf.TensorInfo | tf.TensorInfo[];

/** Kernel name → genbook implementation, in the order they are registered. */
const KERNELS: ReadonlyArray<readonly [string, GenbookKernel]> = [
  ['Conv2DBackpropFilter', conv2DBackpropFilter as GenbookKernel],
  ['Conv2DBackpropInput', conv2DBackpropInput as GenbookKernel],
  ['BatchMatMul', batchMatMul as GenbookKernel],
  ['_FusedMatMul', fusedMatMul as GenbookKernel],
  ['UnsortedSegmentSum', unsortedSegmentSum as GenbookKernel],
  ['DepthwiseConv2dNativeBackpropFilter', depthwiseConv2dNativeBackpropFilter as GenbookKernel],
  ['DepthwiseConv2dNativeBackpropInput', depthwiseConv2dNativeBackpropInput as GenbookKernel],
  ['Identity', identity as GenbookKernel],
  ['Cast', cast as GenbookKernel],
  ['Slice', slice as GenbookKernel],
  ['SplitV', splitV as GenbookKernel],
  ['Concat', concat as GenbookKernel],
  ['Tile', tile as GenbookKernel],
  ['Sum', sum as GenbookKernel],
  ['Mean', mean as GenbookKernel],
  ['ResizeNearestNeighborGrad', resizeNearestNeighborGrad as GenbookKernel],
  ['ResizeBilinearGrad', resizeBilinearGrad as GenbookKernel],
  ['LeakyRelu', leakyRelu as GenbookKernel],
  ['FusedBatchNorm', fusedBatchNorm as GenbookKernel],
  ['Transpose', transpose as GenbookKernel],
];

/**
 * Gradients genbook replaces while its wasm kernels are registered (same values, faster kernels on
 * wasm; gradients are shared by every backend, and these are exact rewrites of tfjs's).
 */
const GRADIENTS: readonly tf.GradConfig[] = [leakyReluGradConfig, sumGradConfig, meanGradConfig];

/**
 * tfjs's gradient registry is one per process, but genbook can be loaded twice in one (its built
 * `lib/dist` and its TypeScript sources, as in the test runner): so the replacements of every copy
 * and the stock gradients they displaced are kept in one place, and a copy never mistakes another
 * copy's replacement for tfjs's own.
 */
const shared = ((globalThis as Record<symbol, unknown>)[Symbol.for('genbook.wasmGradients')] ??= {
  replacements: new WeakSet<tf.GradConfig>(),
  stock: new Map<string, tf.GradConfig>(),
}) as { replacements: WeakSet<tf.GradConfig>; stock: Map<string, tf.GradConfig> };

/** Put genbook's gradients in place (again: another copy of genbook may have put its own). */
function registerGradients(): void {
  for (const config of GRADIENTS) {
    shared.replacements.add(config);
    const current = tf.getGradient(config.kernelName);
    if (current && !shared.replacements.has(current) && !shared.stock.has(config.kernelName)) shared.stock.set(config.kernelName, current);
    tf.registerGradient(config);
  }
}

/** Names of the kernels genbook registers (or replaces) for the wasm backend. */
export const WASM_TRAINING_KERNELS: readonly string[] = KERNELS.map(([name]) => name);

let registered = false;

/** Register the genbook kernels for `wasm` (idempotent). Replaced stock kernels are kept for restore. */
export function registerWasmTrainingKernels(): void {
  if (registered) {
    registerGradients();
    return;
  }
  for (const [kernelName, kernel] of KERNELS) {
    const stock = captureStock(kernelName);
    if (stock) tf.unregisterKernel(kernelName, 'wasm');
    tf.registerKernel({
      kernelName,
      backendName: 'wasm',
      kernelFunc: kernel as unknown as tf.KernelFunc,
      // The stock kernel's setup binds its wasm function to the backend instance; the engine runs it
      // on every (re)initialised wasm backend, and genbook's kernel calls the stock one through
      // `runStock`. Without it a new wasm module (another thread count) would run stale bindings.
      setupFunc: stock?.setupFunc,
    });
  }
  registerGradients();
  registered = true;
}

/** Remove the genbook kernels and put back the stock ones they replaced (for comparisons). */
export function unregisterWasmTrainingKernels(): void {
  if (!registered) return;
  for (const [kernelName] of KERNELS) {
    tf.unregisterKernel(kernelName, 'wasm');
    const stock = stockConfig(kernelName);
    if (stock) tf.registerKernel(stock);
  }
  for (const config of GRADIENTS) {
    const stock = shared.stock.get(config.kernelName);
    if (stock) tf.registerGradient(stock);
  }
  registered = false;
}

/** Whether the genbook kernels are currently registered. */
export function wasmTrainingKernelsRegistered(): boolean {
  return registered;
}
