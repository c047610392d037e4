/** Models namespace: the course's model builders, one file per family. */
export { mlpGenerator, mlpDiscriminator } from './gan-mlp';
export type { MlpGeneratorConfig, MlpDiscriminatorConfig } from './gan-mlp';
export { dcganGenerator, dcganDiscriminator, toGanRange, fromGanRange } from './gan-dcgan';
export type { DcganGeneratorConfig, DcganDiscriminatorConfig } from './gan-dcgan';
