/**
 * Reading images out of the course's containers: tf.Tensors ([H,W], [H,W,C], [N,H,W], [N,H,W,C]),
 * raw pixel arrays with their size, and MNIST-style batches (`{ images, count, height, width }`),
 * into one common form: rasters with values mapped to [0, 1] by a shared intensity range.
 */
import * as tf from '@tensorflow/tfjs';

/** One image as raw pixels, row-major, channels last (1 = gray, 3 = RGB, 4 = RGBA). */
export interface RawImage {
  readonly data: ArrayLike<number>;
  readonly height: number;
  readonly width: number;
  readonly channels?: 1 | 3 | 4;
}

/** Many images of one size in one flat array, image after image (like `data.mnist()`'s result). */
export interface ImageBatch {
  readonly images: ArrayLike<number>;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels?: 1 | 3 | 4;
}

/** What image grids accept. */
export type ImageSource = tf.Tensor | ImageBatch | RawImage | readonly (tf.Tensor | RawImage)[];

/** An image ready to draw: values in [0, 1]. */
export interface Raster {
  height: number;
  width: number;
  channels: 1 | 3 | 4;
  data: Float32Array;
}

/** How pixel values map to [0, 1]: an explicit [low, high], or 'auto' (see `intensityRange`). */
export type IntensityRange = readonly [number, number] | 'auto';

function isChannels(c: number): c is 1 | 3 | 4 {
  return c === 1 || c === 3 || c === 4;
}

/** True when a tensor shape reads as image(s): [H,W], [H,W,C] or [N,H,W,C] with C in {1,3,4}, H,W ≥ minSide. */
export function isImageShape(shape: readonly number[], minSide = 8): boolean {
  if (shape.length === 2) return shape[0] >= minSide && shape[1] >= minSide;
  if (shape.length === 3) return isChannels(shape[2]) && shape[0] >= minSide && shape[1] >= minSide;
  if (shape.length === 4) return shape[0] >= 1 && isChannels(shape[3]) && shape[1] >= minSide && shape[2] >= minSide;
  return false;
}

interface Unscaled {
  height: number;
  width: number;
  channels: 1 | 3 | 4;
  data: ArrayLike<number>;
}

function checkSize(height: number, width: number, what: string): void {
  if (!Number.isInteger(height) || height < 1 || !Number.isInteger(width) || width < 1) {
    throw new RangeError(`${what}: height and width must be positive integers; got ${height}×${width}`);
  }
}

function fromTensor(t: tf.Tensor, what: string): Unscaled[] {
  const shape = t.shape;
  const data = t.dataSync() as ArrayLike<number>;
  if (shape.length === 2) return [{ height: shape[0], width: shape[1], channels: 1, data }];
  if (shape.length === 3 && isChannels(shape[2])) return [{ height: shape[0], width: shape[1], channels: shape[2], data }];
  let n: number, h: number, w: number, c: 1 | 3 | 4;
  if (shape.length === 3) [n, h, w, c] = [shape[0], shape[1], shape[2], 1];
  else if (shape.length === 4 && isChannels(shape[3])) [n, h, w, c] = [shape[0], shape[1], shape[2], shape[3]];
  else throw new RangeError(`${what}: a tensor of images must have shape [H,W], [H,W,C], [N,H,W] or [N,H,W,C] with C in {1,3,4}; got [${shape.join(', ')}]`);
  const size = h * w * c;
  return Array.from({ length: n }, (_, i) => ({ height: h, width: w, channels: c, data: subarray(data, i * size, (i + 1) * size) }));
}

function subarray(data: ArrayLike<number>, start: number, end: number): ArrayLike<number> {
  if (ArrayBuffer.isView(data)) return (data as unknown as Float32Array).subarray(start, end);
  return Array.prototype.slice.call(data, start, end) as number[];
}

function isBatch(v: unknown): v is ImageBatch {
  return v !== null && typeof v === 'object' && 'images' in v && 'count' in v && 'height' in v && 'width' in v;
}

function isRaw(v: unknown): v is RawImage {
  return v !== null && typeof v === 'object' && 'data' in v && 'height' in v && 'width' in v;
}

function fromRaw(img: RawImage, what: string): Unscaled {
  checkSize(img.height, img.width, what);
  const channels = img.channels ?? 1;
  if (!isChannels(channels)) throw new RangeError(`${what}.channels must be 1, 3 or 4; got ${channels}`);
  const need = img.height * img.width * channels;
  if (img.data.length !== need) {
    throw new RangeError(`${what}.data must hold height·width·channels = ${need} values; got ${img.data.length}`);
  }
  return { height: img.height, width: img.width, channels, data: img.data };
}

/** The images in `source`, unscaled. */
function collect(source: ImageSource): Unscaled[] {
  if (source instanceof tf.Tensor) return fromTensor(source, 'images');
  if (isBatch(source)) {
    checkSize(source.height, source.width, 'images');
    const channels = source.channels ?? 1;
    const size = source.height * source.width * channels;
    if (!Number.isInteger(source.count) || source.count < 0 || source.images.length < source.count * size) {
      throw new RangeError(`images: a batch of ${source.count} images of ${source.height}×${source.width}×${channels} needs ${source.count * size} values; got ${source.images.length}`);
    }
    return Array.from({ length: source.count }, (_, i) => ({
      height: source.height, width: source.width, channels, data: subarray(source.images, i * size, (i + 1) * size),
    }));
  }
  if (isRaw(source)) return [fromRaw(source, 'images')];
  if (Array.isArray(source)) {
    return source.flatMap((item, i) => {
      if (item instanceof tf.Tensor) return fromTensor(item, `images[${i}]`);
      if (isRaw(item)) return [fromRaw(item, `images[${i}]`)];
      throw new RangeError(`images[${i}] must be a tf.Tensor or { data, height, width }`);
    });
  }
  throw new RangeError('images must be a tf.Tensor, an array of tensors or { data, height, width } images, or { images, count, height, width }');
}

/**
 * The intensity range 'auto' picks from the data: [0, 1] when all values lie there, [-1, 1] for
 * tanh-style outputs, [0, 255] for byte images, otherwise the data's own [min, max].
 */
export function intensityRange(images: readonly { data: ArrayLike<number> }[]): [number, number] {
  let min = Infinity;
  let max = -Infinity;
  for (const img of images) {
    for (let i = 0; i < img.data.length; i++) {
      const v = img.data[i];
      if (Number.isNaN(v)) continue;
      if (v < min) min = v;
      if (v > max) max = v;
    }
  }
  if (min === Infinity) return [0, 1];
  if (min >= 0 && max <= 1) return [0, 1];
  if (min >= -1 && max <= 1) return [-1, 1];
  if (min >= 0 && max <= 255) return [0, 255];
  return max > min ? [min, max] : [min, min + 1];
}

/** The images in `source` as rasters with values in [0, 1] (NaN drawn as 0). */
export function toRasters(source: ImageSource, range: IntensityRange = 'auto'): Raster[] {
  const images = collect(source);
  const [low, high] = range === 'auto' ? intensityRange(images) : range;
  if (!(Number.isFinite(low) && Number.isFinite(high) && high > low)) {
    throw new RangeError(`range must be [low, high] with low < high; got [${low}, ${high}]`);
  }
  const span = high - low;
  return images.map((img) => {
    const data = new Float32Array(img.data.length);
    for (let i = 0; i < data.length; i++) {
      const v = (img.data[i] - low) / span;
      data[i] = Number.isNaN(v) ? 0 : v < 0 ? 0 : v > 1 ? 1 : v;
    }
    return { height: img.height, width: img.width, channels: img.channels, data };
  });
}
