/**
 * GAN namespace: the losses (from logits, numerically stable), the game on 1D densities
 * (V(D, G), D*, C(G)), reconstruction losses of pix2pix / CycleGAN / StarGAN, AdaIN, mode
 * coverage, and a trainer that follows Algorithm 1 of Goodfellow et al. 2014.
 *
 * @see notebooks/05-gan-minimax
 * @see notebooks/06-conditional-gans
 */
export {
  softplus,
  logSigmoid,
  discriminatorLoss,
  generatorLossSaturating,
  generatorLossNonSaturating,
  wassersteinCriticLoss,
  wassersteinGeneratorLoss,
  hingeDiscriminatorLoss,
  hingeGeneratorLoss,
  gradientPenalty,
} from './losses';
export type { GradientPenaltyOptions } from './losses';
export { r1Penalty } from './r1';
export { optimalDiscriminator, valueFunction, virtualTrainingCriterion, kernelDensity } from './optimal';
export { l1Loss, cycleConsistencyLoss, pix2pixGeneratorLoss } from './cycle';
export { acganDiscriminatorLoss, acganGeneratorLoss } from './acgan';
export { domainClassificationLoss, starganDiscriminatorLoss, starganGeneratorLoss } from './stargan';
export type { StarganDiscriminatorTerms, StarganGeneratorTerms } from './stargan';
export { adain, instanceMoments } from './adain';
export type { AdainStyle } from './adain';
export { modeCoverage } from './modes';
export type { ModeCoverage } from './modes';
export { GanTrainer, createTrainer, GAN_OBJECTIVES, ganLearningRate } from './trainer';
export type { GanNetwork, GanObjective, GanTrainerOptions, GanTrainerState, GanTrainOptions, GanSnapshot, RealBatch } from './trainer';
export { mnistGanTrainer, mnistSampler, makeMnistGanCheckpoint, MNIST_GAN_VARIANTS, MNIST_GAN_ITERATIONS, MNIST_GAN_SEED, MNIST_GAN_EMA_DECAY, MNIST_GAN_BASE_FILTERS, MNIST_GAN_R1_SCHEDULE } from './mnist';
export type { R1WeightStep } from './mnist';
export type { MnistGanVariant, MnistGanOptions, MakeMnistGanCheckpointOptions } from './mnist';
