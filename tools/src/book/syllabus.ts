/**
 * The course's chapters in syllabus order (the course syllabus, "what each notebook must show"):
 * the book's index lists them in this order and links each to the notebook whose file name starts
 * with its number (`01-…ipynb`). Chapters without a notebook yet are listed as coming.
 */

export interface Chapter {
  /** Two digits, the prefix of the notebook's file name. */
  number: string;
  title: string;
  /** The lectures it follows (files in the lecture notes). */
  lectures: string[];
}

export const CHAPTERS: readonly Chapter[] = [
  { number: '00', title: 'Getting started', lectures: [] },
  { number: '01', title: 'Information theory', lectures: ['000'] },
  { number: '02', title: 'Loss functions and likelihood', lectures: ['000'] },
  { number: '03', title: 'PCA vs autoencoder', lectures: ['000', '003', '004'] },
  { number: '04', title: 'VAE, the ELBO and VQ-VAE', lectures: ['001', '002', '003', '004', '000'] },
  { number: '05', title: 'GAN minimax', lectures: ['000', '001', '003', '004'] },
  { number: '06', title: 'Conditional and image-to-image GANs', lectures: ['000', '002', '003'] },
  { number: '07', title: 'Explicit likelihood: autoregressive models and flows', lectures: ['001', '004'] },
  { number: '08', title: 'Diffusion: DDPM', lectures: ['001', '002', '003', '004', '000'] },
  { number: '09', title: 'Faster and guided sampling: DDIM, classifier guidance, CFG', lectures: ['002', '003', '004'] },
  { number: '10', title: 'Latent diffusion and Stable Diffusion', lectures: ['000', '002', '003'] },
  { number: '11', title: 'Evaluating generative models', lectures: ['002', '004'] },
  { number: '12', title: 'Systems in practice: ControlNet, BigGAN, SDXL refiner, NVAE, DDGAN', lectures: ['000', '002', '004'] },
];

export const HOMEWORK: readonly { week: string; topic: string }[] = [
  { week: 'hw01', topic: 'information theory' },
  { week: 'hw02', topic: 'PCA and autoencoders' },
  { week: 'hw03', topic: 'VAE' },
  { week: 'hw04', topic: 'GANs' },
  { week: 'hw05', topic: 'diffusion' },
  { week: 'hw06', topic: 'evaluation and likelihood' },
];

/** The chapter a notebook file belongs to, by its two-digit prefix. */
export function chapterOf(file: string): Chapter | undefined {
  const m = /^(\d\d)-/.exec(file.split(/[\\/]/).pop() ?? '');
  return m ? CHAPTERS.find((c) => c.number === m[1]) : undefined;
}
