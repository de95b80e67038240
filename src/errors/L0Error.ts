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
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.category = options.category;
    this.retryable = options.retryable;
    this.reason = options.reason ?? options.code.toLowerCase();
    this.checkpoint = options.checkpoint;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /** A plain, serialisable view: `{name, code, category, message, ...}`, with the cause chain serialised. */
  toJSON(): SerializedError {
    return {
      name: this.name,
      message: this.message,
      code: this.code,
      category: this.category,
      retryable: this.retryable,
      reason: this.reason,
      ...(this.status === undefined ? {} : { status: this.status }),
      ...(this.retryAfterMs === undefined ? {} : { retryAfterMs: this.retryAfterMs }),
      ...(this.attempt === undefined ? {} : { attempt: this.attempt }),
      ...(this.fallbackIndex === undefined ? {} : { fallbackIndex: this.fallbackIndex }),
      ...(this.checkpoint === undefined ? {} : { checkpoint: this.checkpoint }),
      ...(this.cause === undefined ? {} : { cause: causeToJSON(this.cause) }),
    };
  }
}

function causeToJSON(cause: unknown): SerializedError | string {
  if (isL0Error(cause)) return cause.toJSON();
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return {
      name: cause.name,
      message: cause.message,
      ...(typeof code === 'string' ? { code } : {}),
      ...(cause.cause === undefined ? {} : { cause: causeToJSON(cause.cause) }),
    };
  }
  return String(cause);
}

/**
 * True for any {@link L0Error}, from this copy of the package or another.
 *
 * @example
 * import { isL0Error } from 'l0-rx';
 * if (isL0Error(err) && err.retryable) retryLater();
 */
export function isL0Error(e: unknown): e is L0Error {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[BRAND] === true;
}
