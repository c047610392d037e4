/**
 * Diffusion namespace: DDPM, DDIM, classifier and classifier-free guidance, latent diffusion
 * (Ho et al. 2020; Song et al. 2021; Dhariwal & Nichol 2021; Ho & Salimans 2021; Rombach et al.
 * 2022). Time steps are 1-based as in the papers (t = 1 … T, ᾱ_0 = 1).
 *
 * @see notebooks/08-diffusion-ddpm
 * @see notebooks/09-ddim-guidance
 * @see notebooks/10-latent-diffusion
 */
export { betaSchedule, alphas, alphaBar, NoiseSchedule, noiseSchedule, BETA_SCHEDULE_KINDS } from './schedule';
export type { BetaScheduleKind, BetaScheduleOptions } from './schedule';
export { timestepList, perExample } from './timesteps';
export type { Timesteps } from './timesteps';
export { qSample, qSamplePerturbed, qMeanVariance, qStep, predictX0FromEps, epsFromX0 } from './forward';
export { posteriorMeanVariance, posteriorMeanCoefficients } from './posterior';
export { reverseMean, reverseVariance } from './reverse';
export type { ReverseVariance } from './reverse';
export {
  normalKl,
  priorLoss,
  denoisingLoss,
  decoderNll,
  decoderVariance,
  discretizedGaussianLogLikelihood,
  simpleLoss,
  minSnrWeights,
  weightedSimpleLoss,
  lossWeight,
  variationalBound,
} from './losses';
export type { DecoderKind, VariationalBound } from './losses';
export type { EpsilonPredictor, ConditionalEpsilonPredictor, SamplerStep, StepCallback, CommonSamplerOptions } from './types';
export { ddpmStep, ddpmSample } from './ddpm';
export type { DdpmOptions, DdpmStepResult } from './ddpm';
export { ddimTimesteps, ddimSigma, ddimStep, ddimSample, ddimPlan } from './ddim';
export type { DdimOptions, TimestepSpacing } from './ddim';
export { classifierLogProbGradient, classifierGuidedSample } from './classifier-guidance';
export type { NoisyClassifier, ClassifierGradient, ClassifierGuidedOptions } from './classifier-guidance';
export { classifierFreeEpsilon, classifierFreeGuidance } from './cfg';
export { timestepEmbedding, timestepEmbeddingValues } from './time-embedding';
export { epsilonOf, conditionalEpsilonOf } from './network';
export type { DiffusionNetwork } from './network';
export { ExponentialMovingAverage } from '../train/ema';
export { trainDiffusion, arrayBatches } from './trainer';
export type { TrainDiffusionOptions, TrainDiffusionResult, DiffusionBatch, DiffusionBatchSource, DiffusionTrainerState } from './trainer';
export { gaussianMixtureEpsilon, gaussianMixtureConditionalEpsilon } from './oracle';
export type { GaussianMixtureSpec } from './oracle';
export { generate, toUnitRange } from './generate';
export type { GenerateOptions } from './generate';
export { img2img, strengthToStep } from './img2img';
export type { Img2ImgOptions } from './img2img';
export { DataParallelGradients, shardSizes } from './data-parallel';
