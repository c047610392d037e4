/**
 * StarGAN's losses (Choi et al. 2018, eqs. 1–7; lecture 003): one generator G(x, c) translates an
 * input x into a target domain c; the discriminator has two heads, D_src (real or fake, a logit)
 * and D_cls (domain logits).
 *
 *   L_adv     = E_x[log D_src(x)] + E_{x,c}[log(1 − D_src(G(x, c)))]
 *   L_cls^r   = E_{x,c'}[−log D_cls(c' | x)]          (real x of original domain c')
 *   L_cls^f   = E_{x,c}[−log D_cls(c | G(x, c))]      (fakes of target domain c)
 *   L_rec     = E_{x,c,c'}[‖x − G(G(x, c), c')‖₁]
 *   L_D = −L_adv + λ_cls L_cls^r,   L_G = L_adv + λ_cls L_cls^f + λ_rec L_rec
 *
 * As everywhere in this namespace, the adversarial terms are taken from logits, and the
 * generator uses the non-saturating form of L_adv. λ_cls = 1 and λ_rec = 10 follow the paper.
 *
 * @see notebooks/06-conditional-gans
 */
import * as tf from '@tensorflow/tfjs';
import { l1Loss } from './cycle';
import { discriminatorLoss, generatorLossNonSaturating } from './losses';

/** −mean log softmax(logits)[label]: the domain classification loss, labels as integers. */
export function domainClassificationLoss(logits: tf.Tensor2D, labels: tf.Tensor1D | readonly number[]): tf.Scalar {
  if (logits.rank !== 2) throw new RangeError(`logits must be [B, domains]; got shape [${logits.shape}]`);
  const [batch, domains] = logits.shape;
  return tf.tidy(() => {
    const labelTensor = labels instanceof tf.Tensor ? labels : tf.tensor1d(labels as number[], 'int32');
    if (labelTensor.shape[0] !== batch) {
      throw new RangeError(`labels must have length ${batch}; got ${labelTensor.shape[0]}`);
    }
    const oneHot = tf.oneHot(tf.cast(labelTensor, 'int32'), domains);
    const logProbabilities = tf.logSoftmax(logits);
    return tf.neg(tf.mean(tf.sum(tf.mul(oneHot, logProbabilities), 1))) as tf.Scalar;
  });
}

export interface StarganDiscriminatorTerms {
  total: tf.Scalar;
  adversarial: tf.Scalar;
  classification: tf.Scalar;
}

/** L_D = −L_adv + λ_cls·L_cls^r (Choi et al. 2018, eq. 5). */
export function starganDiscriminatorLoss(args: {
  realSource: tf.Tensor;
  fakeSource: tf.Tensor;
  realDomainLogits: tf.Tensor2D;
  originalDomains: tf.Tensor1D | readonly number[];
  lambdaCls?: number;
}): StarganDiscriminatorTerms {
  const lambdaCls = args.lambdaCls ?? 1;
  if (!(lambdaCls >= 0)) throw new RangeError(`lambdaCls must be >= 0; got ${lambdaCls}`);
  const adversarial = discriminatorLoss(args.realSource, args.fakeSource);
  const classification = domainClassificationLoss(args.realDomainLogits, args.originalDomains);
  const total = tf.tidy(() => tf.add(adversarial, tf.mul(lambdaCls, classification)) as tf.Scalar);
  return { total, adversarial, classification };
}

export interface StarganGeneratorTerms {
  total: tf.Scalar;
  adversarial: tf.Scalar;
  classification: tf.Scalar;
  reconstruction: tf.Scalar;
}

/** L_G = L_adv + λ_cls·L_cls^f + λ_rec·L_rec (Choi et al. 2018, eq. 6), non-saturating L_adv. */
export function starganGeneratorLoss(args: {
  fakeSource: tf.Tensor;
  fakeDomainLogits: tf.Tensor2D;
  targetDomains: tf.Tensor1D | readonly number[];
  input: tf.Tensor;
  reconstructed: tf.Tensor;
  lambdaCls?: number;
  lambdaRec?: number;
}): StarganGeneratorTerms {
  const lambdaCls = args.lambdaCls ?? 1;
  const lambdaRec = args.lambdaRec ?? 10;
  if (!(lambdaCls >= 0)) throw new RangeError(`lambdaCls must be >= 0; got ${lambdaCls}`);
  if (!(lambdaRec >= 0)) throw new RangeError(`lambdaRec must be >= 0; got ${lambdaRec}`);
  const adversarial = generatorLossNonSaturating(args.fakeSource);
  const classification = domainClassificationLoss(args.fakeDomainLogits, args.targetDomains);
  const reconstruction = l1Loss(args.reconstructed, args.input);
  const total = tf.tidy(
    () =>
      tf.addN([adversarial, tf.mul(lambdaCls, classification), tf.mul(lambdaRec, reconstruction)]) as tf.Scalar,
  );
  return { total, adversarial, classification, reconstruction };
}
