/**
 * A corrected kernel for the `cpu` backend: ResizeNearestNeighborGrad, the gradient of
 * `tf.image.resizeNearestNeighbor` (the U-Net's upsampling, `models.upsample`). tfjs-backend-cpu
 * 4.22 reads dy at the input's batch offset (`b · H_in·W_in·C` instead of `b · H_out·W_out·C`), so
 * for a batch larger than 1 every example but the first gets another example's gradient, or zeros:
 * a U-Net trained on cpu followed wrong gradients, and the gradient of a batch was not the sum of its
 * examples' gradients (tests/lib/cpu-fixes.test.ts compares with 2×2 block sums and with wasm).
 * Here it is the exact adjoint of tfjs's forward kernel (the same source-pixel formula): every dy
 * pixel adds its value to the input pixel it was read from, in one pass over dy.
 *
 * genbook registers it when it is loaded (backend/setup.ts).
 *
 * @see notebooks/00-getting-started
 */
import * as tf from '@tensorflow/tfjs';
import { addNearestNeighborAdjoint } from './resize-adjoint';

interface CpuBackend {
  data: { get(dataId: object): { values: Float32Array } };
  makeTensorInfo(shape: number[], dtype: string, values: Float32Array): tf.TensorInfo;
}

interface Attrs {
  alignCorners: boolean;
  halfPixelCenters: boolean;
}

/** dx for dy = ∂L/∂resizeNearestNeighbor(images): the adjoint of the forward gather. */
export function cpuResizeNearestNeighborGrad(args: { inputs: { images: tf.TensorInfo; dy: tf.TensorInfo }; backend: CpuBackend; attrs: Attrs }): tf.TensorInfo {
  const { images, dy } = args.inputs;
  const inShape = images.shape as [number, number, number, number];
  const out = new Float32Array(inShape.reduce((a, b) => a * b, 1));
  addNearestNeighborAdjoint(args.backend.data.get(dy.dataId).values, out, inShape, dy.shape[1], dy.shape[2], args.attrs);
  return args.backend.makeTensorInfo(images.shape, 'float32', out);
}

let registered = false;

/** Replace the stock cpu kernel (idempotent). */
export function registerCpuFixes(): void {
  if (registered) return;
  tf.unregisterKernel('ResizeNearestNeighborGrad', 'cpu');
  tf.registerKernel({ kernelName: 'ResizeNearestNeighborGrad', backendName: 'cpu', kernelFunc: cpuResizeNearestNeighborGrad as unknown as tf.KernelFunc });
  registered = true;
}
