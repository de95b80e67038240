import { safeGet, safeString, shorten } from './inspect.js';
import { isL0Error, L0Error, plainError, type ErrorCategory } from './L0Error.js';
import { own, serializeError, serializeList, type SerializedError } from './serializeError.js';

/**
 * The primary and every fallback failed. `errors` holds every attempt's error, oldest first. Its
 * `category` and `retryable` are the last error's (a non-L0 error is `unknown` and retryable, as an
 * {@link UnknownError}), so a retry around a race or a fallback chain runs it again when that
 * failure may pass, after that failure's Retry-After when it has one ({@link classifyError} reads it).
 *
 * @example
 * import { isAllStreamsExhaustedError } from 'l0-rx';
 * if (isAllStreamsExhaustedError(e)) e.errors.forEach((x) => console.log(x));
 * @see {@link fallbackTo}
 */
export class AllStreamsExhaustedError extends L0Error {
  override readonly name = 'AllStreamsExhaustedError';
  declare readonly code: 'ALL_STREAMS_EXHAUSTED';
  readonly errors: readonly unknown[];

  /**
   * @param errors Every attempt's error, oldest first; also the run's `attemptErrors`.
   * @param run Where the run ended (`fallbackIndex`: the last stream tried).
   */
  constructor(errors: readonly unknown[], run: { readonly fallbackIndex?: number } = {}) {
    const last = errors[errors.length - 1];
    // an L0Error's own message, as its toJSON writes it: serialising it whole cost a nested exhaustion
    // its subtree, so a deserialised log line or SSE frame 400 exhaustions deep took seconds
    super(`All ${errors.length} attempt(s) over every stream failed; last: ${shorten(isL0Error(last) ? safeString(last, 'message') ?? '' : serializeError(last).message)}`, {
      code: 'ALL_STREAMS_EXHAUSTED',
      category: isL0Error(last) ? ((safeString(last, 'category') ?? 'unknown') as ErrorCategory) : 'unknown',
      // as the last failure: a retry or fallback around the race or chain runs it again when that one may pass
      retryable: isL0Error(last) ? safeGet(last, 'retryable') === true : true,
      reason: 'all_streams_exhausted',
      cause: last,
      attemptErrors: errors,
      ...(run.fallbackIndex === undefined ? {} : { fallbackIndex: run.fallbackIndex }),
    });
    this.errors = Object.freeze([...errors]);
  }

  /**
   * {@link L0Error.toJSON}, with `errors` each serialised whole, as {@link serializeError} writes it
   * (each within the caps: every attempt's error comes back from {@link deserializeError}), and at
   * most 64 of them: past 64 attempts, the first 31, one `[Truncated]` entry and the last 32 (the
   * last one is the `cause`, whose category the replayed error takes; the message counts them all),
   * so a run of 1,000 attempts with long causes is about 1 MB, not a log line or SSE frame of 16 MB.
   * The 64 are the whole tree's: the `errors` of the exhaustions among them count too, the last ones
   * first, and a nested one past them keeps its `[Truncated]` entry alone (its message, category and
   * `retryable` as written), so nesting neither multiplies the size nor overflows the stack, whichever
   * copy of the package made them; called while another error is written (a getter's JSON.stringify), a tree of its own.
   */
  override toJSON(): SerializedError & { errors: SerializedError[] } {
    return own(() => plainError(this, true, serializeList(this.errors))) as SerializedError & { errors: SerializedError[] };
  }
}

/**
 * True for an {@link AllStreamsExhaustedError} from any copy of the package.
 * @example import { isAllStreamsExhaustedError } from 'l0-rx'; if (isAllStreamsExhaustedError(e)) console.log(e.errors);
 */
export const isAllStreamsExhaustedError = (e: unknown): e is AllStreamsExhaustedError =>
  isL0Error(e) && e.name === 'AllStreamsExhaustedError';
