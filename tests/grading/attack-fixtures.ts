/**
 * Attack submissions from issue 16 (the red-team report on the grader), built at test time in a
 * temporary folder: symbolic links, FIFOs and 100 MB files are better made than committed. Each
 * function writes one student's folder under `classDir` and returns its name. The honest fixtures
 * (`correct`, `empty` = the stub, `partial`, …) come from the class fixture (class-fixtures.ts).
 */
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import { fixtureSource } from './class-fixtures';

export const ROOT = path.resolve(__dirname, '..', '..');

/** Write the class fixture's student `name` (e.g. `correct`) into `classDir/as`, hw01 only unless `weeks` says otherwise. */
export function copyFixture(classDir: string, name: string, as = name, weeks = ['hw01']): string {
  const dir = path.join(classDir, as);
  fs.mkdirSync(dir, { recursive: true });
  for (const w of weeks) fs.writeFileSync(path.join(dir, `${w}.ts`), fixtureSource(name, w));
  return as;
}

function student(classDir: string, name: string): string {
  const dir = path.join(classDir, name);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** `hw01.ts -> /proc/self/cwd/solutions/hw01.ts`: the grader's working directory is the project root. */
export function symlinkToProcCwd(classDir: string, name = 'link-proc-cwd'): string {
  fs.symlinkSync('/proc/self/cwd/solutions/hw01.ts', path.join(student(classDir, name), 'hw01.ts'));
  return name;
}

/** `hw01.ts -> <the solutions' absolute path>`. */
export function symlinkToSolutions(classDir: string, name = 'link-solutions'): string {
  fs.symlinkSync(path.join(ROOT, 'solutions', 'hw01.ts'), path.join(student(classDir, name), 'hw01.ts'));
  return name;
}

/** `hw01.ts -> ../<classmate>/hw01.ts`. */
export function symlinkToClassmate(classDir: string, classmate: string, name = 'link-classmate'): string {
  fs.symlinkSync(path.join('..', classmate, 'hw01.ts'), path.join(student(classDir, name), 'hw01.ts'));
  return name;
}

/** A linked folder `sol -> <solutions>` and `hw01.ts` re-exporting `./sol/hw01`. */
export function linkedFolder(classDir: string, name = 'linked-folder'): string {
  const dir = student(classDir, name);
  fs.symlinkSync(path.join(ROOT, 'solutions'), path.join(dir, 'sol'));
  fs.writeFileSync(path.join(dir, 'hw01.ts'), "export * from './sol/hw01';\n");
  return name;
}

/** `hw01.ts` is a FIFO: opening it for reading blocks until a writer appears. */
export function fifo(classDir: string, name = 'fifo'): string {
  execFileSync('mkfifo', [path.join(student(classDir, name), 'hw01.ts')]);
  return name;
}

/** `hw01.ts -> /dev/stdin`. */
export function devStdin(classDir: string, name = 'dev-stdin'): string {
  fs.symlinkSync('/dev/stdin', path.join(student(classDir, name), 'hw01.ts'));
  return name;
}

/** A 100 MB `hw01.ts` (sparse: no disk used). */
export function hugeFile(classDir: string, name = 'huge', bytes = 100 * 1024 * 1024): string {
  const file = path.join(student(classDir, name), 'hw01.ts');
  fs.writeFileSync(file, '// big\n');
  fs.truncateSync(file, bytes);
  return name;
}

/** A directory named `hw01.ts`. */
export function directoryNamedHw01(classDir: string, name = 'dir-hw01'): string {
  fs.mkdirSync(path.join(student(classDir, name), 'hw01.ts'));
  return name;
}

/** The stub (0 points) plus a `declare global` that changes a global type for any program it is in. */
export function declareGlobal(classDir: string, name = 'declare-global'): string {
  const dir = student(classDir, name);
  const stub = fixtureSource('empty', 'hw01');
  // Math.log now returns a string: in a shared program every classmate's `Math.log(x) / …` is a type error.
  fs.writeFileSync(path.join(dir, 'hw01.ts'), `${stub}\ndeclare global {\n  interface Math {\n    log(x: number): string;\n  }\n}\n`);
  return name;
}

/**
 * The stub plus a load-time payload that makes its scratch folder unremovable by its owner:
 * a subfolder with a file in it, then `chmod 0500` on the subfolder.
 */
export function unremovableScratch(classDir: string, name = 'chmod-scratch'): string {
  const dir = student(classDir, name);
  const stub = fixtureSource('empty', 'hw01');
  const payload = [
    "import * as fsx from 'fs';",
    'try {',
    "  fsx.mkdirSync('locked/inner', { recursive: true });",
    "  fsx.writeFileSync('locked/inner/f.txt', 'x');",
    "  fsx.chmodSync('locked/inner', 0o500);",
    "  fsx.chmodSync('locked', 0o500);",
    '} catch { /* ignore */ }',
    '',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'hw01.ts'), `${payload}${stub}`);
  return name;
}

/** Spawn options that run a child as an unprivileged owner of `dir` (nobody when we are root; ourselves otherwise). */
export function runAsUnprivileged(dir: string): { uid?: number; gid?: number } {
  if (process.getuid?.() !== 0) return {};
  execFileSync('chown', ['-R', '65534:65534', dir]);
  return { uid: 65534, gid: 65534 };
}

/**
 * The stub plus a hook on `Buffer.from` (which the worker used to encode its result lines): it reads
 * the nonce from the first line and sends a forged `fatal` event with a marker message. On the
 * grader before issue 16 this aborted the whole class.
 */
export function forgedFatal(classDir: string, name = 'forged-fatal', marker = 'FORGED-FATAL-MARKER'): string {
  const dir = student(classDir, name);
  const stub = fixtureSource('empty', 'hw01');
  const payload = [
    "import * as fsy from 'fs';",
    '{',
    '  const B: any = Buffer;',
    '  const from = B.from;',
    '  let fired = false;',
    '  try {',
    '    B.from = function (this: unknown, value: unknown, ...rest: unknown[]) {',
    "      if (!fired && typeof value === 'string') {",
    '        const m = /"nonce":"([^"]+)"/.exec(value);',
    '        if (m) {',
    '          fired = true;',
    `          fsy.writeSync(3, JSON.stringify({ type: 'fatal', message: ${JSON.stringify(marker)}, nonce: m[1] }) + '\\n');`,
    '        }',
    '      }',
    '      return from.apply(this, [value, ...rest]);',
    '    };',
    '  } catch { /* Buffer frozen: nothing to do */ }',
    '}',
    '',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'hw01.ts'), `${payload}${stub}`);
  return name;
}

/** The points declared in a test file's titles (`… [2 pts]`), summed: the week's maximum, independent of the grader. */
export function declaredPoints(testFile: string): number {
  let total = 0;
  for (const m of fs.readFileSync(testFile, 'utf8').matchAll(/\[(\d+(?:\.\d+)?) pts?\]/g)) total += Number(m[1]);
  return total;
}

/** Parse CSV text (RFC 4180: quoted cells, doubled quotes, commas and newlines inside quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        cell += '"';
        i++;
      } else if (c === '"') quoted = false;
      else cell += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length > 0) rows.push([...row, cell]);
  return rows;
}

/**
 * The stub plus, at load, `process.report.filename = <victim's hw01.ts>; process.report.writeReport()`:
 * Node's permission model does not check that write, so without the OS layer it replaces the
 * classmate's file with a JSON report (34 → 0 on the grader before issue 16 when the victim was
 * graded later).
 */
export function reportOverwrite(classDir: string, victim: string, name = 'report-overwrite'): string {
  const dir = student(classDir, name);
  const stub = fixtureSource('empty', 'hw01');
  const target = path.join(classDir, victim, 'hw01.ts');
  fs.writeFileSync(path.join(dir, 'hw01.ts'), `try { process.report.filename = ${JSON.stringify(target)}; process.report.writeReport(); } catch { /* refused */ }\n${stub}`);
  return name;
}
