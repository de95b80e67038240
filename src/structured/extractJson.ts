/**
 * Finding the JSON in a model's answer: inside a Markdown fence, or between prose. String-aware
 * throughout, so braces and brackets inside strings never end a document early.
 */
import { checkText } from '../internal/options.js';
import { commentEnd } from './comments.js';
import { FenceScanner, fenceClose, fences, proseView } from './fences.js';
import { isWhitespace } from './partialJsonFrames.js';

/** Where the JSON came from: the whole text, a fence, or the middle of prose. */
export type JsonSource = 'whole' | 'fence' | 'text';

/** The JSON text found in an answer, and where it was found. */
export interface ExtractedJson {
  readonly json: string;
  readonly from: JsonSource;
}

// white space as jsonrepair reads it: `\s` and U+180E, U+200B (`[\u200b{}]` is an array to it); so in NUMBER_LED and ONE_NUMBER (`[\u200b1]` is a citation as `[ 1]` is)
const LOOKS_LIKE_OBJECT = /^\{[\s\u180e\u200b]*(?:["'}\u201c]|[A-Za-z_$][\w$]*[\s\u180e\u200b]*:)/;
const LOOKS_LIKE_ARRAY = /^\[[\s\u180e\u200b]*(?:["'\d{[\]\u201c-]|(?:true|false|null|True|False|None|NaN|undefined)[\s\u180e\u200b]*[,\]])/;
/** An array led by a number (`[1]`, `[2, 3]`): the shape of a citation or a footnote mark. */
const NUMBER_LED = /^\[[\s\u180e\u200b]*[-\d]/;
/**
 * Prose that introduces a value: the text's start, a line break, `:`, `=`, `>` (`->`), `!` (`Sure!`),
 * is/are/was/were/be/equals/returns, or the backticks opening an inline code span (`` `[1, 2]` ``,
 * `` ```[1,2]``` ``): a run of them at the start or after white space, `(`, `[`, `{`, `:`, `=`, `>`, `!`
 * or `*`, never after a word or a closing bracket (`` `fetch()`[1] `` closes a span: a citation);
 * any white space may follow (`ids:\u00a0[1, 2]`, as `ids: [1, 2]`).
 */
const INTRODUCES = /(?:^|[\n:=>!]|(?<![\p{L}\p{N}_])(?:is|are|was|were|be|equals|returns)|(?:^|[\s([{:=>!*])`+)[\s\u180e\u200b]*$/iu;
/** A one-number array (`[1]`): a footnote mark when prose goes on after it on its line. */
const ONE_NUMBER = /^\[[\s\u180e\u200b]*-?\d+[\s\u180e\u200b]*\]$/;
/** Prose going on after a value on its line (`[1] Smith`, `[2] shows`). */
const CONTINUES = /^(?:[^\S\n\r\u2028\u2029]|[\u180e\u200b])*[\p{L}\p{N}]/u;
/** White space that breaks no line (a space, a tab, U+00A0, U+200B...: `[1]\u00a0Smith` is a mark as `[1] Smith` is). @internal Shared with the partial parser. */
export const LINE_SPACE = /[^\S\n\r\u2028\u2029]|[\u180e\u200b]/;
/** How far after a `[1]` {@link CONTINUES} looks: up to this many {@link LINE_SPACE} characters, then the letter or digit. @internal Shared with the partial parser. */
export const MARK_GAP = 7;
const LOOKBACK = 12;
/**
 * What makes the `[` after it a subscript in code (`data["name"]`, `f()['k']`, `d["a"]["b"]`), never a root: an ASCII
 * letter or digit, `_`, `$`, `)` or `]` (a root's own `]` aside: `[]["a"]`); not a CJK word, which prose runs on into
 * its JSON (`答案是["甲"]`). A `[` right after a subscript's is one too (`df[["a"]]`: a `[` is read past only as a subscript, as any
 * other is a root's first, read whole). @internal Shared with the partial parser.
 */
export const SUBSCRIPT = /[\w$)[\]]/;
/**
 * Text before a `[` ending in a `json` language tag, which makes no subscript of it and introduces it ({@link introduces}): right after
 * a fence's opening backticks or tildes (`` ```json["a"]``` ``, `~~~JSON[`, `` ```json [1, 2]``` ``) or at the answer's start (`json["a"]`, `JSON [1]`): in any case. @internal Shared with the partial parser.
 */
export const TAGGED = /(?:```|~~~|^[\s\u180e\u200b]*)[Jj][Ss][Oo][Nn][\s\u180e\u200b]*$/;
/** An empty object or array (`[\u00a0]` too, which JSON.parse refuses): an answer only when nothing else is (see {@link fromProse}). */
const EMPTY = /^(?:\[[\s\u180e\u200b]*\]|\{[\s\u180e\u200b]*\})$/;
/** Work allowed for the prose scan, per character of the answer (see {@link fromProse}). */
const SCAN_PER_CHAR = 4;
/** Work always allowed, so a short answer with a few `[it's]` asides (each read to the end) is read whole. */
const SCAN_FLOOR = 65_536;

/**
 * True when a candidate from prose starts like JSON: `{"`, `{'`, `{}`, `{key:`, or an array of
 * strings, numbers, containers or literals (`[1`, `["`, `[{`, `[]`, `[true,`). `[redacted]` and
 * `{curly}` are prose.
 */
export function looksLikeJson(candidate: string): boolean {
  return LOOKS_LIKE_OBJECT.test(candidate) || LOOKS_LIKE_ARRAY.test(candidate);
}

/**
 * The (up to 12) characters before `start`, led by `\0` when the text goes on further back, so
 * `^` in {@link introduces} means the start of the answer.
 */
function textBefore(text: string, start: number): string {
  return start > LOOKBACK ? `\0${text.slice(start - LOOKBACK, start)}` : text.slice(0, start);
}

/** True when the `[` at `i` indexes code ({@link SUBSCRIPT}, {@link TAGGED}). */
const subscript = (text: string, i: number): boolean => SUBSCRIPT.test(text[i - 1] ?? '') && !TAGGED.test(textBefore(text, i));

/** True when the prose before a value ({@link textBefore}) introduces it as an answer, as a `json` tag does ({@link TAGGED}). @internal */
export function introduces(before: string): boolean {
  return INTRODUCES.test(before) || TAGGED.test(before);
}

/**
 * True for a citation or footnote mark, never the answer: an array led by a number that the
 * prose does not introduce ('I found [1] source', 'See [2].'), or a one-number array that prose
 * goes on after on its line ('[1] Smith, J.', 'are [1] and [2]'). 'The answer is [1, 2].',
 * 'ids: [1, 2]', '[2, 3] are primes' and one in an inline code span ('See `[1]`': code is a
 * literal, never a reference mark) are answers.
 */
function isCitation(text: string, start: number, end: number): boolean {
  if (!NUMBER_LED.test(text.slice(start, start + 16))) return false;
  if (!introduces(textBefore(text, start))) return true;
  return end !== -1 && CONTINUES.test(text.slice(end, end + MARK_GAP + 1)) && ONE_NUMBER.test(text.slice(start, end));
}

/**
 * The end (exclusive) of the object or array starting at `start`, or -1 when the text ends
 * before it closes. Strings in double or single quotes are skipped, escapes included, and so are
 * comments ({@link commentEnd}): a bracket in `# ] note` is the comment's.
 */
export function matchingEnd(text: string, start: number): number {
  let depth = 0;
  let quote = '';
  for (let i = start; i < text.length; i++) {
    const ch = text[i];
    if (quote !== '') {
      if (ch === '\\') i++;
      else if (ch === quote) quote = '';
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '/' || ch === '#') i = commentEnd(text, i);
    else if (ch === '{' || ch === '[') depth++;
    else if ((ch === '}' || ch === ']') && --depth === 0) return i + 1;
  }
  return -1;
}

/**
 * `text` without the white space at its start, and at its end unless `end` is false: `trim()`'s and
 * U+180E, U+200B, which jsonrepair reads as white space too (`\u200b"a"` is the string "a" to it). @internal
 */
export function trimSpace(text: string, end = true): string {
  let from = 0;
  let to = text.length;
  while (from < to && isWhitespace(text[from]!)) from++;
  while (end && to > from && isWhitespace(text[to - 1]!)) to--;
  return text.slice(from, to);
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/**
 * The JSON of the first fence that holds an object or array (see {@link FenceScanner}): its object
 * or array, up to where that closes, as in prose; what follows it in the fence (a note, another
 * value, the opener of a next fence when this one was never closed) is not the answer's. One that
 * never closes (a cut answer) runs to its close (a run of its marker's character at least as long as its
 * opener: "````" for a "````" fence) or the end.
 */
function fromFence(text: string): string | undefined {
  const fence = new FenceScanner();
  const open = fence.scan(text, 0, text.length);
  if (open === -1) return undefined;
  const end = matchingEnd(text, open);
  if (end !== -1) return text.slice(open, end);
  const close = fenceClose(text, open, fence.mark, fence.len);
  // cut by the end of the text, its white space may be a cut string's own
  return close === -1 ? text.slice(open) : text.slice(open, close).trim();
}

/**
 * The first candidate that is valid JSON and not empty; else the first that looks like JSON
 * ({@link looksLikeJson}) and is not an empty valid one; else the first empty `[]`/`{}` (prose
 * like 'Return [] if none.' names one before the answer; the partial parser skips it the same way);
 * else the first at all (which repairJson then rejects). Citations ({@link isCitation}) are no
 * candidates. A candidate that never closes runs to the end (a truncated answer) when it looks
 * like JSON; else it was prose (`[it's]` opens a quote) and the scan goes on. One that looks like
 * JSON and closes is read on after its end, never inside (a valid `["x"]` in `{name: "Ada",
 * tags: ["x"]}` is a member, not the answer). The scan stops
 * once it has read {@link SCAN_PER_CHAR} times the text plus {@link SCAN_FLOOR} characters
 * (nested brackets in prose would make it quadratic), keeping what it found so far. A root starts
 * only at a bracket of `view` ({@link proseView}: none in a fence body's strings); the candidate is
 * `text`'s, so a root's own strings keep their brackets (`{"s": "Hi {name}"}`).
 */
function fromProse(text: string, view = text): string | undefined {
  let plausible: string | undefined;
  let empty: string | undefined;
  let first: string | undefined;
  let budget = SCAN_PER_CHAR * text.length + SCAN_FLOOR;
  let after = -1; // the end of the last root read past or empty: a `[` there starts a root
  for (let i = 0; i < text.length; i++) {
    const ch = view[i];
    if (ch !== '{' && (ch !== '[' || (i !== after && subscript(text, i)))) continue;
    const end = matchingEnd(text, i);
    budget -= 2 * ((end === -1 ? text.length : end) - i); // the scan, then JSON.parse
    if (budget < 0) break;
    if (isCitation(text, i, end)) continue;
    const candidate = end === -1 ? text.slice(i) : text.slice(i, end);
    const blank = EMPTY.test(candidate);
    if (end !== -1 && (blank || isJson(candidate))) {
      if (!blank) return candidate;
      empty ??= candidate;
      after = end;
      continue;
    }
    first ??= candidate;
    const likely = looksLikeJson(candidate);
    if (plausible === undefined && likely) plausible = candidate;
    if (end === -1 && likely) break; // a cut answer: it runs to the end (prose like `[it's]` never closes: go on)
    if (likely) i = (after = end) - 1; // what JSON that needs repair holds is its members, never the answer (`{name: "Ada", tags: ["x"]}`)
  }
  return plausible ?? empty ?? first;
}

/**
 * True when `text` ends inside an object or array that looks like JSON ({@link looksLikeJson};
 * citations aside): a root the end of the text cut, wherever it starts. Roots that close are read
 * past, never inside (`{"a": 1} {"a": 2} {"a": ` ends in one; `[it's] done` does not); one that
 * starts where `fenced(i)` holds (in a code fence that closed after it: `print("{")`) was not cut. Read from `from`, the end of a
 * root, with the text before it (`{"a": 1} [1, 2` cites: its `[` starts no answer). The scan stops, finding none, at the budget of {@link fromProse}. @internal
 */
export function endsInRoot(text: string, from: number, fenced: (i: number) => boolean): boolean {
  let budget = SCAN_PER_CHAR * (text.length - from) + SCAN_FLOOR;
  let after = from;
  for (let i = from; i < text.length; i++) {
    const ch = text[i];
    if (ch !== '{' && (ch !== '[' || (i !== after && subscript(text, i)))) continue;
    const end = matchingEnd(text, i);
    budget -= (end === -1 ? text.length : end) - i;
    if (budget < 0) return false;
    if (isCitation(text, i, end)) continue;
    const candidate = end === -1 ? text.slice(i) : text.slice(i, end);
    if (end === -1) {
      if (looksLikeJson(candidate) && !fenced(i)) return true;
    } else if (looksLikeJson(candidate) || isJson(candidate)) i = (after = end) - 1;
  }
  return false;
}

/**
 * The JSON in an answer. Valid JSON as a whole is returned untouched; then the object or array of
 * the first fenced block holding one, up to where it closes (any language tag, closed or not; the
 * opener's line is its info string, never its body; a "```" inside a double-quoted string is no
 * fence, nor is a one-line "```" code span); then an object or array found in prose with a string-aware balanced scan
 * (a valid one preferred over `{curly}` prose). Bracketed citations are prose: an array led by a
 * number counts only when the prose introduces it (start, line break, `:`, `=`, `->`, `!`,
 * is/are..., an inline code span's opening backticks: `` ids `[1, 2]` ``, `` ```[1,2]``` ``), and a
 * one-number array only when no words follow it on its line. A subscript in code (`data["name"]`, see {@link SUBSCRIPT}) is no root; a `json`
 * language tag right before an array (`` ```json["a"]``` ``, `` ```json [1, 2]``` ``, see {@link TAGGED}) is no name and introduces it. An empty `[]` or
 * `{}` in prose counts only when no other JSON follows it ('Return [] if none. Result: {"a": 1}'
 * gives the object). After these, before prose that holds nothing like JSON (`{curly}`), the body of
 * the first closed fence that is one JSON scalar (```` ```json\n42\n``` ````, `"red"`: the schema
 * decides; prose holding a number is none; a "```" inside its string is the string's). A bracket in
 * a string in a fence's body (`"use {x}"`, `print("[1]")`) is the string's, never prose. With no JSON
 * found, the trimmed text comes back as `whole`. An answer that is one JSON string cut before its
 * closing quote (`"ids: [1, 2`), or closed with nothing after it but a raw line break in it (`"a\nb [1]"`),
 * is that string, `whole` (no `[1, 2` from prose), as repair and parseStructured read it; only a fence comes first. A `text` that is not a string is a TypeError naming it.
 *
 *   'Sure! ```json\n{"a":1}\n``` Enjoy'   ->  { json: '{"a":1}', from: 'fence' }
 *   'Use {curly} then {"a":1}.'          ->  { json: '{"a":1}', from: 'text' }
 *   'See [2]. The ids: [3, 4]'           ->  { json: '[3, 4]', from: 'text' }
 *
 * @example
 * import { extractJson } from 'l0-rx';
 * JSON.parse(extractJson('Here you go: {"ok": true}').json); // { ok: true }
 */
export function extractJson(text: string): ExtractedJson {
  checkText('extractJson(text)', text);
  return answerJson(text) ?? { json: trimSpace(text), from: 'whole' };
}

/**
 * An answer that is one JSON string the text ends inside (`"The quick bro`, cut by the token
 * limit), to be closed as a cut string in an object is, or that closes with only white space after
 * it (when it is no valid JSON, a raw line break in it, which repair escapes); undefined when something follows it.
 */
function cutString(text: string): ExtractedJson | undefined {
  const json = trimSpace(text, false); // white space at the end may be the string's own
  if (json[0] !== '"') return undefined;
  for (let i = 1; i < json.length; i++) {
    if (json[i] === '\\') i++;
    else if (json[i] === '"') return trimSpace(json.slice(i + 1)) === '' ? { json: json.slice(0, i + 1), from: 'whole' } : undefined;
  }
  return { json, from: 'whole' };
}

/**
 * {@link findJson}, but an answer that is one JSON string cut before its closing quote (or closed, see {@link cutString}) is that string,
 * whatever brackets it holds (`"ids: [1, 2` is no `[1, 2`), as repair closes it: only a fence comes first. @internal
 */
export function answerJson(text: string): ExtractedJson | undefined {
  const found = findJson(text);
  return found?.from === 'fence' ? found : cutString(text) ?? found;
}

/** The fences that are one JSON value (```` ```json\n42\n``` ````, `"red"`, `` "`a`" ``): their trimmed bodies. */
function fencedScalars(text: string): string[] {
  return fences(text).flatMap(({ body, close }) => (close !== -1 && isJson(text.slice(body, close)) ? [text.slice(body, close).trim()] : []));
}

/** {@link extractJson}, or `undefined` when the answer holds no object or array (citations aside) nor a fence that is one JSON scalar. @internal */
export function findJson(text: string): ExtractedJson | undefined {
  const trimmed = trimSpace(text);
  if (isJson(trimmed)) return { json: trimmed, from: 'whole' };
  const fenced = fromFence(text);
  if (fenced !== undefined) return { json: fenced, from: 'fence' };
  const end = trimmed.startsWith('{') || trimmed.startsWith('[') ? matchingEnd(trimmed, 0) : -2;
  const whole = end === -1 || end === trimmed.length;
  // a leading `[1] Smith` or `[Note]` is prose: look further
  // a cut one keeps its end's white space, which may be a cut string's own
  const cut = end === -1 ? trimSpace(text, false) : trimmed;
  if (looksLikeJson(trimmed) && (whole || !(isCitation(trimmed, 0, end) || EMPTY.test(trimmed.slice(0, end))))) return whole ? { json: cut, from: 'whole' } : { json: trimmed.slice(0, end), from: 'text' };
  const scalars = fencedScalars(text);
  const found = fromProse(text, proseView(text));
  // a start that runs to the end (`{1: 2}`, a cut `{`) is the whole answer, unless prose like `[it's] ... {"a": 1}` hid JSON
  if (whole && (found === undefined || !looksLikeJson(found))) return { json: cut, from: 'whole' };
  // a fenced scalar comes after JSON in prose, before prose that is no JSON (`{curly}`, which repair would refuse)
  if (found !== undefined && (scalars.length === 0 || looksLikeJson(found))) return { json: found, from: 'text' };
  if (scalars.length > 0) return { json: scalars[0]!, from: 'fence' };
  return found === undefined ? undefined : { json: found, from: 'text' };
}
