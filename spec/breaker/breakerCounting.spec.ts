/** @test {circuitBreaker} */
import { describe, expect, it } from 'vitest';
import { type Observable, type SchedulerLike } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { AllStreamsExhaustedError, circuitBreaker, CircuitOpenError, createCircuitBreaker, fallbackTo, ProviderError, type CircuitBreakerConfig, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const values = { x: { type: 'complete', finishReason: 'stop' } as L0Event };
const serverError = new ProviderError('upstream 503', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 });
const open = (key: string) => new CircuitOpenError({ key, state: 'open', retryInMs: 100 });

function breakerOn(ts: TestScheduler, config: Partial<CircuitBreakerConfig>) {
  const changes: string[] = [];
  const breaker = createCircuitBreaker({ key: 'm', scheduler: ts as SchedulerLike, onStateChange: (c) => changes.push(`${c.at}:${c.from}>${c.to}`), ...config });
  return { breaker, changes };
}

describe('circuitBreaker: what the default isFailure counts', () => {
  // the exhaustion's category is its last error's ('server' for a CircuitOpenError): it counted as a failed request
  it('should never count an AllStreamsExhaustedError that ends with a CircuitOpenError (the chain\'s last model made no request)', () => {
    const ts = testScheduler();
    ts.run(({ cold, flush }) => {
      const outer = breakerOn(ts, { key: 'service', failureThreshold: 1 });
      const codes: string[] = [];
      const call = (source: Observable<L0Event>) => source.pipe(circuitBreaker(outer.breaker)).subscribe({ complete: () => codes.push('ok'), error: (e: { code: string }) => codes.push(e.code) });
      // a real fallback chain whose two models' breakers were open, and that error nested in another chain
      const chain = cold<L0Event>('#', undefined, open('gpt')).pipe(fallbackTo(cold<L0Event>('-#', undefined, open('claude'))));
      call(chain);
      call(cold<L0Event>('-#', undefined, new AllStreamsExhaustedError([serverError, new AllStreamsExhaustedError([open('gpt')])])));
      flush();
      call(cold<L0Event>('-x|', values));
      flush();
      expect(codes).toEqual(['ALL_STREAMS_EXHAUSTED', 'ALL_STREAMS_EXHAUSTED', 'ok']);
      expect(outer.changes).toEqual([]);
    });
  });

  it('should still count an AllStreamsExhaustedError that ends with a provider failure', () => {
    const ts = testScheduler();
    ts.run(({ cold, flush }) => {
      const outer = breakerOn(ts, { key: 'service', failureThreshold: 1 });
      cold<L0Event>('-#', undefined, new AllStreamsExhaustedError([open('gpt'), serverError])).pipe(circuitBreaker(outer.breaker)).subscribe({ error: () => undefined });
      flush();
      expect(outer.changes).toEqual(['1:closed>open']);
    });
  });
});

describe('circuitBreaker: failureRatio is checked on a counted failure', () => {
  it('should not open on the success that brings the window to minimumThroughput, and open on the next counted failure', () => {
    const ts = testScheduler();
    ts.run(({ cold, flush }) => {
      const { breaker, changes } = breakerOn(ts, { failureThreshold: 0, failureRatio: 0.5, minimumThroughput: 3 });
      const call = (source: Observable<L0Event>) => source.pipe(circuitBreaker(breaker)).subscribe({ error: () => undefined });
      call(cold<L0Event>('-#', undefined, serverError));
      call(cold<L0Event>('--#', undefined, serverError));
      call(cold<L0Event>('---x|', values)); // the third call: 2 of 3 failed, over 0.5, but a success opens nothing
      flush();
      expect(changes).toEqual([]);
      call(cold<L0Event>('-#', undefined, serverError)); // 3 of 4
      flush();
      expect(changes).toEqual(['5:closed>open']);
    });
  });
});
