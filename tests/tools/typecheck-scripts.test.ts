/**
 * The training scripts (tools/scripts: train-gan, train-diffusion, …), the benchmarks (bench/) and
 * the tests themselves run through tsx, which strips types without checking them, and no build
 * compiles them: a renamed library function would only show when a reader starts a multi-hour
 * training. Their own tsconfig files make `tsc` check them against the built library's declarations
 * (`npm run typecheck` runs the same projects).
 */
import { expect } from 'chai';
import { spawnSync } from 'child_process';
import * as path from 'path';

const ROOT = path.resolve(__dirname, '..', '..');
const TSC = require.resolve('typescript/bin/tsc');

describe('tools/scripts, bench and tests typecheck', () => {
  for (const project of ['tools/scripts', 'bench', 'tests']) {
    it(`tsc -p ${project} finds no type errors`, function () {
      this.timeout(120_000);
      const r = spawnSync(process.execPath, [TSC, '-p', project], { cwd: ROOT, encoding: 'utf8' });
      expect(r.stdout + r.stderr, `tsc -p ${project}`).to.equal('');
      expect(r.status).to.equal(0);
    });
  }
});
