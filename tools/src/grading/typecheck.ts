/**
 * Type-checking submissions, for the feedback only (the grader runs the code whatever the types say;
 * a type error costs exactly the tests it breaks). The options mirror tslab's (not strict, CommonJS,
 * Node10 resolution), so the errors listed are the ones the notebook would stop at. `genbook` and
 * other packages resolve from the project, wherever the submission folder is.
 *
 * One TypeScript program per student (issue 16: with one program for the class, a `declare global`
 * in one student's file changed the global types of every other student's files and put false type
 * errors into their feedback). The library's and TypeScript's own declaration files are parsed once
 * and shared between the programs (a parsed SourceFile does not depend on the program it is in).
 * A student's files are read through `SubmissionFiles` (regular files inside the folder, size-capped,
 * no links); outside the student's folder a program may read only TypeScript's lib files and the
 * project's `node_modules` and `lib`, so an `import '/proc/self/cwd/solutions/hw01'` finds nothing.
 *
 * Checks run in a child process that reports each student as it finishes; a student whose check
 * passes its time limit is charged with it and a fresh child continues with the others.
 */
import { spawn } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';
import ts from 'typescript';
import { formatDiagnostic } from './compile';
import { SubmissionFiles } from './submission-files';

export interface TypeCheckRequest {
  root: string;
  files: string[];
}

/** Diagnostics per file (absolute path), as `hw01.ts:12:5 message` lines. */
export type TypeCheckResult = Record<string, string[]>;

/** One student's files, checked in a program of their own. */
export interface SubmissionTypeCheck {
  /** The student's folder: its files are read through SubmissionFiles. */
  dir: string;
  /** The files to check (absolute paths inside `dir`). */
  files: string[];
}

function compilerOptions(root: string): ts.CompilerOptions {
  return {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    strict: false,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
    typeRoots: [path.join(root, 'node_modules', '@types')],
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  };
}

/** Module names resolve from the importing file, else from the project's homework folder. */
function resolveFromProject(host: ts.CompilerHost, options: ts.CompilerOptions, root: string): void {
  const anchor = path.join(root, 'notebooks', 'homework', 'index.ts');
  host.resolveModuleNames = (names, containing) =>
    names.map((name) => ts.resolveModuleName(name, containing, options, host).resolvedModule ?? ts.resolveModuleName(name, anchor, options, host).resolvedModule);
}

function diagnosticsOf(program: ts.Program, files: readonly string[]): TypeCheckResult {
  const out: TypeCheckResult = {};
  for (const file of files) {
    out[file] = [];
    const source = program.getSourceFile(file);
    if (!source) continue;
    const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
    out[file] = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error).map((d) => formatDiagnostic(d, path.basename(file)));
  }
  return out;
}

/** Type-check trusted files (the solutions and stubs, for `validate`) in one program. */
export function typeCheckFiles(request: TypeCheckRequest): TypeCheckResult {
  const options = compilerOptions(request.root);
  const host = ts.createCompilerHost(options);
  resolveFromProject(host, options, request.root);
  return diagnosticsOf(ts.createProgram(request.files, options, host), request.files);
}

function isInside(parent: string, child: string): boolean {
  const rel = path.relative(parent, child);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
}

/**
 * Type-checks submissions one program each, sharing the parsed declaration files between them.
 * Create one per class (or per child process).
 */
export class SubmissionTypeChecker {
  private readonly options: ts.CompilerOptions;
  private readonly shared = new Map<string, ts.SourceFile | undefined>();
  private readonly trustedRoots: string[];

  constructor(readonly root: string) {
    this.options = compilerOptions(root);
    const real = (p: string) => (fs.existsSync(p) ? fs.realpathSync(p) : p);
    const tsLib = path.dirname(ts.getDefaultLibFilePath(this.options));
    this.trustedRoots = [...new Set([tsLib, real(tsLib), path.join(root, 'node_modules'), real(path.join(root, 'node_modules')), path.join(root, 'lib'), real(path.join(root, 'lib'))])];
  }

  private trusted(file: string): boolean {
    return this.trustedRoots.some((r) => isInside(r, file));
  }

  check(submission: SubmissionTypeCheck): TypeCheckResult {
    const files = new SubmissionFiles(submission.dir);
    const own = (file: string) => files.contains(file);
    const readable = (file: string) => (own(file) ? files.problem(file) === undefined : this.trusted(file) && ts.sys.fileExists(file));
    const host = ts.createCompilerHost(this.options);
    host.fileExists = readable;
    host.readFile = (file) => {
      if (own(file)) {
        try {
          return files.read(file);
        } catch {
          return undefined;
        }
      }
      return this.trusted(file) ? ts.sys.readFile(file) : undefined;
    };
    // A student's path is never resolved through a link (a link there is refused anyway).
    host.realpath = (p) => (own(p) ? p : ts.sys.realpath ? ts.sys.realpath(p) : p);
    const getSourceFile = host.getSourceFile.bind(host);
    host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
      if (own(fileName)) return getSourceFile(fileName, languageVersion, onError, shouldCreate);
      if (!this.trusted(fileName)) return undefined;
      if (!this.shared.has(fileName)) this.shared.set(fileName, getSourceFile(fileName, languageVersion, onError, shouldCreate));
      return this.shared.get(fileName);
    };
    resolveFromProject(host, this.options, this.root);
    // Only files that may be read are checked; a refused hwNN.ts has its reason in the load error.
    const roots = submission.files.filter((f) => own(f) && files.problem(f) === undefined);
    const out = diagnosticsOf(ts.createProgram(roots, this.options, host), roots);
    for (const f of submission.files) out[f] ??= [];
    return out;
  }
}

/** Run `typeCheckFiles` in a child process; undefined when it fails or takes longer than `timeoutMs`. */
export async function typeCheckInChild(request: TypeCheckRequest, timeoutMs = 180_000): Promise<TypeCheckResult | undefined> {
  const lines: ChildLine[] = [];
  const ok = await runChild(request.root, { mode: 'files', request }, timeoutMs, (line) => lines.push(line));
  const done = lines.find((l): l is Extract<ChildLine, { type: 'files' }> => l.type === 'files');
  return ok && done ? done.result : undefined;
}

/** One student's outcome: diagnostics per file, or why there are none. */
export type SubmissionTypeCheckOutcome = { ok: true; result: TypeCheckResult } | { ok: false; reason: string };

export interface SubmissionTypeCheckOptions {
  /** Time limit per student in ms (default 60 000). */
  perSubmissionTimeoutMs?: number;
  /** Time limit for the start-up of each child (reading the library's declarations) in ms (default 120 000). */
  startupTimeoutMs?: number;
}

/**
 * Type-check each submission in a program of its own, in a child process. A student whose check
 * crashes or passes `perSubmissionTimeoutMs` gets `{ ok: false, reason }` and the others go on in a
 * fresh child. Results are keyed by the submission's `dir`.
 */
export async function typeCheckSubmissions(root: string, submissions: readonly SubmissionTypeCheck[], options: SubmissionTypeCheckOptions = {}): Promise<Map<string, SubmissionTypeCheckOutcome>> {
  const perSubmission = options.perSubmissionTimeoutMs ?? 60_000;
  const startup = options.startupTimeoutMs ?? 120_000;
  const out = new Map<string, SubmissionTypeCheckOutcome>();
  let remaining = [...submissions];
  while (remaining.length > 0) {
    let current: string | undefined;
    let arm: (ms: number) => void = () => {};
    await runChild(
      root,
      { mode: 'submissions', root, submissions: remaining },
      startup,
      (line) => {
        if (line.type === 'start') {
          current = line.dir;
          arm(perSubmission);
        } else if (line.type === 'submission') {
          out.set(line.dir, line.error === undefined ? { ok: true, result: line.result ?? {} } : { ok: false, reason: line.error });
          current = undefined;
        }
      },
      (setter) => (arm = setter),
    );
    const before = remaining.length;
    if (current !== undefined && !out.has(current)) out.set(current, { ok: false, reason: `the type check did not finish within ${Math.round(perSubmission / 1000)} s` });
    remaining = remaining.filter((s) => !out.has(s.dir));
    if (remaining.length === before) {
      // The child died before checking anyone (start-up): give up on the rest rather than loop.
      for (const s of remaining) out.set(s.dir, { ok: false, reason: 'the type check could not start' });
      remaining = [];
    }
  }
  return out;
}

type ChildJob = { mode: 'files'; request: TypeCheckRequest } | { mode: 'submissions'; root: string; submissions: SubmissionTypeCheck[] };
type ChildLine =
  | { type: 'files'; result: TypeCheckResult }
  | { type: 'start'; dir: string }
  | { type: 'submission'; dir: string; result?: TypeCheckResult; error?: string };

/** Start the child, feed it the job, pass each output line on; resolves true when it exits with 0. */
function runChild(root: string, job: ChildJob, timeoutMs: number, onLine: (line: ChildLine) => void, arm?: (setter: (ms: number) => void) => void): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--max-old-space-size=2048', path.join(root, 'tools', 'dist', 'grading', 'typecheck.js')], { stdio: ['pipe', 'pipe', 'pipe'] });
    let buffer = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => {
      buffer += s;
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const text = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        try {
          onLine(JSON.parse(text) as ChildLine);
        } catch {
          // not a line of ours
        }
      }
    });
    child.stderr.resume();
    let timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    arm?.((ms) => {
      clearTimeout(timer);
      timer = setTimeout(() => child.kill('SIGKILL'), ms);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve(code === 0);
    });
    child.stdin.on('error', () => {});
    child.stdin.end(JSON.stringify(job));
  });
}

function childMain(job: ChildJob): void {
  const write = (line: ChildLine) => process.stdout.write(JSON.stringify(line) + '\n');
  if (job.mode === 'files') {
    write({ type: 'files', result: typeCheckFiles(job.request) });
    return;
  }
  const checker = new SubmissionTypeChecker(job.root);
  for (const submission of job.submissions) {
    write({ type: 'start', dir: submission.dir });
    try {
      write({ type: 'submission', dir: submission.dir, result: checker.check(submission) });
    } catch (e) {
      write({ type: 'submission', dir: submission.dir, error: e instanceof Error ? e.message : String(e) });
    }
  }
}

if (require.main === module) {
  let input = '';
  process.stdin.setEncoding('utf8').on('data', (s: string) => (input += s));
  process.stdin.on('end', () => childMain(JSON.parse(input) as ChildJob));
}
