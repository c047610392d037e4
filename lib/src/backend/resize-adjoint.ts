/**
 * The gradient of nearest-neighbour resizing as the exact adjoint of the forward gather (tfjs's cpu
 * forward kernel: source pixel ⌊ratio·k⌋, or rounded with alignCorners, at k + ½ with
 * halfPixelCenters): every dy pixel adds its value to the input pixel it was read from, in one pass
 * over dy. Shared by the wasm kernel (wasm/resize-grad.ts) and the cpu fix (cpu-fixes.ts).
 */

/** Height or width ratio input/output of a resize, as tfjs's kernels compute it. */
export function resizeRatio(inSize: number, outSize: number, alignCorners: boolean): number {
  return (alignCorners && outSize > 1 ? inSize - 1 : inSize) / (alignCorners && outSize > 1 ? outSize - 1 : outSize);
}

/**
 * dx += the adjoint of nearest-neighbour resizing applied to dy. dx [B, H_in, W_in, C] (zero it
 * first), dy [B, H_out, W_out, C], both row-major.
 */
export function addNearestNeighborAdjoint(
  dy: ArrayLike<number>,
  dx: Float32Array,
  inShape: readonly [number, number, number, number],
  outHeight: number,
  outWidth: number,
  attrs: { alignCorners: boolean; halfPixelCenters: boolean },
): void {
  const [batch, inHeight, inWidth, channels] = inShape;
  const { alignCorners, halfPixelCenters } = attrs;
  const source = (k: number, ratio: number, size: number): number => {
    const frac = halfPixelCenters ? ratio * (k + 0.5) : ratio * k;
    const s = Math.min(size - 1, alignCorners ? Math.round(frac) : Math.floor(frac));
    return halfPixelCenters ? Math.max(0, s) : s;
  };
  const rowRatio = resizeRatio(inHeight, outHeight, alignCorners);
  const colRatio = resizeRatio(inWidth, outWidth, alignCorners);
  const sourceRows = Array.from({ length: outHeight }, (_, r) => source(r, rowRatio, inHeight));
  const sourceCols = Array.from({ length: outWidth }, (_, c) => source(c, colRatio, inWidth));
  let i = 0;
  for (let b = 0; b < batch; b++) {
    for (let r = 0; r < outHeight; r++) {
      const rowBase = (b * inHeight + sourceRows[r]) * inWidth;
      for (let c = 0; c < outWidth; c++) {
        const o = (rowBase + sourceCols[c]) * channels;
        for (let d = 0; d < channels; d++) dx[o + d] += dy[i++];
      }
    }
  }
}
