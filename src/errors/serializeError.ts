import type { ErrorReason } from './errorReason.js';
import { describeAny, isErrorObject, MAX_DESCRIPTION, safeGet, safeString, shorten } from './inspect.js';
import { isL0Error, L0Error, MAX_ERRORS, MAX_MESSAGE, plainError, TRUNCATED, type ErrorCategory } from './L0Error.js';

/**
 * The plain form of an error inside an event or a log: `{name, code, message, ...}`. It holds
 * everything the operators and callbacks need (a timeout's `info.kind`, the `reason`), so a run
 * replayed from its recorded events behaves exactly like the live run.
 */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly category?: ErrorCategory;
  readonly retryable?: boolean;
  readonly reason?: ErrorReason;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly attempt?: number;
  readonly fallbackIndex?: number;
  readonly checkpoint?: string;
  /** The error class's `info` (a {@link TokenTimeoutError}'s `kind` and `elapsedMs`...), plain data. */
  readonly info?: Readonly<Record<string, unknown>>;
  readonly cause?: SerializedError | string;
  /** An {@link AllStreamsExhaustedError}'s `errors` (every attempt's error, oldest first), or an `AggregateError`'s. */
  readonly errors?: readonly SerializedError[];
  /**
   * The run's failed attempts (`attemptErrors`), oldest first, on a run's terminal error as
   * `recordEvents` logs it (not `serializeError`'s): `replayEvents` rethrows the error with them.
   */
  readonly attemptErrors?: readonly SerializedError[];
}

/**
 * Turns any thrown value into a {@link SerializedError}: plain data, nothing hidden. Never throws,
 * whatever the value (throwing getters, a revoked Proxy, a cyclic `cause` chain, a symbol). Any
 * error keeps its cause chain (an `AggregateError` its `errors`), capped as {@link L0Error.toJSON}
 * caps it: 8 errors deep, 32 in all, messages cut to 2,000 characters, so one provider error with a
 * huge message or an endless chain cannot make a huge event, log line or SSE frame.
 *
 *   #                      an error notification carrying `e`
 *   {name, message, ...}   serializeError(e): plain data, safe to JSON.stringify, log and replay
 *
 * @example
 * import { serializeError } from 'l0-rx';
 * JSON.stringify(serializeError(new Error('boom'))); // {"name":"Error","message":"boom"}
 */
export function serializeError(e: unknown): SerializedError {
  return own(() => entry(e));
}

/**
 * `write`'s serialised error as a tree of its own, even when a getter or toJSON calls serializeError or an exhaustion's
 * toJSON (JSON.stringify) while another is written (it took that one's share, and was cut by it). @internal
 */
export function own<T>(write: () => T): T {
  const outer = room;
  room = undefined;
  try {
    return write();
  } finally {
    room = outer;
  }
}

/**
 * `e` serialised inside the tree being written; `list`: it is an entry of one (serializeList, handed in rather than
 * called, so a bundle that serialises no list, `accumulate`'s, leaves it out), and so is any copy's exhaustion in it,
 * its list taking its share of the tree's (another copy's toJSON began a tree of its own).
 */
function entry(e: unknown, list?: typeof serializeList): SerializedError {
  try {
    return toPlain(e, list);
  } catch {
    // only a forged L0Error brand with a hostile toJSON result gets here
    return { name: 'Error', message: describeAny(e, MAX_DESCRIPTION) };
  }
}

/** How many list entries one serialised error holds in all: its list's, and those of the exhaustions in it, and theirs. */
const MAX_TREE = 2 * MAX_ERRORS;
/** The entries the serialised error being written may still hold; undefined between two. */
let room: number | undefined;
/** A cut list's mark: an L0Error, as its rebuilt copy is. */
const CUT = /*#__PURE__*/ new L0Error(TRUNCATED, { code: 'UNKNOWN_ERROR', category: 'unknown', retryable: false });

/**
 * A list of errors (an exhaustion's `errors`, a run's `attemptErrors`) serialised, each entry whole
 * (within its own caps), and at most 64 entries in all, the lists of the exhaustions in it included
 * (each nested exhaustion carried 64 of its own: a retry around a fallback chain made a 4 MB log
 * line, 3,000 exhaustions deep a stack overflow). A list past what is left keeps its first and last
 * entries around one `[Truncated]` entry (as an L0Error serialises, so its rebuilt copy serialises
 * the same): past 64 the first 31, the mark and the last 32; a list with nothing left, the mark alone.
 * Each list takes its share before its entries are written, last entry first (the earliest attempts
 * are cut first, the cause last), so the rebuilt copy is cut nowhere else. @internal
 */
export function serializeList(list: readonly unknown[]): SerializedError[] {
  const top = room === undefined;
  const left = top ? MAX_TREE : room!;
  const keep = Math.min(list.length, Math.max(left, 1));
  room = Math.max(left - keep, 0);
  try {
    const head = (keep - 1) >> 1;
    const kept = keep === list.length && (left > 0 || keep === 0) ? list : [...list.slice(0, head), CUT, ...list.slice(list.length - (keep - 1 - head))];
    // the last first: the entries left out of a tree past its share are the earliest, never the last error (the cause)
    const out: SerializedError[] = [];
    for (let i = kept.length - 1; i >= 0; i--) out[i] = entry(kept[i], serializeList);
    return out;
  } finally {
    if (top) room = undefined;
  }
}

function toPlain(e: unknown, list: typeof serializeList | undefined): SerializedError {
  if (isL0Error(e)) {
    try {
      const errors = list && e.name === 'AllStreamsExhaustedError' ? safeGet(e, 'errors') : undefined;
      const json: unknown = Array.isArray(errors) ? plainError(e, true, list!(errors)) : e.toJSON();
      if (safeString(json, 'name') !== undefined && safeString(json, 'message') !== undefined) return json as SerializedError;
    } catch {
      // a foreign object carrying the brand, with a broken toJSON: read it as any error below
    }
  }
  // any error (or error-like object) as an L0Error's causes are: its fields, cause chain and `errors`, capped
  if (isErrorObject(e) || safeString(e, 'message') !== undefined) return plainError(e as object, false);
  if (typeof e === 'string') return { name: 'Error', message: shorten(e, MAX_MESSAGE) };
  return { name: 'Error', message: (typeof e === 'object' && e !== null) || typeof e === 'function' ? describeAny(e, MAX_DESCRIPTION) : String(e) };
}
