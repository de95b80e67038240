import { AllStreamsExhaustedError } from './AllStreamsExhaustedError.js';
import { toErrorReason } from './errorReason.js';
import { L0Error, RECORDED_CAUSE, TRUNCATED } from './L0Error.js';
import type { SerializedError } from './serializeError.js';

/**
 * Turns a {@link SerializedError} (from an event or a recorded log) back into a typed
 * {@link L0Error}: same `name` (so `isTokenTimeoutError` and the other guards hold), `code`,
 * `category`, `reason`, `info` and fields. The cause chain stays serialised, as `cause` (and an
 * `AggregateError`'s `errors`, as `errors`), except
 * for an {@link AllStreamsExhaustedError}, which comes back as one, its `errors` rebuilt (its
 * `cause`, the last of them, included), so a replayed run's final error reads like the live one.
 * The root entry's `deserializeError` also rebuilds `CircuitOpenError`, `BudgetExceededError` and
 * `ConsensusError` as their own classes (see deserializeTypedError.ts).
 * A plain error without a `code` comes back as `UNKNOWN_ERROR` of category `unknown`.
 *
 * @example
 * import { deserializeError, isTokenTimeoutError, ofType } from 'l0-rx';
 * events$.pipe(ofType('retry')).subscribe((e) => {
 *   const error = deserializeError(e.error);
 *   if (isTokenTimeoutError(error)) console.log(error.info.kind);
 * });
 */
export function deserializeError(plain: SerializedError): L0Error {
  return deserializeWith(plain, undefined);
}

/**
 * {@link deserializeError}, with `typed` asked first for each error (the root entry's version
 * rebuilds the breaker, budget and consensus errors as their classes; the lean one used inside
 * the operators does not, so `l0()` does not carry those classes).
 * @internal
 */
export function deserializeWith(plain: SerializedError, typed: ((plain: SerializedError) => L0Error | undefined) | undefined, depth = 0): L0Error {
  if (plain.name !== 'AllStreamsExhaustedError' || !Array.isArray(plain.errors) || plain.errors.length === 0) return one(plain, typed);
  // a log we write is at most 65 exhaustions deep (the cap on the whole tree): a deeper one (or one holding itself) is no stack overflow
  if (depth > MAX_DEPTH) throw new TypeError(`deserializeError(plain): exhaustions nested over ${MAX_DEPTH} deep`);
  const errors = plain.errors.map((e) => deserializeWith(e, typed, depth + 1));
  // its run info as recorded: a retry around a fallback chain numbers its attempt too (it was lost)
  const exhausted = new AllStreamsExhaustedError(errors).withRunInfo({ attempt: plain.attempt, fallbackIndex: plain.fallbackIndex });
  Object.defineProperty(exhausted, 'message', { value: plain.message, writable: true, enumerable: false, configurable: true });
  const last = errors[errors.length - 1]!;
  // its cause serialised as recorded while it is `last` (rebuilt, walked a level deeper than the attempt's own line, it could be cut elsewhere)
  if (plain.cause !== undefined) Object.defineProperty(exhausted, RECORDED_CAUSE, { value: [last, plain.cause] });
  // a list cut to its mark alone (a tree past its share, see serializeList) lost the last error: category, retryable and cause as recorded
  if (last.message === TRUNCATED && last.name === 'L0Error') Object.assign(exhausted, { category: plain.category ?? last.category, retryable: plain.retryable ?? false, cause: plain.cause ?? last });
  return exhausted;
}

/** How deep exhaustions may nest in a serialised error (ours: at most 65, see serializeList). @internal */
export const MAX_DEPTH = 1000;

/** One error that is not a recorded exhaustion: `typed`'s class, or an L0Error of the recorded name. */
function one(plain: SerializedError, typed: ((plain: SerializedError) => L0Error | undefined) | undefined): L0Error {
  const rebuilt = typed?.(plain);
  if (rebuilt) return rebuilt;
  const error = new L0Error(plain.message, {
    code: plain.code ?? 'UNKNOWN_ERROR',
    category: plain.category ?? 'unknown',
    retryable: plain.retryable ?? plain.category === undefined,
    reason: toErrorReason(plain.reason),
    // the constructor copies these as they are (undefined when absent); only `cause` is recorded by presence
    checkpoint: plain.checkpoint,
    status: plain.status,
    retryAfterMs: plain.retryAfterMs,
    attempt: plain.attempt,
    fallbackIndex: plain.fallbackIndex,
    ...(plain.cause === undefined ? {} : { cause: plain.cause }),
  });
  Object.defineProperty(error, 'name', { value: plain.name, writable: false, enumerable: true, configurable: true });
  if (Array.isArray(plain.errors)) Object.defineProperty(error, 'errors', { value: plain.errors, enumerable: true });
  if (plain.info !== undefined) Object.defineProperty(error, 'info', { value: Object.freeze({ ...plain.info }), enumerable: true });
  // isEventLogError (a name check) promises a `streamId`: a recorded or transported one gets it back from `info`
  if (plain.name === 'EventLogError' && typeof plain.info?.['streamId'] === 'string') Object.defineProperty(error, 'streamId', { value: plain.info['streamId'], enumerable: true });
  return error;
}
