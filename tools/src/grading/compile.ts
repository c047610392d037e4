/**
 * Compiling TypeScript for the sandbox, in the grader's own process (the sandboxed process may not
 * start the worker threads tsx needs; design.md fact 7). Each file is transpiled on its own
 * (`ts.transpileModule`: no type check, so a type error costs only the tests it breaks) and the
 * module graph of relative imports is collected into a bundle of named JavaScript sources that the
 * sandbox loads from memory: the sandboxed process never needs to read the submission's folder.
 */
import * as fs from 'fs';
import * as path from 'path';
import ts from 'typescript';

/** One compiled module: its JavaScript and the source map back to the TypeScript. */
export interface CompiledModule {
  code: string;
  map?: string;
}

/**
 * A module graph: `modules` keyed by the path relative to its base folder with '/' separators
 * (`hw01.ts`, `homework/hw01.test.ts`); `entry` is one of the keys.
 */
export interface Bundle {
  entry: string;
  modules: Record<string, CompiledModule>;
}

export class CompileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CompileError';
  }
}

const OPTIONS: ts.CompilerOptions = {
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.CommonJS,
  esModuleInterop: true,
  alwaysStrict: true,
  sourceMap: true,
  inlineSources: false,
};

/** Transpile one file; syntax errors become a CompileError listing each as `file:line:col message`. */
export function transpile(source: string, displayName: string): CompiledModule {
  const out = ts.transpileModule(source, { compilerOptions: OPTIONS, fileName: displayName, reportDiagnostics: true });
  const errors = (out.diagnostics ?? []).filter((d) => d.category === ts.DiagnosticCategory.Error);
  if (errors.length > 0) {
    const lines = errors.slice(0, 5).map((d) => formatDiagnostic(d, displayName));
    const more = errors.length > 5 ? `\n(and ${errors.length - 5} more)` : '';
    throw new CompileError(`syntax error in ${displayName}:\n${lines.join('\n')}${more}`);
  }
  return { code: out.outputText.replace(/\/\/# sourceMappingURL=.*$/m, ''), map: out.sourceMapText };
}

export function formatDiagnostic(d: ts.Diagnostic, fallbackName: string): string {
  const text = ts.flattenDiagnosticMessageText(d.messageText, '\n');
  if (d.file && d.start !== undefined) {
    const { line, character } = d.file.getLineAndCharacterOfPosition(d.start);
    return `${path.basename(d.file.fileName)}:${line + 1}:${character + 1} ${text}`;
  }
  return `${fallbackName}: ${text}`;
}

/** The specifiers of `require("…")` calls in transpiled JavaScript (type-only imports are gone). */
export function requiredSpecifiers(code: string): string[] {
  const out = new Set<string>();
  for (const m of code.matchAll(/\brequire\(\s*["']([^"']+)["']\s*\)/g)) out.add(m[1]);
  return [...out];
}

function toKey(baseDir: string, file: string): string {
  return path.relative(baseDir, file).split(path.sep).join('/');
}

/** How `bundle` reads files: the plain file system (trusted test files) or a submission's guarded reader. */
export interface SourceFiles {
  /** Whether something is at `file` (a candidate for an import). */
  present(file: string): boolean;
  /** The file's text; throws (a CompileError) when it may not be read. */
  read(file: string): string;
}

const plainFiles: SourceFiles = {
  present: (file) => fs.existsSync(file) && fs.statSync(file).isFile(),
  read: (file) => fs.readFileSync(file, 'utf8'),
};

function resolveTs(fromFile: string, specifier: string, files: SourceFiles): string | undefined {
  const base = path.resolve(path.dirname(fromFile), specifier);
  for (const candidate of [base, `${base}.ts`, path.join(base, 'index.ts')]) {
    if (candidate.endsWith('.ts') && files.present(candidate)) return candidate;
  }
  return undefined;
}

export interface BundleOptions {
  /** Relative imports resolved to these keys are left for the loader to provide (not compiled). */
  provided?: ReadonlySet<string>;
  /** How files are read (default: the plain file system). Submissions pass their `SubmissionFiles`. */
  files?: SourceFiles;
}

/**
 * Compile `entryFile` and every `.ts` file it imports by a relative path, all inside `baseDir`.
 * Throws CompileError for a syntax error, a missing file, or an import leaving `baseDir`.
 */
export function bundle(baseDir: string, entryFile: string, options: BundleOptions = {}): Bundle {
  const modules: Record<string, CompiledModule> = {};
  const files = options.files ?? plainFiles;
  const entry = toKey(baseDir, entryFile);
  const queue = [entryFile];
  while (queue.length > 0) {
    const file = queue.shift() as string;
    const key = toKey(baseDir, file);
    if (modules[key] || options.provided?.has(key)) continue;
    if (key.startsWith('..') || path.isAbsolute(key)) throw new CompileError(`${entry} imports ${file}, outside ${baseDir}`);
    if (!files.present(file)) throw new CompileError(`${key} not found`);
    const compiled = transpile(files.read(file), key);
    modules[key] = compiled;
    for (const spec of requiredSpecifiers(compiled.code)) {
      if (!spec.startsWith('.')) continue;
      const target = resolveTs(file, spec, files);
      if (!target) {
        const asKey = toKey(baseDir, path.resolve(path.dirname(file), spec)) + '.ts';
        if (options.provided?.has(asKey)) continue;
        throw new CompileError(`${key} imports "${spec}", which is not a .ts file in ${path.basename(baseDir) || baseDir}`);
      }
      queue.push(target);
    }
  }
  return { entry, modules };
}
