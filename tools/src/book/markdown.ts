/**
 * Markdown to HTML for the book, as Jupyter shows Markdown cells: CommonMark with raw HTML
 * (markdown-it), math typeset on the server by KaTeX ($…$ inline, $$…$$ display, bare
 * \begin{…}…\end{…} blocks; the @vscode/markdown-it-katex rules, which follow pandoc's), fenced
 * code highlighted by highlight.js, links to other notebooks and to the course documents pointed at
 * their pages.
 */
import MarkdownIt from 'markdown-it';
import markdownItKatex from '@vscode/markdown-it-katex';
import katex from 'katex';
import { highlight } from './highlight';

/** The Markdown documents in notebooks/ that the book renders as pages of their own, in index order. */
export const BOOK_DOCUMENTS: readonly { file: string; page: string; name: string; title: string }[] = [
  { file: 'GLOSSARY.md', page: 'glossary.html', name: 'Glossary', title: 'Glossary (용어집): Korean ↔ English terms' },
  { file: 'REFERENCES.md', page: 'references.html', name: 'References', title: 'References: the lectures and papers the course cites' },
];

let renderer: MarkdownIt.MarkdownIt | undefined;

function markdownIt(): MarkdownIt.MarkdownIt {
  if (renderer) return renderer;
  const md = new MarkdownIt({
    html: true,
    linkify: false,
    typographer: false,
    highlight: (code, lang) => highlight(code, lang || 'plaintext'),
  });
  md.use(markdownItKatex, { katex, throwOnError: false, enableBareBlocks: true, enableFencedBlocks: true });
  // Links to notebooks (`02-likelihood.ipynb`, `../notebooks/02-likelihood.ipynb#x`) and to the
  // course documents (`REFERENCES.md`, `../GLOSSARY.md`) go to their pages.
  const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
  md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
    const attr = tokens[idx].attrGet('href');
    const href = attr === null ? undefined : String(attr);
    if (href && !/^[a-z]+:/i.test(href)) {
      const m = /^(?:.*\/)?([^/#?]+)\.ipynb(#.*)?$/.exec(href);
      if (m) tokens[idx].attrSet('href', `${pageLinkPrefix(env)}${m[1]}.html${m[2] ?? ''}`);
      const doc = /^(?:.*\/)?([^/#?]+)\.md(#.*)?$/.exec(href);
      const page = doc && BOOK_DOCUMENTS.find((d) => d.file === `${doc[1]}.md`);
      if (doc && page) tokens[idx].attrSet('href', `${pageLinkPrefix(env)}${page.page}${doc[2] ?? ''}`);
    }
    return defaultLinkOpen(tokens, idx, options, env, self);
  };
  renderer = md;
  return md;
}

export interface MarkdownEnv {

  /** Relative path from the page to the book's root ('' or '../'). */
  root?: string;
  /** Cell attachments: `attachment:name` image sources become data URLs. */
  attachments?: Record<string, Record<string, string>>;
}

function pageLinkPrefix(env: unknown): string {
  return (env as MarkdownEnv | undefined)?.root ?? '';
}

/** Render Markdown (a cell's source or a text/markdown output) to HTML. */
export function renderMarkdown(source: string, env: MarkdownEnv = {}): string {
  let text = source;
  if (env.attachments) {
    text = text.replace(/attachment:([^\s)"']+)/g, (whole, name: string) => {
      const bundle = env.attachments?.[name];
      const mime = bundle && Object.keys(bundle)[0];
      return mime ? `data:${mime};base64,${String(bundle[mime]).replace(/\s/g, '')}` : whole;
    });
  }
  return markdownIt().render(text, { ...env });
}

/** Typeset LaTeX (a text/latex output): `$$…$$`/`$…$`/`\[…\]` wrappers removed, display mode. */
export function renderLatex(source: string): string {
  const trimmed = source.trim();
  const wrapped = /^\$\$([^]*)\$\$$/.exec(trimmed) ?? /^\\\[([^]*)\\\]$/.exec(trimmed) ?? /^\$([^$]*)\$$/.exec(trimmed);
  const tex = wrapped ? wrapped[1] : trimmed;
  if (!wrapped && /\$/.test(trimmed)) return renderMarkdown(trimmed); // text with inline math
  return katex.renderToString(tex, { displayMode: true, throwOnError: false });
}
