/**
 * `snapshotCheckpoints` (tools/src/util/checkpoint-snapshot.ts): `evaluate --checkpoints DIR`
 * measures a copy of each checkpoint taken while no save was under way, so a curve point's step
 * (meta.json) and the weights measured come from the same save.
 */
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { snapshotCheckpoints } from '../../tools/src/util/checkpoint-snapshot';

function write(dir: string, steps: number): void {
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'weights.bin'), Buffer.alloc(64 + steps, steps % 251));
  fs.writeFileSync(path.join(dir, 'meta.json'), JSON.stringify({ steps }));
}

const read = (dir: string) => ({ meta: JSON.parse(fs.readFileSync(path.join(dir, 'meta.json'), 'utf8')), weights: fs.readFileSync(path.join(dir, 'weights.bin')) });

describe('snapshotCheckpoints (evaluate --checkpoints on a training in progress)', () => {
  let root = '';
  const made: string[] = [];
  beforeEach(() => { root = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-snapsrc-')); });
  afterEach(() => {
    for (const d of [root, ...made.splice(0)]) fs.rmSync(d, { recursive: true, force: true });
  });

  it('copies the named checkpoints\' top-level files, not resume/ or fid-curve.json, and skips names DIR lacks', async () => {
    write(path.join(root, 'a'), 500);
    fs.mkdirSync(path.join(root, 'a', 'resume'));
    fs.writeFileSync(path.join(root, 'a', 'resume', 'state.bin'), 'x');
    fs.writeFileSync(path.join(root, 'a', 'fid-curve.json'), '{}');
    write(path.join(root, 'other'), 1);
    const snap = await snapshotCheckpoints(root, ['a', 'missing'], { settleMs: 0 });
    made.push(snap);
    expect(fs.readdirSync(snap)).to.deep.equal(['a']);
    expect(fs.readdirSync(path.join(snap, 'a')).sort()).to.deep.equal(['meta.json', 'weights.bin']);
    expect(read(path.join(snap, 'a'))).to.deep.equal(read(path.join(root, 'a')));
  });

  it('takes the copy again when a save lands during it: weights and meta.json of one save', async () => {
    const dir = path.join(root, 'a');
    write(dir, 500);
    let saved = false;
    const snap = await snapshotCheckpoints(root, ['a'], {
      settleMs: 0,
      // the training saves step 1000 while the first copy is taken (an attempt may go to waiting
      // first: a file's mtime can be a fraction of a millisecond ahead of Date.now())
      afterCopy: () => {
        if (!saved) write(dir, 1000);
        saved = true;
      },
    });
    expect(saved, 'a copy was taken').to.equal(true);
    made.push(snap);
    const copy = read(path.join(snap, 'a'));
    expect(copy.meta.steps).to.equal(1000);
    expect(copy.weights.length).to.equal(64 + 1000);
  });

  it('waits for a save that just happened to settle before copying', async () => {
    write(path.join(root, 'a'), 500);
    const attempts: number[] = [];
    const snap = await snapshotCheckpoints(root, ['a'], { settleMs: 1000, afterCopy: (attempt) => attempts.push(attempt) });
    made.push(snap);
    expect(attempts[0], 'the first attempt waited instead of copying').to.be.above(1);
  });

  it('gives up, naming the folder, when the checkpoint changes during every attempt, and leaves no copy', async () => {
    const dir = path.join(root, 'a');
    write(dir, 500);
    const before = fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('genbook-snapshot-')).length;
    let steps = 500;
    let error: Error | undefined;
    try {
      await snapshotCheckpoints(root, ['a'], { settleMs: 0, attempts: 3, afterCopy: () => write(dir, (steps += 500)) });
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).to.match(/kept changing while it was copied \(3 attempts\)/);
    expect(error?.message).to.include(dir);
    expect(fs.readdirSync(os.tmpdir()).filter((f) => f.startsWith('genbook-snapshot-')).length).to.equal(before);
  });
});
