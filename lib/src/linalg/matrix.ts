/**
 * A dense row-major Float64 matrix, the one type the linalg functions return, and the inputs they
 * accept: a `Matrix`, any `{ rows, cols, data }` (e.g. MNIST images as a Float32Array of N·784),
 * or an array of rows (`[[1, 2], [3, 4]]`).
 *
 * @see notebooks/03-pca-vs-autoencoder
 */

/** A matrix given as rows, or as a flat row-major buffer with its shape. */
export type MatrixLike =
  | Matrix
  | { readonly rows: number; readonly cols: number; readonly data: ArrayLike<number> }
  | readonly ArrayLike<number>[];

export class Matrix {
  readonly rows: number;
  readonly cols: number;
  /** Row-major entries: element (i, j) is data[i·cols + j]. */
  readonly data: Float64Array;

  constructor(rows: number, cols: number, data?: Float64Array) {
    if (!Number.isInteger(rows) || rows < 0) throw new RangeError(`rows must be an integer >= 0; got ${rows}`);
    if (!Number.isInteger(cols) || cols < 0) throw new RangeError(`cols must be an integer >= 0; got ${cols}`);
    if (data !== undefined && data.length !== rows * cols) {
      throw new RangeError(`data must have rows·cols = ${rows * cols} entries; got ${data.length}`);
    }
    this.rows = rows;
    this.cols = cols;
    this.data = data ?? new Float64Array(rows * cols);
  }

  get(i: number, j: number): number {
    return this.data[i * this.cols + j];
  }

  set(i: number, j: number, value: number): void {
    this.data[i * this.cols + j] = value;
  }

  /** Row i as a view (no copy). */
  row(i: number): Float64Array {
    return this.data.subarray(i * this.cols, (i + 1) * this.cols);
  }

  /** Column j as a new array. */
  column(j: number): Float64Array {
    const out = new Float64Array(this.rows);
    for (let i = 0; i < this.rows; i++) out[i] = this.data[i * this.cols + j];
    return out;
  }

  /** The rows as plain arrays (for printing and tables). */
  toArray(): number[][] {
    return Array.from({ length: this.rows }, (_, i) => Array.from(this.row(i)));
  }

  /** Float32 copy of the entries (for tf.tensor2d or image grids). */
  toFloat32(): Float32Array {
    return Float32Array.from(this.data);
  }

  static identity(n: number): Matrix {
    const m = new Matrix(n, n);
    for (let i = 0; i < n; i++) m.data[i * n + i] = 1;
    return m;
  }

  /** The n×n matrix with `values` on the diagonal. */
  static diagonal(values: ArrayLike<number>): Matrix {
    const n = values.length;
    const m = new Matrix(n, n);
    for (let i = 0; i < n; i++) m.data[i * n + i] = values[i];
    return m;
  }
}

/** Converts any `MatrixLike` to a Matrix (copying into Float64), checking shape and finiteness. */
export function toMatrix(input: MatrixLike, argName = 'X'): Matrix {
  if (input instanceof Matrix) return input;
  if (input == null || typeof input !== 'object') throw new RangeError(`${argName} must be a matrix; got ${String(input)}`);
  if (Array.isArray(input)) {
    const rowsIn = input as readonly ArrayLike<number>[];
    const rows = rowsIn.length;
    const cols = rows > 0 ? rowsIn[0].length : 0;
    const out = new Matrix(rows, cols);
    for (let i = 0; i < rows; i++) {
      const r = rowsIn[i];
      if (r == null || r.length !== cols) {
        throw new RangeError(`${argName}[${i}] must have ${cols} entries like ${argName}[0]; got ${r == null ? r : r.length}`);
      }
      for (let j = 0; j < cols; j++) out.data[i * cols + j] = r[j];
    }
    checkFinite(out, argName);
    return out;
  }
  const { rows, cols, data } = input as { rows: number; cols: number; data: ArrayLike<number> };
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows < 0 || cols < 0) {
    throw new RangeError(`${argName} must have integer rows and cols; got ${rows}×${cols}`);
  }
  if (data == null || data.length !== rows * cols) {
    throw new RangeError(`${argName}.data must have rows·cols = ${rows * cols} entries; got ${data == null ? data : data.length}`);
  }
  const out = new Matrix(rows, cols, Float64Array.from(data));
  checkFinite(out, argName);
  return out;
}

function checkFinite(m: Matrix, argName: string): void {
  for (let k = 0; k < m.data.length; k++) {
    if (!Number.isFinite(m.data[k])) {
      throw new RangeError(`${argName}[${Math.floor(k / m.cols)}][${k % m.cols}] must be finite; got ${m.data[k]}`);
    }
  }
}

/** A·B. */
export function matMul(a: MatrixLike, b: MatrixLike): Matrix {
  const A = toMatrix(a, 'a');
  const B = toMatrix(b, 'b');
  if (A.cols !== B.rows) throw new RangeError(`a is ${A.rows}×${A.cols} but b is ${B.rows}×${B.cols}: inner sizes differ`);
  const out = new Matrix(A.rows, B.cols);
  for (let i = 0; i < A.rows; i++) {
    const oi = i * B.cols;
    for (let k = 0; k < A.cols; k++) {
      const aik = A.data[i * A.cols + k];
      if (aik === 0) continue;
      const bk = k * B.cols;
      for (let j = 0; j < B.cols; j++) out.data[oi + j] += aik * B.data[bk + j];
    }
  }
  return out;
}

/** Aᵀ. */
export function transpose(a: MatrixLike): Matrix {
  const A = toMatrix(a, 'a');
  const out = new Matrix(A.cols, A.rows);
  for (let i = 0; i < A.rows; i++) for (let j = 0; j < A.cols; j++) out.data[j * A.rows + i] = A.data[i * A.cols + j];
  return out;
}
