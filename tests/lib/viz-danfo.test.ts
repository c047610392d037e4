/** A real danfojs-node DataFrame and Series through the table formatter (danfojs shares our tfjs). */
import { expect } from 'chai';
import { viz } from 'genbook';

describe('viz tables from danfojs-node', function () {
  this.timeout(120_000); // loading danfojs-node takes seconds

  it('formats a DataFrame and a Series (values from danfojs itself)', async () => {
    const dfd = await import('danfojs-node');
    const df = new dfd.DataFrame({ x: [1, 2, 3], p: [0.125, 0.5, 0.375], label: ['a', 'b', 'c'] });
    const bundle = viz.mimeBundleOf(df)!;
    expect(bundle).to.not.equal(undefined);
    const html = bundle['text/html'] as string;
    expect(html.match(/<tr>/g)).to.have.length(4);
    expect(html).to.contain('>0.125<').and.contain('>0.375<').and.contain('>label<');
    expect((bundle['text/plain'] as string).split('\n')[0]).to.match(/^\s+x\s+p\s+label$/);
    const series = df['p'] as unknown;
    const sBundle = viz.mimeBundleOf(series)!;
    expect(sBundle['text/html']).to.contain('>0.5<');
    expect(viz.isSeriesLike(series)).to.equal(true);
  });
});
