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
import { DiffusionMlp, DiffusionMlpConfig } from '../diffusion-mlp';
import { ParameterStore } from '../diffusion-nn';
import { DiffusionUNet, DiffusionUNetConfig } from '../diffusion-unet';
import { NoisyClassifier, NoisyClassifierConfig } from '../diffusion-classifier';
import { LatentAutoencoder, LatentAutoencoderConfig } from '../diffusion-autoencoder';

/** The networks that can be saved this way. */
export type DiffusionCheckpointNetwork = DiffusionMlp | DiffusionUNet | NoisyClassifier | LatentAutoencoder;

function kindOf(net: DiffusionCheckpointNetwork): string {
  if (net instanceof DiffusionUNet) return 'DiffusionUNet';
  if (net instanceof DiffusionMlp) return 'DiffusionMlp';
  if (net instanceof NoisyClassifier) return 'NoisyClassifier';
  return 'LatentAutoencoder';
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
  const config = meta.config as Record<string, unknown> & { seed: number };
  let network: DiffusionCheckpointNetwork;
  switch (meta.kind) {
    case 'DiffusionUNet':
      network = new DiffusionUNet(config as unknown as DiffusionUNetConfig);
      break;
    case 'DiffusionMlp':
      network = new DiffusionMlp(config as unknown as DiffusionMlpConfig);
      break;
    case 'NoisyClassifier':
      network = new NoisyClassifier(config as unknown as NoisyClassifierConfig);
      break;
    case 'LatentAutoencoder':
      network = new LatentAutoencoder(config as unknown as LatentAutoencoderConfig);
      break;
    default:
      throw new Error(`${dir}: unknown network kind ${JSON.stringify(meta.kind)}`);
  }
  const values = loadVariables(dir);
  try {
    network.params.assign(values);
  } finally {
    tf.dispose(Object.values(values));
  }
  return { network, meta };
}
