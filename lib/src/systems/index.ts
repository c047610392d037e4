/**
 * Systems the lectures name in passing, each at MNIST / toy scale on a CPU: ControlNet, BigGAN's
 * truncation trick and class-conditional batch norm, SDXL's base + refiner, a two-level
 * hierarchical VAE (NVAE's idea).
 *
 * @see notebooks/12-systems-in-practice
 */
export { ControlNetMlp, trainControlNet } from './controlnet';
export type { ControlNetMlpConfig, TrainControlNetOptions } from './controlnet';
export { averagePool2, upsampleNearest2, edgeMaps, intersectionOverUnion } from './images';
export {
  MNIST14_CHECKPOINT,
  MNIST14_COMMAND,
  MNIST14_CONFIG,
  MNIST14_T,
  mnist14Schedule,
  mnist14,
  trainMnist14Denoiser,
  saveMnist14Denoiser,
  loadMnist14Denoiser,
} from './mnist14';
export { truncatedNormal, truncatedNormalVariance, CbnMlpGenerator, ProjectionMlpDiscriminator, meanPairwiseDistance } from './biggan';
export type { CbnGeneratorConfig } from './biggan';
export { cbnGanTrainer, trainMnist14Classifier, classifierAccuracy, mnist14Fid } from './mnist14-gan';
export { refinerSplit, baseRefinerEpsilon, sampleBaseRefiner, trainRefiner } from './refiner';
export { HierarchicalVae, trainHierarchicalVae, residualNormalKl } from './hvae';
export type { HierarchicalVaeConfig, HierarchicalElbo } from './hvae';
export { SuperResolutionMlp, trainSuperResolution, lowResConsistency } from './super-resolution';
export type { SuperResolutionMlpConfig } from './super-resolution';
export { ddganSchedule, DenoisingDiffusionGan, trainDdgan } from './ddgan';
export type { DenoisingDiffusionGanConfig, DdganTimeEncoding, TrainDdganOptions, DdganLosses } from './ddgan';
export { SuperResolutionUNet } from './super-resolution-unet';
export type { SuperResolutionUNetConfig } from './super-resolution-unet';
