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

/** Fields every {@link L0Error} is built from. */
export interface L0ErrorOptions {
  readonly code: string;
  readonly category: ErrorCategory;
  readonly retryable: boolean;
  /** The classification reason, e.g. `rate_limit`, `zero_output`, `incomplete_stream`. */
  readonly reason?: string;
  readonly cause?: unknown;
  readonly checkpoint?: string;
  /** HTTP status, where the failure came from an HTTP response. */
  readonly status?: number;
  /** A server-requested delay (Retry-After), in milliseconds. */
  readonly retryAfterMs?: number;
}

const BRAND = Symbol.for('l0-rx.L0Error');

/**
 * The base of every error l0-rx raises. Carries a stable `code`, a `category`, whether it is
 * `retryable`, the attempt and fallback index it happened in, and the original `cause`.
 *
 * Check with {@link isL0Error} or the per-class guards, not `instanceof`: they survive duplicate
 * copies of the package (an app that loads both the ESM and the CJS build).
 *
 * @example
 * import { isL0Error } from 'l0-rx';
 * stream$.subscribe({ error: (e) => isL0Error(e) && console.log(e.code, e.category) });
 */
export class L0Error extends Error {
  override readonly name: string = 'L0Error';
  readonly code: string;
  readonly category: ErrorCategory;
  readonly retryable: boolean;
  readonly reason: string;
  readonly checkpoint: string | undefined;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  /** The attempt (1-based) this error ended; set by the operator that saw it fail. */
  attempt: number | undefined;
  /** The fallback index (0 = primary) this error happened on. */
  fallbackIndex: number | undefined;
  /** Every attempt's error, oldest first, when retries were exhausted with this as the last error. */
  attemptErrors: readonly unknown[] = [];

  constructor(message: string, options: L0ErrorOptions) {
    // `'cause' in options`: a thrown `undefined` is still recorded as the cause
    super(message, 'cause' in options ? { cause: options.cause } : undefined);
    this.code = options.code;
    this.category = options.category;
    this.retryable = options.retryable;
    this.reason = options.reason ?? options.code.toLowerCase();
    this.checkpoint = options.checkpoint;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * A plain, serialisable view: `{name, code, category, message, ...}`, with the cause chain serialised
   * (at most 8 links; a link back into the chain becomes the string `[Circular]`). Never throws.
   */
  toJSON(): SerializedError {
    return l0ErrorToJSON(this, new Set());
  }
}

/** How many `cause` links {@link L0Error.toJSON} serialises. */
const MAX_CAUSE_DEPTH = 8;

/** `e` (an L0Error from any copy of the package) as plain data; `seen` holds the chain above it. */
function l0ErrorToJSON(e: L0Error, seen: Set<unknown>): SerializedError {
  seen.add(e);
  const field = <K extends keyof L0Error>(key: K): L0Error[K] | undefined => safeGet(e, key) as L0Error[K] | undefined;
  const status = field('status');
  const retryAfterMs = field('retryAfterMs');
  const attempt = field('attempt');
  const fallbackIndex = field('fallbackIndex');
  const checkpoint = field('checkpoint');
  const cause = field('cause');
  return {
    name: safeString(e, 'name') ?? 'L0Error',
    message: safeString(e, 'message') ?? '',
    code: safeString(e, 'code') ?? 'UNKNOWN_ERROR',
    category: (safeString(e, 'category') ?? 'unknown') as ErrorCategory,
    retryable: field('retryable') === true,
    reason: safeString(e, 'reason') ?? 'unknown',
    ...(typeof status === 'number' ? { status } : {}),
    ...(typeof retryAfterMs === 'number' ? { retryAfterMs } : {}),
    ...(typeof attempt === 'number' ? { attempt } : {}),
    ...(typeof fallbackIndex === 'number' ? { fallbackIndex } : {}),
    ...(typeof checkpoint === 'string' ? { checkpoint } : {}),
    ...(cause === undefined ? {} : { cause: causeToJSON(cause, seen) }),
  };
}

function causeToJSON(cause: unknown, seen: Set<unknown>): SerializedError | string {
  if (seen.has(cause)) return '[Circular]';
  if (seen.size >= MAX_CAUSE_DEPTH) return '[Truncated]';
  if (isL0Error(cause)) return l0ErrorToJSON(cause, seen);
  if (!isErrorObject(cause) && safeString(cause, 'message') === undefined) {
    return (typeof cause === 'object' && cause !== null) || typeof cause === 'function' ? describeAny(cause, 200) : String(cause);
  }
  seen.add(cause);
  const code = safeGet(cause, 'code');
  const next = safeGet(cause, 'cause');
  return {
    name: safeString(cause, 'name') ?? 'Error',
    message: safeString(cause, 'message') ?? '',
    ...(typeof code === 'string' ? { code } : {}),
    ...(next === undefined ? {} : { cause: causeToJSON(next, seen) }),
  };
}

/**
 * True for any {@link L0Error}, from this copy of the package or another.
 *
 * @example
 * import { isL0Error } from 'l0-rx';
 * if (isL0Error(err) && err.retryable) retryLater();
 */
export function isL0Error(e: unknown): e is L0Error {
  return typeof e === 'object' && e !== null && safeGet(e, BRAND) === true;
}
