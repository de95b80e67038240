import type { ErrorReason } from './errorReason.js';
import { describeAny, isErrorObject, MAX_DESCRIPTION, safeGet, safeString, shorten } from './inspect.js';
import type { SerializedError } from './serializeError.js';

/** What kind of failure an error is; drives retry and fallback decisions. */
export type ErrorCategory =
  | 'network'
  | 'rate-limit'
  | 'server'
  | 'timeout'
  | 'content'
  | 'auth'
  | 'bad-request'
  | 'abort'
  | 'unknown';

/** Where in a run an error happened: set when the error is made, or on a copy ({@link L0Error.withRunInfo}). */
export interface L0RunInfo {
  /** The attempt (1-based) the error ended. */
  readonly attempt?: number;
  /** The fallback index (0 = primary) the error happened on. */
  readonly fallbackIndex?: number;
  /** Every failed attempt's error, oldest first, on the error that ends a run. */
  readonly attemptErrors?: readonly unknown[];
}

/** Fields every {@link L0Error} is built from. */
export interface L0ErrorOptions extends L0RunInfo {
  readonly code: string;
  readonly category: ErrorCategory;
  readonly retryable: boolean;
  /** The classification reason, e.g. `rate_limit`, `zero_output`, `incomplete_stream`. @default 'unknown' */
  readonly reason?: ErrorReason;
  readonly cause?: unknown;
  /**
   * The text the failed attempt leaves known good, when the failure settles it: retryWithBackoff
   * and fallbackTo resume the next attempt from it (`''`: start over) instead of from the last
   * `checkpoint` event. A guardrail's completion check sets `''` (it rejected the whole text).
   */
  readonly checkpoint?: string;
  /** HTTP status, where the failure came from an HTTP response. */
  readonly status?: number;
  /** A server-requested delay (Retry-After), in milliseconds. */
  readonly retryAfterMs?: number;
}

const BRAND = /*#__PURE__*/ Symbol.for('l0-rx.L0Error');
const NO_ERRORS: readonly unknown[] = /*#__PURE__*/ Object.freeze([]);
/** The option fields an L0Error copies, in the order of its own keys. */
const OWN_FIELDS = ['code', 'category', 'retryable', 'reason', 'checkpoint', 'status', 'retryAfterMs', 'attempt', 'fallbackIndex'] as const;

/**
 * The base of every error l0-rx raises. Carries a stable `code`, a `category`, whether it is
 * `retryable`, the attempt and fallback index it happened in, and the original `cause`.
 *
 * Errors are never changed after they are made: the operators that learn where an error happened
 * (retryWithBackoff, fallbackTo) put that on the events they emit and on a copy made with
 * {@link L0Error.withRunInfo} for the error that ends the run.
 *
 * Check with {@link isL0Error} or the per-class guards, not `instanceof`: they survive duplicate
 * copies of the package (an app that loads both the ESM and the CJS build).
 *
 * @example
 * import { isL0Error } from 'l0-rx';
 * events$.subscribe({ error: (e) => isL0Error(e) && console.log(e.code, e.category, e.attemptErrors.length) });
 */
export class L0Error extends Error {
  override readonly name: string = 'L0Error';
  // `declare`: set in the constructor only, so the compiled class carries no field list (bundle size)
  declare readonly code: string;
  declare readonly category: ErrorCategory;
  declare readonly retryable: boolean;
  declare readonly reason: ErrorReason;
  /** The text the failed attempt leaves known good, when the failure settles it (`''`: none); see {@link L0ErrorOptions.checkpoint}. */
  declare readonly checkpoint: string | undefined;
  declare readonly status: number | undefined;
  declare readonly retryAfterMs: number | undefined;
  /** The attempt (1-based) this error ended, where known. */
  declare readonly attempt: number | undefined;
  /** The fallback index (0 = primary) this error happened on, where known. */
  declare readonly fallbackIndex: number | undefined;
  /** On the error that ends a run: every failed attempt's error, oldest first. Otherwise empty. */
  declare readonly attemptErrors: readonly unknown[];

  constructor(message: string, options: L0ErrorOptions) {
    // `'cause' in options`: a thrown `undefined` is still recorded as the cause
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    // in this order (the instance's own keys keep it); `reason` and `attemptErrors` get their defaults below
    for (const key of OWN_FIELDS) (this as Record<string, unknown>)[key] = options[key];
    this.reason ??= 'unknown';
    this.attemptErrors = options.attemptErrors ? Object.freeze([...options.attemptErrors]) : NO_ERRORS;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * A copy of this error (same class, message, stack, cause and fields) with the given run info;
   * fields not given keep their value. The original is left untouched.
   *
   * @example
   * import type { L0Error } from 'l0-rx';
   * declare const error: L0Error, e1: L0Error, e2: L0Error; // the third attempt's error, and the first two's
   * const last = error.withRunInfo({ attempt: 3, fallbackIndex: 0, attemptErrors: [e1, e2, error] });
   */
  withRunInfo(info: L0RunInfo): this {
    const copy = Object.create(Object.getPrototypeOf(this) as object) as this;
    for (const key of Reflect.ownKeys(this)) {
      Object.defineProperty(copy, key, Object.getOwnPropertyDescriptor(this, key)!);
    }
    for (const key of ['attempt', 'fallbackIndex', 'attemptErrors'] as const) {
      const value = info[key];
      if (value !== undefined) {
        Object.defineProperty(copy, key, { value: key === 'attemptErrors' ? Object.freeze([...(value as readonly unknown[])]) : value, writable: true, enumerable: true, configurable: true });
      }
    }
    return copy;
  }

  /**
   * A plain, serialisable view: `{name, code, category, message, ...}`, with the subclass's `info`
   * and the cause chain serialised, an `AggregateError`'s `errors` too. Capped, so that one bad
   * provider error cannot make a huge event or loop: at most 8 errors deep (a deeper cause is the
   * string `[Truncated]`, a link back into the chain `[Circular]`), 32 errors in all, a message cut
   * to 2,000 characters and a name or code to 200 (with `…`); a foreign error's `info` is kept only
   * when its JSON is at most 2,000 characters. An `info` that JSON.stringify cannot write (a foreign
   * cause's, with a BigInt or a cycle) is left out, so the view always stringifies. Never throws.
   * {@link deserializeError} turns it back into a typed error.
   */
  toJSON(): SerializedError {
    return plainError(this, true);
  }
}

/** Where a rebuilt exhaustion keeps its recorded `cause`, with the cause it stands for: `[last, plain]` (see deserializeWith); any copy's. @internal */
export const RECORDED_CAUSE = /*#__PURE__*/ Symbol.for('l0-rx.recordedCause');
/** How many errors deep a serialised error goes: a deeper `cause` is `[Truncated]`. */
const MAX_CAUSE_DEPTH = 8;
export const TRUNCATED = '[Truncated]';
/** How many errors one serialised error holds in all (itself, its causes, an AggregateError's `errors` and theirs; a string or object there counts too). */
export const MAX_ERRORS = 32;
/** How long a serialised message (and a foreign `info`'s JSON) gets: a provider's error page stays a few KB. */
export const MAX_MESSAGE = 2000;

/** The fields serialised when of the right type, in output order (an L0Error's: a recorded one rebuilt as plain data writes the same line). */
const FIELD_TYPES: Readonly<Record<string, string>> = {
  code: 'string', category: 'string', retryable: 'boolean', reason: 'string', status: 'number', retryAfterMs: 'number', attempt: 'number',
  fallbackIndex: 'number', checkpoint: 'string',
};

/**
 * `e` as a capped {@link SerializedError} (see {@link L0Error.toJSON}); `l0`: it is an L0Error, so it always gets a code,
 * category, reason and `retryable`; `errors`: its `errors` already serialised (an AllStreamsExhaustedError's, each whole).
 */
export function plainError(e: object, l0: boolean, errors?: readonly SerializedError[]): SerializedError {
  return errorToJSON(e, [], { left: MAX_ERRORS - 1 }, l0, errors);
}

/**
 * `e` as plain data: `name`, `message` and the known fields of the right type, its `info`, its
 * cause chain and its `errors`; `above` holds the errors above it, `walk` how many more may be
 * written. An L0Error (from any copy of the package) always has a code, a category, a reason and
 * `retryable`; other errors and plain recorded causes keep only the fields they have.
 */
function errorToJSON(e: object, above: readonly unknown[], walk: { left: number }, l0: boolean, given?: readonly SerializedError[]): SerializedError {
  const path = [...above, e];
  const out: Record<string, unknown> = { name: shorten(safeString(e, 'name') ?? (l0 ? 'L0Error' : 'Error')), message: shorten(safeString(e, 'message') ?? '', MAX_MESSAGE) };
  if (l0) Object.assign(out, { code: 'UNKNOWN_ERROR', category: 'unknown', retryable: false, reason: 'unknown' });
  for (const [key, type] of Object.entries(FIELD_TYPES)) {
    const value = safeGet(e, key);
    // a checkpoint is the text a retry resumes from: whole, or the replay would not resume like the live run
    if (typeof value === type) out[key] = typeof value === 'string' && key !== 'checkpoint' ? shorten(value) : value;
  }
  const info = safeGet(e, 'info');
  if (typeof info === 'object' && info !== null && writable(info, l0)) out['info'] = info;
  // a rebuilt exhaustion's cause as recorded (see deserializeWith), so it writes the line it was rebuilt from; one the app changed as it is
  const [was, recorded] = (safeGet(e, RECORDED_CAUSE) as readonly unknown[] | undefined) ?? [];
  const live = safeGet(e, 'cause');
  const cause = was === live ? recorded : live;
  if (cause !== undefined) out['cause'] = linkToJSON(cause, path, walk);
  if (given) out['errors'] = given;
  else {
    let list: unknown[] | undefined;
    const push = (x: unknown): boolean => {
      const plain = linkToJSON(x, path, walk);
      list!.push(typeof plain === 'string' ? { name: 'Error', message: plain } : plain);
      return plain === TRUNCATED; // one mark for the rest of the list
    };
    try {
      const errors = safeGet(e, 'errors');
      if (Array.isArray(errors)) {
        list = out['errors'] = [];
        // by index: an iterator's `return`, called at the break after the mark, could throw and add a second one
        for (let i = 0; i < errors.length; ) if (push(errors[i++])) break;
      }
    } catch {
      // a list that throws midway (an index getter, a Proxy's trap) keeps the entries read, then the mark for the rest, walked
      // as its deserialised copy's is; a revoked Proxy as `errors` (Array.isArray throws) is left out, as a throwing getter is
      if (list) push({ message: TRUNCATED });
    }
  }
  return out as unknown as SerializedError;
}

/**
 * Whether JSON.stringify can write `info` (and, for a foreign error's, within {@link MAX_MESSAGE}): a foreign error's
 * `info` (a cause's) may hold a BigInt, a cycle, a throwing getter or a whole response, and the result goes into events
 * that stores and transports stringify.
 */
function writable(info: object, l0: boolean): boolean {
  try {
    return JSON.stringify(info).length <= MAX_MESSAGE || l0;
  } catch {
    return false;
  }
}

function linkToJSON(link: unknown, path: readonly unknown[], walk: { left: number }): SerializedError | string {
  // every entry counts (a list of 10,000 strings is no smaller than one of errors), and in this order, so that
  // serialising the deserialised copy meets each mark where this did and gives the same result
  if (path.length >= MAX_CAUSE_DEPTH || walk.left-- <= 0) return TRUNCATED;
  if (path.includes(link)) return '[Circular]';
  if (isL0Error(link)) return errorToJSON(link, path, walk, true);
  if ((typeof link === 'object' && link !== null) || typeof link === 'function') {
    // an Error, or a plain error-like object (a recorded cause rebuilt by deserializeError): its known fields
    if (isErrorObject(link) || safeString(link, 'message') !== undefined) return errorToJSON(link, path, walk, false);
    return describeAny(link, MAX_DESCRIPTION);
  }
  return shorten(String(link), MAX_MESSAGE);
}

/**
 * True for any {@link L0Error}, from this copy of the package or another.
 *
 * @example
 * import { isL0Error } from 'l0-rx';
 * if (isL0Error(e) && e.retryable) console.log(`${e.code} may succeed if tried again`);
 */
export function isL0Error(e: unknown): e is L0Error {
  return typeof e === 'object' && e !== null && safeGet(e, BRAND) === true;
}
