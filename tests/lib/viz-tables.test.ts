/** viz tables and number formatting: bundles checked against hand-written expectations. */
import { expect } from 'chai';
import { viz } from 'genbook';

describe('viz.formatNumber', () => {
  it('formats integers in full, others to 4 significant digits, extremes in exponent form', () => {
    const cases: [number, string][] = [
      [3, '3'], [-12, '-12'], [1234567, '1234567'], [0.693147, '0.6931'], [0.5, '0.5'], [2.5, '2.5'],
      [66123.4, '66123'], [3.14159, '3.142'], [0.000012346, '1.235e-5'], [1234567.8, '1.235e6'],
      [NaN, 'NaN'], [Infinity, '∞'], [-Infinity, '-∞'], [0, '0'],
    ];
    for (const [value, text] of cases) expect(viz.formatNumber(value), String(value)).to.equal(text);
    expect(viz.formatNumber(Math.PI, 2)).to.equal('3.1');
    expect(() => viz.formatNumber(1, 0)).to.throw(RangeError, /digits/);
  });
});

describe('viz.table', () => {
  const history = [{ epoch: 1, loss: 0.693147 }, { epoch: 2, loss: 0.25, note: 'best' }];

  it('renders records as HTML and aligned text, columns in order of first appearance', () => {
    const t = viz.table(history);
    expect(t.columns).to.deep.equal(['epoch', 'loss', 'note']);
    const bundle = t[viz.DISPLAY]();
    expect(Object.keys(bundle).sort()).to.deep.equal(['text/html', 'text/plain']);
    const html = bundle['text/html'] as string;
    expect(html.match(/<tr>/g)).to.have.length(3);
    // numeric columns right-aligned, text columns left-aligned
    expect(html).to.contain('text-align:right">0.6931</td>').and.contain('text-align:left">best</td>');
    expect(bundle['text/plain']).to.equal(['epoch    loss  note', '-----  ------  ----', '    1  0.6931', '    2    0.25  best'].join('\n'));
  });

  it('escapes HTML in cells and headers', () => {
    const html = viz.table([{ '<b>': '<script>x</script>' }]).html();
    expect(html).to.not.contain('<script>');
    expect(html).to.contain('&lt;script&gt;x&lt;/script&gt;').and.contain('&lt;b&gt;');
  });

  it('cuts long tables to head and tail with a gap row', () => {
    const rows = Array.from({ length: 100 }, (_, i) => ({ i }));
    const t = viz.table(rows, { maxRows: 6 });
    const html = t.html();
    expect(html).to.contain('>0<').and.contain('>2<').and.contain('>97<').and.contain('>99<').and.not.contain('>3<');
    expect(html).to.contain('94 more rows');
    const text = t.text().split('\n');
    expect(text.slice(2, 9).map((l) => l.trim())).to.deep.equal(['0', '1', '2', '…', '97', '98', '99']);
  });

  it('reads a DataFrame-shaped object (columns, index, values) with its index', () => {
    class DataFrame {
      columns = ['a', 'b'];
      index = ['r1', 'r2'];
      values = [[1, 'x'], [2.5, 'y']];
    }
    const t = viz.table(new DataFrame());
    expect(t.index).to.deep.equal(['r1', 'r2']);
    expect(t.rows).to.deep.equal([[1, 'x'], [2.5, 'y']]);
    expect(t.text().split('\n')[2]).to.equal('r1    1  x');
    expect(viz.table(new DataFrame(), { columns: ['b'] }).rows).to.deep.equal([['x'], ['y']]);
    expect(() => viz.table(new DataFrame(), { columns: ['zz'] })).to.throw(RangeError, /zz/);
  });

  it('rejects what is not a table', () => {
    expect(() => viz.table([1, 2] as unknown as viz.TableRecord[])).to.throw(RangeError, /records/);
    expect(() => viz.table([{ a: 1 }], { maxRows: 1 })).to.throw(RangeError, /maxRows/);
  });
});
