/**
 * The values that cross the grader's trust boundary (tests in the trusted process, the student's
 * code in the sandboxed one) as JSON: plain data only.
 *
 * - numbers keep NaN, ±Infinity and −0; typed arrays and tensors travel as base64 bytes with their
 *   type (a tensor as `{ dtype, shape, values }`; it is rebuilt as a `tf.Tensor` on the other side);
 * - arrays, plain objects (own enumerable string keys), strings, booleans, null, undefined, bigints;
 * - errors as `{ name, message }` (rebuilt as the built-in class of that name, else `Error`);
 * - anything else (functions, class instances, Maps, cycles) is refused with a `TransferError`
 *   naming the path, so a test that would need it says so instead of failing strangely.
 *
 * `decode` treats its input as hostile: it is only ever given JSON that it checks node by node,
 * with a depth limit, and builds fresh objects (no prototype from the input).
 */

/** The part of TensorFlow.js the codec needs (the trusted side's and the sandbox's own `tf`). */
export interface TensorLib {
  tensor(values: unknown, shape: number[], dtype: string): unknown;
  Tensor: abstract new (...args: never[]) => unknown;
}

interface TensorLike {
  shape: number[];
  dtype: string;
  dataSync(): ArrayLike<number> | ArrayLike<string>;
  isDisposed?: boolean;
}

export class TransferError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TransferError';
  }
}

const TYPED = {
  Float32Array,
  Float64Array,
  Int32Array,
  Uint8Array,
  Int8Array,
  Int16Array,
  Uint16Array,
  Uint32Array,
  Uint8ClampedArray,
} as const;
type TypedName = keyof typeof TYPED;

const ERROR_CLASSES: Record<string, ErrorConstructor> = { Error, RangeError, TypeError, SyntaxError, ReferenceError, EvalError, URIError };

/** Deepest nesting accepted (arrays in objects in arrays …). */
export const MAX_DEPTH = 64;

export type Encoded = null | boolean | number | string | Encoded[] | { [key: string]: Encoded };

function bytesToBase64(view: ArrayBufferView): string {
  return Buffer.from(view.buffer, view.byteOffset, view.byteLength).toString('base64');
}

function typedFromBase64(name: TypedName, data: string): ArrayBufferView {
  const bytes = Buffer.from(data, 'base64');
  const Ctor = TYPED[name];
  if (bytes.length % Ctor.BYTES_PER_ELEMENT !== 0) throw new TransferError(`a ${name} of ${bytes.length} bytes`);
  const copy = new ArrayBuffer(bytes.length);
  new Uint8Array(copy).set(bytes);
  return new Ctor(copy);
}

function isTensor(value: unknown, tf: TensorLib | undefined): value is TensorLike {
  return tf !== undefined && value instanceof (tf.Tensor as unknown as abstract new () => object);
}

/** Encode a value for the other side; throws TransferError for what cannot cross. */
export function encode(value: unknown, tf?: TensorLib, where = 'value', depth = 0, seen = new Set<object>()): Encoded {
  if (depth > MAX_DEPTH) throw new TransferError(`${where} is nested more than ${MAX_DEPTH} levels deep`);
  if (value === null) return null;
  switch (typeof value) {
    case 'undefined':
      return { $: 'undefined' };
    case 'boolean':
    case 'string':
      return value;
    case 'number':
      if (Number.isNaN(value)) return { $: 'number', v: 'NaN' };
      if (value === Infinity) return { $: 'number', v: 'Infinity' };
      if (value === -Infinity) return { $: 'number', v: '-Infinity' };
      if (Object.is(value, -0)) return { $: 'number', v: '-0' };
      return value;
    case 'bigint':
      return { $: 'bigint', v: value.toString() };
    case 'function':
      throw new TransferError(`${where} is a function: functions cannot cross the grader's sandbox (a test passes them inside remote())`);
    case 'symbol':
      throw new TransferError(`${where} is a symbol`);
  }
  const object = value as object;
  if (seen.has(object)) throw new TransferError(`${where} refers to itself`);
  seen.add(object);
  try {
    if (isTensor(object, tf)) {
      if (object.isDisposed) throw new TransferError(`${where} is a disposed tensor`);
      const data = object.dataSync();
      if (object.dtype === 'string') return { $: 'tensor', dtype: 'string', shape: [...object.shape], values: Array.from(data as ArrayLike<string>, String) };
      const typed = object.dtype === 'int32' ? Int32Array.from(data as ArrayLike<number>) : object.dtype === 'bool' ? Uint8Array.from(data as ArrayLike<number>) : Float32Array.from(data as ArrayLike<number>);
      return { $: 'tensor', dtype: object.dtype, shape: [...object.shape], values: bytesToBase64(typed) };
    }
    if (ArrayBuffer.isView(object)) {
      const name = object.constructor?.name as TypedName;
      if (!(name in TYPED)) throw new TransferError(`${where} is a ${name}`);
      return { $: 'typed', type: name, data: bytesToBase64(object) };
    }
    if (Array.isArray(object)) return object.map((v, i) => encode(v, tf, `${where}[${i}]`, depth + 1, seen));
    if (object instanceof Error) return { $: 'error', name: String(object.name), message: String(object.message) };
    const proto = Object.getPrototypeOf(object);
    if (proto !== Object.prototype && proto !== null) {
      const name = (proto?.constructor as { name?: string } | undefined)?.name ?? 'object';
      throw new TransferError(`${where} is a ${name}, not plain data (numbers, strings, arrays, plain objects, typed arrays, tensors)`);
    }
    const out: { [key: string]: Encoded } = {};
    for (const key of Object.keys(object)) {
      const v = encode((object as Record<string, unknown>)[key], tf, `${where}.${key}`, depth + 1, seen);
      Object.defineProperty(out, key === '$' ? '$$' : key.startsWith('$') ? `$${key}` : key, { value: v, enumerable: true, writable: true, configurable: true });
    }
    return out;
  } finally {
    seen.delete(object);
  }
}

/** Rebuild a value from `encode`'s output (or from anything: it is checked as it goes). */
export function decode(data: unknown, tf?: TensorLib, depth = 0): unknown {
  if (depth > MAX_DEPTH) throw new TransferError(`nested more than ${MAX_DEPTH} levels deep`);
  if (data === null || typeof data === 'boolean' || typeof data === 'string') return data;
  if (typeof data === 'number') return data;
  if (Array.isArray(data)) return data.map((v) => decode(v, tf, depth + 1));
  if (typeof data !== 'object') throw new TransferError(`unexpected ${typeof data}`);
  const record = data as Record<string, unknown>;
  const tag = record.$;
  if (typeof tag === 'string') {
    switch (tag) {
      case 'undefined':
        return undefined;
      case 'number': {
        const v = { NaN, Infinity, '-Infinity': -Infinity, '-0': -0 }[String(record.v) as 'NaN'];
        if (v === undefined) throw new TransferError(`unknown number ${String(record.v)}`);
        return v;
      }
      case 'bigint':
        if (typeof record.v !== 'string' || !/^-?\d{1,4000}$/.test(record.v)) throw new TransferError('a malformed bigint');
        return BigInt(record.v);
      case 'typed': {
        const type = String(record.type) as TypedName;
        if (!Object.prototype.hasOwnProperty.call(TYPED, type) || typeof record.data !== 'string') throw new TransferError('a malformed typed array');
        return typedFromBase64(type, record.data);
      }
      case 'error': {
        const name = typeof record.name === 'string' ? record.name.slice(0, 200) : 'Error';
        const message = typeof record.message === 'string' ? record.message : '';
        const Ctor = Object.prototype.hasOwnProperty.call(ERROR_CLASSES, name) ? ERROR_CLASSES[name] : Error;
        const error = new Ctor(message);
        if (error.name !== name) Object.defineProperty(error, 'name', { value: name, enumerable: false, writable: true, configurable: true });
        return error;
      }
      case 'tensor':
        return decodeTensor(record, tf);
      default:
        throw new TransferError(`unknown tag ${tag.slice(0, 40)}`);
    }
  }
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(record)) {
    const name = key.startsWith('$') ? key.slice(1) : key;
    Object.defineProperty(out, name, { value: decode(record[key], tf, depth + 1), enumerable: true, writable: true, configurable: true });
  }
  return out;
}

const DTYPES = new Set(['float32', 'int32', 'bool', 'string']);

function decodeTensor(record: Record<string, unknown>, tf: TensorLib | undefined): unknown {
  if (!tf) throw new TransferError('a tensor arrived where no TensorFlow.js is loaded');
  const dtype = String(record.dtype);
  const shape = record.shape;
  if (!DTYPES.has(dtype) || !Array.isArray(shape) || shape.length > 8 || !shape.every((d) => Number.isInteger(d) && d >= 0)) throw new TransferError('a malformed tensor');
  const size = (shape as number[]).reduce((a, b) => a * b, 1);
  let values: unknown;
  if (dtype === 'string') {
    if (!Array.isArray(record.values) || !record.values.every((v) => typeof v === 'string')) throw new TransferError('a malformed string tensor');
    values = record.values;
  } else {
    if (typeof record.values !== 'string') throw new TransferError('a malformed tensor');
    const typed = typedFromBase64(dtype === 'int32' ? 'Int32Array' : dtype === 'bool' ? 'Uint8Array' : 'Float32Array', record.values);
    values = typed;
  }
  if ((values as ArrayLike<unknown>).length !== size) throw new TransferError(`a tensor of shape [${(shape as number[]).join(', ')}] with ${(values as ArrayLike<unknown>).length} values`);
  return tf.tensor(values, shape as number[], dtype);
}

/** Every tensor inside a decoded value (to dispose them after use). */
export function tensorsIn(value: unknown, tf: TensorLib, out: unknown[] = [], depth = 0): unknown[] {
  if (depth > MAX_DEPTH || value === null || typeof value !== 'object') return out;
  if (isTensor(value, tf)) out.push(value);
  else if (Array.isArray(value)) for (const v of value) tensorsIn(v, tf, out, depth + 1);
  else if (!ArrayBuffer.isView(value) && Object.getPrototypeOf(value) === Object.prototype) for (const v of Object.values(value)) tensorsIn(v, tf, out, depth + 1);
  return out;
}
