/**
 * Type-checking submissions, for the feedback only (the grader runs the code whatever the types say;
 * a type error costs exactly the tests it breaks). One TypeScript program checks a whole class at
 * once — the library's declarations are read once — in a child process with a time limit, so a
 * pathological file cannot stall grading. The options mirror tslab's (not strict, CommonJS, Node10
 * resolution), so the errors listed are the ones the notebook would stop at. `genbook` and other
 * packages resolve from the project, wherever the submission folder is.
 */
import { spawn } from 'child_process';
import * as path from 'path';
import ts from 'typescript';
import { formatDiagnostic } from './compile';

export interface TypeCheckRequest {
  root: string;
  files: string[];
}

/** Diagnostics per file (absolute path), as `hw01.ts:12:5 message` lines. */
export type TypeCheckResult = Record<string, string[]>;

export function typeCheckFiles(request: TypeCheckRequest): TypeCheckResult {
  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    strict: false,
    esModuleInterop: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
    typeRoots: [path.join(request.root, 'node_modules', '@types')],
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
  };
  const host = ts.createCompilerHost(options);
  const anchor = path.join(request.root, 'notebooks', 'homework', 'index.ts');
  host.resolveModuleNames = (names, containing) =>
    names.map((name) => ts.resolveModuleName(name, containing, options, host).resolvedModule ?? ts.resolveModuleName(name, anchor, options, host).resolvedModule);
  const program = ts.createProgram(request.files, options, host);
  const out: TypeCheckResult = {};
  for (const file of request.files) out[file] = [];
  for (const file of request.files) {
    const source = program.getSourceFile(file);
    if (!source) continue;
    const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
    out[file] = diagnostics.filter((d) => d.category === ts.DiagnosticCategory.Error).map((d) => formatDiagnostic(d, path.basename(file)));
  }
  return out;
}

/** Run `typeCheckFiles` in a child process; undefined when it fails or takes longer than `timeoutMs`. */
export function typeCheckInChild(request: TypeCheckRequest, timeoutMs = 180_000): Promise<TypeCheckResult | undefined> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--max-old-space-size=2048', path.join(request.root, 'tools', 'dist', 'grading', 'typecheck.js')], { stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    child.stdout.setEncoding('utf8').on('data', (s: string) => (stdout += s));
    child.stderr.resume();
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      if (code !== 0) return resolve(undefined);
      try {
        resolve(JSON.parse(stdout) as TypeCheckResult);
      } catch {
        resolve(undefined);
      }
    });
    child.stdin.on('error', () => {});
    child.stdin.end(JSON.stringify(request));
  });
}

if (require.main === module) {
  let input = '';
  process.stdin.setEncoding('utf8').on('data', (s: string) => (input += s));
  process.stdin.on('end', () => {
    const result = typeCheckFiles(JSON.parse(input) as TypeCheckRequest);
    process.stdout.write(JSON.stringify(result));
  });
}
