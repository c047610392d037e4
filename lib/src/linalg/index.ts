/**
 * Linear algebra for PCA (lecture 000): Float64 matrices, covariance, a symmetric eigen-solver
 * (TensorFlow.js has none) and PCA with transform / inverseTransform.
 *
 * @see notebooks/03-pca-vs-autoencoder
 */
export { Matrix, matMul, toMatrix, transpose } from './matrix';
export type { MatrixLike } from './matrix';
export { columnMeans, covariance } from './covariance';
export type { CovarianceOptions } from './covariance';
export { eigenvectorMatrix, symmetricEigen } from './symmetricEigen';
export type { SymmetricEigenOptions, SymmetricEigenResult } from './symmetricEigen';
export { Pca, pca } from './pca';
