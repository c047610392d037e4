/**
 * MNIST-FID, MNIST-IS and conditional accuracy: the evaluation metrics of lecture 004 with the
 * course's MNIST classifier as the feature network in place of Inception-v3 (so the numbers compare
 * models of this course with each other, not with ImageNet FID/IS numbers in papers).
 *
 * - MNIST-FID (Heusel et al. 2017): fit a Gaussian N(μ, Σ) to the classifier's penultimate-layer
 *   features of each image set, report the Fréchet distance between the two Gaussians. Lower is
 *   better; a set against itself gives 0. FID is biased upwards for small sets: compare numbers
 *   computed with the same sample counts.
 * - MNIST-IS (Salimans et al. 2016): the Inception Score of the classifier's c(y|x), split into
 *   sharpness × diversity as lecture 004 defines it. At most 10 (the number of classes).
 * - Conditional accuracy: for a class-conditional generator, how often the classifier recognises
 *   the class that was asked for.
 *
 * @see notebooks/11-evaluation
 */
import { Matrix } from '../linalg/matrix';
import { columnMeans, covariance } from '../linalg/covariance';
import { frechetTerms, FrechetOptions, FrechetTerms } from './frechet';
import { inceptionScore, InceptionScoreResult } from './inception-score';
import { MnistClassifier, MnistImages, loadMnistClassifier } from './classifier';
import { mnist } from '../data/mnist';
import { perClassAccuracy } from './class-accuracy';

/** Mean and covariance of a set of feature vectors. */
export interface FeatureStatistics {
  /** μ, length d. */
  mean: Float64Array;
  /** Σ, d×d (unbiased, divided by N − 1). */
  covariance: Matrix;
  /** N, the number of images. */
  count: number;
}

/** μ and Σ of the rows of a feature matrix (N×d, N ≥ 2). */
export function statisticsOf(features: Matrix): FeatureStatistics {
  if (features.rows < 2) throw new RangeError(`features must have at least 2 rows to estimate a covariance; got ${features.rows}`);
  return { mean: columnMeans(features), covariance: covariance(features), count: features.rows };
}

/** μ and Σ of the classifier's features of `images` (default classifier: the shipped checkpoint). */
export async function featureStatistics(images: MnistImages, classifier?: MnistClassifier): Promise<FeatureStatistics> {
  const net = classifier ?? (await loadMnistClassifier());
  return statisticsOf(net.features(images));
}

const testStatistics = new Map<string, FeatureStatistics>();

/**
 * Feature statistics of the MNIST test set (the usual reference for FID), or of its first `limit`
 * images; computed once per classifier and limit, then cached.
 */
export async function mnistTestStatistics(options: { limit?: number; classifier?: MnistClassifier } = {}): Promise<FeatureStatistics> {
  const net = options.classifier ?? (await loadMnistClassifier());
  const key = `${net.model.id}:${options.limit ?? 'all'}`;
  let stats = testStatistics.get(key);
  if (!stats) {
    stats = statisticsOf(net.features(mnist({ split: 'test', limit: options.limit })));
    testStatistics.set(key, stats);
  }
  return stats;
}

export interface MnistFidOptions extends FrechetOptions {
  /** The feature network; default the shipped checkpoint. */
  classifier?: MnistClassifier;
}

/** MNIST-FID with its terms (‖μ₁ − μ₂‖², the covariance term) and the sample counts. */
export interface MnistFidResult extends FrechetTerms {
  countA: number;
  countB: number;
}

function isStatistics(x: MnistImages | FeatureStatistics): x is FeatureStatistics {
  return (x as FeatureStatistics).covariance instanceof Matrix;
}

/**
 * MNIST-FID between two image sets (pixels in [0, 1]); either side may be precomputed
 * `FeatureStatistics` (e.g. `mnistTestStatistics()`). Returns the squared Fréchet distance and its terms.
 */
export async function mnistFidTerms(samplesA: MnistImages | FeatureStatistics, samplesB: MnistImages | FeatureStatistics, options: MnistFidOptions = {}): Promise<MnistFidResult> {
  const needsNet = !isStatistics(samplesA) || !isStatistics(samplesB);
  const net = needsNet ? (options.classifier ?? (await loadMnistClassifier())) : undefined;
  const a = isStatistics(samplesA) ? samplesA : statisticsOf(net!.features(samplesA));
  const b = isStatistics(samplesB) ? samplesB : statisticsOf(net!.features(samplesB));
  const terms = frechetTerms(a.mean, a.covariance, b.mean, b.covariance, options);
  return { ...terms, countA: a.count, countB: b.count };
}

/** MNIST-FID between two image sets (see `mnistFidTerms`): lower is better, 0 for identical sets. */
export async function mnistFid(samplesA: MnistImages | FeatureStatistics, samplesB: MnistImages | FeatureStatistics, options: MnistFidOptions = {}): Promise<number> {
  return (await mnistFidTerms(samplesA, samplesB, options)).distance;
}

/** MNIST-IS of an image set (pixels in [0, 1]): mean ± std over `splits`, and the factors S and D. */
export async function mnistInceptionScore(samples: MnistImages, options: { splits?: number; classifier?: MnistClassifier } = {}): Promise<InceptionScoreResult> {
  const net = options.classifier ?? (await loadMnistClassifier());
  return inceptionScore(net.probabilities(samples), options.splits ?? 10);
}

/**
 * Conditional accuracy: the fraction of samples that the classifier assigns to the class they were
 * generated for (`labels[i]` is the class asked of sample i). 0.1 is chance for 10 classes.
 */
export async function conditionalAccuracy(samples: MnistImages, labels: ArrayLike<number>, classifier?: MnistClassifier): Promise<number> {
  for (let i = 0; i < labels.length; i++) {
    if (!Number.isInteger(labels[i]) || labels[i] < 0 || labels[i] > 9) throw new RangeError(`labels[${i}] must be a class 0–9; got ${labels[i]}`);
  }
  const net = classifier ?? (await loadMnistClassifier());
  return net.accuracy(samples, labels);
}

/** The standard evaluation of a set of generated MNIST samples (what the leaderboard reads). */
export interface SampleEvaluation {
  /** MNIST-FID of the samples against the full MNIST test set (10 000 images). */
  mnistFid: number;
  /** MNIST-IS (mean over 10 splits), its std, and its two factors over all samples. */
  mnistIs: number;
  mnistIsStd: number;
  mnistIsSharpness: number;
  mnistIsDiversity: number;
  /** How many samples were evaluated (FID is biased upwards for small counts: compare equal counts). */
  fidSamples: number;
  /** For class-conditional samples: conditional accuracy (given `labels`). */
  conditionalAccuracy?: number;
}

/**
 * MNIST-FID (against the full test set), MNIST-IS with S and D, and (given the requested `labels`)
 * conditional accuracy of a set of samples in [0, 1]. Record the result with
 * `train.writeResult({ ..., metrics: { ...evaluation } })` so the leaderboard of notebook 11 shows it.
 * Use at least 1 000 samples for numbers you report (10 000 is the usual FID convention).
 */
export async function evaluateSamples(
  samples: MnistImages,
  options: {
    labels?: ArrayLike<number>;
    classifier?: MnistClassifier;
    splits?: number;
    /** Reference statistics; default the full MNIST test set (`mnistTestStatistics()`). */
    reference?: FeatureStatistics;
  } = {},
): Promise<SampleEvaluation> {
  const net = options.classifier ?? (await loadMnistClassifier());
  const reference = options.reference ?? (await mnistTestStatistics({ classifier: net }));
  const { features, probabilities } = net.featuresAndProbabilities(samples);
  const stats = statisticsOf(features);
  const fid = frechetTerms(stats.mean, stats.covariance, reference.mean, reference.covariance).distance;
  const is = inceptionScore(probabilities, Math.min(options.splits ?? 10, stats.count));
  const out: SampleEvaluation = {
    mnistFid: fid,
    mnistIs: is.mean,
    mnistIsStd: is.std,
    mnistIsSharpness: is.sharpness,
    mnistIsDiversity: is.diversity,
    fidSamples: stats.count,
  };
  if (options.labels) out.conditionalAccuracy = perClassAccuracy(probabilities, options.labels).accuracy;
  return out;
}
