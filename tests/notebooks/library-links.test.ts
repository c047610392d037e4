/**
 * From a notebook cell to the code of a formula is one hop: every lecture and homework notebook
 * names the library file of each `genbook` function the first time it uses it, links
 * notebooks/REFERENCES.md, and the library's entry doc and README map namespaces to folders (static,
 * no kernel).
 */
import { expect } from 'chai';
import * as fs from 'fs';
import * as path from 'path';
import { firstUses, libraryExports, unnamedFirstUses } from './library-links';

const ROOT = path.resolve(__dirname, '..', '..');
const NOTEBOOKS = [
  ...fs.readdirSync(path.join(ROOT, 'notebooks')).filter((f) => /^\d\d-.*\.ipynb$/.test(f)).map((f) => path.join(ROOT, 'notebooks', f)),
  ...fs.readdirSync(path.join(ROOT, 'notebooks', 'homework')).filter((f) => /^hw\d\d\.ipynb$/.test(f)).map((f) => path.join(ROOT, 'notebooks', 'homework', f)),
].sort();

describe('notebooks name the library files they use (static)', function () {
  this.timeout(120_000);

  it('resolves library names to their files through TypeScript (independent spot checks)', () => {
    const { namespaces, values } = libraryExports();
    expect(namespaces.get('diffusion')!.get('noiseSchedule')).to.equal('lib/src/diffusion/schedule.ts');
    expect(namespaces.get('notebook')!.get('check')).to.equal('lib/src/notebook/check.ts');
    expect(namespaces.get('viz')!.get('imageGrid')).to.equal('lib/src/viz/image-grid.ts');
    expect(values.get('budget')).to.equal('lib/src/train/mode.ts');
    expect(namespaces.has('tf')).to.equal(false);
  });

  it('finds 13 lecture and 6 homework notebooks, each using the library', () => {
    expect(NOTEBOOKS.length).to.equal(19);
    for (const nb of NOTEBOOKS) expect(firstUses(nb).length, path.basename(nb)).to.be.greaterThan(0);
  });

  for (const nb of NOTEBOOKS) {
    const name = path.relative(path.join(ROOT, 'notebooks'), nb);
    it(`${name}: the first use of each library name has its file named in that cell or before`, () => {
      const missing = unnamedFirstUses(nb).map((u) => `cell ${u.cell}: ${u.name} (${u.file})`);
      expect(missing, 'name these files where they are first used (npx tsx tests/notebooks/library-links.ts <notebook> rewrites the comments)').to.deep.equal([]);
    });

    it(`${name}: links notebooks/REFERENCES.md`, () => {
      expect(fs.readFileSync(nb, 'utf8')).to.match(/\]\((\.\.\/)?REFERENCES\.md(#[^)]*)?\)/);
    });
  }

  it("lib/src/index.ts and README map every namespace to its folder", () => {
    const { namespaces } = libraryExports();
    const index = fs.readFileSync(path.join(ROOT, 'lib', 'src', 'index.ts'), 'utf8');
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    for (const ns of namespaces.keys()) {
      const row = new RegExp(`\\| \`${ns}\` \\| \`lib/src/${ns}/\` \\|`);
      expect(index, `index.ts row for ${ns}`).to.match(row);
      expect(readme, `README row for ${ns}`).to.match(row);
    }
  });
});
