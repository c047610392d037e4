/** The genbook wasm training kernels (registered by `backend.setup` when it picks wasm). */
export {
  registerWasmTrainingKernels,
  unregisterWasmTrainingKernels,
  wasmTrainingKernelsRegistered,
  WASM_TRAINING_KERNELS,
} from './register';
