/**
 * One attempt's whole answer, parsed as {@link parseStructured} reads it at `complete`: strict or
 * repaired, cut JSON sorted by `onTruncated`, the SchemaValidationError that fails the attempt.
 */
import type { FinishReason } from '../events/eventTypes.js';
import { isSchemaValidationError, SchemaValidationError } from '../errors/SchemaValidationError.js';
import { findJson, looksLikeJson, matchingEnd } from './extractJson.js';
import { repairJson, type RepairJsonResult } from './repairJson.js';

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

/**
 * An answer with no object or array (`repairJson` threw `e`) whose fence holds a scalar: the fence
 * the answer ends in (an odd number of "```"), else the first one when it holds a string that never
 * closes (its closing "```" may be the string's own text). Cut JSON when its text shows the cut (a
 * string that never closes, `tr`, `1.`: at any finish, as a bare one is) or when a `length` finish
 * stopped it in a fence that never closed (`12`); else an `INVALID_JSON` that names the scalar and
 * why it is not taken as cut.
 */
function fencedCut(raw: string, finish: FinishReason | undefined, e: unknown): RepairJsonResult {
  const parts = raw.split('```');
  const open = parts.length % 2 === 0;
  const fence = parts[open ? parts.length - 1 : 1] ?? '';
  const line = fence.indexOf('\n');
  if (line < 0) throw e;
  let cut: RepairJsonResult;
  try {
    // a closed fence's last line break is the fence's
    cut = repairJson(open ? fence.slice(line + 1) : fence.slice(line + 1).trimEnd());
  } catch {
    throw e; // its body is no JSON either
  }
  if (!open && !(cut.truncated && typeof cut.value === 'string')) throw e;
  if (cut.truncated || finish === 'length') return { ...cut, corrected: true, corrections: ['extract-fence', ...cut.corrections], truncated: true };
  throw new SchemaValidationError({ kind: 'INVALID_JSON', text: raw }, `Invalid JSON: no object or array in the answer; its fence holding ${cut.json} never closes, and a '${finish}' finish is no sign of a cut`);
}

/** The repaired JSON; cut text that repair could not close still follows `onTruncated` (`accept` has no value to keep). */
function repaired(o: AnswerOptions, raw: string, finish: FinishReason | undefined): RepairJsonResult {
  try {
    try {
      return repairJson(raw);
    } catch (e) {
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
 * Whether an answer the model stopped on `length` was cut although its JSON closed: a bare number
 * (`12` of `1234`), or an object or array after the JSON that never closes (`{"a": 1} {"a": `,
 * an example before the cut answer). Closed JSON followed by cut prose is no cut JSON.
 */
function cutAfter(raw: string, parsed: RepairJsonResult): boolean {
  if (typeof parsed.value === 'number') return !parsed.corrected; // a fenced one's fence closed
  const at = raw.indexOf(parsed.json);
  if (at === -1) return false;
  const next = findJson(raw.slice(at + parsed.json.length));
  return next !== undefined && looksLikeJson(next.json) && matchingEnd(next.json, 0) === -1;
}

/**
 * The value of an attempt's whole text, parsed (and repaired) as `onTruncated` allows, or the
 * SchemaValidationError that fails it. `tools` are the attempt's tool calls, `finish` its finishReason. @internal
 */
export function parseAnswer(o: AnswerOptions, raw: string, tools: readonly string[], finish: FinishReason | undefined): RepairJsonResult {
  if (tools.length > 0 && findJson(raw) === undefined) throw toolCallError(tools, raw);
  let parsed = o.autoCorrect ? repaired(o, raw, finish) : strictParse(raw);
  if (finish === 'length' && o.autoCorrect && !parsed.truncated && cutAfter(raw, parsed)) parsed = { ...parsed, truncated: true };
  if (parsed.truncated && o.onTruncated !== 'accept') throw truncatedError(o, raw);
  return parsed;
}
