/*
 * The provider-free half of error handling: what the operators that retry, fall back and report
 * need. It reads l0-rx's own errors by their fields and never loads the provider tables (status
 * codes, Node and SDK error codes, message rules), which only `classifyError` / `toL0Error` (and so
 * `fromStream`, where provider errors are typed) bring into a bundle. Internal: never re-exported.
 */
import type { ErrorClassification } from './classifyError.js';
import { ERROR_CATEGORIES, toErrorReason } from './errorReason.js';
import { safeGet, safeString } from './inspect.js';
import { isL0Error, type ErrorCategory, type L0Error } from './L0Error.js';
import { errorHeaders, retryAfterFromHeaders } from './retryAfter.js';
import { StreamAbortedError } from './StreamAbortedError.js';
import { UnknownError } from './UnknownError.js';

/** How many `cause` links are followed below an error. */
export const MAX_CAUSE_DEPTH = 5;


/** Content and unknown failures use the `attempts` budget as well as `maxRetries`. */
export function countsTowardAttempts(category: ErrorCategory): boolean {
  return category === 'content' || category === 'unknown';
}

/** An object carrying the L0Error brand also carries what consumers read: a code, a category, a message. */
export function wellFormed(e: L0Error): boolean {
  return safeString(e, 'code') !== undefined && ERROR_CATEGORIES.has(safeGet(e, 'category')) && safeString(e, 'message') !== undefined;
}

/** A user or platform abort that is not one of ours: a DOMException or Node `AbortError`. */
export function isForeignAbort(e: unknown): boolean {
  return safeString(e, 'name') === 'AbortError';
}

/**
 * An error as the resubscribing operators see it, without the provider tables: an L0Error as it
 * is; a foreign `AbortError` as a {@link StreamAbortedError}; anything else as an
 * {@link UnknownError} holding it. Provider and network errors are typed where they happen, by
 * `fromStream`; a source of your own can type them with `toL0Error`. Never throws.
 */
export function asL0Error(e: unknown): L0Error {
  try {
    if (isL0Error(e)) return wellFormed(e) ? e : new UnknownError(e);
    if (isForeignAbort(e)) {
      const message = safeString(e, 'message');
      return new StreamAbortedError(message ? `The stream was aborted: ${message}` : undefined, e);
    }
  } catch {
    // every read above is safe; this is a last guard
  }
  return new UnknownError(e);
}

/** The category of any error without the provider tables: an L0Error's own, `abort` for an AbortError, else `unknown`. */
export function categoryOf(e: unknown): ErrorCategory {
  if (isL0Error(e)) {
    const category = safeGet(e, 'category');
    return ERROR_CATEGORIES.has(category) ? (category as ErrorCategory) : 'unknown'; // a forged brand may carry anything
  }
  return isForeignAbort(e) ? 'abort' : 'unknown';
}

/**
 * An L0Error as it classified itself. Its `retryAfterMs` was read without a clock (fromStream has
 * none), so with `now` an HTTP-date `Retry-After` on the headers of its cause chain is read here.
 * A `retryAfterMs` that is NaN or negative (an error built by hand, or relayed) is no delay. An
 * AllStreamsExhaustedError has its last error's delay, as it has that error's category (a nested
 * chain's is followed down at most MAX_CAUSE_DEPTH links, so a cause that leads back into it ends).
 */
export function classifyL0Error(e: L0Error, now: number | undefined, depth = 0): ErrorClassification {
  const category = categoryOf(e);
  const status = asNumber(safeGet(e, 'status'));
  // a delay is a number >= 0 (Infinity: never, so too long to wait); NaN or a negative one (a hand-made or relayed error) is no delay
  const own = asNumber(safeGet(e, 'retryAfterMs'));
  const last = depth < MAX_CAUSE_DEPTH && safeGet(e, 'name') === 'AllStreamsExhaustedError' ? safeGet(e, 'cause') : undefined;
  const retryAfterMs =
    (own !== undefined && own >= 0 ? own : undefined) ??
    (now === undefined || status === undefined ? undefined : causeRetryAfter(e, now)) ??
    // every stream failed: a retry of them all waits as the last failure asks (its category and retryable are that one's too)
    (isL0Error(last) ? classifyL0Error(last, now, depth + 1).retryAfterMs : undefined);
  return Object.freeze({
    category,
    reason: toErrorReason(safeString(e, 'reason')),
    retryable: safeGet(e, 'retryable') === true,
    countsTowardAttempts: countsTowardAttempts(category),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(status === undefined ? {} : { status }),
  });
}

function asNumber(v: unknown): number | undefined {
  return typeof v === 'number' ? v : undefined;
}

/**
 * The first Retry-After found on the headers of `e`'s cause chain (an HTTP date needs `now`), to the
 * first L0Error. An AI SDK RetryError's link is its `lastError`, as {@link classifyError} reads it.
 */
function causeRetryAfter(e: L0Error, now: number): number | undefined {
  let node = safeGet(e, 'cause');
  for (let depth = 0; depth < MAX_CAUSE_DEPTH && typeof node === 'object' && node !== null && !isL0Error(node); depth++) {
    const get = errorHeaders(node);
    const ms = get ? retryAfterFromHeaders(get, now, safeGet(e, 'category') === 'rate-limit') : undefined;
    if (ms !== undefined) return ms;
    node = safeGet(node, safeGet(node, 'name') === 'AI_RetryError' ? 'lastError' : 'cause');
  }
  return undefined;
}
