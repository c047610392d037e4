/**
 * Models namespace. The folder shows the architecture:
 * - `models/*.ts` — the networks, one file per family, each with its training step or loop
 *   (`trainVae`, `trainPixelCnn`, …) and what its family shares (`pixelcnn-common.ts`, `gan-layers.ts`,
 *   `diffusion-nn.ts`);
 * - `models/recipes/*.ts` — the course's training recipes on MNIST and their checkpoints (what
 *   `npm run train -- <name>` makes and the notebooks load), saved and loaded through `train/`
 *   (`checkpoint.ts`, `checkpoint-parts.ts`).
 */

// Networks
export { mlpGenerator, mlpDiscriminator } from './gan-mlp';
export type { MlpGeneratorConfig, MlpDiscriminatorConfig } from './gan-mlp';
export { dcganGenerator, dcganDiscriminator, toGanRange, fromGanRange } from './gan-dcgan';
export type { DcganGeneratorConfig, DcganDiscriminatorConfig } from './gan-dcgan';
export {
  denseAutoencoder,
  convAutoencoder,
  chain,
  corrupt,
  reconstructionLoss,
  trainAutoencoder,
  evaluateReconstruction,
  predictRows,
  batchStream,
} from './autoencoder';
export type {
  Autoencoder,
  DenseAutoencoderConfig,
  ConvAutoencoderConfig,
  NoiseKind,
  NoiseOptions,
  ReconstructionLoss,
  ExampleSet,
  TrainAutoencoderOptions,
  Activation,
} from './autoencoder';
export { Vae, trainVae, reparameterize, klToStandardNormal, bernoulliNegLogLikelihood } from './vae';
export type { VaeConfig, NegativeElbo, TrainVaeOptions } from './vae';
export { AdversarialAutoencoder, trainAdversarialAutoencoder, gaussianPrior, ringPrior } from './aae';
export type { AdversarialAutoencoderConfig, PriorSampler, TrainAaeOptions } from './aae';
export { VectorQuantizer, VqVae, trainVqVae, stopGradient, straightThrough, codebookPerplexity } from './vq';
export type { VectorQuantizerConfig, QuantizeResult, VqVaeConfig } from './vq';
export { GanLeakyReLU, ganLeakyReLU } from './gan-layers';
export { DiffusionUNet, DDPM_UNET_CONFIG } from './diffusion-unet';
export type { DiffusionUNetConfig } from './diffusion-unet';
export { groupNormalize } from './group-norm';
export { ParameterStore, silu, groupNorm, crossAttention, selfAttention, spaceToDepth2, depthToSpace2 } from './diffusion-nn';
export { unetGenerator, patchDiscriminator, Pix2Pix, digitOutlines } from './gan-pix2pix';
export type { UnetConfig, Pix2PixOptions } from './gan-pix2pix';
export { CycleGan } from './gan-cycle';
export type { CycleGanOptions } from './gan-cycle';
export { StarGan } from './gan-star';
export type { StarGanOptions } from './gan-star';
export { ProgressiveGenerator, ProgressiveDiscriminator, resizeForStage, PROGRESSIVE_RESOLUTIONS } from './gan-progressive';
export type { ProgressiveStage, ProgressiveConfig } from './gan-progressive';
export { StyleGenerator, mappingNetwork, PixelNormalization, STYLE_LAYER_RESOLUTIONS } from './gan-style';
export type { StyleGeneratorConfig, MappingNetworkConfig } from './gan-style';
export { DiffusionMlp } from './diffusion-mlp';
export type { DiffusionMlpConfig } from './diffusion-mlp';
export { NoisyClassifier, trainNoisyClassifier } from './diffusion-classifier';
export type { NoisyClassifierConfig, TrainNoisyClassifierOptions } from './diffusion-classifier';
export { LatentAutoencoder, trainLatentAutoencoder } from './diffusion-autoencoder';
export type { LatentAutoencoderConfig } from './diffusion-autoencoder';
export { PixelCnn, pixelCnnMask, maskPlane, trainPixelCnn } from './pixelcnn';
export type { PixelCnnConfig, PixelCnnMaskType, TrainPixelCnnOptions } from './pixelcnn';
export { RealNvp2d, trainFlow, standardization } from './flow';
export type { RealNvpConfig, TrainFlowOptions } from './flow';
export { GatedPixelCnn } from './pixelcnn-gated';
export type { GatedPixelCnnConfig } from './pixelcnn-gated';

// Recipes and checkpoints
export { trainVaeMnist, saveVaeCheckpoint, saveVaeCheckpointIn, loadVaeCheckpoint, binarizedMnist, smoothHistory } from './recipes/vae-mnist';
export type { VaeMnistOptions, VaeMnistRun } from './recipes/vae-mnist';
export { saveDiffusionCheckpoint, loadDiffusionCheckpoint } from './recipes/diffusion-checkpoint';
export type { DiffusionCheckpointNetwork } from './recipes/diffusion-checkpoint';
export {
  AE_MNIST_VARIANTS,
  AE_MNIST_CODE_SIZE,
  AE_MNIST_STEPS,
  DAE_MNIST_NOISE,
  aeMnistModel,
  trainAeMnist,
  saveAutoencoderCheckpoint,
  saveAutoencoderCheckpointIn,
  loadAutoencoderCheckpoint,
} from './recipes/autoencoder-mnist';
export type { AeMnistVariant, AeMnistOptions, AeMnistRun } from './recipes/autoencoder-mnist';
export { AAE_MNIST_PRIOR, AAE_MNIST_STEPS, aaeMnistModel, trainAaeMnist, saveAaeCheckpoint, saveAaeCheckpointIn, loadAaeCheckpoint } from './recipes/aae-mnist';
export { VQVAE_MNIST_STEPS, vqVaeMnistModel, trainVqVaeMnist, saveVqVaeCheckpoint, saveVqVaeCheckpointIn, loadVqVaeCheckpoint } from './recipes/vq-mnist';
export { AUTOENCODER_CHECKPOINTS, AUTOENCODER_CHECKPOINT_STEPS, makeAutoencoderCheckpoint } from './recipes/autoencoder-checkpoints';
export type { AutoencoderCheckpointName, MakeAutoencoderCheckpointOptions } from './recipes/autoencoder-checkpoints';
export { makePixelCnnCheckpoint, continuePixelCnnCheckpoint, loadPixelCnn, binarizedMnistTest, PIXELCNN_CHECKPOINT, PIXELCNN_COMMAND, PIXELCNN_RECIPE } from './recipes/pixelcnn-mnist';
export type { PixelCnnRun, ContinuePixelCnnOptions } from './recipes/pixelcnn-mnist';
