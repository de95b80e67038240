import { checkText } from '../internal/options.js';

/**
 * How alike two texts are, from 0 (nothing in common) to 1 (the same words in the same order):
 * `(k - d) / k`, where `d` is the word-level edit distance between the texts' word sequences
 * (`m`, `n` words) and `k = max(m, n)`; exact, so 8 edits in 25 words is 0.68, meeting a
 * threshold of 0.68. Words are runs of letters (with their combining marks) and digits, compared
 * case-insensitively after NFC normalisation (a composed and a decomposed `é` are equal; `İ` is
 * `i`, so "İstanbul" and "istanbul" are equal, as "ISTANBUL" and "istanbul" are);
 * punctuation and whitespace are ignored, so "Paris." and "paris" are the same answer. A text
 * with Chinese, Japanese, Thai, Lao, Khmer or Myanmar script, which put no space between words,
 * is split into words by `Intl.Segmenter` (granularity `word`, given 500 letters at a time, so a
 * word across a seam of a longer run counts as two; where a runtime lacks it, each run of
 * letters is one word, as before); that costs tens of milliseconds on 16,000 characters,
 * against well under one for text with spaces, which never goes through it.
 *
 *   textSimilarity('The quick brown fox', 'the quick brown dog')   // 0.75: one word of four differs
 *
 * Linear memory and O(m·n/32) time over words rather than characters: each distinct word is
 * interned to an integer once, and the distance is computed bit-parallel (Myers/Hyyrö), 32 cells
 * per operation. Two 16,000-character texts (about 4,000 words each) compare in a few
 * milliseconds with a few kilobytes, where L0's full character matrix takes 256 million cells
 * (13 s, 3 GB). Two texts without words (only punctuation, symbols or emoji) are compared the
 * same way symbol by symbol (non-space characters), so "..." and "!!!" are unlike (0) and "..."
 * and ". . ." alike (1); two empty texts are alike (1), a text without words and one with words
 * unlike (0). A text that is not a string is a TypeError naming it.
 *
 * @example
 * import { textSimilarity } from 'l0-rx';
 * textSimilarity('Paris.', 'paris'); // 1
 * @see {@link consensus}
 * @param a One text.
 * @param b The other.
 * @returns A number in [0, 1].
 */
export function textSimilarity(a: string, b: string): number {
  checkText('textSimilarity(a)', a);
  checkText('textSimilarity(a, b)', b);
  const ids = new Map<string, number>();
  let x = wordIds(a, WORD, ids);
  let y = wordIds(b, WORD, ids);
  // no words on either side: "..." and "!!!", or 👍 and 👎, are not the same answer: compare their symbols
  if (x.length === 0 && y.length === 0) [x, y] = [wordIds(a, SYMBOL, ids), wordIds(b, SYMBOL, ids)];
  if (x.length < y.length) [x, y] = [y, x]; // x the longer, y the pattern
  if (x.length === 0) return 1;
  if (y.length === 0) return 0;
  // not 1 - d / k, rounded twice: 1 - 8 / 25 is 0.6799999999999999, below a threshold of 0.68
  return (x.length - editDistance(x, y, new Int32Array(ids.size))) / x.length;
}

/**
 * The mark of {@link textSimilarity}: `consensus` tells the default from a custom similarity by it,
 * not by identity, so the textSimilarity of another copy of the package (the ESM and the CJS build
 * loaded side by side) is the default too. Registered (`Symbol.for`) so every copy agrees.
 */
const DEFAULT = /*#__PURE__*/ Symbol.for('l0-rx.textSimilarity.v1');
Object.defineProperty(textSimilarity, DEFAULT, { value: true });

/** True for {@link textSimilarity} from any copy of the package. @internal */
export const isTextSimilarity = (fn: unknown): boolean => typeof fn === 'function' && (fn as unknown as Record<symbol, unknown>)[DEFAULT] === true;

/**
 * Edit distance between two id sequences (`x` at least as long as `y`, `y` not empty) by Myers'
 * bit-parallel algorithm in Hyyrö's multi-block form, as in the `fastest-levenshtein` package:
 * the pattern `y` in blocks of 32 bits, `x` scanned once per block, so O(|x|·|y|/32) time and
 * O(|x|/32 + vocabulary) memory. `peq` (one int per distinct id) must be all zeros; it is left so.
 */
function editDistance(x: Int32Array, y: Int32Array, peq: Int32Array): number {
  const n = x.length;
  const m = y.length;
  const phc = new Int32Array(Math.ceil(n / 32)).fill(-1);
  const mhc = new Int32Array(Math.ceil(n / 32));
  const blocks = Math.ceil(m / 32);
  let score = m;
  for (let j = 0; j < blocks; j++) {
    const start = j * 32;
    const end = Math.min(start + 32, m);
    const last = j === blocks - 1;
    for (let k = start; k < end; k++) peq[y[k]!]! |= 1 << k;
    let mv = 0;
    let pv = -1;
    for (let i = 0; i < n; i++) {
      const eq = peq[x[i]!]!;
      const h = (i / 32) | 0;
      const pb = (phc[h]! >>> i) & 1;
      const mb = (mhc[h]! >>> i) & 1;
      const xv = eq | mv;
      const xh = ((((eq | mb) & pv) + pv) ^ pv) | eq | mb;
      let ph = mv | ~(xh | pv);
      let mh = pv & xh;
      if (last) score += ((ph >>> (m - 1)) & 1) - ((mh >>> (m - 1)) & 1);
      if ((ph >>> 31) ^ pb) phc[h]! ^= 1 << i;
      if ((mh >>> 31) ^ mb) mhc[h]! ^= 1 << i;
      ph = (ph << 1) | pb;
      mh = (mh << 1) | mb;
      pv = mh | ~(xv | ph);
      mv = ph & xv;
    }
    for (let k = start; k < end; k++) peq[y[k]!] = 0;
  }
  return score;
}

/* Letters with their combining marks (NFD accents, Indic vowel signs) and digits. */
const WORD = /[\p{L}\p{N}][\p{L}\p{M}\p{N}]*/gu;
/* For texts without words: each non-space character with its combining marks. */
const SYMBOL = /[^\s\p{M}]\p{M}*/gu;

/* Scripts written without spaces between words (Chinese, Japanese, Thai, Lao, Khmer, Myanmar). */
const UNSPACED = /[\p{sc=Han}\p{sc=Hiragana}\p{sc=Katakana}\p{sc=Thai}\p{sc=Lao}\p{sc=Khmer}\p{sc=Myanmar}]/u;

/* What Intl.Segmenter is given at once: up to 500 letters, each with its combining marks. */
const PIECE = /(?:\P{M}\p{M}*){1,500}/gu;

function wordIds(text: string, token: RegExp, ids: Map<string, number>): Int32Array {
  // 'İ' lower-cases to 'i' and a combining dot: 'İstanbul' is 'istanbul', as 'ISTANBUL' is
  const runs = text.normalize('NFC').toLowerCase().replace(/i\u0307/g, 'i').match(token) ?? [];
  // a run of such a script is one regex word: split at the word boundaries Intl.Segmenter finds, where
  // there is one, in pieces of at most 500 letters: its cost grows faster than the length of what it is
  // given (a 66,000-letter Thai run took 35 s, its 500-letter pieces 40 ms)
  const seg = UNSPACED.test(text) && typeof Intl.Segmenter === 'function' ? new Intl.Segmenter(undefined, { granularity: 'word' }) : undefined;
  const words = seg ? runs.flatMap((w) => (UNSPACED.test(w) ? w.match(PIECE)!.flatMap((p) => Array.from(seg.segment(p), (s) => s.segment)) : w)) : runs;
  const out = new Int32Array(words.length);
  words.forEach((w, i) => {
    let id = ids.get(w);
    if (id === undefined) ids.set(w, (id = ids.size));
    out[i] = id;
  });
  return out;
}
