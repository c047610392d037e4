/**
 * The GAN notebooks train a generator for a few iterations in the notebook, then show the shipped
 * checkpoint of the same model (trained for thousands of iterations by `npm run train`), falling
 * back to the notebook's own generator where the checkpoint is missing.
 *
 * @see notebooks/05-gan-minimax, notebooks/06-conditional-gans
 */
import type * as tf from '@tensorflow/tfjs';
import { checkpointDir, hasCheckpoint, loadModel, readMeta, CheckpointMeta } from '../train/checkpoint';

/** A generator to sample from, and the meta data of its checkpoint (undefined for the fallback). */
export interface LoadedGenerator {
  generator: tf.LayersModel;
  meta: CheckpointMeta | undefined;
}

/**
 * Loads the shipped checkpoint `data/checkpoints/<name>/` and prints how it was made (iterations,
 * training seconds, backend, the command that reproduces it). Without that checkpoint it prints
 * so and returns `fallback` — the generator the notebook just trained.
 *
 * @param name checkpoint name, e.g. `'dcgan'`, `'acgan'` (see `train.checkpointDir`)
 * @param fallback the generator to use when the checkpoint is missing
 * @throws RangeError for a name that is not a plain file name
 */
export async function loadGenerator(name: string, fallback: tf.LayersModel): Promise<LoadedGenerator> {
  const dir = checkpointDir(name);
  if (!hasCheckpoint(dir)) {
    console.log(`no checkpoint ${dir}: using the generator trained above`);
    return { generator: fallback, meta: undefined };
  }
  const meta = readMeta(dir);
  console.log(`${name}: ${meta?.steps} iterations, ${meta?.trainSeconds} s of training on ${meta?.backend}; reproduce with: ${meta?.command}`);
  return { generator: await loadModel(dir), meta };
}
