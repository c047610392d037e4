/**
 * Checkpoints of models made of several parts — an encoder and a decoder, plus a codebook for the
 * VQ-VAE — as one folder with a sub-folder per part: `<dir>/<part>/`. A part is a tf.layers model
 * (saved by `saveModel`) or a set of named tensors (saved by `saveVariables`); every part carries
 * the same meta.json. The MNIST recipes of notebooks 03 and 04 (`models/recipes/*-mnist.ts`) save
 * and load their checkpoints through these two functions.
 *
 * @see notebooks/03-pca-vs-autoencoder
 * @see notebooks/04-vae-elbo
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { CheckpointMeta, checkpointDir, checkpointOutputDir, hasCheckpoint, loadModel, loadVariables, readMeta, saveModel, saveVariables } from './checkpoint';

/** One part: a tf.layers model, or named tensors (a model written with tf.variable). */
export type CheckpointPart = tf.LayersModel | Record<string, tf.Tensor>;

/** How to read a part back: as a tf.layers model or as named tensors. */
export type CheckpointPartKind = 'model' | 'variables';

/**
 * Save each part into `<dir>/<part>/` with `meta`, in the order given; returns `dir`.
 * `dir` may instead be a checkpoint name (`{ name }`): then the folder is `checkpointOutputDir(name)`
 * (`data/checkpoints/<name>`, or `$GENBOOK_CHECKPOINTS/<name>` when that is set)
 * and the name is recorded in meta.json.
 */
export async function saveCheckpointParts(
  target: string | { name: string },
  parts: Record<string, CheckpointPart>,
  meta: { command: string; [key: string]: unknown },
): Promise<string> {
  const dir = typeof target === 'string' ? target : checkpointOutputDir(target.name);
  const full = (typeof target === 'string' ? meta : { ...meta, name: target.name }) as CheckpointMeta;
  for (const [part, value] of Object.entries(parts)) {
    if (value instanceof tf.LayersModel) await saveModel(value, path.join(dir, part), full);
    else await saveVariables(value, path.join(dir, part), full);
  }
  return dir;
}

type Loaded<K extends Record<string, CheckpointPartKind>> = { [P in keyof K]: K[P] extends 'model' ? tf.LayersModel : Record<string, tf.Tensor> };

/**
 * Load the parts saved by `saveCheckpointParts` from `<dir>/<part>/` (or `data/checkpoints/<name>`),
 * with the meta data of the first part; undefined when any part is missing. The caller owns the
 * models and tensors.
 */
export async function loadCheckpointParts<K extends Record<string, CheckpointPartKind>>(
  source: string | { name: string },
  kinds: K,
): Promise<{ parts: Loaded<K>; meta: CheckpointMeta | undefined } | undefined> {
  const dir = typeof source === 'string' ? source : checkpointDir(source.name);
  const names = Object.keys(kinds);
  if (names.length === 0) throw new RangeError('kinds must name at least one part');
  if (!names.every((part) => hasCheckpoint(path.join(dir, part)))) return undefined;
  const parts: Record<string, tf.LayersModel | Record<string, tf.Tensor>> = {};
  for (const part of names) {
    parts[part] = kinds[part] === 'model' ? await loadModel(path.join(dir, part)) : loadVariables(path.join(dir, part));
  }
  return { parts: parts as Loaded<K>, meta: readMeta(path.join(dir, names[0])) };
}
