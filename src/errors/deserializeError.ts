import { CircuitOpenError } from '../breaker/CircuitOpenError.js';
import { BudgetExceededError } from '../budget/BudgetExceededError.js';
import { ConsensusError } from '../consensus/ConsensusError.js';
import { AllStreamsExhaustedError } from './AllStreamsExhaustedError.js';
import { toErrorReason } from './errorReason.js';
import { L0Error } from './L0Error.js';
import type { SerializedError } from './serializeError.js';

/**
 * Turns a {@link SerializedError} (from an event or a recorded log) back into a typed
 * {@link L0Error}: same `name` (so `isTokenTimeoutError` and the other guards hold), `code`,
 * `category`, `reason`, `info` and fields. The cause chain stays serialised, as `cause`, except
 * for an {@link AllStreamsExhaustedError}, which comes back as one, its `errors` rebuilt (its
 * `cause`, the last of them, included), so a replayed run's final error reads like the live one.
 * `CircuitOpenError`, `BudgetExceededError` and `ConsensusError` come back as their own classes
 * with their `info` (when it has the fields the class needs), so `instanceof` holds too.
 * A plain error without a `code` comes back as `UNKNOWN_ERROR` of category `unknown`.
 *
 * @example
 * import { deserializeError, isTokenTimeoutError } from 'l0-rx';
 * events$.pipe(ofType('retry')).subscribe((e) => {
 *   const error = deserializeError(e.error);
 *   if (isTokenTimeoutError(error)) console.log(error.info.kind);
 * });
 */
export function deserializeError(plain: SerializedError): L0Error {
  if (plain.name === 'AllStreamsExhaustedError' && Array.isArray(plain.errors) && plain.errors.length > 0) {
    const run = plain.fallbackIndex === undefined ? {} : { fallbackIndex: plain.fallbackIndex };
    const exhausted = new AllStreamsExhaustedError(plain.errors.map(deserializeError), run);
    Object.defineProperty(exhausted, 'message', { value: plain.message, writable: true, enumerable: false, configurable: true });
    return exhausted;
  }
  const typed = rebuild(plain);
  if (typed) return typed;
  const error = new L0Error(plain.message, {
    code: plain.code ?? 'UNKNOWN_ERROR',
    category: plain.category ?? 'unknown',
    retryable: plain.retryable ?? plain.category === undefined,
    reason: toErrorReason(plain.reason),
    ...(plain.cause === undefined ? {} : { cause: plain.cause }),
    ...(plain.checkpoint === undefined ? {} : { checkpoint: plain.checkpoint }),
    ...(plain.status === undefined ? {} : { status: plain.status }),
    ...(plain.retryAfterMs === undefined ? {} : { retryAfterMs: plain.retryAfterMs }),
    ...(plain.attempt === undefined ? {} : { attempt: plain.attempt }),
    ...(plain.fallbackIndex === undefined ? {} : { fallbackIndex: plain.fallbackIndex }),
  });
  Object.defineProperty(error, 'name', { value: plain.name, writable: false, enumerable: true, configurable: true });
  if (plain.info !== undefined) Object.defineProperty(error, 'info', { value: Object.freeze({ ...plain.info }), enumerable: true });
  return error;
}

const isNum = (v: unknown): v is number => typeof v === 'number';
const oneOf = <T extends string>(v: unknown, values: readonly T[]): v is T => values.includes(v as T);

/** The classes whose constructor takes their `info`: rebuilt from it when its fields are there. */
const FROM_INFO: Readonly<Record<string, (i: Readonly<Record<string, unknown>>) => L0Error | undefined>> = {
  CircuitOpenError: (i) =>
    typeof i['key'] === 'string' && oneOf(i['state'], ['open', 'half-open'] as const) && isNum(i['retryInMs'])
      ? new CircuitOpenError({ key: i['key'], state: i['state'], retryInMs: i['retryInMs'] })
      : undefined,
  BudgetExceededError: (i) =>
    oneOf(i['limit'], ['maxOutputTokens', 'maxTotalTokens', 'maxCost'] as const) && isNum(i['max']) && isNum(i['reached']) && isNum(i['outputTokens'])
      ? new BudgetExceededError({ limit: i['limit'], max: i['max'], reached: i['reached'], outputTokens: i['outputTokens'] })
      : undefined,
  ConsensusError: (i) =>
    oneOf(i['kind'], ['conflict', 'below-minimum-agreement'] as const) && isNum(i['agreement']) && isNum(i['minimumAgreement'])
      ? new ConsensusError({ kind: i['kind'], agreement: i['agreement'], minimumAgreement: i['minimumAgreement'] })
      : undefined,
};

/** One of {@link FROM_INFO}'s classes, with the recorded message, cause and run info; undefined for any other error. */
function rebuild(plain: SerializedError): L0Error | undefined {
  const make = Object.hasOwn(FROM_INFO, plain.name) ? FROM_INFO[plain.name] : undefined;
  const built = make && plain.info !== undefined ? make(plain.info) : undefined;
  if (!built) return undefined;
  const error = built.withRunInfo({
    ...(plain.attempt === undefined ? {} : { attempt: plain.attempt }),
    ...(plain.fallbackIndex === undefined ? {} : { fallbackIndex: plain.fallbackIndex }),
  });
  const keep = (key: 'message' | 'cause', value: unknown) => Object.defineProperty(error, key, { value, writable: true, enumerable: false, configurable: true });
  if (plain.message !== error.message) keep('message', plain.message);
  if (plain.cause !== undefined) keep('cause', plain.cause);
  return error;
}
