import { identity, pipe, type MonoTypeOperatorFunction, type Observable } from 'rxjs';
import type { L0Event } from '../events/eventTypes.js';
import { streamSource } from '../sources/fromStream.js';
import { withTimeouts } from '../timeouts/withTimeouts.js';
import { deduplicateContinuation } from '../continuation/deduplicateContinuation.js';
import { detectZeroOutput } from '../zeroOutput/detectZeroOutput.js';
import { checkpointEvery } from '../continuation/checkpointEvery.js';
import { retryResolved } from '../retry/retryWithBackoff.js';
import { fallbackTo } from '../fallback/fallbackTo.js';
import { tapLifecycle } from '../lifecycle/tapLifecycle.js';
import { abortOn } from './abortOn.js';
import type { L0Options } from './l0Options.js';
import { resolveL0Options } from './resolveL0Options.js';

export { L0_DEFAULTS } from './l0Options.js';
export type { L0NamedStream, L0Options, L0StreamContext, L0StreamFactory } from './l0Options.js';

/**
 * Operators built from the same frozen config (l0's defaults, a memoised retry config) are the same
 * stateless function: a backend that calls l0() per request shares them instead of keeping a copy
 * (closure, context, config) per open stream.
 */
const OPERATORS = /*#__PURE__*/ new WeakMap<object, MonoTypeOperatorFunction<L0Event>>();
function shared<K extends object>(key: K, make: (key: K) => MonoTypeOperatorFunction<L0Event>): MonoTypeOperatorFunction<L0Event> {
  if (!Object.isFrozen(key)) return make(key);
  let op = OPERATORS.get(key);
  if (op === undefined) OPERATORS.set(key, (op = make(key)));
  return op;
}
/** Zero-output detection takes no options: one operator for every call. */
let zeroOutput: MonoTypeOperatorFunction<L0Event> | undefined;

/**
 * The reliability preset: a model stream with timeouts, zero-output detection, continuation,
 * retries with backoff, fallbacks, abort and lifecycle callbacks. It is only this `pipe()`:
 *
 * ```
 * const attempt = (factory, model) => fromStream(factory, { model }).pipe(
 *   withTimeouts(timeout),              // per attempt: silence of the source fails the attempt
 *   deduplicateContinuation(dedupe),    // a resumed attempt's head loses its overlap with the checkpoint
 *   guard(guardrails, { mode: guardMode }), // only with `guardrails`
 *   detectDrift(detectDriftOptions),    // only with `detectDrift` (`true`: `{ action: 'retry' }`)
 *   ...attemptOperators,                // yours: guardrails, drift, validation (their errors are retried;
 *                                       //   the attempt's `complete` is held until their stream ends)
 *   detectZeroOutput(),                 // an empty answer fails the attempt (a content failure)
 *   checkpointEvery(checkpointInterval),// last-known-good points, only with continuation, after the checks
 *   retryWithBackoff(retry),            // resubscribes `attempt`: a fresh factory call, ctx.attempt + 1
 * );
 * attempt(stream, model).pipe(
 *   fallbackTo(...fallbackStreams.map(attempt)), // after the primary's retries: each fallback has its own budget
 *   abortOn(signal),                    // a user abort is never retried nor falls back
 *   ...runOperators,                    // recordEvents(record) first when given, then yours: monitoring (every attempt, the final error)
 *   tapLifecycle(callbacks),
 * );
 * ```
 *
 *   s-a-b-#                       primary attempt 1 (s start, # ECONNRESET)
 *   s-a-b-r 999ms s-c-d(x|)       l0({ stream, retry: { backoff: 'fixed' } })   (r retry, x complete; the default 'fixed-jitter' waits 1000 to 1500 ms)
 *
 * The run ends with exactly one of: a `complete` event (with `finishReason`, which reports
 * `length` and `content-filter` truthfully) or an error whose type says what happened. Without
 * fallbacks an exhausted run fails with its last error; with fallbacks, with
 * AllStreamsExhaustedError. Invalid options throw a TypeError here, not at subscribe time, naming
 * the option as written (`l0({timeout: {initialToken}})`); an unknown key gets a "did you mean".
 *
 * @example
 * import OpenAI from 'openai';
 * import { l0, accumulate } from 'l0-rx';
 * const client = new OpenAI({ maxRetries: 0 });
 * l0({
 *   stream: ({ signal }) => client.chat.completions.create(
 *     { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'Hi' }], stream: true }, { signal }),
 *   retry: 'recommended',
 * }).pipe(accumulate()).subscribe((s) => render(s.content));
 * @param options See {@link L0Options}; defaults in {@link L0_DEFAULTS}.
 */
export function l0(options: L0Options): Observable<L0Event> {
  const o = resolveL0Options(options);
  const attempt = ({ factory, model }: (typeof o)['primary']) =>
    // l0()'s source: a relayed run's checkpoints dropped; continuation off (no checkpointInterval): every attempt starts over
    streamSource(factory, model, o.adapters, o.checkpointInterval !== undefined).pipe(
      shared(o.timeout, withTimeouts),
      deduplicateContinuation(o.dedupe),
      o.attemptOperators.length === 0 ? identity : pipe(...(o.attemptOperators as [typeof identity])),
      o.detectZeroTokens ? (zeroOutput ??= detectZeroOutput()) : identity,
      o.checkpointInterval === undefined ? identity : checkpointEvery(o.checkpointInterval),
      shared(o.retry, retryResolved),
    );
  const fallbacks = o.fallbacks.map(attempt); // built eagerly so invalid options throw now
  return attempt(o.primary).pipe(
    fallbackTo(...fallbacks),
    abortOn(o.signal),
    o.runOperators.length === 0 ? identity : pipe(...(o.runOperators as [typeof identity])),
    tapLifecycle(o.callbacks),
  );
}
