/**
 * A list of tensors saved under one name: `<prefix>/0`, `<prefix>/1`, … — the layout of a
 * training's resume state (optimizer moments in train/optimizer-state.ts, the EMA's averages in
 * train/ema.ts). One writer and one reader, so the trainers never spell the walk themselves.
 */
import type * as tf from '@tensorflow/tfjs';

/** `tensors` as `{ '<prefix>/<i>': tensors[i] }` (the same tensors, not copies). */
export function numberTensors(tensors: readonly tf.Tensor[], prefix: string): Record<string, tf.Tensor> {
  const out: Record<string, tf.Tensor> = {};
  tensors.forEach((t, i) => (out[`${prefix}/${i}`] = t));
  return out;
}

/** `<prefix>/0`, `<prefix>/1`, … up to the first missing index, in order (the same tensors, not copies). */
export function numberedTensors(tensors: Readonly<Record<string, tf.Tensor>>, prefix: string): tf.Tensor[] {
  const out: tf.Tensor[] = [];
  while (tensors[`${prefix}/${out.length}`]) out.push(tensors[`${prefix}/${out.length}`]);
  return out;
}
