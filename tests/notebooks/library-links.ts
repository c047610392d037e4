/**
 * Where each name a notebook uses from `genbook` is defined: the first code cell that calls
 * `diffusion.noiseSchedule` (or destructures `check` from `notebook`, or calls `budget`) must name
 * its file, `lib/src/diffusion/schedule.ts`, in that cell or an earlier one, so a reader can open
 * the code of a formula in one hop (issue 20). The files are found by TypeScript from
 * `lib/src/index.ts`, so a moved function shows up here as a stale path.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');
/** Names imported from genbook that are not the course's code. */
const NOT_OURS = new Set(['tf']);

export interface LibraryExports {
  /** namespace → member → file (relative to the repository root, e.g. lib/src/diffusion/schedule.ts) */
  namespaces: Map<string, Map<string, string>>;
  /** top-level functions and values (`budget`, `quickMode`) → file */
  values: Map<string, string>;
}

let cached: LibraryExports | undefined;

/** The library's exports and the file each is declared in, read by TypeScript from lib/src/index.ts. */
export function libraryExports(): LibraryExports {
  if (cached) return cached;
  const index = path.join(ROOT, 'lib', 'src', 'index.ts');
  const program = ts.createProgram([index], { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022, esModuleInterop: true, skipLibCheck: true, noEmit: true });
  const checker = program.getTypeChecker();
  const resolve = (s: ts.Symbol): ts.Symbol => (s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s);
  const fileOf = (s: ts.Symbol): string | undefined => {
    const d = resolve(s).declarations?.[0];
    return d ? path.relative(ROOT, d.getSourceFile().fileName).split(path.sep).join('/') : undefined;
  };
  const moduleSymbol = checker.getSymbolAtLocation(program.getSourceFile(index)!)!;
  const namespaces = new Map<string, Map<string, string>>();
  const values = new Map<string, string>();
  for (const exported of checker.getExportsOfModule(moduleSymbol)) {
    const name = exported.getName();
    if (NOT_OURS.has(name)) continue;
    const target = resolve(exported);
    if (target.flags & ts.SymbolFlags.ValueModule && target.declarations?.some((d) => ts.isSourceFile(d))) {
      const members = new Map<string, string>();
      for (const member of checker.getExportsOfModule(target)) {
        const file = fileOf(member);
        if (file && file.startsWith('lib/src/')) members.set(member.getName(), file);
      }
      namespaces.set(name, members);
    } else {
      const file = fileOf(exported);
      if (file && file.startsWith('lib/src/')) values.set(name, file);
    }
  }
  cached = { namespaces, values };
  return cached;
}

export interface FirstUse {
  /** Index of the cell in the notebook (all cells). */
  cell: number;
  /** `diffusion.noiseSchedule`, `notebook.check`, `budget`. */
  name: string;
  /** lib/src/… */
  file: string;
}

const cellText = (cell: { source: string | string[] }): string => (Array.isArray(cell.source) ? cell.source.join('') : cell.source);

/** Removes `//` comments, so a name mentioned only in a comment is not a use. */
const stripLineComments = (code: string): string => code.replace(/(^|[^:'"`])\/\/[^\n]*/g, '$1');

/** The first code cell that uses each library name, in notebook order. */
export function firstUses(notebookFile: string): FirstUse[] {
  const { namespaces, values } = libraryExports();
  const nb = JSON.parse(fs.readFileSync(notebookFile, 'utf8')) as { cells: { cell_type: string; source: string | string[] }[] };
  const imported = new Set<string>();
  const seen = new Set<string>();
  const uses: FirstUse[] = [];
  nb.cells.forEach((cell, i) => {
    if (cell.cell_type !== 'code') return;
    const code = stripLineComments(cellText(cell));
    for (const m of code.matchAll(/import\s*\{([^}]*)\}\s*from\s*'genbook'/g)) {
      for (const n of m[1].split(',').map((s) => s.trim()).filter(Boolean)) imported.add(n);
    }
    const body = code.replace(/import\s*\{[^}]*\}\s*from\s*'genbook';?/g, '');
    const found: { at: number; name: string; file: string }[] = [];
    for (const ns of imported) {
      const members = namespaces.get(ns);
      if (members) {
        for (const m of body.matchAll(new RegExp(`(?<![\\w$.])${ns}\\.([A-Za-z_$][\\w$]*)`, 'g'))) {
          const file = members.get(m[1]);
          if (file) found.push({ at: m.index!, name: `${ns}.${m[1]}`, file });
        }
        for (const m of body.matchAll(new RegExp(`const\\s*\\{([^}]*)\\}\\s*=\\s*${ns}\\b`, 'g'))) {
          for (const member of m[1].split(',').map((s) => s.trim().split(':')[0].trim()).filter(Boolean)) {
            const file = members.get(member);
            if (file) found.push({ at: m.index!, name: `${ns}.${member}`, file });
          }
        }
      } else if (values.has(ns)) {
        const m = new RegExp(`(?<![\\w$.])${ns}\\b`).exec(body);
        if (m) found.push({ at: m.index, name: ns, file: values.get(ns)! });
      }
    }
    found.sort((a, b) => a.at - b.at);
    for (const f of found) {
      if (seen.has(f.name)) continue;
      seen.add(f.name);
      uses.push({ cell: i, name: f.name, file: f.file });
    }
  });
  return uses;
}

/** The first uses whose file is not named (as `lib/src/…`) in their cell or any cell before it. */
export function unnamedFirstUses(notebookFile: string): FirstUse[] {
  const nb = JSON.parse(fs.readFileSync(notebookFile, 'utf8')) as { cells: { source: string | string[] }[] };
  const texts = nb.cells.map(cellText);
  return firstUses(notebookFile).filter((u) => !texts.slice(0, u.cell + 1).some((t) => t.includes(u.file)));
}

/** True for the `// library: …` comment lines `nameLibraryFiles` writes (and their `//   ` continuations). */
const isLibraryComment = (line: string, previousWas: boolean): boolean => line.startsWith('// library:') || (previousWas && line.startsWith('//   '));

/**
 * Rewrites a notebook's `// library: name (lib/src/file.ts)` comments: removes the old ones, then
 * puts one at the top of each code cell that first uses a library name, naming its file. Run it
 * after moving library code: `npx tsx tests/notebooks/library-links.ts notebooks/*.ipynb
 * notebooks/homework/*.ipynb`. Returns how many names it named.
 */
export function nameLibraryFiles(notebookFile: string): number {
  const nb = JSON.parse(fs.readFileSync(notebookFile, 'utf8')) as { cells: { cell_type: string; source: string | string[] }[] };
  for (const cell of nb.cells) {
    if (cell.cell_type !== 'code') continue;
    const lines = cellText(cell).split(/(?<=\n)/);
    let inComment = false;
    cell.source = lines.filter((line) => {
      inComment = isLibraryComment(line, inComment);
      return !inComment;
    });
  }
  fs.writeFileSync(notebookFile, JSON.stringify(nb, null, 1) + '\n');
  const byCell = new Map<number, Map<string, string[]>>();
  const missing = unnamedFirstUses(notebookFile);
  for (const u of missing) {
    const files = byCell.get(u.cell) ?? new Map<string, string[]>();
    files.set(u.file, [...(files.get(u.file) ?? []), u.name]);
    byCell.set(u.cell, files);
  }
  for (const [cell, files] of byCell) {
    const lines: string[] = [];
    let line = '// library:';
    for (const part of [...files].map(([file, names]) => `${names.join(', ')} (${file})`)) {
      if (line !== '// library:' && line.length + part.length + 2 > 110) {
        lines.push(`${line};`);
        line = `//   ${part}`;
      } else line += `${line === '// library:' ? ' ' : '; '}${part}`;
    }
    lines.push(line);
    const source = cellText(nb.cells[cell]).split(/(?<=\n)/);
    nb.cells[cell].source = [...lines.map((l) => `${l}\n`), ...source];
  }
  fs.writeFileSync(notebookFile, JSON.stringify(nb, null, 1) + '\n');
  return missing.length;
}

if (require.main === module) {
  for (const file of process.argv.slice(2)) console.log(`${path.basename(file)}: named ${nameLibraryFiles(file)} library names`);
}
