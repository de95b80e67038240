import { jsonrepair } from 'jsonrepair';
import { SchemaValidationError } from '../errors/SchemaValidationError.js';
import { checkText } from '../internal/options.js';
import { commentEnd, urlAt } from './comments.js';
import { answerJson, looksLikeJson, trimSpace } from './extractJson.js';
import { isWhitespace, UNREAD_SPACE } from './partialJsonFrames.js';

/**
 * What repair changed, in the order found:
 * `extract-fence` (the JSON sat in a Markdown fence), `extract-text` (prose around it was
 * dropped), `remove-comments` (line, block and Python `# ` comments outside strings; a line one runs to
 * its line's end, so a bracket on that line is its own: `{"a": 1, # note}` is cut, as jsonrepair reads
 * `// note}`; the `//` of `https://` is a URL's, not of `s3://`, as jsonrepair reads them), `single-quotes`,
 * `quote-keys` (unquoted keys), `fix-literals` (`None`, `True`, `undefined`...; `NaN`, `Infinity` and `-Infinity`,
 * which JSON has no number for, become strings as jsonrepair makes them, `"NaN"`, `"-Infinity"`, so a schema that
 * wants a number rejects them), `remove-trailing-comma`, `insert-comma` (a missing
 * comma), `escape-control-chars` (raw newlines or tabs in strings), `fix-quotes` (smart quotes),
 * `close-string` and `close-structure` (the text was cut: `truncated`), and `repair` for anything
 * else jsonrepair fixed.
 */
export type JsonCorrection =
  | 'extract-fence'
  | 'extract-text'
  | 'remove-comments'
  | 'single-quotes'
  | 'quote-keys'
  | 'fix-literals'
  | 'remove-trailing-comma'
  | 'insert-comma'
  | 'escape-control-chars'
  | 'fix-quotes'
  | 'close-string'
  | 'close-structure'
  | 'repair';

/** The outcome of {@link repairJson}. */
export interface RepairJsonResult {
  /** The parsed value (`__proto__` keys are own properties, never prototypes). */
  readonly value: unknown;
  /** The JSON text that was parsed. */
  readonly json: string;
  readonly corrected: boolean;
  readonly corrections: readonly JsonCorrection[];
  /** The text ended inside a string, an unclosed object or array, or a literal or number (a whole answer `tr` or `1.`), which repair closed. */
  readonly truncated: boolean;
}

const LITERALS = /*#__PURE__*/ new Set(['None', 'True', 'False', 'undefined', 'NaN', 'Infinity']);

interface Diagnosis {
  corrections: JsonCorrection[];
  truncated: boolean;
  /** The quote of the string the text was cut in ('' when none). */
  quote: string;
  /** Where a comma goes to keep jsonrepair from splitting a string (see {@link needsGuard}); at `i + 0.5`, a `//` before the `#` at `i`; at `i + 0.25`, a space for the UNREAD_SPACE at `i`. */
  guards: number[];
  /** Where a key the text ends in or right after starts (`{"a": 1, "na`, `{"a": 1, "name":`, `"name": -`), or a `-` it ends in (`[1, -`), else -1. */
  key: number;
  /** Where a `-` with no number after it is, not at the end (`[1, - 5]`; `-Infinity` is a word), else -1. */
  minus: number;
}

/**
 * True when the string `json.slice(open, close + 1)` holds the opener of the bracket right after
 * it (`["["]`, `{"s": "x {"}`): jsonrepair then takes its end quote for a stray one and splits
 * the string. A comma after it (a trailing comma, which jsonrepair removes) keeps it whole.
 */
function needsGuard(json: string, open: number, close: number): boolean {
  let next = close + 1;
  while (next < json.length && isWhitespace(json[next]!)) next++;
  const closer = json[next];
  return (closer === ']' || closer === '}') && json.slice(open + 1, close).includes(closer === ']' ? '[' : '{');
}

/** One string-aware pass noting what repair will have to change. */
function diagnose(json: string): Diagnosis {
  const found = new Set<JsonCorrection>();
  const stack: string[] = [];
  const guards: number[] = [];
  let quote = '';
  let open = 0;
  let afterValue = false;
  let expectKey = false;
  let key = -1;
  let minus = -1;
  // in a word jsonrepair reads to its delimiter as an unquoted string: a `-` there is the string's (`Part - 2`)
  let inWord = false;
  let last = json.length - 1;
  while (last >= 0 && isWhitespace(json[last]!)) last--; // U+200B too: `[1, -\u200b` ends in its `-`
  for (let i = 0; i < json.length; i++) {
    const ch = json[i]!;
    if (quote !== '') {
      if (ch === '\\') i++;
      else if (ch === quote || (quote === '\u201c' && ch === '\u201d')) {
        quote = '';
        afterValue = true;
        if (needsGuard(json, open, i)) guards.push(i + 1);
      } else if (ch === '\n' || ch === '\t' || ch === '\r') found.add('escape-control-chars');
      continue;
    }
    if (/[,[\]{}/+\n"'\u201c]/.test(ch)) inWord = false;
    if (isWhitespace(ch)) {
      // U+00A0 and the like too, as jsonrepair reads them; `\f`, U+2028 and the like it reads as values (`[1,\f2]` is `[1, "\f2"]` to it): made spaces,
      // but in a word, the unquoted string's own (`[a\fb]` is ["a\fb"], as `[a\u00a0b]` is ["a\u00a0b"])
      if (!inWord && UNREAD_SPACE.test(ch)) guards.push(i + 0.25);
      continue;
    }
    const end = commentEnd(json, i);
    if (end !== i) {
      if (urlAt(json, i)) afterValue = true; // a URL read whole (`https://x.com//a`): a value, no comment
      else found.add('remove-comments');
      if (ch === '#') guards.push(i + 0.5); // a Python comment (`# note`; `#fff` is a value): jsonrepair reads it as `//#`
      i = end;
      continue;
    }
    if (ch !== ':' && !(ch === '-' && i === last)) key = -1; // a lone `-` at the end is no value (closeTail)
    const startsValue = ch === '"' || ch === "'" || ch === '\u201c' || ch === '{' || ch === '[' || /[\w-]/.test(ch);
    if (afterValue && startsValue && !(ch === '-' && i === last)) found.add('insert-comma'); // (a cut text's last `-` is dropped: no comma goes in)
    afterValue = false;
    if (ch === '"' || ch === "'" || ch === '\u201c') {
      if (ch === "'") found.add('single-quotes');
      if (ch === '\u201c') found.add('fix-quotes');
      if (expectKey) key = i;
      quote = ch;
      open = i;
      expectKey = false;
    } else if (ch === '{' || ch === '[') {
      stack.push(ch);
      expectKey = ch === '{';
    } else if (ch === '}' || ch === ']') {
      // a mismatched closer closes up to its opener (a stray one closes nothing): repair, not truncation
      const at = stack.lastIndexOf(ch === '}' ? '{' : '[');
      if (at !== stack.length - 1) found.add('repair');
      if (at !== -1) stack.length = at;
      afterValue = true;
      expectKey = false;
    } else if (ch === ',') {
      if (/^[\s\u180e\u200b]*[}\]]/.test(json.slice(i + 1, i + 64))) found.add('remove-trailing-comma'); // `[1,\u200b]` too
      expectKey = stack[stack.length - 1] === '{';
    } else if (/[A-Za-z_$]/.test(ch)) {
      const word = /^[\w$]+/.exec(json.slice(i, i + 64))![0];
      // an unquoted key is a key too: cut, or cut before its value, it is dropped (`{"a": 1, n`, never `"null": null`)
      if (expectKey) {
        found.add('quote-keys');
        key = i;
      }
      else if (LITERALS.has(word)) found.add('fix-literals');
      // a key's too: jsonrepair reads it to its `:` (`{Part - 2: 1}`); a literal goes on a word already running (`[tr\u1680true\u1680true]` is one string),
      // or one it is glued to (`[.true\fx]` is [".true\fx"], as `-true` and `1.true` are words)
      inWord ||= !/^([tT]rue|[fF]alse|null|None)$/.test(word) || (i > 0 && !isWhitespace(json[i - 1]!) && !/[,:[\]{}/+"'\u201c\u201d]/.test(json[i - 1]!));
      i += word.length - 1;
      afterValue = !expectKey;
      expectKey = false;
    } else if (/[\d-]/.test(ch)) {
      // a `-` before no digit, `.5` or word (`[1, - 5]`, `{"a": -}`): jsonrepair makes it `-0`; at the end it is cut before its value
      if (ch === '-' && !inWord && !/^-(\.\d|[\w$])/.test(json.slice(i, i + 3))) {
        if (i !== last) minus = i;
        else if (key < 0) key = i;
      }
      const n = /^[-\d.eE+]+/.exec(json.slice(i, i + 64))![0];
      i += n.length - 1;
      afterValue = n !== '-'; // a lone `-` is no value yet: `-Infinity` is one, with no comma missing
    }
  }
  if (quote !== '') found.add('close-string');
  if (stack.length > 0) found.add('close-structure');
  return { corrections: [...found], truncated: quote !== '' || stack.length > 0, quote, guards, key, minus };
}

/** {@link Diagnosis.guards} applied. */
function guard(json: string, guards: readonly number[]): string {
  if (guards.length === 0) return json;
  let out = '';
  let from = 0;
  for (const at of guards) {
    const mark = at % 1;
    out += json.slice(from, at) + (mark === 0.5 ? '//' : mark ? ' ' : ',');
    from = mark === 0.25 ? at + 1 : at; // (slice truncates: `at + 1` is past the character replaced)
  }
  return out + json.slice(from);
}

/** A literal cut after its container's punctuation and any white space (`[\u200btr`, as `[ tr`). */
const CUT_LITERAL = /([:[,][\s\u180e\u200b]*)(tr?u?|fa?l?s?|nu?l?)$/;
/** A number cut before it means anything (`-`) or in its fraction or exponent (`1.`, `1e`, `1e+`): the part to drop. */
const CUT_NUMBER = /(?<=[:[,][\s\u180e\u200b]*)-$|(?<=[:[,][\s\u180e\u200b]*-?\d+(?:\.\d+)?)(?:\.|[eE][+-]?)$/;
const LITERAL_OF: Readonly<Record<string, string>> = { t: 'true', f: 'false', n: 'null' };

/**
 * A cut escape ending a string: a lone `\`, `\u` with under four hex digits (with the high
 * surrogate before it, whose pair it may be: `\ud83d\u`), or a high surrogate without its pair.
 * A high surrogate followed by a whole one stays: it is alone, as `JSON.parse` keeps it.
 */
const CUT_ESCAPE = /(?<=(?<!\\)(?:\\\\)*)(?:(?:\\u[dD][89abAB][0-9a-fA-F]{2})?\\(?:u[0-9a-fA-F]{0,3})?|\\u[dD][89abAB][0-9a-fA-F]{2})$/;

/**
 * The end of a cut text made whole before jsonrepair: an open string is closed (a cut escape,
 * `\` or `\u00`, dropped), a cut `true` / `false` / `null` completed, and a cut number's
 * dangling `-`, `.` or exponent dropped (a lone `-` is no value: never `0`).
 */
function closeTail(json: string, quote: string): string {
  if (quote !== '') return json.replace(CUT_ESCAPE, '') + (quote === '\u201c' ? '\u201d' : quote);
  return json.replace(CUT_LITERAL, (_, head: string, word: string) => head + LITERAL_OF[word[0]!]!).replace(CUT_NUMBER, '');
}

function parse(json: string): unknown {
  return JSON.parse(json) as unknown;
}

/** A whole answer that may be a literal or number cut short (`tr`, `nul`, `1.`, `2e+`, `-`). */
const ATOM = /^[-\dtfn][\w.+-]*$/;

/**
 * Parses a model's JSON answer, repairing it when needed and saying what was changed. Valid JSON
 * is parsed as is, with no corrections. Otherwise: {@link extractJson} (fences, prose), then
 * `jsonrepair` (missing brackets and quotes, trailing commas, single quotes, comments outside
 * strings, unquoted keys, Python literals), never touching the content of valid strings.
 * In cut text, a key cut or left without its value is dropped (`{"a": 1, "na` -> `{a: 1}`, never a
 * `null` the model did not write), an answer that is one JSON string cut before its closing
 * quote is closed (whatever brackets it holds: `"ids: [1, 2` is a string), and one that is a cut literal or number is completed (`tr` -> `true`, `1.` -> `1`,
 * `repair`; all `truncated`). A scalar alone in a fence (```` ```json\n42\n``` ````) is the answer when
 * no object or array is (`extract-fence`); prose that holds one (`The answer is 42.`) is no JSON.
 * Unrepairable text throws a {@link SchemaValidationError} with code `INVALID_JSON`, as does a `-` with no
 * number after it (`[1, - 5]`, `{"a": -}`: never the `-0` jsonrepair makes of it; at a cut text's end it is
 * cut before its value, `[1, -` -> `[1]`); a `text` that is
 * not a string, a TypeError naming it (`JSON.parse` would read `1` or `null` as valid JSON).
 *
 *   '{"a": [1, 2'        ->  { value: {a: [1, 2]}, corrections: ['close-structure'], truncated: true }
 *   '{"u": "https://x"}' ->  { value: {u: 'https://x'}, corrections: [], truncated: false }
 *
 * @example
 * import { repairJson } from 'l0-rx';
 * const { value, corrections } = repairJson("Sure! {name: 'Ada', tags: ['x',]}");
 * // value: { name: 'Ada', tags: ['x'] }; corrections: ['extract-text', 'quote-keys', 'single-quotes', 'remove-trailing-comma']
 */
export function repairJson(text: string): RepairJsonResult {
  checkText('repairJson(text)', text);
  return repairText(text);
}

/** {@link repairJson} on a text known to be a string: the structured-output paths' own. @internal */
export function repairText(text: string): RepairJsonResult {
  try {
    return { value: parse(text), json: text, corrected: false, corrections: [], truncated: false };
  } catch {
    // not valid as it stands: extract, then repair
  }
  let found = answerJson(text);
  // a fence's JSON is its object or array, or a scalar alone in it; elsewhere only an object or array (or a cut string: answerJson),
  // or the whole text, JSON once white space JSON does not allow is trimmed (`\u00a042`: no cut `42`)
  if (found?.from === 'text' && !looksLikeJson(found.json)) found = undefined;
  if (found === undefined) {
    // a cut literal or number is completed as a cut one in an object is (`tr` -> `true`, `1.` -> `1`); a lone `-` holds no value
    let cut: unknown[] | undefined;
    const atom = trimSpace(text);
    try {
      if (ATOM.test(atom)) cut = parse(`${closeTail(`[${atom}`, '')}]`) as unknown[];
    } catch {
      // no cut literal or number either
    }
    if (cut?.length) return { value: cut[0], json: String(cut[0]), corrected: true, corrections: ['repair'], truncated: true };
    if (cut) throw new SchemaValidationError({ kind: 'INVALID_JSON', text, truncated: true }, 'Invalid JSON: the answer was cut before its value');
    throw new SchemaValidationError({ kind: 'INVALID_JSON', text }, 'Invalid JSON: no object or array in the answer');
  }
  const { json, from } = found;
  const corrections: JsonCorrection[] = from === 'fence' ? ['extract-fence'] : from === 'text' ? ['extract-text'] : [];
  try {
    return { value: parse(json), json, corrected: corrections.length > 0, corrections, truncated: false };
  } catch {
    // not valid either: repair it
  }
  const seen = diagnose(json);
  if (seen.corrections.length === 0) seen.corrections.push('repair');
  corrections.push(...seen.corrections);
  const { truncated } = seen;
  // a key cut, or cut before its value, is dropped: its name may be cut too, and it has no value (never `null`)
  const closed = !truncated ? guard(json, seen.guards) : seen.key === -1 ? closeTail(guard(json, seen.guards), seen.quote) : guard(json.slice(0, seen.key), seen.guards);
  try {
    // never the `-0` jsonrepair makes of it: a number the model did not write
    if (seen.minus !== -1) throw new Error(`No number after "-" at position ${seen.minus}`);
    const repaired = jsonrepair(closed);
    const value = parse(repaired);
    return { value, json: repaired, corrected: true, corrections: Object.freeze(corrections), truncated };
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new SchemaValidationError({ kind: 'INVALID_JSON', text, truncated }, `Invalid JSON, not repairable: ${reason}`, e);
  }
}
