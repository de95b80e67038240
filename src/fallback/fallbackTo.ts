import { identity, isObservable, Observable, type MonoTypeOperatorFunction, type Subscription } from 'rxjs';
import type { FallbackEvent, L0Event } from '../events/eventTypes.js';
import { classifyError } from '../errors/classifyError.js';
import { AllStreamsExhaustedError } from '../errors/AllStreamsExhaustedError.js';
import { isL0Error } from '../errors/L0Error.js';
import { serializeError } from '../errors/serializeError.js';
import { subscribeWithContext, type AttemptContext } from '../internal/attemptContext.js';

/**
 * When the source fails, switches to the next model: emits `fallback{fromIndex, toIndex, error}`
 * and subscribes the next stream, which starts with `start{isFallback: true}`.
 *
 *   -s-a-#            source (the primary, its own retries already spent)
 *        S-b-x-|      fallback1, subscribed at the error (S start{isFallback: true}, x complete)
 *   -s-a-(fS)b-x-|    fallbackTo(fallback1)   (f fallback{fromIndex: 0, toIndex: 1})
 *
 * 1. Events of the current stream pass through. The latest `checkpoint` content (or `resume`
 *    checkpoint) seen on any stream is remembered.
 * 2. On an error whose {@link classifyError} category is `abort`, nothing else happens: the error
 *    is passed on untouched and no fallback is subscribed (a user abort never falls back).
 * 3. On any other error (auth and bad-request included: another provider may accept the request),
 *    the stream's attempts are recorded (the error's `attemptErrors` when retryWithBackoff attached
 *    them, else the live errors of the stream's `retry` events plus this one) and `fallbackIndex`
 *    is set on the L0Errors among them. If a fallback is left, `fallback{fromIndex, toIndex,
 *    error}` is emitted and fallback `toIndex` is subscribed with the attempt context `{attempt: 1, fallbackIndex: toIndex, checkpoint?}`: `fromStream`
 *    hands it to the factory and emits `start{isFallback: true}` and, with a checkpoint,
 *    `resume{checkpoint}` (so continuation carries across models).
 * 4. When the last stream fails, errors with {@link AllStreamsExhaustedError} holding every
 *    recorded attempt's error, oldest first.
 * 5. A source that completes never subscribes a fallback; unsubscribing unsubscribes the current
 *    stream only. State (recorded errors, checkpoint) is per subscription.
 *
 * Give each fallback its own retry budget by piping its own `retryWithBackoff`, as `l0()` does.
 * Without fallbacks the operator is the identity (the source's own error is passed on).
 *
 * @example
 * import { fromStream, fallbackTo, retryWithBackoff } from 'l0-rx';
 * const attempt = (factory) => fromStream(factory).pipe(retryWithBackoff('recommended'));
 * attempt(gpt4o).pipe(fallbackTo(attempt(claude), attempt(localModel)));
 * @see {@link retryWithBackoff}
 * @see {@link AllStreamsExhaustedError}
 * @param fallbacks The streams to try in order, each a cold `Observable<L0Event>`.
 */
export function fallbackTo(...fallbacks: Observable<L0Event>[]): MonoTypeOperatorFunction<L0Event> {
  fallbacks.forEach((f, i) => {
    if (!isObservable(f)) throw new TypeError(`fallbackTo: \`fallbacks[${i}]\` must be an Observable`);
  });
  if (fallbacks.length === 0) return identity;
  return (primary) =>
    new Observable<L0Event>((subscriber) => {
      // One subscriber layer per event (not tap + catchError): this runs for every token.
      const errors: unknown[] = [];
      let retried: unknown[] = []; // errors of the current stream's retried attempts, from its `retry` events
      let checkpoint: string | undefined;
      let index = 0;
      let current: Subscription | undefined;
      let step = 0; // bumped for every stream subscribed

      const observer = {
        next: (e: L0Event) => {
          if (e.type === 'checkpoint') checkpoint = e.content;
          else if (e.type === 'resume') checkpoint = e.checkpoint;
          else if (e.type === 'retry') retried.push(e.error.live ?? e.error);
          subscriber.next(e);
        },
        error: (err: unknown) => {
          if (classifyError(err).category === 'abort') return subscriber.error(err);
          errors.push(...attemptsOf(err, retried, index));
          retried = [];
          if (index === fallbacks.length) {
            const exhausted = new AllStreamsExhaustedError(errors);
            exhausted.fallbackIndex = index;
            return subscriber.error(exhausted);
          }
          const toIndex = index + 1;
          const event: FallbackEvent = { type: 'fallback', fromIndex: index, toIndex, error: serializeError(err) };
          subscriber.next(event);
          index = toIndex;
          if (!subscriber.closed) {
            subscribe(fallbacks[toIndex - 1]!, { attempt: 1, fallbackIndex: toIndex, ...(checkpoint ? { checkpoint } : {}) });
          }
        },
        complete: () => subscriber.complete(),
      };

      /**
       * Subscribes the next stream and keeps it for teardown. A synchronous failure inside may
       * already have moved to a later stream (which then owns `current`), and the consumer may have
       * left during the synchronous subscribe (teardown had nothing to cancel yet).
       */
      function subscribe(stream: Observable<L0Event>, ctx?: AttemptContext): void {
        const mine = ++step;
        const sub = ctx ? subscribeWithContext(stream, observer, ctx) : stream.subscribe(observer);
        if (subscriber.closed) sub.unsubscribe();
        else if (step === mine) current = sub;
      }

      subscribe(primary);
      return () => current?.unsubscribe();
    });
}

/**
 * Every attempt's error of a failed stream, tagged with its fallback index: the `attemptErrors`
 * retryWithBackoff attached, else the errors its `retry` events carried plus the final one.
 */
function attemptsOf(err: unknown, retried: readonly unknown[], index: number): unknown[] {
  const attached = isL0Error(err) ? err.attemptErrors : undefined;
  const list = attached && attached.length > 0 ? [...attached] : [...retried, err];
  for (const e of [err, ...list]) if (isL0Error(e)) e.fallbackIndex ??= index;
  return list;
}
