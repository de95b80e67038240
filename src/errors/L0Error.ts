import type { ErrorReason } from './errorReason.js';
import { describeAny, isErrorObject, safeGet, safeString } from './inspect.js';
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
   * and the cause chain serialised (at most 8 links; a link back into the chain becomes the string
   * `[Circular]`). An `info` that JSON.stringify cannot write (a foreign cause's, with a BigInt or a
   * cycle) is left out, so the view always stringifies. Never throws. {@link deserializeError} turns
   * it back into a typed error.
   */
  toJSON(): SerializedError {
    return errorToJSON(this, new Set(), true);
  }
}

/** How many `cause` links {@link L0Error.toJSON} serialises. */
const MAX_CAUSE_DEPTH = 8;

/** The fields serialised when of the right type, in output order. */
const FIELD_TYPES: Readonly<Record<string, string>> = {
  code: 'string', category: 'string', reason: 'string', status: 'number', retryAfterMs: 'number', attempt: 'number',
  fallbackIndex: 'number', checkpoint: 'string', retryable: 'boolean',
};

/**
 * `e` as plain data: `name`, `message` and the known fields of the right type, its `info`, and
 * its cause chain; `seen` holds the chain above it. An L0Error (from any copy of the package)
 * always has a code, a category, a reason and `retryable`; other errors and plain recorded causes
 * keep only the fields they have.
 */
function errorToJSON(e: object, seen: Set<unknown>, l0: boolean): SerializedError {
  seen.add(e);
  const out: Record<string, unknown> = { name: safeString(e, 'name') ?? (l0 ? 'L0Error' : 'Error'), message: safeString(e, 'message') ?? '' };
  if (l0) Object.assign(out, { code: 'UNKNOWN_ERROR', category: 'unknown', retryable: false, reason: 'unknown' });
  for (const [key, type] of Object.entries(FIELD_TYPES)) {
    const value = safeGet(e, key);
    if (typeof value === type) out[key] = value;
  }
  const info = safeGet(e, 'info');
  if (typeof info === 'object' && info !== null && writable(info)) out['info'] = info;
  const cause = safeGet(e, 'cause');
  if (cause !== undefined) out['cause'] = causeToJSON(cause, seen);
  return out as unknown as SerializedError;
}

/**
 * Whether JSON.stringify can write `info`: a foreign error's `info` (a cause's) may hold a BigInt, a
 * cycle or a throwing getter, and the result goes into events that stores and transports stringify.
 */
function writable(info: object): boolean {
  try {
    JSON.stringify(info);
    return true;
  } catch {
    return false;
  }
}

function causeToJSON(cause: unknown, seen: Set<unknown>): SerializedError | string {
  if (seen.has(cause)) return '[Circular]';
  if (seen.size >= MAX_CAUSE_DEPTH) return '[Truncated]';
  if (isL0Error(cause)) return errorToJSON(cause, seen, true);
  if ((typeof cause === 'object' && cause !== null) || typeof cause === 'function') {
    // an Error, or a plain error-like object (a recorded cause rebuilt by deserializeError): its known fields
    if (isErrorObject(cause) || safeString(cause, 'message') !== undefined) return errorToJSON(cause, seen, false);
    return describeAny(cause, 200);
  }
  return String(cause);
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
