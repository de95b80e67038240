/**
 * One attempt's whole answer, parsed as {@link parseStructured} reads it at `complete`: strict or
 * repaired, cut JSON sorted by `onTruncated`, the SchemaValidationError that fails the attempt.
 */
import type { FinishReason } from '../events/eventTypes.js';
import { isSchemaValidationError, SchemaValidationError } from '../errors/SchemaValidationError.js';
import { endsInRoot, findJson, trimSpace } from './extractJson.js';
import { fences } from './fences.js';
import { repairText, type RepairJsonResult } from './repairJson.js';

/** What to do with JSON that was cut (repair had to close a string, object or array). */
export type TruncatedPolicy = 'retry' | 'accept' | 'reject';

/** What reading an answer needs of the resolved config. @internal */
export interface AnswerOptions {
  readonly autoCorrect: boolean;
  readonly onTruncated: TruncatedPolicy;
}

/** The error for cut JSON under `onTruncated: 'retry'` or `'reject'`. */
function truncatedError(o: AnswerOptions, raw: string, cause?: unknown): SchemaValidationError {
  return new SchemaValidationError(
    { kind: 'INVALID_JSON', text: raw, truncated: true, retryable: o.onTruncated === 'retry' },
    `Truncated JSON: the answer was cut (onTruncated: '${o.onTruncated}')`,
    cause,
  );
}

/**
 * The error for an answer that is a tool call with no JSON in its text: the same request would
 * call the tool again, so it is not retried (a fallback model may still answer in text).
 */
function toolCallError(names: readonly string[], raw: string): SchemaValidationError {
  return new SchemaValidationError(
    { kind: 'INVALID_JSON', text: raw, retryable: false, toolCalls: Object.freeze([...names]) },
    `Invalid JSON: the model answered with a tool call (${names.join(', ')}) and no JSON text; read it with parseToolArguments`,
  );
}

/** A close cut short on the line after a fence's body: a run of one marker character (of its own, and shorter than its opener, closes no fence: `` ` `` or `~~`). */
const CUT_CLOSER = /\n[ \t]*([`~])\1*$/;

/** The repaired body of a fence; one that never closed (`mark`, its marker's character; '' for a closed one) is read without the close the cut left short. */
function repairBody(body: string, mark: string): RepairJsonResult {
  try {
    return repairText(body);
  } catch (e) {
    const closer = CUT_CLOSER.exec(body);
    // a run of the other marker's character is the body's text ("```" in a "~~~" fence)
    if (closer === null || closer[1] !== mark) throw e;
    return repairText(body.slice(0, closer.index));
  }
}

/**
 * An answer with no object or array (`repairJson` threw `e`) whose fence holds a scalar: the fence
 * the answer ends in (an odd number of "```"), else the first one when it holds a string that never
 * closes (its closing "```" may be the string's own text). Cut JSON when its text shows the cut (a
 * string that never closes, `tr`, `1.`, a lone `-` that holds no value yet: at any finish, as a bare
 * one is) or when a `length` finish stopped it in a fence that never closed (`12`); else an
 * `INVALID_JSON` that names the scalar and why it is not taken as cut.
 */
function fencedCut(raw: string, finish: FinishReason | undefined, e: unknown): RepairJsonResult {
  const all = fences(raw);
  const open = all.at(-1)?.close === -1;
  const fence = open ? all.at(-1) : all[0];
  if (fence === undefined || fence.body === -1) throw e;
  let cut: RepairJsonResult;
  try {
    // a closed fence's last line break is the fence's
    cut = repairBody(open ? raw.slice(fence.body) : raw.slice(fence.body, fence.close).trimEnd(), open ? raw[fence.at]! : '');
  } catch (inner) {
    // a lone `-` in a fence that never closed is cut before its value, as a bare one is
    if (open && isSchemaValidationError(inner) && inner.info.truncated === true) {
      throw new SchemaValidationError({ kind: 'INVALID_JSON', text: raw, truncated: true }, inner.message, inner);
    }
    throw e; // its body is no JSON either
  }
  if (!open && !(cut.truncated && typeof cut.value === 'string')) throw e;
  if (cut.truncated || finish === 'length') return { ...cut, corrected: true, corrections: ['extract-fence', ...cut.corrections], truncated: true };
  throw new SchemaValidationError({ kind: 'INVALID_JSON', text: raw }, `Invalid JSON: no object or array in the answer; its fence holding ${cut.json} never closes, and a '${finish}' finish is no sign of a cut`);
}

/**
 * Text that ends in an opening bracket, alone or before a literal's start (`{`, `[tr`, `[true`): an
 * object or array the cut stopped as it opened, too short for {@link looksLikeJson} to tell from prose.
 * White space is `\s` and U+180E, U+200B, as repair reads it (`Sure! {\u200b`; jsonrepair reads `\f`, U+2028... as values: repair makes them spaces). The white space
 * after a missing literal is the bracket's own (`\s*\s*` would try every split of a long run:
 * quadratic), so a failed match costs the run once.
 */
const CUT_START = /[{[][\s\u180e\u200b]*(?:(?:t(?:r(?:ue?)?)?|f(?:a(?:l(?:se?)?)?)?|n(?:u(?:ll?)?)?)[\s\u180e\u200b]*)?$/;

/**
 * The repaired JSON; cut text that repair could not close still follows `onTruncated` (`accept` has
 * no value to keep). Prose a `length` finish cut right after an opening bracket (`Sure! {`, `ids: [tr`)
 * is cut JSON as a bare one is: closed (`{}`, `[true]`), truncated.
 */
function repaired(o: AnswerOptions, raw: string, finish: FinishReason | undefined): RepairJsonResult {
  try {
    try {
      return repairText(raw);
    } catch (e) {
      // a `length` finish before the answer began (its limit spent thinking) cut it, as one anywhere in it would
      if (finish === 'length' && trimSpace(raw) === '') throw new SchemaValidationError({ kind: 'INVALID_JSON', text: raw, truncated: true }, 'Invalid JSON: the answer was cut before its value', e);
      const start = finish === 'length' && !(isSchemaValidationError(e) && e.info.truncated === true) ? CUT_START.exec(raw) : null;
      if (start !== null) {
        const cut = repairText(raw.slice(start.index));
        return { ...cut, corrections: Object.freeze(['extract-text' as const, ...cut.corrections]) };
      }
      return fencedCut(raw, finish, e);
    }
  } catch (e) {
    if (isSchemaValidationError(e) && e.info.truncated === true && o.onTruncated !== 'accept') throw truncatedError(o, raw, e);
    throw e;
  }
}

function strictParse(text: string): RepairJsonResult {
  try {
    return { value: JSON.parse(text.trim()) as unknown, json: text, corrected: false, corrections: [], truncated: false };
  } catch (e) {
    throw new SchemaValidationError({ kind: 'INVALID_JSON', text }, `Invalid JSON (autoCorrect is off): ${e instanceof Error ? e.message : String(e)}`);
  }
}

/**
 * True when the text ends in a fence opened after `from` that never closes and holds a JSON scalar,
 * whole or cut (`2`, `"ab`, `-`): the model was cut writing it, as it would be in the answer's own fence.
 */
function cutFence(raw: string, from: number): boolean {
  const last = fences(raw).at(-1);
  if (last === undefined || last.close !== -1 || last.at < from || last.body === -1) return false;
  const body = raw.slice(last.body);
  if (body.trim() === '') return false;
  try {
    const { value } = repairBody(body, raw[last.at]!);
    return value === null || typeof value !== 'object'; // a cut object or array is endsInRoot's
  } catch (e) {
    return isSchemaValidationError(e) && e.info.truncated === true;
  }
}

/**
 * Whether an answer the model stopped on `length` was cut although its JSON closed: a bare number
 * (`12` of `1234`), or, after the JSON, an object or array that never closes (`{"a": 1} {"a": `,
 * an example before the cut answer; after other closed ones too; not one in the body of a code fence
 * that closed after it, `print("{")`) or a fence that never closes
 * holding a scalar (`` ```json\n2 ``, as one would be in the answer's own fence). Closed JSON
 * followed by cut prose is no cut JSON, a cut string too (`{"a": 1} "and so`: outside a fence a
 * scalar after the JSON is prose; at a `stop` finish nothing is cut after closed JSON).
 */
function cutAfter(raw: string, parsed: RepairJsonResult): boolean {
  if (typeof parsed.value === 'number' && !parsed.corrected) return true; // a fenced one's fence closed
  // where the answer's JSON sits: the text repair read (its own `json` is what repair made of it)
  const source = findJson(raw)?.json ?? parsed.json;
  const at = raw.indexOf(source);
  if (at === -1) return false;
  const end = at + source.length;
  const rest = raw.slice(end);
  // a root in the body of a fence that closed after it was never cut (`print("{")`); asked in order, so one pass over the fences
  const closed = fences(raw).filter((f) => f.close !== -1 && f.body !== -1);
  let k = 0;
  const fenced = (i: number): boolean => {
    while (k < closed.length && closed[k]!.close <= i) k++;
    return k < closed.length && closed[k]!.body <= i;
  };
  return CUT_START.test(rest) || endsInRoot(raw, end, fenced) || cutFence(raw, end);
}

/**
 * The value of an attempt's answer (its text after the thinking at its head), parsed (and repaired) as `onTruncated` allows,
 * or the SchemaValidationError that fails it. `tools` are the attempt's tool calls, `finish` its finishReason. @internal
 */
export function parseAnswer(o: AnswerOptions, raw: string, tools: readonly string[], finish: FinishReason | undefined): RepairJsonResult {
  if (tools.length > 0 && findJson(raw) === undefined) throw toolCallError(tools, raw);
  let parsed = o.autoCorrect ? repaired(o, raw, finish) : strictParse(raw);
  if (finish === 'length' && o.autoCorrect && !parsed.truncated && cutAfter(raw, parsed)) parsed = { ...parsed, truncated: true };
  if (parsed.truncated && o.onTruncated !== 'accept') throw truncatedError(o, raw);
  return parsed;
}
