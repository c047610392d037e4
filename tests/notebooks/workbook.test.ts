/**
 * The course notebooks are a workbook (issue 24), checked on the committed files without a kernel:
 * every lecture notebook 00–12 has an "Exercises" section with 2–3 exercises, each followed by an
 * answer that Jupyter and the book both show collapsed (tag `answer` and
 * `"jupyter": {"source_hidden": true, "outputs_hidden": true}`), an "Errata" section and a
 * "Summary"; the notebooks that print a paper algorithm as a loop check it against the library in
 * a cell (the per-notebook e2e tests assert that those checks pass); notebooks are committed
 * without outputs, with unique cell ids.
 */
import { expect } from 'chai';
import * as fs from 'fs';
import * as path from 'path';
import type { ICell, INotebookContent } from '@jupyterlab/nbformat';
import { isCollapsed } from '../../tools/src/book/page';

const DIR = path.resolve(__dirname, '..', '..', 'notebooks');
const NOTEBOOKS = fs.readdirSync(DIR).filter((f) => /^\d\d-.*\.ipynb$/.test(f)).sort();

const text = (cell: ICell): string => (Array.isArray(cell.source) ? cell.source.join('') : cell.source);
const isAnswer = (cell: ICell): boolean => {
  const meta = cell.metadata as { tags?: string[]; jupyter?: { source_hidden?: boolean; outputs_hidden?: boolean } };
  return (meta.tags ?? []).includes('answer') && meta.jupyter?.source_hidden === true && meta.jupyter?.outputs_hidden === true;
};

/** The notebook's algorithm loops: a code cell containing each of these lines must exist. */
const LOOP_CHECKS: Record<string, string[]> = {
  '05-gan-minimax.ipynb': ['GAN Algorithm 1 loop = gan.GanTrainer'],
  '08-diffusion-ddpm.ipynb': ['Algorithm 1 loop = diffusion.trainDiffusion', 'Algorithm 2 loop = diffusion.ddpmSample'],
  '09-ddim-guidance.ipynb': ['DDIM loop = diffusion.ddimSample', 'CFG Algorithm 2 loop = ddimSample + classifierFreeGuidance'],
};

describe('the notebooks are a workbook: exercises, errata, summary (static)', () => {
  it('finds the 13 lecture notebooks', () => {
    expect(NOTEBOOKS.length).to.equal(13);
  });

  for (const file of NOTEBOOKS) {
    const nb = JSON.parse(fs.readFileSync(path.join(DIR, file), 'utf8')) as INotebookContent;
    const cells = nb.cells;
    const headingAt = (re: RegExp) => cells.findIndex((c) => c.cell_type === 'markdown' && re.test(text(c)));

    it(`${file}: 2–3 exercises, each followed by a collapsed answer`, () => {
      const exercisesAt = headingAt(/^## Exercises/m);
      expect(exercisesAt, 'an "## Exercises" section').to.be.at.least(0);
      const exercises = cells.map((c, i) => ({ c, i })).filter(({ c, i }) => i >= exercisesAt && c.cell_type === 'markdown' && !isAnswer(c) && /\*\*Exercise \d\.\*\*/.test(text(c)));
      expect(exercises.length).to.be.within(2, 3);
      for (const { i } of exercises) {
        const next = cells[i + 1];
        expect(next && isAnswer(next), `the cell after exercise cell ${i} is a collapsed answer`).to.equal(true);
        expect(next && isCollapsed(next), 'the book collapses it').to.equal(true);
        expect(text(next)).to.match(/\*\*Answer\.\*\*/);
      }
      // Answer cells only hold answers: none of them is an exercise or a heading.
      for (const c of cells.filter(isAnswer)) expect(text(c)).not.to.match(/^#|\*\*Exercise/m);
    });

    it(`${file}: an errata section and a summary`, () => {
      expect(headingAt(/^## Errata/m), 'an "## Errata" section').to.be.at.least(0);
      expect(headingAt(/^## Summary/m), 'a "## Summary" section').to.be.at.least(0);
    });

    it(`${file}: committed without outputs, unique cell ids`, () => {
      const code = cells.filter((c) => c.cell_type === 'code') as { outputs: unknown[]; execution_count: unknown }[];
      expect(code.filter((c) => c.outputs.length > 0 || c.execution_count !== null).length).to.equal(0);
      const ids = cells.map((c) => c.id as string);
      expect(new Set(ids).size).to.equal(ids.length);
    });

    if (LOOP_CHECKS[file]) {
      it(`${file}: the paper's algorithms as visible loops, checked against the library`, () => {
        const sources = cells.filter((c) => c.cell_type === 'code' && !isAnswer(c)).map(text);
        for (const label of LOOP_CHECKS[file]) {
          const cell = sources.find((s) => s.includes(label));
          expect(cell, label).to.not.equal(undefined);
          expect(cell!, `${label}: a numbered loop`).to.match(/for \(.*\/\/ +\d:/);
          expect(cell!, `${label}: a check`).to.match(/check\(/);
        }
      });
    }
  }
});
