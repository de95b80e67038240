/** @test {createCircuitBreaker} @test {circuitBreaker} */
import { defer, of, throwError, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { circuitBreaker, createCircuitBreaker, ProviderError, type BreakerRecord, type BreakerStore, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

/*
 * Every storeTimeout clock of the breaker (a call's ticket, its end, `state()`) starts a microtask
 * after its store call: a virtual flush (`TestScheduler.run`) runs the whole of virtual time at
 * once, and a clock armed inside it beat a real asynchronous store. Only `state()` was armed so;
 * a call's ticket and end were timed out in the flush and read as a store that fails (the call let
 * through an open breaker, the change its end made missing from its stream).
 */

const serverError = new ProviderError('upstream 503', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 });
const answer: L0Event[] = [{ type: 'token', value: 'ok' }, { type: 'complete', finishReason: 'stop' }];

/** A store in memory that answers a macrotask later, as a real one over the network does. */
function realAsyncStore(records = new Map<string, BreakerRecord>()): BreakerStore {
  const later = <T>(v: () => T) => new Promise<T>((resolve) => setImmediate(() => resolve(v())));
  return { get: (key) => later(() => records.get(key)), set: (key, r) => later(() => void records.set(key, r)) };
}

/** What a call passes: its events' types (a `breaker` event as its change), then its error's code or `end`. */
function outcome(call: Observable<L0Event>): Promise<string[]> {
  const log: string[] = [];
  return new Promise((resolve) =>
    call.subscribe({
      next: (e) => log.push(e.type === 'breaker' ? `${e.from}->${e.to}` : e.type),
      error: (e: { code?: string }) => resolve([...log, e.code ?? 'error']),
      complete: () => resolve([...log, 'end']),
    }),
  );
}

describe('circuitBreaker with a real asynchronous store in a virtual flush', () => {
  it('should fail a call fast on an open breaker, not let it through as on a store that timed out', async () => {
    const open: BreakerRecord = { state: 'open', failures: 0, openedAt: 0, period: 1, probes: 0, successes: 0, windowStart: 0, windowCalls: 0, windowFailures: 0 };
    let subscribed = false;
    let run: Promise<string[]> | undefined;
    const scheduler = testScheduler();
    scheduler.run(() => {
      const breaker = createCircuitBreaker({ key: 'm', scheduler, store: realAsyncStore(new Map([['m', open]])) });
      run = outcome(defer(() => ((subscribed = true), of(...answer))).pipe(circuitBreaker(breaker)));
    });
    // was ['token', 'complete', 'end'] and subscribed: the ticket's 1000 ms ran out in the flush
    expect(await run).toEqual(['CIRCUIT_OPEN']);
    expect(subscribed).toBe(false);
  });

  it('should pass the change a call\'s end made in its stream, with both the ticket and the end answered by the store', async () => {
    const records = new Map<string, BreakerRecord>();
    const seen: unknown[] = [];
    let run: Promise<string[]> | undefined;
    testScheduler().run(() => {
      const breaker = createCircuitBreaker({ key: 'm', failureThreshold: 1, store: realAsyncStore(records), onStateChange: (c) => seen.push(`${c.from}->${c.to}`) });
      run = outcome(throwError(() => serverError).pipe(circuitBreaker(breaker)));
    });
    // was ['SERVER_ERROR']: the end's 1000 ms ran out in the flush, and the change came too late for the stream
    expect(await run).toEqual(['closed->open', 'SERVER_ERROR']);
    expect(seen).toEqual(['closed->open']);
    expect(records.get('m')?.state).toBe('open');
  });
});
