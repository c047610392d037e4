/**
 * Huffman coding (Huffman 1952): the prefix-free binary code with the smallest average length for
 * given symbol frequencies. Its average length L satisfies H ≤ L < H + 1 (H the entropy in bits).
 *
 * Tie-breaking is deterministic: nodes are ordered by (weight, creation order), leaves created
 * first in the key order of `freqs`, merged nodes after them in merge order. Each step takes the
 * two first nodes; the first gets bit 0, the second bit 1. The same frequencies therefore always
 * give the same code.
 *
 * @see notebooks/01-information-theory
 */
import { Code, frequencyEntries, Frequencies } from './code';

interface Node {
  weight: number;
  order: number;
  symbols: string[];
}

/**
 * A Huffman code: symbol → codeword. Symbols with frequency 0 are kept (they get the longest
 * codewords) so every symbol of the alphabet can still be encoded. A single symbol gets '0'.
 *
 * @throws RangeError when `freqs` is empty, has a negative or non-finite frequency, or totals 0.
 */
export function huffmanCode(freqs: Frequencies): Code {
  const entries = frequencyEntries(freqs);
  if (!(entries.reduce((s, [, w]) => s + w, 0) > 0)) {
    throw new RangeError('freqs must have a positive total');
  }
  const code: Record<string, string> = {};
  for (const [s] of entries) code[s] = '';
  if (entries.length === 1) {
    code[entries[0][0]] = '0';
    return code;
  }
  let nodes: Node[] = entries.map(([s, w], i) => ({ weight: w, order: i, symbols: [s] }));
  let nextOrder = entries.length;
  const before = (a: Node, b: Node) => a.weight < b.weight || (a.weight === b.weight && a.order < b.order);
  const takeFirst = (): Node => {
    let best = 0;
    for (let i = 1; i < nodes.length; i++) if (before(nodes[i], nodes[best])) best = i;
    const [node] = nodes.splice(best, 1);
    return node;
  };
  while (nodes.length > 1) {
    const zero = takeFirst();
    const one = takeFirst();
    // Codewords grow from the leaf upwards: prepend this merge's bit.
    for (const s of zero.symbols) code[s] = '0' + code[s];
    for (const s of one.symbols) code[s] = '1' + code[s];
    nodes = nodes.concat({ weight: zero.weight + one.weight, order: nextOrder++, symbols: zero.symbols.concat(one.symbols) });
  }
  return code;
}
