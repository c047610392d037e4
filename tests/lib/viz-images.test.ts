/** viz image grids: decode the PNG and compare pixels with the layout computed by hand. */
import { expect } from 'chai';
import { PNG } from 'pngjs';
import { viz, tf } from 'genbook';

const pixel = (png: PNG, x: number, y: number): number[] => {
  const o = (y * png.width + x) * 4;
  return [png.data[o], png.data[o + 1], png.data[o + 2]];
};

describe('viz.imageGrid', () => {
  it('draws 2×2 images upscaled ×3 with 2 px gaps at the expected places', () => {
    // image 0: [[0, 1], [1, 0]]; image 1: all 0.5.
    const imgs = tf.tensor4d([0, 1, 1, 0, 0.5, 0.5, 0.5, 0.5], [2, 2, 2, 1]);
    const grid = viz.imageGrid(imgs, { scale: 3 });
    imgs.dispose();
    const png = PNG.sync.read(grid.png);
    // width = 2 columns × 6 px + 3 gaps × 2 px = 18; height = 6 + 2 × 2 = 10
    expect([png.width, png.height]).to.deep.equal([18, 10]);
    expect(pixel(png, 2, 2)).to.deep.equal([0, 0, 0]); // image 0, top-left pixel (value 0)
    expect(pixel(png, 7, 4)).to.deep.equal([255, 255, 255]); // image 0, top-right (value 1)
    expect(pixel(png, 2, 5)).to.deep.equal([255, 255, 255]); // image 0, bottom-left (value 1)
    expect(pixel(png, 10, 2)).to.deep.equal([128, 128, 128]); // image 1 (0.5 → 128)
    expect(pixel(png, 0, 0)).to.deep.equal([255, 255, 255]); // gap
    const bundle = grid[viz.DISPLAY]();
    expect(Buffer.from(bundle['image/png'] as string, 'base64').equals(grid.png)).to.equal(true);
    expect(bundle['text/plain']).to.equal('ImageGrid(2 images, 1×2 grid, ×3, 18×10 px PNG)');
  });

  it('picks the intensity range: [-1,1] data maps -1 → black, 1 → white; explicit ranges clip', () => {
    const g = PNG.sync.read(viz.imageGrid({ data: [-1, 1], height: 1, width: 2 }, { scale: 1, gap: 0 }).png);
    expect([pixel(g, 0, 0)[0], pixel(g, 1, 0)[0]]).to.deep.equal([0, 255]);
    const bytes = PNG.sync.read(viz.imageGrid({ data: [0, 51, 255], height: 1, width: 3 }, { scale: 1, gap: 0 }).png);
    expect([0, 1, 2].map((x) => pixel(bytes, x, 0)[0])).to.deep.equal([0, 51, 255]);
    const clipped = PNG.sync.read(viz.imageGrid({ data: [0, 2], height: 1, width: 2 }, { scale: 1, gap: 0, range: [0, 1] }).png);
    expect(pixel(clipped, 1, 0)[0]).to.equal(255);
    expect(viz.intensityRange([{ data: [-3, 7] }])).to.deep.equal([-3, 7]);
    expect(viz.intensityRange([{ data: [3, 7] }])).to.deep.equal([0, 255]);
  });

  it('reads MNIST-style batches and RGB images; upscales small images to ≥ 56 px by default', () => {
    const batch = { images: new Float32Array(3 * 28 * 28), count: 3, height: 28, width: 28 };
    const g = viz.imageGrid(batch);
    expect([g.count, g.scale, g.columns, g.rows]).to.deep.equal([3, 2, 3, 1]);
    const rgb = PNG.sync.read(viz.imageGrid({ data: [1, 0, 0], height: 1, width: 1, channels: 3 }, { scale: 1, gap: 0 }).png);
    expect(pixel(rgb, 0, 0)).to.deep.equal([255, 0, 0]);
    expect(viz.imageGrid(tf.zeros([100, 8, 8])).columns).to.equal(10);
  });

  it('draws labels under the images (ink only where labels are)', () => {
    const imgs = { images: new Float32Array(2 * 28 * 28).fill(1), count: 2, height: 28, width: 28 };
    const plain = PNG.sync.read(viz.imageGrid(imgs).png);
    const labelled = PNG.sync.read(viz.imageGrid(imgs, { labels: [7, 'ok'] }).png);
    expect(labelled.height).to.be.greaterThan(plain.height);
    let ink = 0;
    for (let y = plain.height - 2; y < labelled.height; y++) {
      for (let x = 0; x < labelled.width; x++) if (pixel(labelled, x, y)[0] < 128) ink++;
    }
    // In the 3×5 font "7" has 7 ink pixels, "O" 8 and "K" 10; each is drawn 2×2.
    expect(ink).to.equal((7 + 8 + 10) * 4);
    expect(() => viz.imageGrid(imgs, { labels: ['one'] })).to.throw(RangeError, /labels/);
  });

  it('lets a label run on under the empty-labelled cells after it in its row, and cuts what still does not fit', () => {
    // 28-px images at scale 2: 56-px cells, glyphs 8 px apart, so 7 characters fit under one cell.
    const cells = (count: number) => ({ images: new Float32Array(count * 28 * 28).fill(1), count, height: 28, width: 28 });
    const inkOf = (png: PNG, fromY: number): number => {
      let ink = 0;
      for (let y = fromY; y < png.height; y++) for (let x = 0; x < png.width; x++) if (pixel(png, x, y)[0] < 128) ink++;
      return ink;
    };
    const plainHeight = PNG.sync.read(viz.imageGrid(cells(1)).png).height;
    // The reference ink of a text: drawn under one image wide enough for it (28×140 px at scale 2).
    const wide = { images: new Float32Array(28 * 140).fill(1), count: 1, height: 28, width: 140 };
    const inkOfText = (text: string) => inkOf(PNG.sync.read(viz.imageGrid(wide, { labels: [text], scale: 2 }).png), plainHeight - 2);
    // '1234567890' with an empty label after it: 2 cells (114 px, 14 characters), drawn whole.
    const spanned = PNG.sync.read(viz.imageGrid(cells(3), { labels: ['1234567890', '', 'x'] }).png);
    expect(inkOf(spanned, plainHeight - 2)).to.equal(inkOfText('1234567890') + inkOfText('x'));
    // With a label next to it, it keeps one cell and is cut to 7 characters.
    const cut = PNG.sync.read(viz.imageGrid(cells(3), { labels: ['1234567890', 'y', 'x'] }).png);
    expect(inkOf(cut, plainHeight - 2)).to.equal(inkOfText('1234567') + inkOfText('y') + inkOfText('x'));
    // A label never runs on into the next row: the last cell of a row keeps its own width.
    const rows = PNG.sync.read(viz.imageGrid(cells(4), { columns: 2, labels: ['a', '1234567890', '', ''] }).png);
    expect(inkOf(rows, 0) - inkOf(PNG.sync.read(viz.imageGrid(cells(4), { columns: 2, labels: ['a', '', '', ''] }).png), 0)).to.equal(inkOfText('1234567'));
  });

  it('rejects shapes that are not images', () => {
    expect(() => viz.imageGrid(tf.zeros([2, 3, 4, 5]))).to.throw(RangeError, /\[N,H,W,C\]/);
    expect(() => viz.imageGrid({ data: [1, 2, 3], height: 2, width: 2 })).to.throw(RangeError, /4 values/);
  });
});
