/**
 * An optimizer's state as named tensors, to save with a checkpoint and continue a training exactly
 * where it stopped: the moments tf.Optimizer.getWeights() returns (for Adam: the step count, then
 * m and v per variable, in the order of the variables it was given) plus Adam's running powers
 * β₁ᵗ and β₂ᵗ. tfjs keeps those as variables (`accBeta1`, `accBeta2`) updated by multiplication,
 * and `setWeights` recomputes them with `pow`, which differs in the last bits; an exact resume
 * saves and restores them as they are.
 *
 * Used by the GAN trainer (gan/trainer.ts) and the diffusion trainer (diffusion/trainer.ts).
 */
import * as tf from '@tensorflow/tfjs';
import { numberTensors, numberedTensors } from './numbered-tensors';

function biasCorrectionPowers(optimizer: tf.Optimizer): [string, tf.Variable][] {
  const fields = optimizer as unknown as Record<string, unknown>;
  return ['accBeta1', 'accBeta2'].filter((name) => fields[name] instanceof tf.Variable).map((name) => [name, fields[name] as tf.Variable]);
}

/**
 * `optimizer`'s state as `<prefix>/<i>` (getWeights order) and `<prefix>.accBeta1` / `.accBeta2`
 * tensors. They are copies: the caller disposes them.
 */
export async function optimizerState(optimizer: tf.Optimizer, prefix: string): Promise<Record<string, tf.Tensor>> {
  // Entry 0 is the iteration count, a fresh scalar; the others are the optimizer's own variables.
  const tensors = numberTensors((await optimizer.getWeights()).map((w, i) => (i === 0 ? w.tensor : tf.clone(w.tensor))), prefix);
  for (const [name, v] of biasCorrectionPowers(optimizer)) tensors[`${prefix}.${name}`] = tf.clone(v);
  return tensors;
}

/**
 * Put the state `optimizerState` saved under `prefix` back into a fresh optimizer of the same kind
 * and settings (before its first step). The tensors stay the caller's to dispose.
 */
export async function restoreOptimizerState(optimizer: tf.Optimizer, tensors: Record<string, tf.Tensor>, prefix: string): Promise<void> {
  const weights = numberedTensors(tensors, prefix);
  if (weights.length === 0) throw new Error(`no ${prefix} tensors in the saved state`);
  // setWeights makes its own variables from these tensors (they share the data, which outlives the caller's dispose).
  await optimizer.setWeights(weights.map((t, i) => ({ name: i === 0 ? 'iter' : `${prefix}/${i}`, tensor: t })));
  for (const [name, v] of biasCorrectionPowers(optimizer)) {
    const saved = tensors[`${prefix}.${name}`];
    if (saved) v.assign(saved);
  }
}
