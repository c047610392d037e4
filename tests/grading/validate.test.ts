/**
 * `npm run validate` in CI: solutions 100% on public and hidden tests, stubs 0, no stub drift,
 * every homework notebook runs against the solutions in quick mode.
 */
import { expect } from 'chai';
import { validate } from '../../tools/src/grading/validate';

describe('genbook validate', function () {
  this.timeout(1_500_000);
  it('passes: solutions 100%, stubs 0, stubs up to date, notebooks run', async () => {
    const lines: string[] = [];
    const result = await validate({ jobs: 2, log: (l) => lines.push(l) });
    expect(result.problems, lines.join('\n')).to.deep.equal([]);
    expect(lines.join('\n')).to.match(/solutions: (\d+) \/ \1 \(public/);
    expect(lines.join('\n')).to.match(/stubs: 0 \/ \d+/);
    for (const w of ['hw01', 'hw02', 'hw03', 'hw04', 'hw05', 'hw06']) expect(lines.join('\n')).to.match(new RegExp(`${w}\\.ipynb: ok`));
  });
});
