/** Train namespace: the shared loop, quick/full budgets, checkpoints and measured results. */
export { trainLoop } from './loop';
export { yieldToEventLoop } from '../util/event-loop';
export type { Losses, Progress, LoopOptions, LoopResult } from './loop';
export { budget, quickModeEnv } from './mode';
export { saveModel, loadModel, saveVariables, loadVariables, readMeta, hasCheckpoint, checkpointDir, checkpointOutputDir } from './checkpoint';
export type { CheckpointMeta } from './checkpoint';
export { writeResult, readResults, resultsDir } from './results';
export { ExponentialMovingAverage } from './ema';
export type { ModelResult } from './results';
export { saveCheckpointParts, loadCheckpointParts } from './checkpoint-parts';
export type { CheckpointPart, CheckpointPartKind } from './checkpoint-parts';
export { readFidCurve, addFidCurvePoint, fidCurveSeries, fidCurveSampleCounts, FID_CURVE_FILE } from './fid-curve';
export type { FidCurve, FidCurvePoint } from './fid-curve';
export { planLearningRates } from './learning-rates';
export type { LearningRateStep, LearningRateRequest, LearningRatePlan } from './learning-rates';
export { planThreadCounts } from './thread-counts';
export type { ThreadCountStep } from './thread-counts';
