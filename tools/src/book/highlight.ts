/** Syntax highlighting for the book's code cells and fenced code, by highlight.js on the server. */
import hljs from 'highlight.js';

/** HTML-escape text for element content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** `code` as highlighted HTML (spans with hljs classes); unknown languages are only escaped. */
export function highlight(code: string, language: string): string {
  const lang = language === 'ts' ? 'typescript' : language;
  if (hljs.getLanguage(lang)) return hljs.highlight(code, { language: lang, ignoreIllegals: true }).value;
  return escapeHtml(code);
}
