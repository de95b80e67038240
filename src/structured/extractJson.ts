/**
 * Finding the JSON in a model's answer: inside a Markdown fence, or between prose. String-aware
 * throughout, so braces and brackets inside strings never end a document early.
 */

/** Where the JSON came from: the whole text, a fence, or the middle of prose. */
export type JsonSource = 'whole' | 'fence' | 'text';

/** The JSON text found in an answer, and where it was found. */
export interface ExtractedJson {
  readonly json: string;
  readonly from: JsonSource;
}

const FENCE = /```[ \t]*([\w+-]*)[^\n]*\n/g;
const LOOKS_LIKE_OBJECT = /^\{\s*(?:["'}\u201c]|[A-Za-z_$][\w$]*\s*:)/;
const LOOKS_LIKE_ARRAY = /^\[\s*(?:["'\d{[\]\u201c-]|(?:true|false|null|True|False|None|NaN|undefined)\s*[,\]])/;

/**
 * True when a candidate from prose starts like JSON: `{"`, `{'`, `{}`, `{key:`, or an array of
 * strings, numbers, containers or literals (`[1`, `["`, `[{`, `[]`, `[true,`). `[redacted]` and
 * `{curly}` are prose.
 */
export function looksLikeJson(candidate: string): boolean {
  return LOOKS_LIKE_OBJECT.test(candidate) || LOOKS_LIKE_ARRAY.test(candidate);
}

/**
 * The end (exclusive) of the object or array starting at `start`, or -1 when the text ends
 * before it closes. Strings in double or single quotes are skipped, escapes included.
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
    else if (ch === '{' || ch === '[') depth++;
    else if ((ch === '}' || ch === ']') && --depth === 0) return i + 1;
  }
  return -1;
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

/** The body of the first fence that holds an object or array (an unclosed fence runs to the end). */
function fromFence(text: string): string | undefined {
  FENCE.lastIndex = 0;
  for (let m = FENCE.exec(text); m !== null; m = FENCE.exec(text)) {
    const bodyStart = m.index + m[0].length;
    const open = bodyStart + text.slice(bodyStart).search(/\S|$/);
    // the closing fence comes after the body's end, so a ``` inside one of its strings does not close it
    const end = text[open] === '{' || text[open] === '[' ? matchingEnd(text, open) : -1;
    const close = text.indexOf('```', end === -1 ? bodyStart : end);
    const body = (close === -1 ? text.slice(bodyStart) : text.slice(bodyStart, close)).trim();
    if (body.startsWith('{') || body.startsWith('[')) return body;
    if (close === -1) return undefined;
    FENCE.lastIndex = close + 3;
  }
  return undefined;
}

/**
 * The first candidate that is valid JSON; else the first that looks like JSON ({@link looksLikeJson});
 * else the first at all (which repairJson then rejects). A candidate that never closes runs to the
 * end (a truncated answer).
 */
function fromProse(text: string): string | undefined {
  let plausible: string | undefined;
  let first: string | undefined;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch !== '{' && ch !== '[') continue;
    const end = matchingEnd(text, i);
    const candidate = end === -1 ? text.slice(i) : text.slice(i, end);
    if (end !== -1 && isJson(candidate)) return candidate;
    first ??= candidate;
    if (plausible === undefined && looksLikeJson(candidate)) plausible = candidate;
    if (end === -1) break;
  }
  return plausible ?? first;
}

/**
 * The JSON in an answer. Valid JSON as a whole is returned untouched; then the first fenced block
 * holding an object or array (any language tag, closed or not); then an object or array found in
 * prose with a string-aware balanced scan (a valid one preferred over `{curly}` prose).
 *
 *   'Sure! ```json\n{"a":1}\n``` Enjoy'   ->  { json: '{"a":1}', from: 'fence' }
 *   'Use {curly} then {"a":1}.'          ->  { json: '{"a":1}', from: 'text' }
 *
 * @example
 * import { extractJson } from 'l0-rx';
 * JSON.parse(extractJson('Here you go: {"ok": true}').json); // { ok: true }
 */
export function extractJson(text: string): ExtractedJson {
  const trimmed = text.trim();
  if (isJson(trimmed)) return { json: trimmed, from: 'whole' };
  const fenced = fromFence(text);
  if (fenced !== undefined) return { json: fenced, from: 'fence' };
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    const end = matchingEnd(trimmed, 0);
    return end === -1 || end === trimmed.length ? { json: trimmed, from: 'whole' } : { json: trimmed.slice(0, end), from: 'text' };
  }
  const found = fromProse(text);
  return found === undefined ? { json: trimmed, from: 'whole' } : { json: found, from: 'text' };
}
