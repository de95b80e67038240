/** @test {circuitBreaker} the `breaker` events */
import { describe, expect, it } from 'vitest';
import { from, lastValueFrom, Observable, of, switchMap, timer, toArray, type SchedulerLike } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import {
  accumulate, circuitBreaker, createCircuitBreaker, fromStream, isContentEvent, L0_EVENT_TYPES, memoryBreakerStore, ofType, ProviderError,
  type BreakerEvent, type BreakerStore, type CircuitBreakerConfig, type L0Event,
} from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const values = {
  s: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false } as L0Event,
  a: { type: 'token', value: 'a' } as L0Event,
  x: { type: 'complete', finishReason: 'stop' } as L0Event,
  o: { type: 'breaker', key: 'm', from: 'closed', to: 'open' } as L0Event,
  h: { type: 'breaker', key: 'm', from: 'open', to: 'half-open' } as L0Event,
  c: { type: 'breaker', key: 'm', from: 'half-open', to: 'closed' } as L0Event,
  r: { type: 'breaker', key: 'm', from: 'half-open', to: 'open' } as L0Event,
};
const serverError = new ProviderError('upstream 503', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 });

function breakerOn(ts: TestScheduler, config: Partial<CircuitBreakerConfig> = {}) {
  return createCircuitBreaker({ key: 'm', scheduler: ts as SchedulerLike, failureThreshold: 1, resetTimeout: 50, ...config });
}

/** Subscribes `source` through the breaker at `frame` (under ts.run), so a marble can follow a later call. */
function openAt(ts: TestScheduler, breaker: ReturnType<typeof breakerOn>, frame: number, source: Observable<L0Event>): void {
  timer(frame, ts).subscribe(() => source.pipe(circuitBreaker(breaker)).subscribe({ error: () => undefined }));
}

describe('circuitBreaker: breaker events', () => {
  it('should emit breaker{closed, open} right before the error of the call that opens it', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold('s-a-#', values, serverError).pipe(circuitBreaker(breakerOn(ts)))).toBe('s-a-(o#)', values, serverError);
    });
  });

  it('should emit nothing extra for a call that changes no state', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold('s-a-x|', values).pipe(circuitBreaker(breakerOn(ts)))).toBe('s-a-x|', values);
    });
  });

  it('should emit half-open after the probe\'s start, and closed right before its complete event', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const breaker = breakerOn(ts);
      openAt(ts, breaker, 0, cold('-#', values, serverError));
      const probe = cold('s---a---x---|', values).pipe(circuitBreaker(breaker));
      expectObservable(timer(60, ts).pipe(switchMap(() => probe))).toBe('60ms (sh)a---(cx)|', values);
    });
  });

  it('should emit half-open then open when the probe fails', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const breaker = breakerOn(ts);
      openAt(ts, breaker, 0, cold('-#', values, serverError));
      const probe = cold('s---#', values, serverError).pipe(circuitBreaker(breaker));
      expectObservable(timer(60, ts).pipe(switchMap(() => probe))).toBe('60ms (sh)(r#)', values, serverError);
    });
  });

  it('should emit no event for a call that fails fast (only the CircuitOpenError)', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const breaker = breakerOn(ts);
      openAt(ts, breaker, 0, cold('-#', values, serverError));
      const denied = cold('s-x|', values).pipe(circuitBreaker(breaker), ofType('breaker'));
      expectObservable(timer(10, ts).pipe(switchMap(() => denied))).toBe('10ms #', undefined, expect.objectContaining({ code: 'CIRCUIT_OPEN' }));
    });
  });

  it('should emit a change another breaker on the same store made, as this process first sees it', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const store = memoryBreakerStore();
      openAt(ts, breakerOn(ts, { store }), 0, cold('-#', values, serverError));
      const probe = cold('s---x---|', values).pipe(circuitBreaker(breakerOn(ts, { store })));
      const seen = { ...values, h: { type: 'breaker', key: 'm', from: 'closed', to: 'half-open' } as L0Event };
      expectObservable(timer(60, ts).pipe(switchMap(() => probe))).toBe('60ms (sh)(cx)|', seen);
    });
  });

  it('should keep the order with a store that answers with promises', async () => {
    const memory = memoryBreakerStore();
    const store: BreakerStore = { get: async (k) => memory.get(k) as never, set: async (k, r) => memory.set(k, r) };
    const breaker = createCircuitBreaker({ key: 'm', failureThreshold: 1, store });
    const events = await lastValueFrom(of(values.s, values.a).pipe(circuitBreaker(breaker), toArray()));
    expect(events).toEqual([values.s, values.a]);
    const failed = await lastValueFrom(fromStream(() => Promise.reject(serverError)).pipe(circuitBreaker(breaker), toArray())).catch((e: unknown) => e);
    expect(failed).toBe(serverError);
  });

  it('should put the promise store\'s change before the error, after the tokens', async () => {
    const memory = memoryBreakerStore();
    const store: BreakerStore = { get: async (k) => memory.get(k) as never, set: async (k, r) => memory.set(k, r) };
    const breaker = createCircuitBreaker({ key: 'm', failureThreshold: 1, store });
    const seen: L0Event[] = [];
    const source = new Observable<L0Event>((sub) => (sub.next(values.s), sub.next(values.a), sub.error(serverError)));
    const error = await new Promise((resolve) => source.pipe(circuitBreaker(breaker)).subscribe({ next: (e) => seen.push(e), error: resolve }));
    expect([seen, error]).toEqual([[values.s, values.a, values.o], serverError]);
  });

  describe('as an event', () => {
    const event: BreakerEvent = { type: 'breaker', key: 'gpt-4o', from: 'closed', to: 'open' };

    it('should be a known control event type', () => {
      expect([L0_EVENT_TYPES.includes('breaker'), isContentEvent(event)]).toEqual([true, false]);
    });

    it('should leave the accumulated state untouched', async () => {
      const state = await lastValueFrom(of(values.s, event, values.a, values.x).pipe(accumulate()));
      expect([state.content, state.status]).toEqual(['a', 'complete']);
    });

    it('should pass fromStream\'s event validation and survive JSON', async () => {
      const events = await lastValueFrom(fromStream(() => from<L0Event[]>([event, values.a, values.x])).pipe(ofType('breaker'), toArray()));
      expect(events.map((e) => JSON.parse(JSON.stringify(e)) as unknown)).toEqual([event]);
    });
  });
});
