/**
 * The formatters the library registers when it loads, for values that cannot carry a display
 * method: a danfojs DataFrame or Series → HTML table + text; a tf.Tensor → a text summary (dtype,
 * shape, min/max/mean, values abbreviated) plus a PNG when it is image-shaped ([H,W], [H,W,C] or
 * [N,H,W,C] with C in {1,3,4} and sides ≥ 8); a plain array of records → a table.
 *
 * @see notebooks/00-getting-started
 */
import * as tf from '@tensorflow/tfjs';
import { registerFormatter } from './formatters';
import { DISPLAY, type MimeBundle } from './protocol';
import { isDataFrameLike, isRecordArray, isSeriesLike, table } from './table';
import { isImageShape } from './images';
import { imageGrid } from './image-grid';
import { formatNumber } from './format';

/** Most images a tensor's PNG shows (the first ones of a larger batch). */
export const TENSOR_PNG_MAX_IMAGES = 64;

/** The text summary of a tensor: header line (dtype, shape, statistics) and tfjs's abbreviated values. */
export function tensorText(t: tf.Tensor): string {
  if (t.isDisposed) return `Tensor ${t.dtype} [${t.shape.join(', ')}] (disposed)`;
  let header = `Tensor ${t.dtype} [${t.shape.join(', ')}]`;
  if ((t.dtype === 'float32' || t.dtype === 'int32' || t.dtype === 'bool') && t.size > 1) {
    const data = t.dataSync() as ArrayLike<number>;
    let min = Infinity;
    let max = -Infinity;
    let sum = 0;
    let nan = 0;
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      if (Number.isNaN(v)) { nan++; continue; }
      if (v < min) min = v;
      if (v > max) max = v;
      sum += v;
    }
    const counted = data.length - nan;
    if (counted > 0) header += `  min ${formatNumber(min)}  max ${formatNumber(max)}  mean ${formatNumber(sum / counted)}`;
    if (nan > 0) header += `  NaN ×${nan}`;
  }
  // tfjs prints "Tensor\n    [values…]" with a 4-space indent on every line: drop both.
  const values = t.toString().replace(/^Tensor\s*\n/, '').split('\n').map((l) => l.replace(/^ {4}/, '')).join('\n');
  return `${header}\n${values}`;
}

/** The bundle of a tensor: text, plus a PNG when image-shaped. */
export function tensorBundle(t: tf.Tensor): MimeBundle {
  const bundle: MimeBundle = { 'text/plain': tensorText(t) };
  if (!t.isDisposed && (t.dtype === 'float32' || t.dtype === 'int32' || t.dtype === 'bool') && isImageShape(t.shape)) {
    const shown = t.rank === 4 && t.shape[0] > TENSOR_PNG_MAX_IMAGES ? tf.slice(t, 0, TENSOR_PNG_MAX_IMAGES) : t;
    try {
      bundle['image/png'] = imageGrid(shown)[DISPLAY]()['image/png'];
    } finally {
      if (shown !== t) shown.dispose();
    }
  }
  return bundle;
}

/** Register the built-in formatters (idempotent: names are replaced, not duplicated). */
export function registerBuiltinFormatters(): void {
  registerFormatter({ name: 'genbook.records', test: isRecordArray, format: (v) => table(v as Parameters<typeof table>[0])[DISPLAY]() });
  registerFormatter({ name: 'genbook.danfo.Series', test: isSeriesLike, format: (v) => table(v as Parameters<typeof table>[0])[DISPLAY]() });
  registerFormatter({ name: 'genbook.danfo.DataFrame', test: isDataFrameLike, format: (v) => table(v as Parameters<typeof table>[0])[DISPLAY]() });
  registerFormatter({ name: 'genbook.tf.Tensor', test: (v) => v instanceof tf.Tensor, format: (v) => tensorBundle(v as tf.Tensor) });
}
