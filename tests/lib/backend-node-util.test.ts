/**
 * The `util` shim for tfjs-node 4.22 on Node ≥ 23 (lib/src/backend/node-util-shim.ts), tested
 * without libtensorflow: it is a pure-JavaScript concern. The call pattern below is the one
 * tfjs-node 4.22's compiled `dist/kernels/TopK.js` uses; a manual run of the real file on Node 24
 * and 26 is described in the shim's doc comment and the issue-17 note.
 */
import { expect } from 'chai';
import { spawnSync } from 'child_process';
import * as path from 'path';
import { backend, tf } from 'genbook';

const ROOT = path.resolve(__dirname, '..', '..');
const SHIM = path.join(ROOT, 'lib', 'dist', 'backend', 'node-util-shim.js');
const major = Number(process.versions.node.split('.')[0]);
const VALUES: unknown[] = [null, undefined, 0, -0, '', 'x', false, true, Number.NaN, {}, [], () => 0, Symbol('s'), 0n];

describe('backend: the util shim for tfjs-node 4.22 on Node ≥ 23', () => {
  it('restores exactly util.isNullOrUndefined, true only for null and undefined', () => {
    const target: Record<string, unknown> = {};
    expect(backend.restoreUtilForTfjsNode(target)).to.deep.equal(['isNullOrUndefined']);
    expect(Object.keys(target)).to.deep.equal(['isNullOrUndefined']);
    const isNullOrUndefined = target.isNullOrUndefined as (v: unknown) => boolean;
    expect(VALUES.map((v) => isNullOrUndefined(v))).to.deep.equal([true, true, false, false, false, false, false, false, false, false, false, false, false, false]);
  });

  it("agrees with Node's own util.isNullOrUndefined where it still exists (Node ≤ 22), and finds it missing from Node 23 on", () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const real = (require('util') as Record<string, unknown>).isNullOrUndefined;
    const child = spawnSync(process.execPath, ['-p', "typeof require('util').isNullOrUndefined"], { encoding: 'utf8' });
    const fresh = child.stdout.trim(); // this process's util may already carry the shim
    if (major >= 23) {
      expect(fresh).to.equal('undefined');
    } else {
      expect(fresh).to.equal('function');
      const shim = backend.REMOVED_UTIL_FUNCTIONS_USED_BY_TFJS_NODE.isNullOrUndefined;
      for (const v of VALUES) expect(shim(v), String(v)).to.equal((real as (x: unknown) => boolean)(v));
    }
  });

  it('leaves a function that is already there alone', () => {
    const own = (v: unknown) => v === 42;
    const target = { isNullOrUndefined: own };
    expect(backend.restoreUtilForTfjsNode(target)).to.deep.equal([]);
    expect(target.isNullOrUndefined).to.equal(own);
  });

  it("makes tfjs-node's compiled call work on this Node, in a fresh process", () => {
    // TopK.js of tfjs-node 4.22, reduced to its use of util: `(0, util_1.isNullOrUndefined)(k) ? 1 : k`.
    const topKAttrs = "const util_1 = require('util'); const attrs = (k, sorted) => [(0, util_1.isNullOrUndefined)(k) ? 1 : k, (0, util_1.isNullOrUndefined)(sorted) ? true : sorted];";
    const run = (withShim: boolean) =>
      spawnSync(process.execPath, ['-e', `${withShim ? `require(${JSON.stringify(SHIM)}).restoreUtilForTfjsNode();` : ''}${topKAttrs} console.log(JSON.stringify([attrs(undefined, null), attrs(3, false)]));`], { encoding: 'utf8' });
    const without = run(false);
    if (major >= 23) {
      expect(without.status).to.equal(1);
      expect(without.stderr).to.contain('TypeError: (0 , util_1.isNullOrUndefined) is not a function');
    } else {
      expect(without.stdout.trim()).to.equal('[[1,true],[3,false]]');
    }
    const withShim = run(true);
    expect(withShim.status, withShim.stderr).to.equal(0);
    expect(withShim.stdout.trim()).to.equal('[[1,true],[3,false]]');
  });

  it('is installed by setup before it loads a libtensorflow candidate, and the fallback stays the same', async () => {
    // `seedrandom` stands in for an installed tfjs-node: it loads, registers nothing.
    const result = await backend.setup(undefined, { log: null, env: {}, tensorflowPackages: ['seedrandom'] });
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    expect(typeof (require('util') as Record<string, unknown>).isNullOrUndefined).to.equal('function');
    expect(result.name).to.equal('wasm');
    expect(result.skipped.map((s) => s.name)).to.deep.equal(['tensorflow']);
    expect(result.skipped[0].why).to.contain("seedrandom loaded but registered no 'tensorflow' backend");
    await backend.setup('cpu', { log: null });
  });

  it('skips a tensorflow backend that registers and initialises but cannot compute, and says why', async () => {
    // What tfjs-node 4.22 on Node ≥ 23 without the shim looks like: registered, initialised, and
    // failing at its first operation. Here: a backend that stores no data and has no kernels.
    class Hollow extends tf.KernelBackend {
      override dispose(): void {}
    }
    tf.registerBackend('tensorflow', () => new Hollow());
    try {
      const result = await backend.setup(undefined, { log: null, env: {}, tensorflowPackages: ['seedrandom'] });
      expect(result.name).to.equal('wasm');
      expect(result.message).to.match(new RegExp(`fallback: tensorflow unavailable: seedrandom: the 'tensorflow' backend initialised but cannot compute on Node ${process.version.replace(/\./g, '\\.')} \\('write' not yet implemented`));
    } finally {
      tf.removeBackend('tensorflow');
      await backend.setup('cpu', { log: null });
    }
  });
});
