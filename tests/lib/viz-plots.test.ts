/** viz plotly figures: the JSON carries the data given; the HTML inlines the plotly bundle once. */
import { expect } from 'chai';
import { viz, tf } from 'genbook';

type Fig = { data: Record<string, unknown>[]; layout: Record<string, unknown> };
const json = (f: viz.Figure): Fig => f[viz.DISPLAY]()['application/vnd.plotly.v1+json'] as Fig;

describe('viz charts', () => {
  beforeEach(() => viz.resetPlotlyInlining());

  it('line: y against 0..n-1, several named traces, log axis and labels', () => {
    const f = viz.line([{ y: [3, 1, 2], name: 'a' }, { x: [0, 2, 4], y: new Float32Array([0.1, 0.2, 0.3]), name: 'b', dash: 'dash' }],
      { title: 'T', xLabel: 'step', logY: true });
    const fig = json(f);
    expect(fig.data[0]).to.deep.include({ type: 'scatter', mode: 'lines', x: [0, 1, 2], y: [3, 1, 2], name: 'a' });
    expect(fig.data[1].y).to.deep.equal([0.1, 0.2, 0.3]); // float32 rounded to 7 digits
    expect(fig.layout.yaxis).to.deep.include({ type: 'log' });
    expect(fig.layout.xaxis).to.deep.include({ title: { text: 'step' } });
    expect(fig.layout.showlegend).to.equal(true);
    expect(f.summary()).to.equal('Figure(scatter; 2 traces: a, b) "T"');
    expect(() => viz.line({ x: [1, 2], y: [1] })).to.throw(RangeError, /x has 2 values but y has 1/);
  });

  it('takes tf.Tensors as data', () => {
    const t = tf.tensor1d([1, 2, 3]);
    expect(json(viz.line(t)).data[0].y).to.deep.equal([1, 2, 3]);
    const z = tf.tensor2d([[1, 2], [3, 4]]);
    expect(json(viz.heatmap(z)).data[0].z).to.deep.equal([[1, 2], [3, 4]]);
    tf.dispose([t, z]);
  });

  it('scatter with a continuous colour, histogram density, heatmap orientation, surface scene', () => {
    const s = json(viz.scatter({ x: [1, 2], y: [3, 4], color: [0, 1] }));
    expect(s.data[0].marker).to.deep.include({ color: [0, 1], showscale: true });
    expect(() => viz.scatter({ x: [1, 2], y: [3, 4], color: [0] })).to.throw(RangeError, /color has 1/);
    const h = json(viz.histogram([{ values: [1, 2, 2], density: true, bins: 3 }, { values: [0, 1] }]));
    expect(h.data[0]).to.deep.include({ type: 'histogram', histnorm: 'probability density', nbinsx: 3, opacity: 0.6 });
    expect(h.layout.barmode).to.equal('overlay');
    expect((h.layout.yaxis as Record<string, unknown>).title).to.deep.equal({ text: 'density' });
    // A matrix (no y coordinates) is drawn with row 0 at the top; with y given, y grows upwards.
    expect((json(viz.heatmap([[1, 2]])).layout.yaxis as Record<string, unknown>).autorange).to.equal('reversed');
    expect((json(viz.heatmap({ z: [[1, 2]], y: [5] })).layout.yaxis as Record<string, unknown>).autorange).to.equal(undefined);
    const surf = json(viz.surface({ z: [[0, 1], [1, 2]], x: [0, 1], y: [0, 1] }, { zLabel: 'p' }));
    expect(surf.data[0].type).to.equal('surface');
    expect(surf.layout.scene).to.deep.include({ zaxis: { title: { text: 'p' } } });
    expect(() => viz.heatmap([[1, 2], [3]])).to.throw(RangeError, /equal length/);
  });

  it('subplots: one axis pair per cell, domains inside [0,1] without overlap, titles as annotations', () => {
    const f = viz.subplots([viz.line([1, 2], { title: 'A' }), viz.histogram([1, 2]), viz.surface([[1, 2], [3, 4]], { title: 'S' })], { columns: 2 });
    const fig = json(f);
    expect(fig.data.map((t) => [t.xaxis, t.yaxis, t.scene])).to.deep.equal([['x', 'y', undefined], ['x2', 'y2', undefined], [undefined, undefined, 'scene3']]);
    const x1 = (fig.layout.xaxis as { domain: number[] }).domain;
    const x2 = (fig.layout.xaxis2 as { domain: number[]; anchor: string });
    expect(x1[1]).to.be.lessThan(x2.domain[0]);
    expect(x2.anchor).to.equal('y2');
    const y1 = (fig.layout.yaxis as { domain: number[] }).domain;
    const scene = (fig.layout.scene3 as { domain: { y: number[] } }).domain;
    expect(scene.y[1]).to.be.lessThan(y1[0]); // second row below the first
    for (const d of [...x1, ...y1, ...x2.domain, ...scene.y]) expect(d).to.be.within(0, 1);
    expect((fig.layout.annotations as { text: string }[]).map((a) => a.text)).to.deep.equal(['A', 'S']);
    expect(fig.layout.height).to.equal(640);
    expect(() => viz.subplots([])).to.throw(RangeError);
  });

  it('bundle: plotly JSON + HTML + text; the plotly bundle is inlined only in the first figure', () => {
    const first = viz.line([1, 2])[viz.DISPLAY]();
    const second = viz.line([1, 2])[viz.DISPLAY]();
    expect(Object.keys(first).sort()).to.deep.equal(['application/vnd.plotly.v1+json', 'text/html', 'text/plain']);
    expect(first['text/html']).to.contain('plotly.js v3.7.0').and.contain('window.Plotly');
    expect(second['text/html']).to.not.contain('plotly.js v3.7.0');
    expect(second['text/html']).to.contain('__genbookPlotlyQueue').and.contain('Plotly.newPlot');
    expect((first['text/html'] as string).length - (second['text/html'] as string).length).to.be.greaterThan(1_000_000);
    viz.resetPlotlyInlining();
    expect(viz.line([1])[viz.DISPLAY]()['text/html']).to.contain('plotly.js v3.7.0');
  });

  it('keeps figure JSON from breaking out of its <script>', () => {
    const html = viz.line({ y: [1], name: '</script><script>alert(1)</script>' }).html({ includePlotly: false });
    expect(html.match(/<\/script>/g)).to.have.length(1);
  });
});

describe('viz.overlay', () => {
  it('puts the traces of several figures on the first one\'s axes', () => {
    const h = viz.histogram({ values: [0, 1, 1], density: true, name: 'samples' }, { title: 'H' });
    const f = viz.overlay(h, viz.line({ x: [0, 1], y: [0.5, 0.5], name: 'pdf' }));
    const fig = json(f);
    expect(fig.data.map((t) => [t.type, t.name])).to.deep.equal([['histogram', 'samples'], ['scatter', 'pdf']]);
    expect(fig.layout.title).to.deep.equal({ text: 'H' });
    expect(fig.layout.showlegend).to.equal(true);
    expect(() => viz.overlay()).to.throw(RangeError);
  });
});
