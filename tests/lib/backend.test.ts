import { expect } from 'chai';
import { backend, tf } from 'genbook';

const quiet = { log: null } as const;

describe('backend.setup', () => {
  after(async () => {
    await backend.setup('cpu', quiet);
  });

  it('activates a forced backend and reports it in one line', async () => {
    const lines: string[] = [];
    const result = await backend.setup('cpu', { log: (l) => lines.push(l) });
    expect(result.name).to.equal('cpu');
    expect(backend.name()).to.equal('cpu');
    expect(tf.getBackend()).to.equal('cpu');
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^genbook backend: cpu \(.*requested by setup\(\)=cpu\)$/);
  });

  it('reads GENBOOK_BACKEND when no preference is passed', async () => {
    const result = await backend.setup(undefined, { ...quiet, env: { GENBOOK_BACKEND: 'wasm' } });
    expect(result.name).to.equal('wasm');
    expect(tf.getBackend()).to.equal('wasm');
    expect(result.reason).to.contain('GENBOOK_BACKEND=wasm');
    // The wasm backend computes: a matmul agrees with the hand-computed product.
    const product = tf.matMul(tf.tensor2d([[1, 2], [3, 4]]), tf.tensor2d([[5], [6]]));
    expect(product.arraySync()).to.deep.equal([[17], [39]]);
    product.dispose();
  });

  it('falls back tensorflow → wasm and says why', async () => {
    const result = await backend.setup(undefined, {
      ...quiet,
      env: {},
      tensorflowPackages: ['genbook-no-such-package'],
    });
    expect(result.name).to.equal('wasm');
    expect(result.skipped.map((s) => s.name)).to.deep.equal(['tensorflow']);
    expect(result.message).to.contain('fallback: tensorflow unavailable: genbook-no-such-package not installed');
  });

  it('does not count a require that succeeds but registers no tensorflow backend', async () => {
    // `seedrandom` loads fine but registers nothing: the resolver must not trust the require.
    const result = await backend.setup(undefined, { ...quiet, env: {}, tensorflowPackages: ['seedrandom'] });
    expect(result.name).to.equal('wasm');
    expect(result.skipped[0].why).to.contain("registered no 'tensorflow' backend");
  });

  it('throws, without falling back, when a forced backend is unavailable', async () => {
    let caught: unknown;
    try {
      await backend.setup('tensorflow', { ...quiet, tensorflowPackages: ['genbook-no-such-package'] });
    } catch (e) {
      caught = e;
    }
    expect(caught).to.be.instanceOf(Error);
    expect(String(caught)).to.contain("backend 'tensorflow' (requested by setup()) is not available");
  });

  it('rejects an unknown backend name with a RangeError naming its source', async () => {
    let caught: unknown;
    try {
      await backend.setup(undefined, { ...quiet, env: { GENBOOK_BACKEND: 'webgpu' } });
    } catch (e) {
      caught = e;
    }
    expect(caught).to.be.instanceOf(RangeError);
    expect(String(caught)).to.match(/GENBOOK_BACKEND must be one of tensorflow, wasm, cpu; got "webgpu"/);
  });
});
