import { concatMap, defer, dematerialize, finalize, from, materialize, Observable, throwError, type MonoTypeOperatorFunction, type ObservableNotification } from 'rxjs';
import { peekAttemptContext, subscribeWithHolder, type Holder } from '../attempt/attemptContext.js';
import type { L0Event } from '../events/eventTypes.js';
import { CircuitOpenError } from './CircuitOpenError.js';
import { CircuitBreaker, type BreakerStateChange, type BreakerTicket } from './breakerInstance.js';

/**
 * Guards each subscription (each attempt) with a shared {@link CircuitBreaker}: an open breaker
 * fails fast with {@link CircuitOpenError} without subscribing the source. The state changes a
 * call makes or sees are emitted in its stream as `breaker` events.
 *
 *   -a-#   -a-#   ...          source failing (failureThreshold: 2)
 *   -a-#   -a-(b#)   #         source.pipe(circuitBreaker(breaker)), three calls   (b: breaker{from: 'closed', to: 'open'}; the third never subscribes)
 *
 * 1. On subscribe the breaker is asked for a ticket (synchronously with the memory store). Open:
 *    the run errors with `CircuitOpenError` at once; the source is not subscribed (no request).
 *    Half-open: at most `halfOpenMaxProbes` calls go through as probes, the rest fail fast.
 * 2. The source's `complete` event (or its completion, when it sends none) records a success; its
 *    error records a failure when `isFailure` says so (provider health by default: a 400, a
 *    context-length error or auth never count; an async `isFailure` is awaited, up to the breaker's
 *    `storeTimeout`). Either is passed on once recorded.
 *    Unsubscribing records nothing (a probe frees its slot).
 * 3. `breaker{key, from, to}` events: a change seen when the call was let through comes right
 *    after the source's `start` (open to half-open: this call is the probe); a change the call's
 *    end made comes right before its `complete` event or its error. A call that fails fast emits
 *    no event (only the error); `onStateChange` and `breaker.stateChanges` see every change.
 * 4. `CircuitOpenError` is not retryable: put the breaker inside `retryWithBackoff` so each
 *    attempt is counted, and `fallbackTo` then moves to the next model at once. The attempt they
 *    hand down (its number, stream index and checkpoint) reaches the source also when the store
 *    answers later (Redis), which subscribes the source after the breaker's own subscribe.
 *
 * @example
 * import { circuitBreaker, createCircuitBreaker, fallbackTo, fromStream, ofType, retryWithBackoff } from 'l0-rx';
 * const gptBreaker = createCircuitBreaker({ key: 'gpt-4o' });
 * fromStream(gpt4o)
 *   .pipe(circuitBreaker(gptBreaker), retryWithBackoff(), fallbackTo(fromStream(claude)))
 *   .pipe(ofType('breaker'))
 *   .subscribe((e) => console.log(`${e.key}: ${e.from} -> ${e.to}`));
 * @see {@link createCircuitBreaker}
 * @param breaker The shared breaker, from {@link createCircuitBreaker}.
 */
export function circuitBreaker(breaker: CircuitBreaker): MonoTypeOperatorFunction<L0Event> {
  if (!(breaker instanceof CircuitBreaker)) throw new TypeError('circuitBreaker(breaker): breaker must come from createCircuitBreaker()');
  return (source) =>
    new Observable<L0Event>((subscriber) => {
      // the attempt a retryWithBackoff or fallbackTo around the breaker hands down, read now: a store
      // that answers later (Redis) subscribes the source after this subscribe returned
      const handed = peekAttemptContext();
      const attempt = handed === undefined ? source : handing(source, handed);
      return breaker.acquire().pipe(
        concatMap(([ticket, changes]) =>
          ticket.allowed
            ? guarded(attempt, breaker, ticket, changes)
            : throwError(() => new CircuitOpenError({ key: breaker.key, state: ticket.state === 'open' ? 'open' : 'half-open', retryInMs: ticket.retryInMs })),
        ),
      ).subscribe(subscriber);
    });
}

/**
 * `source`, subscribed with the attempt context `holder` (the very one its loop made, so the loop sees
 * it taken) when that is no longer in the slot (an asynchronous store answered); as it was when it
 * still is (the memory store: the source takes it there) or something took it already.
 */
const handing = (source: Observable<L0Event>, holder: Holder): Observable<L0Event> =>
  new Observable<L0Event>((subscriber) =>
    holder.taken || peekAttemptContext() === holder ? source.subscribe(subscriber) : subscribeWithHolder(source, subscriber, holder, subscriber).subscription,
  );

const toEvent = (c: BreakerStateChange): ObservableNotification<L0Event> => ({ kind: 'N', value: { type: 'breaker', key: c.key, from: c.from, to: c.to } });

/**
 * The source, with the acquire's changes after its `start` (or before its first notification),
 * and its end (the `complete` event, or its error or completion) recorded before it is passed on.
 */
function guarded(source: Observable<L0Event>, breaker: CircuitBreaker, ticket: BreakerTicket, acquired: readonly BreakerStateChange[]): Observable<L0Event> {
  return defer(() => {
    let pending = acquired.map(toEvent);
    let settled = false;
    const flush = (n: ObservableNotification<L0Event>, afterStart: boolean): ObservableNotification<L0Event>[] => {
      const out = afterStart ? [n, ...pending] : [...pending, n];
      pending = [];
      return out;
    };
    return source.pipe(
      materialize(),
      concatMap((n) => {
        const ends = n.kind !== 'N' || n.value.type === 'complete';
        if (settled || !ends) return from(pending.length === 0 ? [n] : flush(n, n.kind === 'N' && n.value.type === 'start'));
        settled = true;
        const result = n.kind === 'E' ? { error: n.error } : undefined;
        return breaker.settle(ticket, result).pipe(concatMap((changes) => from(flush(n, false).slice(0, -1).concat(changes.map(toEvent), [n]))));
      }),
      dematerialize(),
      finalize(() => settled || breaker.release(ticket)),
    );
  });
}
