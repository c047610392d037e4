#!/usr/bin/env node
// Authoring aid: convert a "percent" script (cells separated by `// %%` lines, Markdown cells by
// `// %% [markdown]` with each line starting `// `) into a clean nbformat 4.5 notebook on the
// genbook kernel. Usage: node tools/scripts/percent-to-ipynb.mjs in.ts out.ipynb
import fs from 'fs';
import crypto from 'crypto';
const [input, output] = process.argv.slice(2);
if (!input || !output) { console.error('usage: percent-to-ipynb.mjs in.ts out.ipynb'); process.exit(2); }
const lines = fs.readFileSync(input, 'utf8').split('\n');
const cells = [];
let cur = null;
for (const line of lines) {
  const m = /^\/\/ %%(.*)$/.exec(line);
  if (m) { if (cur) cells.push(cur); cur = { kind: m[1].includes('[markdown]') ? 'markdown' : 'code', lines: [] }; continue; }
  if (!cur) continue;
  cur.lines.push(cur.kind === 'markdown' ? line.replace(/^\/\/ ?/, '') : line);
}
if (cur) cells.push(cur);
const nb = {
  cells: cells.map((c, i) => {
    while (c.lines.length && c.lines[c.lines.length - 1].trim() === '') c.lines.pop();
    while (c.lines.length && c.lines[0].trim() === '') c.lines.shift();
    const source = c.lines.map((l, j) => (j < c.lines.length - 1 ? l + '\n' : l));
    const id = crypto.createHash('sha1').update(`${output}:${i}`).digest('hex').slice(0, 8);
    return c.kind === 'markdown'
      ? { cell_type: 'markdown', id, metadata: {}, source }
      : { cell_type: 'code', execution_count: null, id, metadata: {}, outputs: [], source };
  }),
  metadata: {
    kernelspec: { display_name: 'TypeScript (genbook)', language: 'typescript', name: 'genbook' },
    language_info: { codemirror_mode: { mode: 'typescript', name: 'javascript', typescript: true }, file_extension: '.ts', mimetype: 'text/typescript', name: 'typescript', version: '5.0.4' },
  },
  nbformat: 4,
  nbformat_minor: 5,
};
fs.writeFileSync(output, JSON.stringify(nb, null, 1) + '\n');
console.log(`${output}: ${nb.cells.length} cells`);
