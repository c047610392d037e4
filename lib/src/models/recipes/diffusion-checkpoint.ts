/**
 * Checkpoints of the course's diffusion networks (`DiffusionMlp`, `DiffusionUNet`,
 * `NoisyClassifier`, `LatentAutoencoder`): the parameters through `train.saveVariables` and, in
 * meta.json, the network kind and its configuration, so `loadDiffusionCheckpoint` rebuilds the
 * same network. Usually saved with the EMA weights in place.
 *
 * @see notebooks/08-diffusion-ddpm
 */
import { CheckpointMeta, loadVariables, readMeta, saveVariables } from '../../train/checkpoint';
import * as tf from '@tensorflow/tfjs';
import { DiffusionMlp } from '../diffusion-mlp';
import { ParameterStore } from '../diffusion-nn';
import { DiffusionUNet } from '../diffusion-unet';
import { NoisyClassifier } from '../diffusion-classifier';
import { LatentAutoencoder } from '../diffusion-autoencoder';

/** The networks that can be saved this way. */
export type DiffusionCheckpointNetwork = DiffusionMlp | DiffusionUNet | NoisyClassifier | LatentAutoencoder;

/** Network kind, as meta.json names it → its class (each constructor takes the saved config). */
const KINDS: Record<string, new (config: never) => DiffusionCheckpointNetwork> = {
  DiffusionUNet,
  DiffusionMlp,
  NoisyClassifier,
  LatentAutoencoder,
};

function kindOf(net: DiffusionCheckpointNetwork): string {
  const kind = Object.keys(KINDS).find((k) => net instanceof KINDS[k]);
  if (!kind) throw new TypeError(`saveDiffusionCheckpoint: ${net?.constructor?.name ?? typeof net} is not one of ${Object.keys(KINDS).join(', ')}`);
  return kind;
}

/** The kind meta.json gives `net` (DiffusionUNet, …); throws for a network of another class. */
export function diffusionNetworkKind(net: DiffusionCheckpointNetwork): string {
  return kindOf(net);
}

/** A new network of `kind` built from `config` (fresh parameters), as `loadDiffusionCheckpoint` rebuilds one. */
export function buildDiffusionNetwork(kind: string, config: unknown): DiffusionCheckpointNetwork {
  const Network = Object.prototype.hasOwnProperty.call(KINDS, kind) ? KINDS[kind] : undefined;
  if (!Network) throw new Error(`unknown network kind ${JSON.stringify(kind)} (known: ${Object.keys(KINDS).join(', ')})`);
  return new Network(config as never);
}

/** Save the network's parameters and `{ kind, config }` into `dir` (meta needs the reproducing command). */
export async function saveDiffusionCheckpoint(net: DiffusionCheckpointNetwork, dir: string, meta: CheckpointMeta): Promise<void> {
  const params: ParameterStore = net.params;
  await saveVariables(params.record(), dir, { ...meta, kind: kindOf(net), config: net.config, parameters: params.count() });
}

/** Rebuild the network saved in `dir` and load its parameters. */
export function loadDiffusionCheckpoint(dir: string): { network: DiffusionCheckpointNetwork; meta: CheckpointMeta } {
  const meta = readMeta(dir);
  if (!meta) throw new Error(`no checkpoint meta.json in ${dir}`);
  let network: DiffusionCheckpointNetwork;
  try {
    network = buildDiffusionNetwork(String(meta.kind), meta.config);
  } catch (e) {
    throw new Error(`${dir}: ${(e as Error).message}`);
  }
  const values = loadVariables(dir);
  try {
    network.params.assign(values);
  } finally {
    tf.dispose(Object.values(values));
  }
  return { network, meta };
}
