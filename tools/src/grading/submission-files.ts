/**
 * Reading a submission's files as files, not as whatever the folder holds (issue 16, "inputs are
 * files"). Everything the grader reads from a student's folder — `hwNN.ts`, the modules it
 * imports, the files the type check opens — goes through `SubmissionFiles`:
 *
 * - the path must lie inside the submission folder lexically, and every folder on the way must be
 *   a real folder (a linked folder `sol -> ../../solutions` is refused);
 * - the file itself must be a regular file: no symbolic link (to
 *   `/proc/self/cwd/solutions/hw01.ts`, to a classmate's file, to `/dev/stdin`), no FIFO, socket,
 *   device or directory. (Hard links are not refused: the two names cannot be told apart, so
 *   refusing would fail the classmate too, and a hard link reaches nothing a copy would not — it
 *   can only be made to a file its maker may already read and write.)
 * - it is opened with `O_NOFOLLOW | O_NONBLOCK` (a link swapped in after the check fails with
 *   ELOOP; a FIFO swapped in does not block the open) and checked again with `fstat` on the open
 *   descriptor, and on Linux the descriptor's real path (`/proc/self/fd/N`) must still be inside
 *   the folder's real path;
 * - its size is capped (1 MB by default) and it is read with a bounded read, so a file that grows
 *   after the check cannot make the grader read more.
 *
 * Every refusal is a `SubmissionFileError` (a `CompileError`, so the engine reports it as the
 * week's load error) whose message names the file and says what is wrong, e.g.
 * "hw01.ts is a symbolic link: submissions must be regular files".
 */
import * as fs from 'fs';
import * as path from 'path';
import { CompileError } from './compile';

/** The default cap on one submission file. */
export const MAX_SUBMISSION_FILE_BYTES = 1024 * 1024;
/** The default cap on everything one reader reads (all weeks and their imports, re-reads included). */
export const MAX_SUBMISSION_TOTAL_BYTES = 16 * 1024 * 1024;

export class SubmissionFileError extends CompileError {
  constructor(message: string) {
    super(message);
    this.name = 'SubmissionFileError';
  }
}

/** What kind of thing an lstat found, in words for the student. */
function describeKind(stat: fs.Stats): string {
  if (stat.isSymbolicLink()) return 'a symbolic link';
  if (stat.isDirectory()) return 'a folder';
  if (stat.isFIFO()) return 'a FIFO (named pipe)';
  if (stat.isSocket()) return 'a socket';
  if (stat.isCharacterDevice() || stat.isBlockDevice()) return 'a device';
  return 'not a regular file';
}

function megabytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} bytes`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} kB`;
  return `${(bytes / (1024 * 1024)).toFixed(bytes < 10 * 1024 * 1024 ? 1 : 0)} MB`;
}

function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

export interface SubmissionFilesOptions {
  /** Largest file accepted, in bytes (default 1 MB). */
  maxBytes?: number;
  /** Most bytes read in all, over every file (default 16 MB): many files of just under the cap are refused too. */
  maxTotalBytes?: number;
}

/** Guarded access to the files of one submission folder. */
export class SubmissionFiles {
  /** The folder as given (paths are checked against it lexically). */
  readonly dir: string;
  /** Its real path (what an opened file's real path must lie under). */
  readonly realDir: string;
  readonly maxBytes: number;
  readonly maxTotalBytes: number;
  private totalBytes = 0;

  constructor(dir: string, options: SubmissionFilesOptions = {}) {
    this.dir = path.resolve(dir);
    let stat: fs.Stats;
    try {
      stat = fs.statSync(this.dir);
    } catch (e) {
      throw new SubmissionFileError(`submission folder not found: ${dir} (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
    }
    if (!stat.isDirectory()) throw new SubmissionFileError(`${dir} is not a folder`);
    this.realDir = fs.realpathSync(this.dir);
    this.maxBytes = options.maxBytes ?? MAX_SUBMISSION_FILE_BYTES;
    this.maxTotalBytes = options.maxTotalBytes ?? MAX_SUBMISSION_TOTAL_BYTES;
  }

  /** `file` relative to the folder, with '/' separators (how messages name it). */
  display(file: string): string {
    return path.relative(this.dir, path.resolve(this.dir, file)).split(path.sep).join('/');
  }

  /** Whether `file` is inside the folder by its path (no file-system access). */
  contains(file: string): boolean {
    return isInside(this.dir, path.resolve(this.dir, file));
  }

  /**
   * Whether something is at `file` (of any kind, a dangling link too), without following a link
   * in its last component. Used to tell "missing" from "present but refused".
   */
  present(file: string): boolean {
    try {
      fs.lstatSync(path.resolve(this.dir, file));
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Why `file` may not be read, or undefined when it may (checked without opening it): outside the
   * folder, a linked or missing folder on the way, missing, not a regular file, or too big.
   */
  problem(file: string): string | undefined {
    const full = path.resolve(this.dir, file);
    const name = this.display(full);
    if (!isInside(this.dir, full) || full === this.dir) return `${name} is outside the submission folder`;
    const parts = path.relative(this.dir, full).split(path.sep);
    let at = this.dir;
    for (const [i, part] of parts.entries()) {
      at = path.join(at, part);
      const shown = parts.slice(0, i + 1).join('/');
      let stat: fs.Stats;
      try {
        stat = fs.lstatSync(at);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        return code === 'ENOENT' ? `${shown} not found` : `${shown} cannot be read (${code ?? String(e)})`;
      }
      const last = i === parts.length - 1;
      if (!last) {
        if (!stat.isDirectory()) return `${shown} is ${describeKind(stat)}: the files of a submission must be in real folders inside it`;
        continue;
      }
      if (!stat.isFile()) return `${name} is ${describeKind(stat)}: submissions must be regular files`;
      if (stat.size > this.maxBytes) return `${name} is ${megabytes(stat.size)}: the limit is ${megabytes(this.maxBytes)} per file`;
    }
    return undefined;
  }

  /** Read `file` as UTF-8 under every rule above; throws SubmissionFileError with the reason. */
  read(file: string): string {
    return this.readBytes(file).toString('utf8');
  }

  readBytes(file: string): Buffer {
    const full = path.resolve(this.dir, file);
    const name = this.display(full);
    const problem = this.problem(full);
    if (problem) throw new SubmissionFileError(problem);
    let fd: number;
    try {
      fd = fs.openSync(full, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW | fs.constants.O_NONBLOCK);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ELOOP') throw new SubmissionFileError(`${name} is a symbolic link: submissions must be regular files`);
      throw new SubmissionFileError(`${name} cannot be opened (${code ?? String(e)})`);
    }
    try {
      const stat = fs.fstatSync(fd);
      if (!stat.isFile()) throw new SubmissionFileError(`${name} is ${describeKind(stat)}: submissions must be regular files`);
      if (stat.size > this.maxBytes) throw new SubmissionFileError(`${name} is ${megabytes(stat.size)}: the limit is ${megabytes(this.maxBytes)} per file`);
      if (this.totalBytes + stat.size > this.maxTotalBytes) throw new SubmissionFileError(`reading ${name} would bring the submission's files past ${megabytes(this.maxTotalBytes)} in all`);
      const opened = openedPath(fd);
      if (opened !== undefined && !isInside(this.realDir, opened)) throw new SubmissionFileError(`${name} changed while it was being read: it now leads outside the submission folder`);
      // Bounded read: at most maxBytes + 1 bytes, whatever the file grows to after the fstat.
      let buffer = Buffer.alloc(Math.min(stat.size, this.maxBytes) + 1);
      let length = 0;
      for (;;) {
        if (length === buffer.length) {
          if (length > this.maxBytes) throw new SubmissionFileError(`${name} grew past ${megabytes(this.maxBytes)} while it was being read`);
          const bigger = Buffer.alloc(this.maxBytes + 1);
          buffer.copy(bigger, 0, 0, length);
          buffer = bigger;
        }
        let n: number;
        try {
          n = fs.readSync(fd, buffer, length, buffer.length - length, length);
        } catch (e) {
          throw new SubmissionFileError(`${name} cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
        }
        if (n === 0) break;
        length += n;
      }
      this.totalBytes += length;
      return buffer.subarray(0, length);
    } finally {
      fs.closeSync(fd);
    }
  }
}

/** The real path of an open descriptor (Linux: /proc/self/fd/N); undefined where that is not available. */
function openedPath(fd: number): string | undefined {
  if (process.platform !== 'linux') return undefined;
  try {
    return fs.readlinkSync(`/proc/self/fd/${fd}`);
  } catch {
    return undefined;
  }
}

/** Read one file of a submission folder under the rules above (a shortcut for one-off reads). */
export function readSubmissionFile(dir: string, file: string, options: SubmissionFilesOptions = {}): string {
  return new SubmissionFiles(dir, options).read(file);
}

/** Whether anything (a dangling link too) is at `file`: a week's file is "present" even when it is refused. */
export function presentInSubmission(file: string): boolean {
  try {
    fs.lstatSync(file);
    return true;
  } catch {
    return false;
  }
}
