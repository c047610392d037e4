/**
 * Scratch folders: the only place a submission may write. A submission can leave behind folders it
 * made unremovable for a non-root grader (`chmod 0500`), so removal first gives the owner write and
 * search permission on every directory (never following links), then removes.
 */
import * as fs from 'fs';
import * as path from 'path';

/** Make every directory under `dir` (itself included) writable and searchable by its owner. */
function unlock(dir: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(dir);
  } catch {
    return;
  }
  if (!stat.isDirectory()) return;
  try {
    fs.chmodSync(dir, 0o700);
  } catch {
    /* not ours: removal will say so */
  }
  let entries: string[] = [];
  try {
    entries = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const entry of entries) unlock(path.join(dir, entry));
}

/** Remove `dir` and everything in it; true when it is gone. */
export function removeTree(dir: string): boolean {
  try {
    fs.rmSync(dir, { recursive: true, force: true });
  } catch {
    unlock(dir);
    try {
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      return false;
    }
  }
  return !fs.existsSync(dir);
}
