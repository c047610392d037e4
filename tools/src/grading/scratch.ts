/**
 * Removing a submission's scratch folder. The submission owns what it wrote there and may have made
 * it unremovable for a grader that is not root (`chmod 0500` on a subfolder: its entries can no
 * longer be unlinked; `chmod 0000`: it can no longer be listed). `removeTree` gives every folder
 * back its owner's permissions (u+rwx) before removing it, never following a symbolic link (a link
 * in scratch may point anywhere; `chmod` would follow it). A tree that still cannot be removed is
 * returned as a problem for the caller to report, never thrown: one student's scratch must not stop
 * the class (issue 16).
 */
import * as fs from 'fs';
import * as path from 'path';

/** Give `dir` and every folder under it u+rwx, without following links. Errors are left for the removal to report. */
function makeRemovable(dir: string): void {
  let stat: fs.Stats;
  try {
    stat = fs.lstatSync(dir);
  } catch {
    return;
  }
  if (!stat.isDirectory()) return;
  try {
    if ((stat.mode & 0o700) !== 0o700) fs.chmodSync(dir, (stat.mode & 0o7777) | 0o700);
  } catch {
    // not ours (or read-only file system): the removal will say so
  }
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return;
  }
  // Dirent types come from the directory itself (d_type), not from following links.
  for (const entry of entries) if (entry.isDirectory()) makeRemovable(path.join(dir, entry.name));
}

/**
 * Remove `dir` and everything in it. Returns undefined when it is gone (or was never there), else
 * a sentence saying why it could not be removed.
 */
export function removeTree(dir: string): string | undefined {
  try {
    fs.rmSync(dir, { recursive: true, force: true });
    return undefined;
  } catch {
    // fall through: make it removable and try again
  }
  makeRemovable(dir);
  try {
    fs.rmSync(dir, { recursive: true, force: true });
    return undefined;
  } catch (e) {
    return `could not remove ${dir}: ${(e as NodeJS.ErrnoException).code ?? ''} ${(e as Error).message}`.replace(/\s+/g, ' ').trim();
  }
}

/** Remove a scratch folder; a folder that stays is passed to `onLeft` (default: a line on stderr), never thrown. */
export function removeScratch(dir: string, onLeft?: (dir: string, reason: string) => void): void {
  const problem = removeTree(dir);
  if (problem === undefined) return;
  if (onLeft) onLeft(dir, problem);
  else process.stderr.write(`genbook: scratch folder left behind: ${problem}\n`);
}
