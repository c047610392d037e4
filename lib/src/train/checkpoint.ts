/**
 * Checkpoints: a trained model on disk as TensorFlow.js's own format (`model.json` + `weights.bin`,
 * loadable by `tf.loadLayersModel` anywhere) plus `meta.json`, which says how it was made (the
 * command that reproduces it, seed, steps, time). Plain variable sets (models written without
 * tf.layers) use the same files with a weights manifest only.
 *
 * Course checkpoints live in `data/checkpoints/<name>/`.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { projectPath } from '../paths';

export interface CheckpointMeta {
  /** Checkpoint name, e.g. 'mnist-classifier'. */
  name: string;
  /** The command that reproduces this checkpoint from scratch, e.g. 'npm run train -- mnist-classifier'. */
  command: string;
  seed?: number;
  steps?: number;
  trainSeconds?: number;
  backend?: string;
  /** Anything else worth keeping: hyper-parameters, final losses, metrics. */
  [key: string]: unknown;
}

/**
 * `data/checkpoints/<name>` under the project root — or `$GENBOOK_CHECKPOINTS/<name>` when that
 * variable names a folder holding `<name>` (a training of your own, or one in progress: `npm run
 * evaluate -- dcgan --checkpoints build/train` sets it), so notebooks and the evaluate command read
 * your checkpoint instead of the shipped one. Names the folder lacks (the MNIST classifier behind
 * the metrics, say) still come from data/checkpoints.
 */
export function checkpointDir(name: string): string {
  if (!/^[a-z0-9][a-z0-9._-]*$/i.test(name)) {
    throw new RangeError(`checkpoint name must be letters, digits, '.', '_' or '-'; got ${JSON.stringify(name)}`);
  }
  const override = process.env.GENBOOK_CHECKPOINTS;
  if (override && fs.existsSync(path.join(path.resolve(override), name))) return path.join(path.resolve(override), name);
  return projectPath('data', 'checkpoints', name);
}

/**
 * Where a training writes checkpoint `<name>`: `$GENBOOK_CHECKPOINTS/<name>` whenever that variable
 * is set (created if need be), otherwise `data/checkpoints/<name>`. Unlike `checkpointDir`, it never
 * falls back to the shipped folder: a training pointed at an empty folder of its own must not
 * overwrite the checkpoint the course ships.
 */
export function checkpointOutputDir(name: string): string {
  checkpointDir(name); // the same check of the name
  const override = process.env.GENBOOK_CHECKPOINTS;
  return override ? path.join(path.resolve(override), name) : projectPath('data', 'checkpoints', name);
}

function joinWeights(weightData: tf.io.WeightData): ArrayBuffer {
  return Array.isArray(weightData) ? tf.io.concatenateArrayBuffers(weightData) : weightData;
}

function writeAtomically(file: string, content: string | Uint8Array): void {
  const tmp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(tmp, content);
  fs.renameSync(tmp, file);
}

function writeMeta(dir: string, meta: CheckpointMeta): void {
  writeAtomically(path.join(dir, 'meta.json'), JSON.stringify({ ...meta, savedAt: new Date().toISOString() }, null, 2) + '\n');
}

/** Save a tf.layers model (Sequential or functional) with its meta data into `dir`. */
export async function saveModel(model: tf.LayersModel, dir: string, meta: CheckpointMeta): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      if (!artifacts.weightData || !artifacts.weightSpecs) throw new Error('saveModel: the model produced no weights');
      const weights = new Uint8Array(joinWeights(artifacts.weightData));
      writeAtomically(path.join(dir, 'weights.bin'), weights);
      const modelJson = {
        format: artifacts.format ?? 'layers-model',
        generatedBy: artifacts.generatedBy,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
      };
      writeAtomically(path.join(dir, 'model.json'), JSON.stringify(modelJson));
      return { modelArtifactsInfo: tf.io.getModelArtifactsInfoForJSON(artifacts) };
    }),
  );
  writeMeta(dir, meta);
}

interface ModelJson {
  modelTopology?: object;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
}

function readModelJson(dir: string): { json: ModelJson; weightData: ArrayBuffer; weightSpecs: tf.io.WeightsManifestEntry[] } {
  const file = path.join(dir, 'model.json');
  if (!fs.existsSync(file)) throw new Error(`no checkpoint at ${dir} (model.json is missing)`);
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as ModelJson;
  const buffers: Uint8Array[] = [];
  const weightSpecs: tf.io.WeightsManifestEntry[] = [];
  for (const group of json.weightsManifest) {
    for (const p of group.paths) buffers.push(fs.readFileSync(path.join(dir, p)));
    weightSpecs.push(...group.weights);
  }
  const total = buffers.reduce((s, b) => s + b.length, 0);
  const joined = new Uint8Array(total);
  let offset = 0;
  for (const b of buffers) {
    joined.set(b, offset);
    offset += b.length;
  }
  return { json, weightData: joined.buffer, weightSpecs };
}

/** Load a tf.layers model saved by `saveModel` (or any tfjs layers model folder). */
export async function loadModel(dir: string): Promise<tf.LayersModel> {
  const { json, weightData, weightSpecs } = readModelJson(dir);
  if (!json.modelTopology) throw new Error(`${dir}/model.json has no model topology (a variable set? use loadVariables)`);
  return tf.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs, weightData }));
}

/** Save named tensors (a model written with tf.variable) into `dir`. */
export async function saveVariables(variables: Record<string, tf.Tensor>, dir: string, meta: CheckpointMeta): Promise<void> {
  fs.mkdirSync(dir, { recursive: true });
  const { data, specs } = await tf.io.encodeWeights(variables);
  writeAtomically(path.join(dir, 'weights.bin'), new Uint8Array(joinWeights(data)));
  writeAtomically(path.join(dir, 'model.json'), JSON.stringify({ format: 'genbook-variables', weightsManifest: [{ paths: ['weights.bin'], weights: specs }] }));
  writeMeta(dir, meta);
}

/** Load named tensors saved by `saveVariables`. The caller owns (and disposes) the tensors. */
export function loadVariables(dir: string): Record<string, tf.Tensor> {
  const { weightData, weightSpecs } = readModelJson(dir);
  return tf.io.decodeWeights(weightData, weightSpecs);
}

/** The meta data of a checkpoint, or undefined when there is none. */
export function readMeta(dir: string): CheckpointMeta | undefined {
  const file = path.join(dir, 'meta.json');
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, 'utf8')) as CheckpointMeta) : undefined;
}

/** True when `dir` holds a checkpoint. */
export function hasCheckpoint(dir: string): boolean {
  return fs.existsSync(path.join(dir, 'model.json')) && fs.existsSync(path.join(dir, 'weights.bin'));
}
