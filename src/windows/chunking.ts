/*
 * Splitting a document into windows, with exact positions (every chunk is document.slice(start, end)).
 * Internal: never re-exported from an entry point.
 */
import { isHighSurrogate, isLowSurrogate } from '../internal/surrogate.js';

export type WindowStrategy = 'token' | 'char' | 'paragraph' | 'sentence';

export interface Span {
  readonly start: number;
  readonly end: number;
}

interface Piece extends Span {
  readonly tokens: number;
}

/**
 * Common English abbreviations that end in a period inside a sentence (titles, Latin, references); the longest has 6
 * letters. Any character but a letter (of any script, or its accent) or digit may come before one: "(e.g. apples)",
 * "“Dr. Who”" (not "1st.", nor German "gelöst." and "hält."). "no." (group 1) is the word "no" ending a sentence
 * when a capitalised word follows ("I said no. Then"), and "number" otherwise ("No. 5").
 */
const ABBREVIATIONS = /(?<![\p{L}\p{M}\p{N}])(?:(no)|dr|mr|mrs|ms|prof|st|jr|sr|vs|etc|e\.g|i\.e|fig|al|cf|viz|approx|vol|pp|gen|col|lt|sgt|capt|mt|rev)\.$/iu;
/** A capitalised word, maybe after an opening quote or bracket. */
const CAPITALISED = /^\p{P}?\p{Lu}/u;

/** Spans of `text` for a strategy; sizes in characters for `char`, else in tokens by `estimate`. */
export function chunkSpans(text: string, strategy: WindowStrategy, size: number, overlap: number, estimate: (s: string) => number): Span[] {
  if (text.length === 0) return [];
  if (strategy === 'char') return charSpans(text, size, overlap);
  const base = strategy === 'paragraph' ? paragraphs(text) : strategy === 'sentence' ? sentences(text) : words(text, 0, text.length);
  const pieces: Piece[] = [];
  // a word over `size` is cut into pieces small enough that the next window can repeat one (text without spaces, CJK),
  // and that fill a window: pieces of the overlap itself (34 tokens) filled one of 100 tokens to 68
  const grain = overlap > 0 ? size / Math.ceil(size / Math.min(overlap, size - overlap)) : size;
  for (const span of base) {
    const tokens = estimate(text.slice(span.start, span.end));
    if (tokens <= size) pieces.push({ ...span, tokens });
    else for (const w of words(text, span.start, span.end)) pushWord(pieces, text, w, size, grain, estimate);
  }
  return pack(pieces, size, overlap);
}

/**
 * Fixed windows of `size` code units, the next one starting `overlap` units before the previous end.
 * A cut never falls inside a character (see isInside: a surrogate pair, a CRLF, a letter and its marks): an
 * end moves back to the character's start, or past it when moving back would leave the window empty or
 * inside the previous one (a character over `size`); a start moves past it (a little less overlap).
 */
function charSpans(text: string, size: number, overlap: number): Span[] {
  const spans: Span[] = [];
  let start = 0;
  let end = 0;
  for (;;) {
    end = cutAt(text, Math.min(start + size, text.length), Math.max(start, end));
    spans.push({ start, end });
    if (end === text.length) return spans;
    const next = end - overlap;
    // past a character's middle, so the next window reaches further; never past the end (a run of marks cut there)
    start = Math.min(cutAt(text, next > start ? next : start + 1, Infinity), end);
  }
}

/**
 * Whether `i` falls inside a character as a reader sees it: between a surrogate pair's halves, a CRLF's `\r` and
 * `\n`, a letter and its combining marks (`e` + `\u0301`, an emoji and its variation selector or skin tone), either
 * side of a zero-width joiner (the emoji it joins are one), or a flag's two regional indicator letters.
 */
function isInside(text: string, i: number): boolean {
  if (i <= 0 || i >= text.length) return false;
  const c = text.charCodeAt(i);
  const b = text.charCodeAt(i - 1);
  return insidePair(text, i) || (c === 10 && b === 13) || c === 0x200d || b === 0x200d || MARK.test(text.slice(i, i + 2)) ||
    FLAG.test(text.slice(i > 64 ? i - 64 : 0, i + 2));
}
const MARK = /^[\p{M}\p{EMod}]/u;
/** Regional indicators pair up from a run's start (🇺🇸🇫🇷): `i` is inside a flag after an odd number of them (of the last 32). */
const FLAG = /(?<!\p{RI})(?:\p{RI}\p{RI})+$/u;

/**
 * `i` moved off the middle of a character (see isInside): back to its start, or past it when back is not above
 * `floor`; past at most 32 units, so a run of more marks (Unicode's stream-safe limit is 30, "zalgo" text has
 * thousands) is cut between two of them, not made one giant window (never inside a surrogate pair).
 */
function cutAt(text: string, i: number, floor: number): number {
  let back = i;
  while (isInside(text, back) && back - 1 > floor) back--;
  if (!isInside(text, back)) return back;
  for (let n = 0; n < 32 && isInside(text, i); n++) i++;
  return insidePair(text, i) ? i + 1 : i;
}

/** Whether `i` falls between the two halves of a surrogate pair. */
function insidePair(text: string, i: number): boolean {
  return isLowSurrogate(text.charCodeAt(i)) && isHighSurrogate(text.charCodeAt(i - 1));
}

/**
 * Packs whole pieces while their tokens fit `size`; the next chunk starts with the trailing pieces that
 * fit `overlap` and still leave room for the next new piece, so every chunk reaches further than the one
 * before (a chunk wholly inside the previous one would only repeat text).
 */
function pack(pieces: readonly Piece[], size: number, overlap: number): Span[] {
  const spans: Span[] = [];
  let i = 0;
  while (i < pieces.length) {
    let j = i;
    let tokens = 0;
    while (j < pieces.length && (j === i || tokens + pieces[j]!.tokens <= size)) tokens += pieces[j++]!.tokens;
    spans.push({ start: pieces[i]!.start, end: pieces[j - 1]!.end });
    if (j === pieces.length) break;
    let back = j;
    let kept = 0;
    const room = size - pieces[j]!.tokens;
    while (back - 1 > i && kept + pieces[back - 1]!.tokens <= Math.min(overlap, room)) kept += pieces[--back]!.tokens;
    i = back;
  }
  return spans;
}

/**
 * Whitespace-delimited words in [from, to), each with its trailing whitespace (the first also takes leading whitespace).
 * Matched in the span's own slice: matched in the text, a word ran on past `to`, and CJK sentences (`。` with no space
 * after) each read the rest of the document: quadratic.
 */
function words(text: string, from: number, to: number): Span[] {
  const out: Span[] = [];
  const re = /\S+\s*/g;
  const span = text.slice(from, to);
  let m: RegExpExecArray | null;
  while ((m = re.exec(span)) !== null) out.push({ start: out.length === 0 ? from : from + m.index, end: from + re.lastIndex });
  if (out.length === 0 && to > from) out.push({ start: from, end: to });
  return out;
}

/**
 * A word longer than `size` tokens is cut by length into pieces of about `grain` tokens: at most the
 * overlap and leaving room for it, so windows over a text without spaces overlap too (pieces of `size` left none).
 */
function pushWord(pieces: Piece[], text: string, w: Span, size: number, grain: number, estimate: (s: string) => number): void {
  const tokens = estimate(text.slice(w.start, w.end));
  if (tokens <= size) return void pieces.push({ ...w, tokens });
  const step = Math.max(1, Math.floor(((w.end - w.start) * grain) / tokens));
  for (let s = w.start; s < w.end; ) {
    const e = s + step >= w.end ? w.end : Math.min(cutAt(text, s + step, s), w.end); // never inside a character
    pieces.push({ start: s, end: e, tokens: estimate(text.slice(s, e)) });
    s = e;
  }
}

function paragraphs(text: string): Span[] {
  const out: Span[] = [];
  const re = /\r?\n[ \t]*\r?\n\s*/g; // a blank line, CRLF documents included
  let start = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    out.push({ start, end: m.index + m[0].length });
    start = m.index + m[0].length;
  }
  if (start < text.length) out.push({ start, end: text.length });
  return out;
}

/**
 * Sentences end at . ! ? followed by whitespace (closing quotes and brackets between, of any language: German ends a
 * quote with “ or «), or at their CJK forms (and the closing brackets after them), whatever the next letter's case;
 * common abbreviations do not end one ("no." does before a capitalised word).
 */
function sentences(text: string): Span[] {
  const out: Span[] = [];
  // a run of marks is tried from its first only: from each of them, a long run not followed by space was quadratic
  const re = /(?<![.!?])[.!?]+["'\p{Pe}\p{Pf}\p{Pi}]*\s+|[。！？]+[\p{Pe}\p{Pf}]*/gu; // closing quotes, typographic ones too
  let start = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    const end = m.index + m[0].length;
    // the period, the longest abbreviation and the character before it
    const a = m[0].startsWith('.') && ABBREVIATIONS.exec(text.slice(Math.max(start, m.index - 7), m.index + 1));
    if (a && !(a[1] && CAPITALISED.test(text.slice(end, end + 2)))) continue;
    out.push({ start, end });
    start = end;
  }
  if (start < text.length) out.push({ start, end: text.length });
  return out;
}
