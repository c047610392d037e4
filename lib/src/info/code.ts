/**
 * Binary codes as in lecture 000's storage example: a code maps each symbol to a codeword of 0s
 * and 1s (`{ A: '0', B: '1', C: '10', … }`). This file has what the lecture does with such a code:
 * encode a message, list every way a bit string can be read back (`decodeAll`), test whether the
 * code is prefix-free, the Kraft sum Σ 2^−ℓ, and the average code length Σ p(s)·ℓ(s).
 *
 * A prefix-free code is uniquely decodable; every uniquely decodable code satisfies the Kraft
 * inequality Σ 2^−ℓ ≤ 1 (Kraft 1949, McMillan 1956), and its average length is at least the
 * entropy H (Shannon's source coding theorem).
 *
 * @see notebooks/01-information-theory
 */
import { normalize } from './distribution';

/** symbol → codeword (a non-empty string of '0' and '1'). */
export type Code = Readonly<Record<string, string>>;

/** symbol → frequency (counts or probabilities, non-negative). Key order is symbol order. */
export type Frequencies = Readonly<Record<string, number>> | ReadonlyMap<string, number>;

/** The entries of a frequency table as [symbol, weight] pairs in symbol order. */
export function frequencyEntries(freqs: Frequencies, argName = 'freqs'): [string, number][] {
  if (freqs == null || typeof freqs !== 'object') {
    throw new RangeError(`${argName} must be a symbol → frequency object or Map; got ${String(freqs)}`);
  }
  const entries: [string, number][] =
    freqs instanceof Map ? [...(freqs as ReadonlyMap<string, number>).entries()] : Object.entries(freqs);
  if (entries.length === 0) throw new RangeError(`${argName} must have at least one symbol`);
  for (const [s, w] of entries) {
    if (typeof w !== 'number' || !Number.isFinite(w) || w < 0) {
      throw new RangeError(`${argName}[${JSON.stringify(s)}] must be a finite frequency >= 0; got ${w}`);
    }
  }
  return entries;
}

/** Throws a RangeError naming `argName` unless every codeword is a non-empty string of 0/1. */
export function checkCode(code: Code, argName = 'code'): [string, string][] {
  if (code == null || typeof code !== 'object') {
    throw new RangeError(`${argName} must be a symbol → codeword object; got ${String(code)}`);
  }
  const entries = Object.entries(code);
  if (entries.length === 0) throw new RangeError(`${argName} must have at least one symbol`);
  for (const [s, w] of entries) {
    if (typeof w !== 'string' || !/^[01]+$/.test(w)) {
      throw new RangeError(`${argName}[${JSON.stringify(s)}] must be a non-empty string of 0 and 1; got ${JSON.stringify(w)}`);
    }
  }
  return entries;
}

function checkBits(bits: string): void {
  if (typeof bits !== 'string' || !/^[01]*$/.test(bits)) {
    throw new RangeError(`bits must be a string of 0 and 1; got ${JSON.stringify(bits)}`);
  }
}

/** Encodes a message (a string of one-character symbols, or an array of symbols) with `code`. */
export function encode(code: Code, message: string | readonly string[]): string {
  checkCode(code);
  const symbols = typeof message === 'string' ? [...message] : message;
  return symbols
    .map((s, i) => {
      if (!Object.prototype.hasOwnProperty.call(code, s)) {
        throw new RangeError(`message[${i}] = ${JSON.stringify(s)} has no codeword in code`);
      }
      return code[s];
    })
    .join('');
}

/** How many ways `bits` splits into codewords of `code` (dynamic programming, no enumeration). */
export function countParses(code: Code, bits: string): number {
  const entries = checkCode(code);
  checkBits(bits);
  const n = bits.length;
  const ways = new Float64Array(n + 1);
  ways[n] = 1;
  for (let i = n - 1; i >= 0; i--) {
    for (const [, w] of entries) if (bits.startsWith(w, i)) ways[i] += ways[i + w.length];
  }
  return ways[0];
}

/**
 * Every way to read `bits` as a sequence of codewords of `code`, each parse a list of symbols.
 * One parse means the string is unambiguous; a code for which some string has two parses is not
 * uniquely decodable. Parses are listed in a fixed order: at each position the code's symbols are
 * tried in their key order.
 *
 * @param options.limit the most parses to enumerate (default 100 000); more is a RangeError
 *   (use `countParses` to count them).
 */
export function decodeAll(code: Code, bits: string, options: { limit?: number } = {}): string[][] {
  const entries = checkCode(code);
  checkBits(bits);
  const limit = options.limit ?? 100_000;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError(`limit must be a positive integer; got ${limit}`);
  const total = countParses(code, bits);
  if (total > limit) {
    throw new RangeError(`bits has ${total} parses, more than limit = ${limit}; raise limit or use countParses`);
  }
  const parses: string[][] = [];
  const current: string[] = [];
  const walk = (pos: number): void => {
    if (pos === bits.length) {
      parses.push(current.slice());
      return;
    }
    for (const [s, w] of entries) {
      if (bits.startsWith(w, pos)) {
        current.push(s);
        walk(pos + w.length);
        current.pop();
      }
    }
  };
  walk(0);
  return parses;
}

/**
 * True when no codeword is a prefix of another (and no two symbols share a codeword). A
 * prefix-free (instantaneous) code can be decoded left to right without looking ahead.
 */
export function isPrefixFree(code: Code): boolean {
  const words = checkCode(code)
    .map(([, w]) => w)
    .sort();
  // After sorting, if some word is a prefix of another, it is a prefix of its successor.
  for (let i = 0; i + 1 < words.length; i++) if (words[i + 1].startsWith(words[i])) return false;
  return true;
}

/**
 * The Kraft sum Σ D^−ℓ over the codewords of `code` (or over a list of codeword lengths), D = 2 by
 * default. A prefix-free code with these lengths exists exactly when the sum is ≤ 1 (Kraft), and
 * any uniquely decodable code has sum ≤ 1 (McMillan).
 */
export function kraftSum(codeOrLengths: Code | readonly number[], radix = 2): number {
  if (!Number.isInteger(radix) || radix < 2) throw new RangeError(`radix must be an integer >= 2; got ${radix}`);
  let lengths: number[];
  if (Array.isArray(codeOrLengths)) {
    lengths = (codeOrLengths as readonly number[]).map((l, i) => {
      if (!Number.isInteger(l) || l < 1) throw new RangeError(`lengths[${i}] must be an integer >= 1; got ${l}`);
      return l;
    });
  } else {
    lengths = checkCode(codeOrLengths as Code, 'code').map(([, w]) => w.length);
  }
  return lengths.reduce((sum, l) => sum + Math.pow(radix, -l), 0);
}

/**
 * The average code length Σ p(s)·ℓ(s) in binary digits per symbol, with p the normalised
 * frequencies `freqs` (counts or probabilities). Every symbol with positive frequency needs a
 * codeword; symbols of the code missing from `freqs` have frequency 0.
 */
export function averageCodeLength(code: Code, freqs: Frequencies): number {
  checkCode(code);
  const entries = frequencyEntries(freqs);
  const p = normalize(entries.map(([, w]) => w), 'freqs');
  let total = 0;
  entries.forEach(([s], i) => {
    if (p[i] === 0) return;
    if (!Object.prototype.hasOwnProperty.call(code, s)) {
      throw new RangeError(`freqs has symbol ${JSON.stringify(s)} with frequency > 0 but code has no codeword for it`);
    }
    total += p[i] * code[s].length;
  });
  return total;
}
