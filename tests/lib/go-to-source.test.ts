/**
 * Go-to-definition from a notebook opens the library's TypeScript source, not `lib/dist/*.d.ts`:
 * the build writes declaration maps (`declarationMap`) that point into `lib/src`, the package
 * ships `src`, and TypeScript's language service (what VS Code and JupyterLab's LSP use) follows
 * them from a file in `notebooks/` that imports `genbook` by name.
 */
import { expect } from 'chai';
import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

const ROOT = path.resolve(__dirname, '..', '..');
const DIST = path.join(ROOT, 'lib', 'dist');

const SRC = path.join(ROOT, 'lib', 'src');

/**
 * The .d.ts the build emits for each source file of lib/src (listed from the sources, so an output
 * left in lib/dist by a file since moved — `tsc -b` does not delete those — is not counted).
 */
function declarationFiles(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return declarationFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.d.ts') ? [path.join(DIST, path.relative(SRC, p)).replace(/\.ts$/, '.d.ts')] : [];
  });
}

/** The subset of TypeScript's internal source mapper that tsserver uses to map definitions. */
interface SourceMapper {
  tryGetSourcePosition(info: { fileName: string; pos: number }): { fileName: string; pos: number } | undefined;
}

describe('go-to-source: declaration maps from lib/dist into lib/src', () => {
  it('every lib/dist .d.ts has a declaration map whose sources are files in lib/src', () => {
    const files = declarationFiles(SRC);
    expect(files.length).to.be.greaterThan(50);
    for (const d of files) {
      const mapFile = `${d}.map`;
      expect(fs.existsSync(mapFile), `${path.relative(ROOT, mapFile)} exists`).to.equal(true);
      expect(fs.readFileSync(d, 'utf8')).to.contain(`//# sourceMappingURL=${path.basename(mapFile)}`);
      const map = JSON.parse(fs.readFileSync(mapFile, 'utf8')) as { sources: string[] };
      expect(map.sources.length).to.equal(1);
      const source = path.resolve(path.dirname(d), map.sources[0]);
      expect(source.startsWith(path.join(ROOT, 'lib', 'src') + path.sep), `${map.sources[0]} is under lib/src`).to.equal(true);
      expect(fs.existsSync(source), `${path.relative(ROOT, source)} exists`).to.equal(true);
    }
  });

  it('the package ships src beside dist, so the maps resolve in an installed copy too', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'lib', 'package.json'), 'utf8')) as { files: string[] };
    expect(pkg.files).to.include.members(['dist', 'src']);
  });

  it("the language service takes a notebook's `notebook.check` and `diffusion.noiseSchedule` to their lines in lib/src", () => {
    const file = path.join(ROOT, 'notebooks', '__go-to-source-probe.ts');
    const text = "import { notebook, diffusion } from 'genbook';\nnotebook.check('x', 1, 1);\ndiffusion.noiseSchedule('linear', 10);\n";
    const host: ts.LanguageServiceHost = {
      getScriptFileNames: () => [file],
      getScriptVersion: () => '1',
      getScriptSnapshot: (f) => {
        const content = f === file ? text : ts.sys.readFile(f);
        return content === undefined ? undefined : ts.ScriptSnapshot.fromString(content);
      },
      getCurrentDirectory: () => path.dirname(file),
      // tslab's settings: CommonJS, Node10 resolution (design.md, fact 1)
      getCompilationSettings: () => ({ module: ts.ModuleKind.CommonJS, moduleResolution: ts.ModuleResolutionKind.Node10, target: ts.ScriptTarget.ES2022 }),
      getDefaultLibFileName: ts.getDefaultLibFilePath,
      fileExists: (f) => f === file || ts.sys.fileExists(f),
      readFile: (f) => (f === file ? text : ts.sys.readFile(f)),
      realpath: ts.sys.realpath,
    };
    const service = ts.createLanguageService(host);
    const mapper = (service as unknown as { getSourceMapper?: () => SourceMapper }).getSourceMapper?.();
    expect(mapper, 'TypeScript exposes the source mapper tsserver uses').to.not.equal(undefined);
    const cases = [
      { name: 'check', source: 'lib/src/notebook/check.ts', declaration: 'export function check(' },
      { name: 'noiseSchedule', source: 'lib/src/diffusion/schedule.ts', declaration: 'export function noiseSchedule(' },
    ];
    for (const c of cases) {
      const [definition] = service.getDefinitionAtPosition(file, text.indexOf(c.name)) ?? [];
      expect(definition, c.name).to.not.equal(undefined);
      expect(path.relative(ROOT, definition.fileName)).to.match(/^lib\/dist\/.*\.d\.ts$/);
      const mapped = mapper!.tryGetSourcePosition({ fileName: definition.fileName, pos: definition.textSpan.start });
      expect(mapped, `${c.name} maps through the declaration map`).to.not.equal(undefined);
      expect(path.relative(ROOT, mapped!.fileName)).to.equal(c.source);
      const source = fs.readFileSync(mapped!.fileName, 'utf8');
      const lineStart = source.lastIndexOf('\n', mapped!.pos) + 1;
      expect(source.slice(lineStart, source.indexOf('\n', mapped!.pos)), `the line ${c.name} lands on`).to.contain(c.declaration);
    }
  });
});
