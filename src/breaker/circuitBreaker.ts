import { concat, concatMap, defer, EMPTY, ignoreElements, Observable, throwError, type MonoTypeOperatorFunction } from 'rxjs';
import type { L0Event } from '../events/eventTypes.js';
import { CircuitOpenError } from './CircuitOpenError.js';
import { CircuitBreaker, type BreakerTicket } from './createCircuitBreaker.js';

/**
 * Guards each subscription (each attempt) with a shared {@link CircuitBreaker}: an open breaker
 * fails fast with {@link CircuitOpenError} without subscribing the source.
 *
 *   -a-#   -a-#   ...          source failing (failureThreshold: 2)
 *   -a-#   -a-#   #            source.pipe(circuitBreaker(breaker)), three calls   (the third never subscribes)
 *
 * 1. On subscribe the breaker is asked for a ticket (synchronously with the memory store). Open:
 *    the run errors with `CircuitOpenError` at once; the source is not subscribed (no request).
 *    Half-open: at most `halfOpenMaxProbes` calls go through as probes, the rest fail fast.
 * 2. The source's completion records a success; its error records a failure when `isFailure`
 *    says so (provider health by default: a 400, a context-length error or auth never count),
 *    and is passed on once recorded. Unsubscribing records nothing (a probe frees its slot).
 * 3. `CircuitOpenError` is not retryable: put the breaker inside `retryWithBackoff` so each
 *    attempt is counted, and `fallbackTo` then moves to the next model at once.
 *
 * @example
 * import { circuitBreaker, createCircuitBreaker, fallbackTo, fromStream, retryWithBackoff } from 'l0-rx';
 * const gptBreaker = createCircuitBreaker({ key: 'gpt-4o' });
 * fromStream(gpt4o).pipe(circuitBreaker(gptBreaker), retryWithBackoff(), fallbackTo(fromStream(claude)));
 * @see {@link createCircuitBreaker}
 * @param breaker The shared breaker, from {@link createCircuitBreaker}.
 */
export function circuitBreaker(breaker: CircuitBreaker): MonoTypeOperatorFunction<L0Event> {
  if (!(breaker instanceof CircuitBreaker)) throw new TypeError('circuitBreaker(breaker): breaker must come from createCircuitBreaker()');
  return (source) =>
    breaker.acquire().pipe(
      concatMap((ticket) => (ticket.allowed ? guarded(source, breaker, ticket) : throwError(() => new CircuitOpenError({ key: breaker.key, state: ticket.state === 'open' ? 'open' : 'half-open', retryInMs: ticket.retryInMs })))),
    );
}

function guarded(source: Observable<L0Event>, breaker: CircuitBreaker, ticket: BreakerTicket): Observable<L0Event> {
  return new Observable<L0Event>((subscriber) => {
    let settled = false;
    const after = (result: { error: unknown } | undefined) => {
      settled = true;
      const record = defer(() => breaker.settle(ticket, result)).pipe(ignoreElements());
      const end = result === undefined ? EMPTY : throwError(() => result.error);
      concat(record, end).subscribe({ error: (e: unknown) => subscriber.error(e), complete: () => subscriber.complete() });
    };
    const sub = source.subscribe({ next: (e) => subscriber.next(e), error: (error: unknown) => after({ error }), complete: () => after(undefined) });
    return () => {
      sub.unsubscribe();
      if (!settled) breaker.release(ticket);
    };
  });
}
