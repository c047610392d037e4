/**
 * A 3×5 pixel bitmap font for labels drawn into PNG image grids (digits, Latin letters — lower
 * case drawn as upper case — and common punctuation). Drawn for this project; scaled up by an
 * integer factor when drawn.
 */

/** Glyph height and width in font pixels, and the advance (width + 1 pixel of spacing). */
export const GLYPH_HEIGHT = 5;
export const GLYPH_WIDTH = 3;
export const GLYPH_ADVANCE = 4;

const GLYPHS: Record<string, string> = {
  '0': '### #.# #.# #.# ###', '1': '.#. ##. .#. .#. ###', '2': '##. ..# .#. #.. ###', '3': '##. ..# .#. ..# ##.',
  '4': '#.# #.# ### ..# ..#', '5': '### #.. ##. ..# ##.', '6': '.## #.. ### #.# ###', '7': '### ..# .#. .#. .#.',
  '8': '### #.# ### #.# ###', '9': '### #.# ### ..# ##.',
  A: '.#. #.# ### #.# #.#', B: '##. #.# ##. #.# ##.', C: '.## #.. #.. #.. .##', D: '##. #.# #.# #.# ##.',
  E: '### #.. ##. #.. ###', F: '### #.. ##. #.. #..', G: '.## #.. #.# #.# .##', H: '#.# #.# ### #.# #.#',
  I: '### .#. .#. .#. ###', J: '..# ..# ..# #.# .#.', K: '#.# #.# ##. #.# #.#', L: '#.. #.. #.. #.. ###',
  M: '#.# ### #.# #.# #.#', N: '##. #.# #.# #.# #.#', O: '.#. #.# #.# #.# .#.', P: '##. #.# ##. #.. #..',
  Q: '.#. #.# #.# ##. .##', R: '##. #.# ##. #.# #.#', S: '.## #.. .#. ..# ##.', T: '### .#. .#. .#. .#.',
  U: '#.# #.# #.# #.# ###', V: '#.# #.# #.# #.# .#.', W: '#.# #.# ### ### #.#', X: '#.# #.# .#. #.# #.#',
  Y: '#.# #.# .#. .#. .#.', Z: '### ..# .#. #.. ###',
  ' ': '... ... ... ... ...', '.': '... ... ... ... .#.', ',': '... ... ... .#. #..', ':': '... .#. ... .#. ...',
  ';': '... .#. ... .#. #..', '-': '... ... ### ... ...', '+': '... .#. ### .#. ...', '=': '... ### ... ### ...',
  '/': '..# ..# .#. #.. #..', '(': '.#. #.. #.. #.. .#.', ')': '.#. ..# ..# ..# .#.', '[': '##. #.. #.. #.. ##.',
  ']': '.## ..# ..# ..# .##', '%': '#.# ..# .#. #.. #.#', '_': '... ... ... ... ###', '!': '.#. .#. .#. ... .#.',
  '?': '##. ..# .#. ... .#.', "'": '.#. .#. ... ... ...', '"': '#.# #.# ... ... ...', '<': '..# .#. #.. .#. ..#',
  '>': '#.. .#. ..# .#. #..', '*': '... #.# .#. #.# ...', '#': '#.# ### #.# ### #.#', '|': '.#. .#. .#. .#. .#.',
};

/** The glyph of `char` as rows of booleans (true = ink); unknown characters draw as '?'. */
export function glyph(char: string): boolean[][] {
  const key = GLYPHS[char] !== undefined ? char : GLYPHS[char.toUpperCase()] !== undefined ? char.toUpperCase() : '?';
  const rows = GLYPHS[key].split(' ');
  return rows.map((row) => [...row].map((c) => c === '#'));
}

/** Width in font pixels of `text` drawn with this font (no trailing spacing). */
export function textWidth(text: string): number {
  return text.length === 0 ? 0 : text.length * GLYPH_ADVANCE - 1;
}
