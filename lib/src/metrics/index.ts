/**
 * Metrics namespace: the evaluation of generative models (lectures 002 and 004): the Fréchet
 * distance, the Inception Score as sharpness × diversity, the course's MNIST classifier as feature
 * network (MNIST-FID, MNIST-IS, conditional accuracy) and sampling-speed helpers.
 *
 * @see notebooks/11-evaluation
 */
export { frechetDistance, frechetTerms, sqrtmPsd } from './frechet';
export type { FrechetOptions, FrechetTerms } from './frechet';
export { inceptionScore, scoreParts } from './inception-score';
export type { InceptionScoreResult, InceptionScoreParts } from './inception-score';
export {
  MnistClassifier,
  buildMnistClassifier,
  trainMnistClassifier,
  loadMnistClassifier,
  makeMnistClassifierCheckpoint,
  MNIST_CLASSIFIER_CHECKPOINT,
  MNIST_CLASSIFIER_COMMAND,
  FEATURE_LAYER,
} from './classifier';
export type { MnistImages, MnistClassifierConfig, TrainMnistClassifierOptions, TrainMnistClassifierResult, MakeCheckpointOptions } from './classifier';
export {
  mnistFid,
  mnistFidTerms,
  mnistInceptionScore,
  conditionalAccuracy,
  featureStatistics,
  mnistTestStatistics,
  statisticsOf,
  evaluateSamples,
} from './mnist-metrics';
export type { FeatureStatistics, MnistFidOptions, MnistFidResult, SampleEvaluation } from './mnist-metrics';
export { perClassAccuracy, argmaxRows } from './class-accuracy';
export type { ClassAccuracy } from './class-accuracy';
export { timeSampling, secondsPerSample } from './speed';
export type { Sampler, TimeSamplingOptions, SamplingTime } from './speed';
