import type { ErrorReason } from './errorReason.js';
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
  readonly checkpoint?: string;
  /** HTTP status, where the failure came from an HTTP response. */
  readonly status?: number;
  /** A server-requested delay (Retry-After), in milliseconds. */
  readonly retryAfterMs?: number;
}

const BRAND = /*#__PURE__*/ Symbol.for('l0-rx.L0Error');
const NO_ERRORS: readonly unknown[] = /*#__PURE__*/ Object.freeze([]);

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
 * stream$.subscribe({ error: (e) => isL0Error(e) && console.log(e.code, e.category, e.attemptErrors.length) });
 */
export class L0Error extends Error {
  override readonly name: string = 'L0Error';
  readonly code: string;
  readonly category: ErrorCategory;
  readonly retryable: boolean;
  readonly reason: ErrorReason;
  readonly checkpoint: string | undefined;
  readonly status: number | undefined;
  readonly retryAfterMs: number | undefined;
  /** The attempt (1-based) this error ended, where known. */
  readonly attempt: number | undefined;
  /** The fallback index (0 = primary) this error happened on, where known. */
  readonly fallbackIndex: number | undefined;
  /** On the error that ends a run: every failed attempt's error, oldest first. Otherwise empty. */
  readonly attemptErrors: readonly unknown[];

  constructor(message: string, options: L0ErrorOptions) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = options.code;
    this.category = options.category;
    this.retryable = options.retryable;
    this.reason = options.reason ?? 'unknown';
    this.checkpoint = options.checkpoint;
    this.status = options.status;
    this.retryAfterMs = options.retryAfterMs;
    this.attempt = options.attempt;
    this.fallbackIndex = options.fallbackIndex;
    this.attemptErrors = options.attemptErrors ? Object.freeze([...options.attemptErrors]) : NO_ERRORS;
    Object.defineProperty(this, BRAND, { value: true });
  }

  /**
   * A copy of this error (same class, message, stack, cause and fields) with the given run info;
   * fields not given keep their value. The original is left untouched.
   *
   * @example
   * const last = error.withRunInfo({ attempt: 3, fallbackIndex: 0, attemptErrors: [e1, e2, error] });
   */
  withRunInfo(info: L0RunInfo): this {
    const copy = Object.create(Object.getPrototypeOf(this) as object) as this;
    for (const key of Reflect.ownKeys(this)) {
      Object.defineProperty(copy, key, Object.getOwnPropertyDescriptor(this, key)!);
    }
    const set = (key: keyof L0RunInfo, value: unknown) =>
      Object.defineProperty(copy, key, { value, writable: true, enumerable: true, configurable: true });
    if (info.attempt !== undefined) set('attempt', info.attempt);
    if (info.fallbackIndex !== undefined) set('fallbackIndex', info.fallbackIndex);
    if (info.attemptErrors !== undefined) set('attemptErrors', Object.freeze([...info.attemptErrors]));
    return copy;
  }

  /**
   * A plain, serialisable view: `{name, code, category, message, ...}`, with the subclass's `info`
   * and the cause chain serialised. {@link deserializeError} turns it back into a typed error.
   */
  toJSON(): SerializedError {
    const info = (this as { info?: unknown }).info;
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
      ...(info === undefined ? {} : { info: info as Readonly<Record<string, unknown>> }),
      ...(this.cause === undefined ? {} : { cause: causeToJSON(this.cause) }),
    };
  }
}

function causeToJSON(cause: unknown): SerializedError | string {
  if (isL0Error(cause)) return cause.toJSON();
  if (isSerialized(cause)) return cause; // a deserialized error keeps its cause chain serialised
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

function isSerialized(cause: unknown): cause is SerializedError {
  if (typeof cause !== 'object' || cause === null || cause instanceof Error) return false;
  const { name, message } = cause as { name?: unknown; message?: unknown };
  return typeof name === 'string' && typeof message === 'string';
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
