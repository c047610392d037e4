/**
 * The book's renderer without a kernel or a browser: Markdown with math, outputs of every kind,
 * the index in syllabus order, freshness of executed copies, the site layout, the file server,
 * and `npm start`'s choice between Jupyter and the book.
 */
import { expect } from 'chai';
import * as fs from 'fs';
import * as http from 'http';
import * as os from 'os';
import * as path from 'path';
import katex from 'katex';
import type { ICell, ICodeCell, INotebookContent, IOutput } from '@jupyterlab/nbformat';
import { buildBook, staleReason } from '../../tools/src/book/build';
import { renderLatex, renderMarkdown } from '../../tools/src/book/markdown';
import { newRenderContext, renderBundle, renderOutput, stripInlinePlotly } from '../../tools/src/book/outputs';
import { isCollapsed, notebookTitle, renderIndex, renderNotebookPage } from '../../tools/src/book/page';
import { resolveRequest, serveBook } from '../../tools/src/book/serve';
import { planStart } from '../../tools/src/commands/start';
import { readNotebook } from '../../tools/src/runner/nbformat';

const FIXTURE = path.resolve(__dirname, '..', 'fixtures', 'runner', 'book-outputs.ipynb');

function get(url: string): Promise<{ status: number; type: string; body: string }> {
  return new Promise((resolve, reject) => {
    http.get(url, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, type: String(res.headers['content-type']), body }));
    }).on('error', reject);
  });
}

describe('book: Markdown and math', () => {
  it('typesets $…$ and $$…$$ with KaTeX on the server, as KaTeX itself renders them', () => {
    const html = renderMarkdown('Inline $a^2 + b^2$ here.\n\n$$\n\\frac{1}{2}\n$$\n');
    expect(html).to.contain(katex.renderToString('a^2 + b^2', { throwOnError: false }));
    // The block rule hands KaTeX the lines between the $$ fences, newline included.
    expect(html).to.contain(`<p class="katex-block">${katex.renderToString('\\frac{1}{2}\n', { displayMode: true, throwOnError: false })}</p>`);
    expect(html).not.to.contain('$');
  });

  it('leaves prices alone, keeps underscores in math out of emphasis, escapes nothing twice', () => {
    expect(renderMarkdown('costs $20,000 and $30,000')).to.equal('<p>costs $20,000 and $30,000</p>\n');
    const html = renderMarkdown('$x_1 + y_1$ and _emphasis_');
    expect(html).to.contain('<em>emphasis</em>');
    expect(html).to.contain('<annotation encoding="application/x-tex">x_1 + y_1</annotation>');
  });

  it('points links to notebooks at their pages, keeps anchors and external links', () => {
    expect(renderMarkdown('[a](02-likelihood.ipynb#mle)')).to.contain('href="02-likelihood.html#mle"');
    expect(renderMarkdown('[b](../notebooks/03-pca-vs-autoencoder.ipynb)', { root: '../' })).to.contain('href="../03-pca-vs-autoencoder.html"');
    expect(renderMarkdown('[c](https://example.org/x.ipynb)')).to.contain('href="https://example.org/x.ipynb"');
    // the course documents: notebooks link REFERENCES.md (homework: ../REFERENCES.md), the book has references.html
    expect(renderMarkdown('[r](REFERENCES.md#lectures)')).to.contain('href="references.html#lectures"');
    expect(renderMarkdown('[r](../REFERENCES.md)', { root: '../' })).to.contain('href="../references.html"');
    expect(renderMarkdown('[g](GLOSSARY.md)')).to.contain('href="glossary.html"');
    expect(renderMarkdown('[x](README.md)')).to.contain('href="README.md"');
  });

  it('highlights fenced TypeScript and renders text/latex in display mode', () => {
    expect(renderMarkdown('```ts\nconst x = 1;\n```')).to.contain('<span class="hljs-keyword">const</span>');
    expect(renderLatex('$$\\mu$$')).to.equal(katex.renderToString('\\mu', { displayMode: true, throwOnError: false }));
    expect(renderLatex('\\sigma^2')).to.equal(katex.renderToString('\\sigma^2', { displayMode: true, throwOnError: false }));
    expect(renderLatex('variance $\\sigma^2$ of x')).to.contain('variance <span class="katex">');
  });
});

describe('book: outputs', () => {
  const nb = readNotebook(FIXTURE);
  const outputs: IOutput[] = nb.cells.flatMap((c) => (c.cell_type === 'code' ? (c as ICodeCell).outputs : []));

  it('draws a plotly figure from its JSON with the page plotly.js, numbered per page', () => {
    const ctx = newRenderContext({}, 'p');
    const html = renderOutput(outputs[2], ctx);
    expect(ctx.needsPlotly).to.equal(true);
    expect(html).to.contain('<div class="plot" id="p-1" style="min-height:300px"></div>');
    const call = /Plotly\.newPlot\("p-1", (.*?), (.*?), (.*?)\);<\/script>/.exec(html);
    expect(call, html).not.to.equal(null);
    expect(JSON.parse(call![1])).to.deep.equal([{ type: 'scatter', mode: 'lines', x: [0, 1, 2, 3], y: [0, 1, 4, 9], name: 'x²' }]);
    expect(JSON.parse(call![2])).to.deep.equal({ title: { text: 'Squares' }, height: 300 });
    expect(html).not.to.contain('genbook-plot-0123456789ab');
    renderOutput(outputs[2], ctx);
    expect(ctx.plots).to.equal(2);
  });

  it('escapes text, strips terminal colours, inlines images, renders Markdown and LaTeX outputs', () => {
    const ctx = newRenderContext();
    const html = outputs.map((o) => renderOutput(o, ctx)).join('\n');
    expect(html).to.contain('<div class="output stream stdout"><pre>hello &lt;world&gt; &amp; co\n</pre></div>');
    expect(html).to.contain('<div class="output stream stderr"><pre>careful\n</pre></div>');
    expect(html).to.match(/<img src="data:image\/png;base64,iVBORw0KGgo[A-Za-z0-9+/=]+" alt="output image">/);
    expect(html).to.contain('<div class="markdown"><p>The loss is <span class="katex">');
    expect(html).to.contain(katex.renderToString('\\mathbb{E}[x] = \\mu', { displayMode: true, throwOnError: false }));
    expect(html).to.contain('<pre class="text">&lt;not a tag&gt;</pre>');
    expect(html).to.contain('<div class="output error"><pre>ZeroDivisionError: division by zero</pre></div>');
  });

  it('prefers HTML to images to text, and removes an inlined plotly.js bundle from HTML', () => {
    const ctx = newRenderContext();
    expect(renderBundle({ 'text/html': '<b>x</b>', 'image/png': 'AAAA', 'text/plain': 'x' }, {}, ctx)).to.equal('<div class="html"><b>x</b></div>');
    expect(renderBundle({ 'image/png': 'AAAA', 'text/plain': 'x' }, { 'image/png': { width: 20 } }, ctx)).to.equal('<img src="data:image/png;base64,AAAA" width="20" alt="output image">');
    const bundle = `<script type="text/javascript">/* plotly.js */${'x'.repeat(300_000)}</script>`;
    const small = '<script>if(window.Plotly){draw();}</script>';
    expect(stripInlinePlotly(`${bundle}<div id="a"></div>${small}`)).to.equal(`<div id="a"></div>${small}`);
    const page = newRenderContext();
    renderBundle({ 'text/html': `<div></div><script>Plotly.newPlot('a', [])</script>` }, {}, page);
    expect(page.needsPlotly).to.equal(true);
  });
});

describe('book: exercises', () => {
  it('shows answer cells (tag "answer" or jupyter.source_hidden) collapsed in one closed <details>, with their outputs', () => {
    const md = (text: string, metadata: Record<string, unknown> = {}) => ({ cell_type: 'markdown' as const, id: `m${text.length}${Object.keys(metadata).length}`, metadata, source: text });
    const code = (text: string, metadata: Record<string, unknown>, out: string) => ({
      cell_type: 'code' as const, id: `c${text.length}`, metadata, source: text, execution_count: 1,
      outputs: [{ output_type: 'stream', name: 'stdout', text: out }],
    });
    const hidden = { tags: ['answer'], jupyter: { source_hidden: true, outputs_hidden: true } };
    const nb: INotebookContent = {
      nbformat: 4, nbformat_minor: 5, metadata: {},
      cells: [
        md('**Exercise 1.** Predict the entropy of a fair coin, then run the next cell.'),
        md('It is 1 bit: two equally likely outcomes.', hidden),
        code('console.log(1 + 1)', hidden, 'answer-output-2\n'),
        md('Between the exercises.'),
        code('console.log(3)', { jupyter: { source_hidden: true } }, 'plumbing-3\n'),
        md('The end.'),
      ] as ICell[],
    };
    expect(isCollapsed(nb.cells[0])).to.equal(false);
    expect(isCollapsed(nb.cells[1])).to.equal(true);
    expect(isCollapsed(nb.cells[4])).to.equal(true);
    const { html } = renderNotebookPage(nb, { title: 't', root: '', sourcePath: 'x.ipynb' });
    const answers = [...html.matchAll(/<details class="answer">([\s\S]*?)<\/details>/g)].map((m) => m[1]);
    expect(answers).to.have.length(1); // the Markdown answer and its code cell in one box
    expect(answers[0]).to.contain('<summary>Answer (click to show)</summary>');
    expect(answers[0]).to.contain('It is 1 bit');
    expect(answers[0]).to.contain('answer-output-2');
    expect(answers[0]).not.to.contain('Between the exercises');
    expect(html).not.to.match(/<details[^>]* open/); // closed until the reader opens it
    expect(html).to.match(/<details class="hidden-cells"><summary>Hidden cells \(click to show\)<\/summary>[\s\S]*plumbing-3[\s\S]*?<\/details>/);
    // Outside the boxes, in order.
    const outside = html.replace(/<details[\s\S]*?<\/details>/g, '');
    expect(outside).to.contain('Predict the entropy');
    expect(outside).not.to.contain('It is 1 bit');
    expect(outside.indexOf('Between the exercises')).to.be.lessThan(outside.indexOf('The end.'));
  });
});

describe('book: index, freshness and the site', function () {
  this.timeout(60_000);

  it('titles a notebook by its first heading and lists chapters in syllabus order', () => {
    expect(notebookTitle(readNotebook(FIXTURE), 'x')).to.equal('Book fixture · outputs');
    const html = renderIndex(
      [
        { file: '05-gan-minimax.ipynb', href: '05-gan-minimax.html', title: '05 · GAN minimax' },
        { file: '01-information-theory.ipynb', href: '01-information-theory.html', title: '01 · Information theory (정보이론)' },
        { file: 'zz-extra.ipynb', href: 'zz-extra.html', title: 'Extra', failed: true },
      ],
      [{ file: 'hw02.ipynb', href: 'homework/hw02.html', title: 'Homework 2' }],
      'built now',
    );
    const order = [...html.matchAll(/<span class="num">(\d\d)<\/span>/g)].map((m) => m[1]);
    expect(order).to.deep.equal(['00', '01', '02', '03', '04', '05', '06', '07', '08', '09', '10', '11', '12']);
    expect(html).to.contain('<a href="01-information-theory.html">Information theory (정보이론)</a>');
    expect(html.indexOf('01-information-theory.html')).to.be.lessThan(html.indexOf('05-gan-minimax.html'));
    expect(html).to.match(/<li class="coming"><span class="num">02<\/span> Loss functions and likelihood/);
    expect(html).to.contain('<a href="zz-extra.html">Extra</a> <span class="badge failed">');
    expect(html).to.contain('<a href="homework/hw02.html">hw02 · PCA and autoencoders</a>');
    expect(html).to.match(/<li class="coming">hw01 · information theory/);
  });

  it('reuses an executed copy only when it is newer than its sources, error-free and in a good mode', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-fresh-'));
    const source = path.join(dir, 'nb', '01-x.ipynb');
    const executed = path.join(dir, 'out', '01-x.ipynb');
    fs.mkdirSync(path.dirname(source), { recursive: true });
    fs.mkdirSync(path.dirname(executed), { recursive: true });
    const nb = readNotebook(FIXTURE);
    fs.writeFileSync(source, '{}');
    expect(staleReason(source, executed, { quick: true, dependencies: 0 })).to.equal('not executed yet');
    fs.writeFileSync(executed, JSON.stringify(nb));
    const t = Date.now() / 1000;
    fs.utimesSync(source, t - 100, t - 100);
    fs.utimesSync(executed, t - 50, t - 50);
    expect(staleReason(source, executed, { quick: true, dependencies: (t - 200) * 1000 })).to.equal(undefined);
    expect(staleReason(source, executed, { quick: false, dependencies: 0 })).to.equal('it ran in quick mode, the book is built in full mode');
    expect(staleReason(source, executed, { quick: true, dependencies: (t - 10) * 1000 })).to.equal('the library or kernel was rebuilt since it ran');
    fs.writeFileSync(path.join(dir, 'nb', 'helper.ts'), 'export {}');
    expect(staleReason(source, executed, { quick: true, dependencies: 0 })).to.equal('the library or kernel was rebuilt since it ran');
    fs.utimesSync(path.join(dir, 'nb', 'helper.ts'), t - 300, t - 300);
    fs.utimesSync(source, t, t);
    expect(staleReason(source, executed, { quick: true, dependencies: 0 })).to.equal('the notebook changed since it ran');
    fs.utimesSync(source, t - 100, t - 100);
    (nb.metadata as { genbook: { run: { errors: number } } }).genbook.run.errors = 1;
    fs.writeFileSync(executed, JSON.stringify(nb));
    fs.utimesSync(executed, t - 50, t - 50);
    expect(staleReason(source, executed, { quick: true, dependencies: 0 })).to.equal('it failed last time');
    fs.rmSync(dir, { recursive: true });
  });

  it('builds the site from fresh executed copies without running a kernel, and serves it', async () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-book-'));
    fs.mkdirSync(path.join(root, 'notebooks', 'homework'), { recursive: true });
    fs.mkdirSync(path.join(root, 'build', 'notebooks'), { recursive: true });
    const source = path.join(root, 'notebooks', '00-fixture.ipynb');
    const src = readNotebook(FIXTURE);
    fs.writeFileSync(source, JSON.stringify(src));
    fs.copyFileSync(FIXTURE, path.join(root, 'build', 'notebooks', '00-fixture.ipynb'));
    const t = Date.now() / 1000;
    fs.utimesSync(source, t - 60, t - 60);
    const handout = readNotebook(FIXTURE);
    for (const c of handout.cells) if (c.cell_type === 'code') Object.assign(c, { outputs: [], execution_count: null });
    fs.writeFileSync(path.join(root, 'notebooks', 'homework', 'hw01.ipynb'), JSON.stringify(handout));
    fs.writeFileSync(path.join(root, 'notebooks', 'GLOSSARY.md'), '# Glossary\n\n| 한국어 | English |\n| --- | --- |\n| 엔트로피 | entropy |\n');
    fs.writeFileSync(path.join(root, 'notebooks', 'REFERENCES.md'), '# References\n\n- Ho, Jain & Abbeel 2020 — DDPM: <https://arxiv.org/abs/2006.11239>\n');
    const lines: string[] = [];
    const result = await buildBook({ root, quick: true, log: (l) => lines.push(l) });
    expect(lines[0]).to.equal('00-fixture.ipynb: reusing build/notebooks/00-fixture.ipynb');
    expect(result.runResults).to.deep.equal([]);
    expect(result.pages.map((p) => [path.relative(result.outDir, p.page), p.origin, p.plots])).to.deep.equal([
      ['00-fixture.html', 'reused', true],
      [path.join('homework', 'hw01.html'), 'source', false],
    ]);
    const files = (d: string): string[] => fs.readdirSync(path.join(result.outDir, d)).sort();
    expect(files('.')).to.deep.equal(['00-fixture.html', 'assets', 'glossary.html', 'homework', 'index.html', 'references.html']);
    expect(files('assets')).to.deep.equal(['book.css', 'fonts', 'highlight', 'katex', 'plotly.min.js']);
    // Noto Sans KR, weights 400 and 700: every woff2 its CSS names is there, nothing else.
    const fontCss = fs.readFileSync(path.join(result.outDir, 'assets', 'fonts', 'noto-sans-kr.css'), 'utf8');
    const named = [...fontCss.matchAll(/url\(\.\/noto-sans-kr\/([^)]+)\)/g)].map((m) => m[1]).sort();
    expect(named.length).to.be.greaterThan(100);
    expect(new Set(fontCss.match(/font-weight: \d+/g))).to.deep.equal(new Set(['font-weight: 400', 'font-weight: 700']));
    expect(fontCss).not.to.contain('.woff)');
    expect(files('assets/fonts/noto-sans-kr')).to.deep.equal(named);
    expect(files('assets/katex/fonts').filter((f) => f.endsWith('.woff2')).length).to.be.greaterThan(10);
    const page = fs.readFileSync(path.join(result.outDir, '00-fixture.html'), 'utf8');
    expect(page).to.contain('<script src="assets/plotly.min.js"></script>');
    expect(page).to.contain('href="assets/katex/katex.min.css"');
    expect(page).to.contain('href="assets/fonts/noto-sans-kr.css"');
    expect(page, 'nothing is loaded from the network').not.to.match(/(src|href)="https?:\/\/(?!example\.org)/);
    expect(page).to.contain('executed 2024-01-01 00:00 UTC in quick mode (1.5 s)');
    const homework = fs.readFileSync(path.join(result.outDir, 'homework', 'hw01.html'), 'utf8');
    expect(homework).to.contain('href="../assets/book.css"');
    expect(homework).to.contain('not executed');
    expect(homework).to.contain('<a class="prev" rel="prev" href="../00-fixture.html">');
    expect(homework).not.to.contain('plotly.min.js');
    expect(fs.readFileSync(path.join(result.outDir, 'glossary.html'), 'utf8')).to.contain('<td>엔트로피</td>');
    expect(fs.readFileSync(path.join(result.outDir, 'references.html'), 'utf8')).to.contain('<a href="https://arxiv.org/abs/2006.11239">');

    const server = await serveBook(result.outDir);
    try {
      const index = await get(server.url);
      expect([index.status, index.type]).to.deep.equal([200, 'text/html; charset=utf-8']);
      expect(index.body).to.contain('<a href="00-fixture.html">Book fixture · outputs</a>');
      expect((await get(`${server.url}assets/book.css`)).type).to.equal('text/css; charset=utf-8');
      expect((await get(`${server.url}missing.html`)).status).to.equal(404);
      expect((await get(`${server.url}..%2F..%2Fetc%2Fpasswd`)).status).to.be.oneOf([403, 404]);
    } finally {
      await server.close();
    }
    fs.rmSync(root, { recursive: true });
  });

  it('serves a file replaced while it is read whole, old or new, never a mix', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-serve-'));
    const file = path.join(dir, 'status.json');
    const versions = [JSON.stringify({ v: 'short' }), JSON.stringify({ v: 'long'.repeat(20_000) })];
    fs.writeFileSync(file, versions[0]);
    const server = await serveBook(dir);
    let writes = 0;
    const writer = setInterval(() => {
      fs.writeFileSync(`${file}.tmp`, versions[++writes % 2]);
      fs.renameSync(`${file}.tmp`, file); // as the live book replaces status.json and its pages
    }, 1);
    try {
      for (let i = 0; i < 150; i++) {
        const r = await get(`${server.url}status.json`);
        expect(versions).to.include(r.body);
      }
      expect(writes).to.be.greaterThan(10);
    } finally {
      clearInterval(writer);
      await server.close();
      fs.rmSync(dir, { recursive: true });
    }
  });

  it('never serves a file outside the book folder', () => {
    expect(resolveRequest('/srv/book', '/a/b.html')).to.equal('/srv/book/a/b.html');
    expect(resolveRequest('/srv/book', '/')).to.equal('/srv/book/index.html');
    expect(resolveRequest('/srv/book', '/../../etc/passwd')).to.equal('/srv/book/etc/passwd');
    expect(resolveRequest('/srv/book', '/%2e%2e/%2e%2e/etc/passwd')).to.equal('/srv/book/etc/passwd');
    expect(resolveRequest('/srv/book', '/%E0%A4%A')).to.equal(undefined);
  });

  it('npm start opens Jupyter when it is installed, and serves the book when it is not', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'genbook-start-'));
    const bin = path.join(dataDir, 'bin');
    fs.mkdirSync(bin);
    const none = planStart('/r', dataDir, path.join(dataDir, 'empty'));
    expect(none.launch).to.equal(undefined);
    expect(none.serveBook).to.equal(true);
    fs.writeFileSync(path.join(bin, 'jupyter-lab'), '#!/bin/sh\n', { mode: 0o755 });
    const lab = planStart('/r', dataDir, bin);
    expect(lab.launch?.command).to.equal(path.join(bin, 'jupyter-lab'));
    expect(lab.serveBook).to.equal(undefined);
    fs.rmSync(dataDir, { recursive: true });
  });
});
