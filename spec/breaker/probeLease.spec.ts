/** @test {createCircuitBreaker} @test {circuitBreaker} */
import { describe, expect, it } from 'vitest';
import { Subscription, timer, type Observable, type SchedulerLike } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { circuitBreaker, createCircuitBreaker, ProviderError, type BreakerRecord, type BreakerStore, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

/* A half-open probe slot is a lease: a probe whose end was never recorded (its server crashed, the
   store failed the write) gives its slot back `resetTimeout` after it was let through, instead of
   holding the breaker half-open, every call failing fast, for good. */

const values = {
  s: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false } as L0Event,
  x: { type: 'complete', finishReason: 'stop' } as L0Event,
};
const serverError = new ProviderError('upstream 503', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 });
const badRequest = new ProviderError('bad request', { code: 'BAD_REQUEST', category: 'bad-request', retryable: false, status: 400 });
const config = { key: 'm', failureThreshold: 1, resetTimeout: 100 } as const;

/** A memory store whose writes fail while `down` is true (a Redis blip). */
function flakyStore() {
  const records = new Map<string, BreakerRecord>();
  const store: BreakerStore & { down: boolean } = {
    down: false,
    get: (key) => records.get(key),
    set(key, record) {
      if (this.down) throw new Error('store unavailable');
      records.set(key, record);
    },
  };
  return { store, records };
}

/** One call through `breaker` at `frame`; its outcome as `frame:ok@end` or `frame:CODE@end`. */
function callAt(ts: TestScheduler, breaker: ReturnType<typeof createCircuitBreaker>, frame: number, source: Observable<L0Event>, out: string[]): void {
  timer(frame, ts).subscribe(() =>
    source.pipe(circuitBreaker(breaker)).subscribe({
      complete: () => out.push(`${frame}:ok@${ts.now()}`),
      error: (e: { code?: string }) => out.push(`${frame}:${e.code ?? 'error'}@${ts.now()}`),
    }),
  );
}

describe('circuitBreaker probe slots', () => {
  it('should give a probe slot back resetTimeout after the probe was let through when its verdict was never stored', () => {
    const ts = testScheduler();
    ts.run(({ cold, flush }) => {
      const { store, records } = flakyStore();
      const breaker = createCircuitBreaker({ ...config, store, scheduler: ts as SchedulerLike });
      const out: string[] = [];
      callAt(ts, breaker, 0, cold('#', values, serverError), out); // opens it at 0
      callAt(ts, breaker, 100, cold('s 9ms #', values, serverError), out); // the probe, let through at 100; its failure at 110 is lost
      timer(109, ts).subscribe(() => (store.down = true));
      timer(111, ts).subscribe(() => (store.down = false));
      callAt(ts, breaker, 150, cold('s 9ms (x|)', values), out); // the slot is still the lost probe's
      callAt(ts, breaker, 199, cold('s 9ms (x|)', values), out);
      callAt(ts, breaker, 200, cold('s 9ms (x|)', values), out); // 100 ms after the probe: a new probe, which closes it
      callAt(ts, breaker, 300, cold('s 9ms (x|)', values), out);
      flush();
      expect(out).toEqual(['0:SERVER_ERROR@0', '100:SERVER_ERROR@110', '150:CIRCUIT_OPEN@150', '199:CIRCUIT_OPEN@199', '200:ok@210', '300:ok@310']);
      expect(records.get('m')).toMatchObject({ state: 'closed', probes: 0 });
    });
  });

  it('should let one more probe in while a slow probe runs past resetTimeout, and count the slow one when it ends', () => {
    const ts = testScheduler();
    ts.run(({ cold, flush }) => {
      const changes: string[] = [];
      const breaker = createCircuitBreaker({ ...config, successThreshold: 2, scheduler: ts as SchedulerLike, onStateChange: (c) => changes.push(`${c.at}:${c.from}>${c.to}`) });
      const out: string[] = [];
      callAt(ts, breaker, 0, cold('#', values, serverError), out);
      callAt(ts, breaker, 100, cold('s 249ms (x|)', values), out); // a long answer, probing until 350
      callAt(ts, breaker, 150, cold('s 9ms (x|)', values), out); // within resetTimeout of it: fails fast
      callAt(ts, breaker, 200, cold('s 9ms (x|)', values), out); // a second probe, succeeding at 210
      flush();
      expect(out).toEqual(['0:SERVER_ERROR@0', '150:CIRCUIT_OPEN@150', '200:ok@210', '100:ok@350']);
      // the slow probe's success is the period's second: it closes the breaker
      expect(changes).toEqual(['0:closed>open', '100:open>half-open', '350:half-open>closed']);
    });
  });

  it('should not let a probe whose slot was given back free the slot of the probe let in since, when it ends late', () => {
    const ts = testScheduler();
    ts.run(({ cold, flush }) => {
      const { store, records } = flakyStore();
      const breaker = createCircuitBreaker({ ...config, successThreshold: 2, store, scheduler: ts as SchedulerLike });
      const out: string[] = [];
      callAt(ts, breaker, 0, cold('#', values, serverError), out); // opens it at 0
      callAt(ts, breaker, 100, cold('s 149ms #', values, badRequest), out); // probe A, past resetTimeout: its slot is given back at 200
      callAt(ts, breaker, 200, cold('s 99ms (x|)', values), out); // probe B, in the one slot until 300
      // A ends at 250 with an error that counts for nothing: it held no slot, so B still holds the only one
      callAt(ts, breaker, 260, cold('s 9ms (x|)', values), out);
      flush();
      expect(out).toEqual(['0:SERVER_ERROR@0', '100:BAD_REQUEST@250', '260:CIRCUIT_OPEN@260', '200:ok@300']);
      expect(records.get('m')).toMatchObject({ state: 'half-open', probes: 0, successes: 1 });
    });
  });

  it('should not let a probe whose slot was given back free another\'s when it is unsubscribed', () => {
    const ts = testScheduler();
    ts.run(({ cold, flush }) => {
      const breaker = createCircuitBreaker({ ...config, scheduler: ts as SchedulerLike });
      const out: string[] = [];
      callAt(ts, breaker, 0, cold('#', values, serverError), out);
      const slow = cold('s', values).pipe(circuitBreaker(breaker)); // probe A, never ends
      const probeA = new Subscription();
      timer(100, ts).subscribe(() => probeA.add(slow.subscribe()));
      timer(250, ts).subscribe(() => probeA.unsubscribe()); // A leaves at 250, its slot given back at 200
      callAt(ts, breaker, 200, cold('s 99ms (x|)', values), out); // probe B, in the one slot until 300
      callAt(ts, breaker, 260, cold('s 9ms (x|)', values), out);
      flush();
      expect(out).toEqual(['0:SERVER_ERROR@0', '260:CIRCUIT_OPEN@260', '200:ok@300']);
    });
  });

  it('should read the half-open start as the probe time of a record an earlier version stored without probedAt', () => {
    const ts = testScheduler();
    ts.run(({ cold, flush }) => {
      const { store, records } = flakyStore();
      // half-open since 100 (opened at 0), its one slot held by a probe whose end was lost, as an earlier version left it
      records.set('m', { state: 'half-open', failures: 0, openedAt: 0, period: 1, probes: 1, successes: 0, windowStart: 0, windowCalls: 0, windowFailures: 0 });
      const breaker = createCircuitBreaker({ ...config, store, scheduler: ts as SchedulerLike });
      const out: string[] = [];
      callAt(ts, breaker, 150, cold('s 9ms (x|)', values), out); // within resetTimeout of the half-open start: the slot is still held
      callAt(ts, breaker, 200, cold('s 9ms (x|)', values), out); // resetTimeout after it: the slot is given back, and the probe closes it
      flush();
      expect(out).toEqual(['150:CIRCUIT_OPEN@150', '200:ok@210']);
      expect(records.get('m')).toMatchObject({ state: 'closed', probes: 0 });
    });
  });
});

