/* The per-code-unit pieces of {@link RepetitionCheck}'s sentence keys: two hash steps, a class table for ASCII, wide whitespace and lower case. */

/** FNV-1a's offset basis, and another start for the second hash. */
export const H1 = 0x811c9dc5 | 0;
export const H2 = 0x2f5a3c91;

/** FNV-1a, one code unit at a time. */
export function step1(h: number, u: number): number {
  return Math.imul(h ^ u, 0x01000193);
}

/** A multiply-xorshift step (MurmurHash2's constant): independent of {@link step1}. */
export function step2(h: number, u: number): number {
  h = Math.imul(h + u, 0x5bd1e995);
  return h ^ (h >>> 15);
}

/** {@link ASCII}'s flag of a digit (0x100 is a sentence end's), and of a backtick or tilde (a fence's characters). */
export const DIGIT = 0x200;
export const TICK = 0x400;
/**
 * The flag of a character the sentences are read past, in {@link ASCII} and {@link lowerUnit}: a
 * quote mark, a closing bracket or `*`, a direction mark or another invisible format character.
 * Neither part of a key nor of how the last character ends a sentence: `."`, `.)`, `.**`, `.”`
 * and `.` before a right-to-left mark end one as `.` does.
 */
export const PAST = 0x1000000;

/**
 * Per ASCII code unit: -1 for whitespace (tab to carriage return, space), else its lower case, plus
 * 0x100 for the sentence ends `.`, `!` and `?`; a digit is `0` plus {@link DIGIT}, a backtick or a
 * tilde itself plus {@link TICK}, `"` `'` `)` `]` `*` {@link PAST}: one table read instead of a chain of comparisons.
 */
export const ASCII = /*#__PURE__*/ Int32Array.from({ length: 128 }, (_, c) =>
  c === 32 || (c >= 9 && c <= 13) ? -1 : c >= 48 && c <= 57 ? 48 | DIGIT : c === 96 || c === 126 ? c | TICK : '"\')]*'.includes(String.fromCharCode(c)) ? PAST
    : (c >= 65 && c <= 90 ? c + 32 : c) | (c === 46 || c === 33 || c === 63 ? 0x100 : 0),
);

/** JavaScript's non-ASCII whitespace (`\s` beyond the ASCII tab, line breaks and space). */
export function isWideSpace(c: number): boolean {
  return c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/**
 * {@link lowerUnit}'s flags above the code unit (16 bits): how a sentence ends after the character
 * (its low 2 bits: 2, before the next character, as after `。`; 3, before a Thai or Lao letter after
 * whitespace: a Thai or Lao letter or a decimal digit, as those scripts end sentences with a space;
 * 1, `.`'s (see {@link ASCII}) and the fullwidth `．`'s, which is also a decimal point: `２．０`), a
 * CJK character (kana, Hangul: {@link WIDE}), a decimal digit of any script (the unit is then
 * `0`, its value above {@link NUMERAL}: digits are one in the keys).
 */
export const WIDE = 0x40000;
export const NUMERAL = 0x80000;

/**
 * Sentence ends of other scripts, ending a sentence by themselves (no space follows them in
 * Chinese or Japanese): `。` `｡` `！` `？`, the Devanagari danda `।` `॥`, Arabic `؟`, Urdu `۔`,
 * Armenian `։`, Ethiopic `።` `፧`, Myanmar `။`, Khmer `។` `៕`, Tibetan `།`.
 */
const ENDS = '\u3002\uff61\uff01\uff1f\u0964\u0965\u061f\u06d4\u0589\u1362\u1367\u104b\u17d4\u17d5\u0f0d';

/** Lower-case code units of non-ASCII characters with their flags, 256 at a time as they are first needed (-1: more than one unit). */
const LOWER: Int32Array[] = [];

/** `c`'s lower case as one code unit (`toLowerCase`'s, code unit by code unit) with its flags (see {@link WIDE}), or -1 when it takes more. */
export function lowerUnit(c: number): number {
  const page = (LOWER[c >> 8] ??= lowerPage(c >> 8));
  return page[c & 255]!;
}

function lowerPage(high: number): Int32Array {
  const page = new Int32Array(256);
  // a decimal digit's value: its place in its script's run of ten
  for (let k = 0, digit = 0; k < 256; k++) {
    const c = (high << 8) | k;
    const s = String.fromCharCode(c);
    const lower = s.toLowerCase();
    digit = /\p{Nd}/u.test(s) ? digit + 1 : 0;
    page[k] = lower.length > 1 ? -1
      : digit > 0 ? ((digit - 1) << 20) | NUMERAL | 0x30000 | 48
      : /[\p{Pi}\p{Pf}\p{Cf}]/u.test(s) ? PAST
      : lower.charCodeAt(0) | (ENDS.includes(s) ? 0x20000 : c === 0xff0e ? 0x10000 : c >= 0xe01 && c < 0xf00 ? 0x30000 : 0) | (isWide(c) && (c < 0x3100 || c >= 0x3400 || (c >= 0x31f0 && c < 0x3200)) ? WIDE : 0);
  }
  return page;
}

/**
 * A CJK character (kana, ideographs, Yi, Hangul syllables), which carries about what 3 letters do;
 * the letters, strokes and symbols among them (Bopomofo, Hangul jamo as in ㅋㅋㅋ, ㈜, ㎏: U+3100 to
 * U+33FF, but not the small katakana ㇰ to ㇿ, kana) count 1 in a sentence's length (see
 * {@link lowerPage}), but end a sentence after `.` too.
 */
export function isWide(c: number): boolean {
  return (c >= 0x3040 && c < 0xa4d0) || (c >= 0xac00 && c < 0xd7b0);
}
