/*
 * The root entry's `deserializeError`: the lean one, plus the errors of the multi-model
 * functions rebuilt as their own classes. The operators use the lean one (src/errors/deserializeError.ts),
 * so `l0()` and the browser bundles do not carry these classes.
 */
import { CircuitOpenError } from '../breaker/CircuitOpenError.js';
import { BudgetExceededError } from '../budget/BudgetExceededError.js';
import { ConsensusError } from '../consensus/ConsensusError.js';
import { deserializeWith } from './deserializeError.js';
import { describeOption } from '../internal/options.js';
import type { L0Error } from './L0Error.js';
import type { SerializedError } from './serializeError.js';

/**
 * Turns a {@link SerializedError} (from an event or a recorded log) back into a typed
 * {@link L0Error}: same `name` (so `isTokenTimeoutError` and the other guards hold), `code`,
 * `category`, `reason`, `info` and fields. An {@link AllStreamsExhaustedError} comes back as one,
 * its `errors` rebuilt; a {@link CircuitOpenError}, {@link BudgetExceededError} or
 * {@link ConsensusError} comes back as its own class with its `info` (so `instanceof` holds too),
 * keeping the recorded message, cause, attempt and fallback index. Other errors are `L0Error`s
 * with the recorded name; the cause chain stays serialised, as `cause`. A plain error without a
 * `code` comes back as `UNKNOWN_ERROR` of category `unknown`. A value that is not an object with a string
 * `name` and `message` is a TypeError naming it.
 *
 *   {name: 'CircuitOpenError', info: {...}}   a serialised error (a retry event's `error`)
 *   CircuitOpenError                           deserializeError(plain)
 *
 * @example
 * import { deserializeError, isTokenTimeoutError, ofType } from 'l0-rx';
 * events$.pipe(ofType('retry')).subscribe((e) => {
 *   const error = deserializeError(e.error);
 *   if (isTokenTimeoutError(error)) console.log(error.info.kind);
 * });
 */
export function deserializeTypedError(plain: SerializedError): L0Error {
  // the events' validators check a transported error; a caller's own value is checked here (null crashed, 1 gave an empty message)
  checkSerialized(plain);
  return deserializeWith(plain, rebuild);
}

/** An error met in {@link checkSerialized}: its index in the `errors` of `parent`. */
interface Entry { readonly value: unknown; readonly parent?: Entry; readonly index: number }

/**
 * `plain` and every error of its `errors` (rebuilt too), and theirs, as serialised errors: a TypeError
 * naming the first that is not. Walked without recursion (a log line 20,000 exhaustions deep was a
 * RangeError); a list met twice (or holding itself) is checked once.
 */
function checkSerialized(plain: unknown): void {
  const seen = new Set<unknown>();
  for (const stack: Entry[] = [{ value: plain, index: -1 }]; stack.length > 0; ) {
    const entry = stack.pop()!;
    const p = entry.value as Record<string, unknown> | null;
    if (typeof p !== 'object' || p === null || typeof p['name'] !== 'string' || typeof p['message'] !== 'string') {
      let path = '';
      for (let at: Entry | undefined = entry; at?.parent; at = at.parent) path = `.errors[${at.index}]${path}`;
      throw new TypeError(`deserializeError(plain): plain${path} must be a SerializedError (an object with a string name and message), got ${describeOption(p)}`);
    }
    const errors = p['errors'];
    if (!Array.isArray(errors) || seen.has(errors)) continue;
    seen.add(errors);
    // pushed last first: the first bad entry named is the one a walk in order meets first
    for (let i = errors.length - 1; i >= 0; i--) stack.push({ value: errors[i], parent: entry, index: i });
  }
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
  // (a recorded `info: null` is no info: it made a TypeError reading its field, after a replay's events)
  const built = make?.(plain.info ?? {});
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
