/**
 * Hand control back to the event loop for one turn (`setImmediate`), so that a long loop of
 * synchronous tensor work lets progress bars redraw, kernel messages (Jupyter's interrupt and
 * status) through, and signal handlers (SIGTERM, Ctrl+C) run between its steps. Used by the
 * training loop, the DDPM/DDIM samplers, PixelCNN's sampler and `genbook evaluate`.
 */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
