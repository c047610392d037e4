/**
 * `train.checkpointOutputDir`: where a training writes. `checkpointDir` (reading) falls back to the
 * shipped `data/checkpoints/<name>` when `$GENBOOK_CHECKPOINTS` lacks `<name>`; a training must not,
 * or pointing it at a fresh folder of one's own would overwrite the checkpoint the course ships.
 */
import { expect } from 'chai';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { projectPath, train } from 'genbook';

describe('train.checkpointOutputDir', () => {
  const saved = process.env.GENBOOK_CHECKPOINTS;
  let dir = '';
  beforeEach(() => { dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-outdir-')); });
  afterEach(() => {
    if (saved === undefined) delete process.env.GENBOOK_CHECKPOINTS; else process.env.GENBOOK_CHECKPOINTS = saved;
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is data/checkpoints/<name> without GENBOOK_CHECKPOINTS, as checkpointDir', () => {
    delete process.env.GENBOOK_CHECKPOINTS;
    expect(train.checkpointOutputDir('dcgan')).to.equal(projectPath('data', 'checkpoints', 'dcgan'));
    expect(train.checkpointDir('dcgan')).to.equal(projectPath('data', 'checkpoints', 'dcgan'));
  });

  it('is $GENBOOK_CHECKPOINTS/<name> even when that folder lacks <name> (where checkpointDir reads the shipped one)', () => {
    process.env.GENBOOK_CHECKPOINTS = dir;
    expect(train.checkpointOutputDir('dcgan')).to.equal(path.join(dir, 'dcgan'));
    expect(train.checkpointDir('dcgan')).to.equal(projectPath('data', 'checkpoints', 'dcgan'));
    fs.mkdirSync(path.join(dir, 'dcgan'));
    expect(train.checkpointDir('dcgan')).to.equal(path.join(dir, 'dcgan'));
    expect(train.checkpointOutputDir('dcgan')).to.equal(path.join(dir, 'dcgan'));
  });

  it('resolves a relative GENBOOK_CHECKPOINTS against the working directory', () => {
    process.env.GENBOOK_CHECKPOINTS = path.relative(process.cwd(), dir);
    expect(train.checkpointOutputDir('cgan')).to.equal(path.join(dir, 'cgan'));
  });

  it('refuses a name that would leave the folder', () => {
    process.env.GENBOOK_CHECKPOINTS = dir;
    expect(() => train.checkpointOutputDir('../dcgan')).to.throw(RangeError, /checkpoint name/);
    expect(() => train.checkpointOutputDir('')).to.throw(RangeError);
  });
});
