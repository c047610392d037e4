/**
 * genbook: the course library. Each namespace mirrors part of the course; import by name from any
 * notebook: `import { backend, random, info } from 'genbook'`.
 */
import * as tf from '@tensorflow/tfjs';

export * as backend from './backend';
export * as random from './random';
export * as data from './data';
export * as train from './train';
export * as gan from './gan';
export * as models from './models';
export * as info from './info';
export * as linalg from './linalg';
export * as diffusion from './diffusion';
export * as viz from './viz';
export * as metrics from './metrics';
export * as systems from './systems';
export { tf };

export { projectRoot, projectPath } from './paths';
/** Quick mode (`GENBOOK_QUICK=1`): training cells use their small budgets (the tests use it). */
export { quickModeEnv as quickMode, budget } from './train/mode';
