/**
 * The IDX file format of MNIST (LeCun et al., http://yann.lecun.com/exdb/mnist/, "FILE FORMATS"):
 * a 4-byte magic number `0x00 0x00 <type> <ndim>`, then `ndim` big-endian uint32 dimension sizes,
 * then the data in row-major order. MNIST uses type 0x08 (unsigned byte) with ndim 1 (labels) or
 * 3 (images).
 *
 * @see notebooks/03-pca-vs-autoencoder
 */

export interface IdxArray {
  /** Dimension sizes, outermost first: [60000, 28, 28] for MNIST training images. */
  shape: number[];
  /** The values, row-major. */
  data: Uint8Array;
}

const UNSIGNED_BYTE = 0x08;

/**
 * Parse an IDX buffer of unsigned bytes. Errors name the file and say what was expected and what
 * arrived: a wrong magic number, an unsupported element type, or a truncated file.
 */
export function parseIdx(buffer: Uint8Array, source = 'IDX data'): IdxArray {
  if (buffer.length < 4) {
    throw new RangeError(`${source}: truncated: ${buffer.length} bytes, need at least a 4-byte header`);
  }
  if (buffer[0] !== 0 || buffer[1] !== 0) {
    const magic = Array.from(buffer.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new RangeError(`${source}: bad magic number ${magic}; an IDX file starts with 00 00 <type> <ndim>`);
  }
  const type = buffer[2];
  const ndim = buffer[3];
  if (type !== UNSIGNED_BYTE) {
    throw new RangeError(`${source}: element type 0x${type.toString(16)} is not supported; MNIST uses 0x08 (unsigned byte)`);
  }
  if (ndim === 0) throw new RangeError(`${source}: bad magic number: 0 dimensions`);
  const headerBytes = 4 + 4 * ndim;
  if (buffer.length < headerBytes) {
    throw new RangeError(`${source}: truncated: ${buffer.length} bytes, the header of ${ndim} dimensions needs ${headerBytes}`);
  }
  const view = new DataView(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(view.getUint32(4 + 4 * i, false));
  const size = shape.reduce((a, b) => a * b, 1);
  const available = buffer.length - headerBytes;
  if (available < size) {
    throw new RangeError(`${source}: truncated: shape [${shape.join(', ')}] needs ${size} data bytes, found ${available}`);
  }
  return { shape, data: buffer.subarray(headerBytes, headerBytes + size) };
}
