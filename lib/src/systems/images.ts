/**
 * Small image helpers the systems notebook shares: 2×2 average pooling (28×28 → 14×14, the
 * low-resolution input of the super-resolution model and the ControlNet toy's resolution), ×2
 * nearest-neighbour upsampling, and the agreement of two edge maps (IoU) used to check that a
 * ControlNet sample follows its condition.
 *
 * @see notebooks/12-systems-in-practice
 */
import { digitOutlines } from '../models/gan-pix2pix';

function checkImages(images: Float32Array, width: number, height: number, argName: string): number {
  const pixels = width * height;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new RangeError(`${argName}: width and height must be positive integers; got ${width}×${height}`);
  }
  if (images.length % pixels !== 0) throw new RangeError(`${argName} must hold whole ${width}×${height} images; got ${images.length} values`);
  return images.length / pixels;
}

/** 2×2 average pooling of row-major images [N·H·W] → [N·(H/2)·(W/2)]. */
export function averagePool2(images: Float32Array, width = 28, height = 28): Float32Array {
  if (width % 2 !== 0 || height % 2 !== 0) throw new RangeError(`width and height must be even; got ${width}×${height}`);
  const n = checkImages(images, width, height, 'images');
  const w2 = width / 2;
  const h2 = height / 2;
  const out = new Float32Array(n * w2 * h2);
  for (let k = 0; k < n; k++) {
    const src = k * width * height;
    const dst = k * w2 * h2;
    for (let r = 0; r < h2; r++) {
      for (let c = 0; c < w2; c++) {
        const a = src + 2 * r * width + 2 * c;
        out[dst + r * w2 + c] = (images[a] + images[a + 1] + images[a + width] + images[a + width + 1]) / 4;
      }
    }
  }
  return out;
}

/** ×2 nearest-neighbour upsampling of row-major images [N·H·W] → [N·2H·2W]. */
export function upsampleNearest2(images: Float32Array, width = 14, height = 14): Float32Array {
  const n = checkImages(images, width, height, 'images');
  const W = 2 * width;
  const out = new Float32Array(n * 4 * width * height);
  for (let k = 0; k < n; k++) {
    for (let r = 0; r < 2 * height; r++) {
      for (let c = 0; c < W; c++) {
        out[k * W * 2 * height + r * W + c] = images[k * width * height + (r >> 1) * width + (c >> 1)];
      }
    }
  }
  return out;
}

/** Edge maps (outline pixels of the ink, threshold 0.5) of row-major images in [0, 1]. */
export function edgeMaps(images: Float32Array, width = 14, height = 14): Float32Array {
  checkImages(images, width, height, 'images');
  return digitOutlines(images, width, height);
}

/**
 * Per-image intersection over union of two binary maps (values > 0.5 count as on); an image where
 * both maps are empty counts as 1. Returns one value per image.
 */
export function intersectionOverUnion(a: Float32Array, b: Float32Array, pixels: number): Float32Array {
  if (a.length !== b.length) throw new RangeError(`a and b must have the same length; got ${a.length} and ${b.length}`);
  if (!Number.isInteger(pixels) || pixels < 1 || a.length % pixels !== 0) throw new RangeError(`pixels must divide the length ${a.length}; got ${pixels}`);
  const n = a.length / pixels;
  const out = new Float32Array(n);
  for (let k = 0; k < n; k++) {
    let inter = 0;
    let union = 0;
    for (let i = k * pixels; i < (k + 1) * pixels; i++) {
      const x = a[i] > 0.5;
      const y = b[i] > 0.5;
      if (x && y) inter++;
      if (x || y) union++;
    }
    out[k] = union === 0 ? 1 : inter / union;
  }
  return out;
}
