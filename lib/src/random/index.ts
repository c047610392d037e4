/** Random namespace: seeded generators for numbers and TensorFlow.js ops. @see notebooks/00-getting-started */
export { Rng, rng } from './rng';
export type { RngState } from './rng';
