/**
 * Markdown, LaTeX and raw HTML outputs. `text/plain` carries the source, so a front end without a
 * renderer still shows it.
 *
 * ```ts
 * viz.markdown(`**KL** = ${kl.toFixed(4)} nats`)
 * viz.latex(String.raw`D_{\mathrm{KL}}(p \,\|\, q) = \sum_x p(x) \log \frac{p(x)}{q(x)}`)
 * ```
 *
 * @see notebooks/00-getting-started
 */
import { DISPLAY, type Displayable, type MimeBundle } from './protocol';

/** Markdown text. */
export class Markdown implements Displayable {
  constructor(readonly source: string) {
    if (typeof source !== 'string') throw new RangeError('markdown: source must be a string');
  }
  [DISPLAY](): MimeBundle {
    return { 'text/markdown': this.source, 'text/plain': this.source };
  }
}

/** A LaTeX formula (display math unless `inline`). */
export class Latex implements Displayable {
  constructor(readonly expression: string, readonly inline = false) {
    if (typeof expression !== 'string') throw new RangeError('latex: expression must be a string');
  }
  /** The formula with math delimiters (`$$…$$`, or `$…$` inline), as `text/latex` carries it. */
  delimited(): string {
    const e = this.expression.trim();
    if (/^\$|^\\\[|^\\\(|^\\begin\{/.test(e)) return e;
    return this.inline ? `$${e}$` : `$$${e}$$`;
  }
  [DISPLAY](): MimeBundle {
    return { 'text/latex': this.delimited(), 'text/plain': this.expression };
  }
}

/** Raw HTML (shown as is; `text` is its plain-text stand-in). */
export class Html implements Displayable {
  constructor(readonly source: string, readonly text = source.replace(/<[^>]*>/g, '')) {
    if (typeof source !== 'string') throw new RangeError('html: source must be a string');
  }
  [DISPLAY](): MimeBundle {
    return { 'text/html': this.source, 'text/plain': this.text };
  }
}

/** Markdown output. */
export function markdown(source: string): Markdown {
  return new Markdown(source);
}

/** LaTeX output; without delimiters the expression is shown as display math. */
export function latex(expression: string, options: { inline?: boolean } = {}): Latex {
  return new Latex(expression, options.inline ?? false);
}

/** Raw HTML output. */
export function html(source: string, text?: string): Html {
  return new Html(source, text);
}
