/**
 * Image grids: many images (a batch tensor, an array of tensors, MNIST-style pixel arrays) drawn
 * into ONE PNG, small images upscaled by an integer factor (nearest neighbour, so pixels stay
 * sharp), with optional labels under each image. Encoded with pngjs.
 *
 * ```ts
 * viz.imageGrid(samples, { columns: 8, labels: predictedDigits })   // samples: [N, 28, 28, 1]
 * ```
 *
 * @see notebooks/00-getting-started
 */
import * as fs from 'fs';
import { PNG } from 'pngjs';
import { DISPLAY, type Displayable, type MimeBundle } from './protocol';
import { toRasters, type ImageSource, type IntensityRange, type Raster } from './images';
import { glyph, GLYPH_ADVANCE, GLYPH_HEIGHT, textWidth } from './font';
import { checkIntInRange } from '../util/validate';

export interface ImageGridOptions {
  /** Images per row (default: all in one row up to 10, else ⌈√N⌉). */
  columns?: number;
  /**
   * One label per image, drawn under it (numbers are formatted as text). A label runs on under the
   * cells after it in the same row whose labels are empty (''), so a row can carry one long label;
   * what still does not fit is cut.
   */
  labels?: readonly (string | number)[];
  /** Integer upscaling factor (default: the smallest that makes images at least 56 px, at most 8). */
  scale?: number;
  /** Pixel value range mapped to black…white (default 'auto': [0,1], [-1,1], [0,255] or min–max). */
  range?: IntensityRange;
  /** Gap between images in output pixels (default 2). */
  gap?: number;
  /** A caption for `text/plain`. */
  title?: string;
}

const BACKGROUND = [255, 255, 255];
const INK = [40, 40, 40];

/** A grid of images as one PNG. End a cell with it to see it. */
export class ImageGrid implements Displayable {
  /** The PNG file's bytes. */
  readonly png: Buffer;
  readonly width: number;
  readonly height: number;
  readonly count: number;
  readonly columns: number;
  readonly rows: number;
  readonly scale: number;
  readonly title: string | undefined;

  constructor(png: Buffer, layout: { width: number; height: number; count: number; columns: number; rows: number; scale: number; title?: string }) {
    this.png = png;
    this.width = layout.width;
    this.height = layout.height;
    this.count = layout.count;
    this.columns = layout.columns;
    this.rows = layout.rows;
    this.scale = layout.scale;
    this.title = layout.title;
  }

  /** Write the PNG to a file. */
  save(file: string): void {
    fs.writeFileSync(file, this.png);
  }

  summary(): string {
    return `${this.title ? this.title + ': ' : ''}ImageGrid(${this.count} image${this.count === 1 ? '' : 's'}, ` +
      `${this.rows}×${this.columns} grid, ×${this.scale}, ${this.width}×${this.height} px PNG)`;
  }

  [DISPLAY](): MimeBundle {
    return { 'image/png': this.png.toString('base64'), 'text/plain': this.summary() };
  }
}

/** Draw `images` into one PNG grid. */
export function imageGrid(images: ImageSource, options: ImageGridOptions = {}): ImageGrid {
  const rasters = toRasters(images, options.range ?? 'auto');
  const n = rasters.length;
  if (n === 0) throw new RangeError('images: nothing to draw (0 images)');
  const labels = options.labels?.map((l) => (typeof l === 'number' ? String(l) : l));
  if (labels && labels.length !== n) throw new RangeError(`labels must have one entry per image (${n}); got ${labels.length}`);
  const columns = options.columns ?? (n <= 10 ? n : Math.ceil(Math.sqrt(n)));
  checkIntInRange(columns, 'columns', 1, Infinity);
  const cellH = Math.max(...rasters.map((r) => r.height));
  const cellW = Math.max(...rasters.map((r) => r.width));
  const scale = options.scale ?? Math.min(8, Math.max(1, Math.ceil(56 / Math.max(cellH, cellW))));
  checkIntInRange(scale, 'scale', 1, 64);
  const gap = options.gap ?? 2;
  if (!Number.isInteger(gap) || gap < 0) throw new RangeError(`gap must be a non-negative integer; got ${gap}`);
  const cols = Math.min(columns, n);
  const rows = Math.ceil(n / cols);
  const tileW = cellW * scale;
  const tileH = cellH * scale;
  // Labels: font scale 2 when a tile is wide enough for a few characters, else 1.
  const fontScale = tileW >= 40 ? 2 : 1;
  const labelH = labels ? GLYPH_HEIGHT * fontScale + 4 : 0;
  const width = cols * tileW + (cols + 1) * gap;
  const height = rows * (tileH + labelH) + (rows + 1) * gap;
  const png = new PNG({ width, height, colorType: 6 });
  const buf = png.data;
  for (let i = 0; i < buf.length; i += 4) {
    buf[i] = BACKGROUND[0];
    buf[i + 1] = BACKGROUND[1];
    buf[i + 2] = BACKGROUND[2];
    buf[i + 3] = 255;
  }
  rasters.forEach((r, k) => {
    const x0 = gap + (k % cols) * (tileW + gap) + Math.floor((tileW - r.width * scale) / 2);
    const y0 = gap + Math.floor(k / cols) * (tileH + labelH + gap) + Math.floor((tileH - r.height * scale) / 2);
    drawRaster(buf, width, r, x0, y0, scale);
    if (labels && labels[k] !== '') {
      // the label's room: its own cell and the empty-labelled cells after it in the same row
      let span = 1;
      while ((k % cols) + span < cols && k + span < n && labels[k + span] === '') span++;
      const roomW = span * tileW + (span - 1) * gap;
      const maxChars = Math.max(1, Math.floor((roomW + 1) / (GLYPH_ADVANCE * fontScale)));
      const text = labels[k].length > maxChars ? labels[k].slice(0, maxChars) : labels[k];
      const tx = gap + (k % cols) * (tileW + gap) + Math.floor((roomW - textWidth(text) * fontScale) / 2);
      const ty = gap + Math.floor(k / cols) * (tileH + labelH + gap) + tileH + 2;
      drawText(buf, width, height, text, tx, ty, fontScale);
    }
  });
  return new ImageGrid(PNG.sync.write(png), { width, height, count: n, columns: cols, rows, scale, title: options.title });
}

function drawRaster(buf: Buffer, stride: number, r: Raster, x0: number, y0: number, scale: number): void {
  for (let y = 0; y < r.height; y++) {
    for (let x = 0; x < r.width; x++) {
      const p = (y * r.width + x) * r.channels;
      const gray = r.channels === 1;
      const red = Math.round(r.data[p] * 255);
      const green = gray ? red : Math.round(r.data[p + 1] * 255);
      const blue = gray ? red : Math.round(r.data[p + 2] * 255);
      // Alpha (RGBA images) blends over the white background.
      const alpha = r.channels === 4 ? r.data[p + 3] : 1;
      const mix = (c: number, bg: number): number => Math.round(c * alpha + bg * (1 - alpha));
      for (let dy = 0; dy < scale; dy++) {
        let o = ((y0 + y * scale + dy) * stride + x0 + x * scale) * 4;
        for (let dx = 0; dx < scale; dx++, o += 4) {
          buf[o] = mix(red, BACKGROUND[0]);
          buf[o + 1] = mix(green, BACKGROUND[1]);
          buf[o + 2] = mix(blue, BACKGROUND[2]);
          buf[o + 3] = 255;
        }
      }
    }
  }
}

function drawText(buf: Buffer, width: number, height: number, text: string, x0: number, y0: number, scale: number): void {
  [...text].forEach((ch, i) => {
    const g = glyph(ch);
    g.forEach((row, gy) =>
      row.forEach((ink, gx) => {
        if (!ink) return;
        for (let dy = 0; dy < scale; dy++) {
          for (let dx = 0; dx < scale; dx++) {
            const x = x0 + (i * GLYPH_ADVANCE + gx) * scale + dx;
            const y = y0 + gy * scale + dy;
            if (x < 0 || y < 0 || x >= width || y >= height) continue;
            const o = (y * width + x) * 4;
            buf[o] = INK[0];
            buf[o + 1] = INK[1];
            buf[o + 2] = INK[2];
          }
        }
      }),
    );
  });
}
