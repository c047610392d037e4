/** Backend namespace: choose and report the TensorFlow.js backend. @see notebooks/00-getting-started */
export { setup, name, current, threadsInUse, onActivate, parseBackendName, wasmDirectory, chooseWasmThreads, BACKEND_NAMES } from './setup';
export { cpuCount, MAX_WASM_THREADS, parseThreadCount, replaceWasmPoolForDiagnostics, workerThreadsUnavailable } from './wasm-threads';
export { restoreUtilForTfjsNode, REMOVED_UTIL_FUNCTIONS_USED_BY_TFJS_NODE } from './node-util-shim';
export type { BackendName, SetupOptions, SetupResult } from './setup';
export {
  registerWasmTrainingKernels,
  unregisterWasmTrainingKernels,
  wasmTrainingKernelsRegistered,
  WASM_TRAINING_KERNELS,
} from './wasm';
export { registerCpuFixes, cpuResizeNearestNeighborGrad } from './cpu-fixes';
