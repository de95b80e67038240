import { identity, type Observable } from 'rxjs';
import type { L0Event } from '../events/eventTypes.js';
import { fromStream, type StreamFactory } from '../sources/fromStream.js';
import { withTimeouts } from '../timeouts/withTimeouts.js';
import { deduplicateContinuation } from '../continuation/deduplicateContinuation.js';
import { detectZeroOutput } from '../zeroOutput/detectZeroOutput.js';
import { checkpointEvery } from '../continuation/checkpointEvery.js';
import { retryWithBackoff } from '../retry/retryWithBackoff.js';
import { fallbackTo } from '../fallback/fallbackTo.js';
import { tapLifecycle } from '../lifecycle/tapLifecycle.js';
import { abortOn } from './abortOn.js';
import { resolveL0Options, type L0Options } from './l0Options.js';

export { L0_DEFAULTS } from './l0Options.js';
export type { L0Options, L0StreamContext, L0StreamFactory } from './l0Options.js';

/**
 * The reliability preset: a model stream with timeouts, zero-output detection, continuation,
 * retries with backoff, fallbacks, abort and lifecycle callbacks. It is only this `pipe()`:
 *
 * ```
 * const attempt = (factory) => fromStream(factory).pipe(
 *   withTimeouts(timeout),              // per attempt: silence of the source fails the attempt
 *   deduplicateContinuation(dedupe),    // a resumed attempt's head loses its overlap with the checkpoint
 *   detectZeroOutput(),                 // an empty answer fails the attempt (a content failure)
 *   checkpointEvery(checkpointInterval),// last-known-good points, only with continuation
 *   retryWithBackoff(retry),            // resubscribes `attempt`: a fresh factory call, ctx.attempt + 1
 * );
 * attempt(stream).pipe(
 *   fallbackTo(...fallbackStreams.map(attempt)), // after the primary's retries: each fallback has its own budget
 *   abortOn(signal),                    // outermost: a user abort is never retried nor falls back
 *   tapLifecycle(callbacks),
 * );
 * ```
 *
 *   -s-a-b-#                      primary attempt 1 (s start, # ECONNRESET)
 *   -s-a-b-r 1000ms -s-c-d-x|     l0({ stream })   (r retry, x complete)
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
  const attempt = (factory: StreamFactory) =>
    fromStream(factory, { adapters: o.adapters }).pipe(
      withTimeouts(o.timeout),
      deduplicateContinuation(o.dedupe),
      o.detectZeroTokens ? detectZeroOutput() : identity,
      o.checkpointInterval === undefined ? identity : checkpointEvery(o.checkpointInterval),
      retryWithBackoff(o.retry),
    );
  const fallbacks = o.fallbacks.map(attempt); // built eagerly so invalid options throw now
  return attempt(o.primary).pipe(fallbackTo(...fallbacks), abortOn(o.signal), tapLifecycle(o.callbacks));
}
