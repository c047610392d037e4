/**
 * Information theory (lecture 000): entropy, cross-entropy, KL and JS divergences on discrete
 * distributions, the Gaussian KL in closed form, and binary codes (Huffman, prefix-free test,
 * Kraft sum, every parse of an ambiguous bit string).
 *
 * @see notebooks/01-information-theory
 */
export { checkDistribution, checkProbabilities, normalize, SUM_TOLERANCE } from './distribution';
export type { Distribution } from './distribution';
export { entropy, entropyTerms } from './entropy';
export { crossEntropy, crossEntropyTerms } from './crossEntropy';
export { klDivergence } from './klDivergence';
export { jsDivergence, mixture } from './jsDivergence';
export { gaussianKl, gaussianPdf } from './gaussianKl';
export { averageCodeLength, countParses, decodeAll, encode, isPrefixFree, kraftSum } from './code';
export type { Code, Frequencies } from './code';
export { huffmanCode } from './huffman';
