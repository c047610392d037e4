/**
 * The batches an evaluation has drawn so far, kept on disk so that an interrupted evaluation
 * resumes where it stopped: DDPM's Algorithm 2 draws 2000 samples in hours (1000 network passes
 * each), and Ctrl+C, a closed laptop or the end of a session must not throw that away.
 *
 * Batch b of a draw is seeded seed + b (`diffusion.generate`), so a batch drawn in an earlier run is
 * exactly the batch this run would draw. A store is one folder per draw, named by a hash of
 * everything the samples depend on: the model and configuration, count, seed, batch size, sampler
 * settings, and the bytes of the networks' weights (a retrained checkpoint never mixes with an old
 * draw). In it, `batch-<b>.f32` holds batch b's values (float32, little-endian, as drawn), written
 * atomically, and `runs.json` the wall seconds and batch count of each run that drew into it.
 * `npm run evaluate` removes the folder once the evaluation is written.
 */
import * as crypto from 'crypto';
import * as fs from 'fs';
import * as path from 'path';

/** One run's share of a draw: how many batches it drew in how many wall seconds. */
export interface DrawRun {
  batches: number;
  seconds: number;
}

export class DrawStore {
  private constructor(readonly dir: string) {}

  /**
   * The store under `root` for the draw described by `key` (JSON-serialisable) with the networks in
   * `checkpointDirs` (their model.json and weights.bin are hashed). Creates the folder.
   */
  static open(root: string, name: string, key: unknown, checkpointDirs: readonly string[]): DrawStore {
    const hash = crypto.createHash('sha256').update(JSON.stringify(key));
    for (const dir of checkpointDirs) {
      for (const file of ['model.json', 'weights.bin']) {
        const p = path.join(dir, file);
        hash.update(`\0${file}\0`);
        if (fs.existsSync(p)) hash.update(fs.readFileSync(p));
      }
    }
    const dir = path.join(root, `${name}-${hash.digest('hex').slice(0, 16)}`);
    fs.mkdirSync(dir, { recursive: true });
    return new DrawStore(dir);
  }

  private file(b: number): string {
    return path.join(this.dir, `batch-${b}.f32`);
  }

  /** Batch b's values if an earlier run saved them whole (`length` floats), else undefined. */
  load(b: number, length: number): Float32Array | undefined {
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(this.file(b));
    } catch {
      return undefined;
    }
    if (bytes.length !== length * 4) return undefined; // not this draw's batch: drawn again
    const values = new Float32Array(length);
    for (let i = 0; i < length; i++) values[i] = bytes.readFloatLE(4 * i);
    return values;
  }

  /** Save batch b (a temporary file renamed into place: a killed run leaves no half batch). */
  save(b: number, values: Float32Array): void {
    const bytes = Buffer.alloc(values.length * 4);
    for (let i = 0; i < values.length; i++) bytes.writeFloatLE(values[i], 4 * i);
    const tmp = `${this.file(b)}.${process.pid}.tmp`;
    fs.mkdirSync(this.dir, { recursive: true }); // (another run of the same draw may have finished and removed it)
    fs.writeFileSync(tmp, bytes);
    fs.renameSync(tmp, this.file(b));
  }

  /** The runs recorded so far (oldest first). */
  runs(): DrawRun[] {
    try {
      const runs = JSON.parse(fs.readFileSync(path.join(this.dir, 'runs.json'), 'utf8')) as unknown;
      return Array.isArray(runs) ? runs.filter((r): r is DrawRun => typeof r?.batches === 'number' && typeof r?.seconds === 'number') : [];
    } catch {
      return [];
    }
  }

  /** Record a run (called as batches finish, so a killed run still counts its wall time). */
  recordRun(index: number, run: DrawRun): void {
    const runs = this.runs().slice(0, index);
    runs[index] = run;
    const file = path.join(this.dir, 'runs.json');
    fs.mkdirSync(this.dir, { recursive: true });
    fs.writeFileSync(`${file}.${process.pid}.tmp`, `${JSON.stringify(runs)}\n`);
    fs.renameSync(`${file}.${process.pid}.tmp`, file);
  }

  remove(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}
