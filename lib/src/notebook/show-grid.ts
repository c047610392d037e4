/**
 * An image grid of tensors made on the spot, freed as soon as the PNG is drawn, so a notebook can
 * show a batch of samples without keeping (or forgetting to dispose) the tensors.
 *
 * @see notebooks/09-ddim-guidance, notebooks/10-latent-diffusion
 */
import * as tf from '@tensorflow/tfjs';
import { imageGrid, ImageGrid, ImageGridOptions } from '../viz/image-grid';

/**
 * Runs `make` inside `tf.tidy` (its intermediate tensors are freed), draws the returned images
 * with `viz.imageGrid(images, options)`, then disposes them.
 *
 * @param make returns images: a `[n, h, w]` or `[n, h, w, c]` tensor, or an array of tensors
 * @param options the options of `viz.imageGrid` (columns, labels, range, scale)
 */
export function showGrid(make: () => tf.Tensor | tf.Tensor[], options: ImageGridOptions = {}): ImageGrid {
  const images = tf.tidy(make);
  try {
    return imageGrid(images, options);
  } finally {
    tf.dispose(images);
  }
}
