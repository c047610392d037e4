/**
 * What a homework test sees of the student's module: its exports behind a proxy that turns a
 * missing export into a clear error for the one test that touches it (instead of "x is not a
 * function" or a failed import for the whole file).
 *
 * Used in two places: by `tests/homework/target.ts` when mocha runs the tests directly, and by the
 * grading worker inside the sandbox.
 */

/** Thrown when a test uses a name the submission does not export. */
export class MissingExportError extends Error {
  constructor(
    readonly week: string,
    readonly exportName: string,
  ) {
    super(`${week}.ts does not export "${exportName}" (is it spelled as in the stub, and still marked \`export\`?)`);
    this.name = 'MissingExportError';
  }
}

/** Names that tools probe on any object; never reported as missing. */
const PROBED = new Set(['then', 'toJSON', 'default', '__esModule', 'constructor', 'inspect', 'asymmetricMatch', 'nodeType', 'toString', 'valueOf']);

/** The module's exports; reading a name it does not export throws MissingExportError. */
export function exportsProxy<T extends object>(exports: object, week: string): T {
  return new Proxy(exports, {
    get(target, key, receiver) {
      if (typeof key === 'string' && !PROBED.has(key) && !(key in target)) throw new MissingExportError(week, key);
      return Reflect.get(target, key, receiver);
    },
  }) as T;
}
