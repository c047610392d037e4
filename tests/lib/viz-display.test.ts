/**
 * The display protocol, formatters, show() and the progress bar, with a fake kernel display sink
 * (the genbook kernel installs a real one at globalThis[Symbol.for("genbook.kernel.display")]).
 */
import { expect } from 'chai';
import { PNG } from 'pngjs';
import { viz, tf } from 'genbook';

interface Sent { bundle: viz.MimeBundle; options: viz.PublishOptions }

function withSink<T>(fn: (sent: Sent[]) => T): T {
  const sent: Sent[] = [];
  const g = globalThis as Record<symbol, unknown>;
  g[viz.KERNEL_SINK_KEY] = { publish: (bundle: viz.MimeBundle, options: viz.PublishOptions) => sent.push({ bundle, options }) };
  try {
    return fn(sent);
  } finally {
    delete g[viz.KERNEL_SINK_KEY];
  }
}

describe('viz display protocol and formatters', () => {
  it('uses the well-known symbol and normalises bundles', () => {
    expect(viz.DISPLAY).to.equal(Symbol.for('Jupyter.display'));
    const b = viz.normalizeBundle({ 'image/png': new Uint8Array([1, 2, 3]) }, () => 'txt');
    expect(b).to.deep.equal({ 'image/png': 'AQID', 'text/plain': 'txt' });
    expect(() => viz.normalizeBundle({ html: 'x' }, () => '')).to.throw(TypeError, /MIME type/);
    expect(() => viz.normalizeBundle('x', () => '')).to.throw(TypeError, /bundle object/);
  });

  it('registers formatters for tensors, records and DataFrames; plain values get none', () => {
    expect(viz.formatterNames()).to.include.members(['genbook.tf.Tensor', 'genbook.records', 'genbook.danfo.DataFrame', 'genbook.danfo.Series']);
    expect(viz.mimeBundleOf(42)).to.equal(undefined);
    expect(viz.mimeBundleOf([1, 2])).to.equal(undefined);
    expect(viz.mimeBundleOf({ a: 1 })).to.equal(undefined);
    expect(viz.mimeBundleOf([{ a: 1 }])!['text/html']).to.contain('<table');
  });

  it('renders tensors as a text summary, with a PNG grid for image shapes', () => {
    const t = tf.tensor2d([[1, 2], [3, 6]]);
    expect(viz.mimeBundleOf(t)).to.deep.equal({ 'text/plain': 'Tensor float32 [2, 2]  min 1  max 6  mean 3\n[[1, 2],\n [3, 6]]' });
    const batch = tf.zeros([3, 8, 8, 1]);
    const png = PNG.sync.read(Buffer.from(viz.mimeBundleOf(batch)!['image/png'] as string, 'base64'));
    // 3 images of 8 px, ×7 (smallest factor reaching 56 px), 2 px gaps: 3·56 + 4·2 = 176 wide
    expect([png.width, png.height]).to.deep.equal([176, 60]);
    const disposed = tf.ones([2]);
    disposed.dispose();
    expect(viz.mimeBundleOf(disposed)!['text/plain']).to.equal('Tensor float32 [2] (disposed)');
    tf.dispose([t, batch]);
  });

  it('lets a notebook register its own formatter, tried first, and remove it', () => {
    class Point { constructor(readonly x: number) {} }
    viz.registerFormatter({ name: 'test.point', test: (v) => v instanceof Point, format: (v) => ({ 'text/plain': `P(${(v as Point).x})` }) });
    expect(viz.mimeBundleOf(new Point(2))).to.deep.equal({ 'text/plain': 'P(2)' });
    expect(viz.unregisterFormatter('test.point')).to.equal(true);
    expect(viz.mimeBundleOf(new Point(2))).to.equal(undefined);
  });

  it('markdown and latex bundles carry their source as text', () => {
    expect(viz.markdown('**a**')[viz.DISPLAY]()).to.deep.equal({ 'text/markdown': '**a**', 'text/plain': '**a**' });
    expect(viz.latex('x^2')[viz.DISPLAY]()['text/latex']).to.equal('$$x^2$$');
    expect(viz.latex('x', { inline: true })[viz.DISPLAY]()['text/latex']).to.equal('$x$');
    expect(viz.latex('$$y$$')[viz.DISPLAY]()['text/latex']).to.equal('$$y$$');
  });
});

describe('viz.show', () => {
  it('sends the whole bundle to the kernel sink', () => {
    withSink((sent) => {
      viz.show(viz.markdown('hi'));
      viz.show(3);
      expect(sent).to.deep.equal([
        { bundle: { 'text/markdown': 'hi', 'text/plain': 'hi' }, options: { displayId: undefined } },
        { bundle: { 'text/plain': '3' }, options: { displayId: undefined } },
      ]);
    });
  });

  it('throws outside a kernel, naming the alternative', () => {
    expect(() => viz.show(1)).to.throw(Error, /needs a Jupyter kernel/);
  });
});

describe('viz.progress', () => {
  it('updates its output through its display id, throttled, always on the last step', () => {
    let now = 0;
    const bar = viz.progress({ total: 10, label: 'fit', minIntervalMs: 100, clock: () => now });
    withSink((sent) => {
      viz.show(bar);
      now = 1000; bar.update(1, { loss: 0.5 });
      now = 1050; bar.update(2, { loss: 0.4 }); // within 100 ms: state only
      now = 1200; bar.update(5, { loss: 0.3 });
      now = 1210; bar.update(10, { loss: 0.1 }); // last step: always sent
      expect(sent.map((s) => s.options)).to.deep.equal([
        { displayId: bar.displayId },
        { displayId: bar.displayId, update: true },
        { displayId: bar.displayId, update: true },
        { displayId: bar.displayId, update: true },
      ]);
      // after step 5 at 1.2 s: 5 steps left at 0.24 s/step → ETA 1.2 s → "0:01"
      expect(sent[2].bundle['text/plain']).to.equal('fit [############............] 5/10 50% · loss 0.3 · 4.17 steps/s · ETA 0:01');
      expect(sent[3].bundle['text/plain']).to.equal('fit [########################] 10/10 100% · loss 0.1 · done in 0:01');
      expect(sent[3].bundle['text/html']).to.contain('width:100.0%');
    });
    expect(bar.state).to.deep.include({ step: 10, total: 10, done: true });
  });

  it('accepts train.trainLoop reports through onProgress, and is silent outside a kernel', async () => {
    const { train } = await import('genbook');
    const bar = viz.progress({ total: 1, minIntervalMs: 0 });
    await train.trainLoop({ steps: 4, reportEvery: 2, step: (i) => ({ loss: 1 / (i + 1) }), onProgress: bar.onProgress });
    expect(bar.state).to.deep.include({ step: 4, total: 4, done: true });
    expect(bar.state.values).to.deep.equal({ loss: 0.25 });
  });

  it('rejects a bad total', () => {
    expect(() => viz.progress(0)).to.throw(RangeError, /total/);
  });
});
