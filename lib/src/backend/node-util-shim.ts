/**
 * The one Node `util` function that `@tensorflow/tfjs-node(-gpu)` 4.22 calls and Node 23 removed,
 * put back before the resolver loads it (tensorflow/tfjs#8609; the fix, tensorflow/tfjs#8425, is
 * merged upstream but in no release).
 *
 * Found by reading the JavaScript of the published 4.22.0 packages (`npm pack
 * @tensorflow/tfjs-node@4.22.0 @tensorflow/tfjs-node-gpu@4.22.0`, then grep for `util_1.` in
 * `dist/`, tests excluded): `util.isNullOrUndefined` in `dist/nodejs_kernel_backend.js`
 * (`createTensorsTypeOpAttr`, `createOpAttr`, `getTFDTypeForInputs`: nearly every op) and
 * `dist/kernels/TopK.js`, and `util.isArray` in `getTFDTypeForInputs`. Node 23 removed
 * `isNullOrUndefined` with the other `util.is*` helpers (DEP0051); it kept `isArray`, which has
 * printed a one-time `DeprecationWarning` (DEP0044) since Node 22, so that function is left
 * alone. Their runtime dependencies (`@mapbox/node-pre-gyp` 1.0.9, `google-protobuf`, …) call
 * none of the removed functions. Without the shim, `require('@tensorflow/tfjs-node')` and
 * `tf.setBackend('tensorflow')` succeed on Node ≥ 23 and the first operation throws
 * `TypeError: (0 , util_1.isNullOrUndefined) is not a function`.
 *
 * The restored function is Node 22's own definition (`lib/util.js`: `arg === null || arg ===
 * undefined`). It is added only where `util` lacks it, so on Node ≤ 22 nothing changes.
 */
// `import x = require()`: the module object itself (esModuleInterop's `import * as` would give a copy).
import nodeUtil = require('util');

/** The removed `util` functions tfjs-node 4.22 calls, with Node 22's definitions. */
export const REMOVED_UTIL_FUNCTIONS_USED_BY_TFJS_NODE: Readonly<Record<string, (value: unknown) => boolean>> = Object.freeze({
  isNullOrUndefined: (value: unknown): boolean => value === null || value === undefined,
});

/**
 * Put back on `target` (default: Node's `util` module, the object tfjs-node's `require('util')`
 * returns) each function of {@link REMOVED_UTIL_FUNCTIONS_USED_BY_TFJS_NODE} it lacks.
 * @returns the names it added (empty where the running Node still has them).
 */
export function restoreUtilForTfjsNode(target: object = nodeUtil): string[] {
  const added: string[] = [];
  const record = target as Record<string, unknown>;
  for (const [name, fn] of Object.entries(REMOVED_UTIL_FUNCTIONS_USED_BY_TFJS_NODE)) {
    if (typeof record[name] === 'function') continue;
    Object.defineProperty(target, name, { value: fn, writable: true, enumerable: true, configurable: true });
    added.push(name);
  }
  return added;
}
