/**
 * Solution regions: one source for the reference solution and the student's stub (as in nbgrader).
 *
 * In `solutions/hwNN.ts`, the code a student writes sits between two comment lines:
 * ```ts
 * export function entropy(p: readonly number[], base = 2): number {
 *   // BEGIN SOLUTION
 *   …
 *   // END SOLUTION
 * }
 * ```
 * The stub keeps everything else (imports, types, signatures, doc comments) and replaces each
 * region with a `throw` naming the function, so the stub type-checks, every test of it fails with
 * a clear message, and the student sees exactly where to write.
 */
import ts from 'typescript';

export const BEGIN = '// BEGIN SOLUTION';
export const END = '// END SOLUTION';

export interface Region {
  /** 0-based line of `// BEGIN SOLUTION`. */
  begin: number;
  /** 0-based line of `// END SOLUTION`. */
  end: number;
  /** The innermost function the region sits in. */
  functionName: string;
  indent: string;
}

export class RegionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'RegionError';
  }
}

function functionName(node: ts.Node): string | undefined {
  if ((ts.isFunctionDeclaration(node) || ts.isMethodDeclaration(node) || ts.isFunctionExpression(node)) && node.name) {
    return node.name.getText();
  }
  if ((ts.isArrowFunction(node) || ts.isFunctionExpression(node)) && ts.isVariableDeclaration(node.parent)) {
    return node.parent.name.getText();
  }
  if (ts.isConstructorDeclaration(node)) return 'constructor';
  return undefined;
}

/** The regions of a solution file, each inside a function body; throws RegionError when malformed. */
export function findRegions(source: string, fileName = 'solution.ts'): Region[] {
  const lines = source.split('\n');
  const sf = ts.createSourceFile(fileName, source, ts.ScriptTarget.ES2022, true);
  const lineStarts = sf.getLineStarts();
  const regions: Region[] = [];
  let open: number | undefined;
  lines.forEach((line, i) => {
    const trimmed = line.trim();
    if (trimmed === BEGIN) {
      if (open !== undefined) throw new RegionError(`${fileName}:${i + 1}: ${BEGIN} inside the region opened at line ${open + 1}`);
      open = i;
    } else if (trimmed === END) {
      if (open === undefined) throw new RegionError(`${fileName}:${i + 1}: ${END} without ${BEGIN}`);
      const pos = lineStarts[open];
      let inner: ts.Node | undefined;
      const visit = (node: ts.Node) => {
        if (node.getStart(sf) <= pos && pos < node.getEnd()) {
          if (ts.isFunctionLike(node) && 'body' in node && node.body && ts.isBlock(node.body) && node.body.getStart(sf) < pos) inner = node;
          ts.forEachChild(node, visit);
        }
      };
      visit(sf);
      const name = inner ? functionName(inner) : undefined;
      if (!inner) throw new RegionError(`${fileName}:${open + 1}: a solution region must sit inside a function body`);
      const body = (inner as ts.FunctionLikeDeclaration).body as ts.Block;
      if (lineStarts[i] > body.getEnd()) throw new RegionError(`${fileName}:${i + 1}: ${END} is outside the function its region starts in`);
      regions.push({ begin: open, end: i, functionName: name ?? 'this function', indent: /^\s*/.exec(lines[open])?.[0] ?? '' });
      open = undefined;
    } else if (trimmed.includes('BEGIN SOLUTION') || trimmed.includes('END SOLUTION')) {
      throw new RegionError(`${fileName}:${i + 1}: a region marker must be alone on its line, exactly "${BEGIN}" or "${END}"`);
    }
  });
  if (open !== undefined) throw new RegionError(`${fileName}:${open + 1}: ${BEGIN} is never closed`);
  return regions;
}

/** The message a stub throws: names the week, the function and where to write. */
export function notImplementedMessage(week: string, name: string): string {
  return `${week}: ${name} is not implemented yet (write it in notebooks/homework/${week}.ts)`;
}

/** The stub's first lines: what the file is and how to check it. */
export function stubBanner(week: string): string {
  return [
    `// ${week}: your homework. Replace each "not implemented yet" line with your code, keep the`,
    `// signatures, then run the notebook's last cell or \`npm run check -- ${week}\` to see your score.`,
    `// (Generated from the reference solution; do not rename the exported functions.)`,
    '',
    '',
  ].join('\n');
}

/** The student's stub for a solution file. */
export function generateStub(source: string, week: string, fileName = `${week}.ts`): string {
  const regions = findRegions(source, fileName);
  const lines = source.split('\n');
  const out: string[] = [];
  let r = 0;
  for (let i = 0; i < lines.length; i++) {
    const region = regions[r];
    if (region && i === region.begin) {
      out.push(`${region.indent}throw new Error(${JSON.stringify(notImplementedMessage(week, region.functionName))});`);
      i = region.end;
      r++;
      continue;
    }
    out.push(lines[i]);
  }
  return stubBanner(week) + out.join('\n');
}
