/**
 * A consistent copy of checkpoints a training is still writing: `evaluate --checkpoints DIR` reads
 * a checkpoint's meta.json (the step a curve point goes at) and its weights at different moments,
 * and a training saves every few hundred steps, so a save in between would pair the weights of one
 * step with the step number of another. The top-level files of each checkpoint folder (not its
 * `resume/` state, not `fid-curve.json`) are copied while none of them changes: the copy is taken
 * again when a file's size or modification time moved during it, or was touched within the last
 * `settleMs` (a save in progress).
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';

type Stamp = string;

function stamp(dir: string, files: string[]): Stamp {
  return files.map((f) => {
    const s = fs.statSync(path.join(dir, f));
    return `${f}:${s.size}:${s.mtimeMs}`;
  }).join('|');
}

function newestMtime(dir: string, files: string[]): number {
  return Math.max(0, ...files.map((f) => fs.statSync(path.join(dir, f)).mtimeMs));
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export interface SnapshotOptions {
  /** A file touched more recently than this (ms) counts as a save in progress. Default 1500. */
  settleMs?: number;
  /** Attempts before giving up. Default 20. */
  attempts?: number;
  /** Called after each attempt's copy, before the check (tests use it to write during a copy). */
  afterCopy?: (attempt: number) => void;
}

/**
 * Copy `<from>/<name>` for each name that has a folder there into a new temporary folder, each a
 * consistent state; returns the folder (the caller removes it). Throws when a checkpoint kept
 * changing for all attempts.
 */
export async function snapshotCheckpoints(from: string, names: readonly string[], options: SnapshotOptions = {}): Promise<string> {
  const settleMs = options.settleMs ?? 1500;
  const attempts = options.attempts ?? 20;
  const target = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-snapshot-'));
  try {
    for (const name of names) {
      const source = path.join(from, name);
      if (!fs.existsSync(source) || !fs.statSync(source).isDirectory()) continue;
      const dest = path.join(target, name);
      let done = false;
      for (let attempt = 1; attempt <= attempts && !done; attempt++) {
        const files = fs.readdirSync(source).filter((f) => f !== 'fid-curve.json' && !f.endsWith('.tmp') && fs.statSync(path.join(source, f)).isFile());
        const wait = newestMtime(source, files) + settleMs - Date.now();
        if (wait > 0) {
          await sleep(Math.min(wait, settleMs));
          continue;
        }
        const before = stamp(source, files);
        fs.rmSync(dest, { recursive: true, force: true });
        fs.mkdirSync(dest, { recursive: true });
        for (const f of files) fs.copyFileSync(path.join(source, f), path.join(dest, f));
        options.afterCopy?.(attempt);
        const after = fs.readdirSync(source).filter((f) => f !== 'fid-curve.json' && !f.endsWith('.tmp') && fs.statSync(path.join(source, f)).isFile());
        done = after.join('|') === files.join('|') && stamp(source, files) === before;
      }
      if (!done) throw new Error(`${source} kept changing while it was copied (${attempts} attempts); is a training saving it continuously?`);
    }
    return target;
  } catch (e) {
    fs.rmSync(target, { recursive: true, force: true });
    throw e;
  }
}
