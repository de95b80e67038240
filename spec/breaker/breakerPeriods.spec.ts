/** @test {circuitBreaker} */
import { describe, expect, it } from 'vitest';
import { of, timer, type Observable, type SchedulerLike } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { circuitBreaker, createCircuitBreaker, memoryBreakerStore, ProviderError, type BreakerRecord, type BreakerStore, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const values = {
  s: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false } as L0Event,
  x: { type: 'complete', finishReason: 'stop' } as L0Event,
};
const serverError = new ProviderError('upstream 503', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 });
const config = { key: 'm', failureThreshold: 1, resetTimeout: 100, halfOpenMaxProbes: 2 } as const;

/** The test scheduler as seen by a server whose clock is `behind` ms late (it runs the same timers). */
const skewed = (ts: TestScheduler, behind: number): SchedulerLike => ({ now: () => ts.now() - behind, schedule: ts.schedule.bind(ts) });

/** One call through `breaker` at `frame`; its outcome is pushed to `out` as `frame:ok@end` or `frame:CODE@end`. */
function callAt(ts: TestScheduler, breaker: ReturnType<typeof createCircuitBreaker>, frame: number, source: Observable<L0Event>, out: string[]): void {
  timer(frame, ts).subscribe(() =>
    source.pipe(circuitBreaker(breaker)).subscribe({
      complete: () => out.push(`${frame}:ok@${ts.now()}`),
      error: (e: { code?: string }) => out.push(`${frame}:${e.code ?? 'error'}@${ts.now()}`),
    }),
  );
}

/** Server A on the test clock and server B, sharing A's memory store, 100 ms behind it; A's state changes as `at:from>to`. */
function twoServers(ts: TestScheduler) {
  const store = memoryBreakerStore();
  const changes: string[] = [];
  const a = createCircuitBreaker({ ...config, store, scheduler: ts as SchedulerLike, onStateChange: (c) => changes.push(`${c.at}:${c.from}>${c.to}`) });
  const b = createCircuitBreaker({ ...config, store, scheduler: skewed(ts, 100) });
  return { a, b, changes, out: [] as string[], states: [] as string[] };
}

describe('circuitBreaker half-open periods', () => {
  it('should not count a stale probe in a later half-open period that has the same openedAt (clock skew between servers)', () => {
    const ts = testScheduler();
    ts.run(({ cold, flush }) => {
      const { a, b, out, states, changes } = twoServers(ts);
      callAt(ts, a, 0, cold('#', values, serverError), out); // A opens it at 0
      callAt(ts, a, 100, cold('s 99ms (x|)', values), out); // A's probe of the first half-open period, succeeding late (at 200)
      callAt(ts, b, 100, cold('#', values, serverError), out); // B's probe fails at B's 0: open again, with openedAt 0 once more
      callAt(ts, a, 150, cold('s 149ms (x|)', values), out); // a probe of the second half-open period (A: 150 - 0 >= resetTimeout)
      timer(250, ts).subscribe(() => a.state().subscribe((s) => states.push(`250:${s}`)));
      flush();
      expect(out).toEqual(['0:SERVER_ERROR@0', '100:SERVER_ERROR@100', '100:ok@200', '150:ok@300']);
      // the first period's probe ending at 200 neither closes the second period nor frees its slot
      expect(states).toEqual(['250:half-open']);
      expect(changes).toEqual(['0:closed>open', '100:open>half-open', '300:half-open>closed']);
    });
  });

  it('should not count a stale probe after the breaker closed and reopened with the same openedAt', () => {
    const ts = testScheduler();
    ts.run(({ cold, flush }) => {
      const { a, b, out, states, changes } = twoServers(ts);
      callAt(ts, a, 0, cold('#', values, serverError), out); // A opens it at 0
      callAt(ts, a, 100, cold('s 99ms (x|)', values), out); // A's probe of the first half-open period, succeeding late (at 200)
      callAt(ts, b, 100, of(values.x), out); // B's probe succeeds at once, at B's 0: closed
      callAt(ts, b, 100, cold('#', values, serverError), out); // and a failure at B's 0 opens it again, with openedAt 0
      callAt(ts, a, 150, cold('s 149ms (x|)', values), out); // a probe of the new half-open period
      timer(250, ts).subscribe(() => a.state().subscribe((s) => states.push(`250:${s}`)));
      flush();
      expect(out).toEqual(['0:SERVER_ERROR@0', '100:ok@100', '100:SERVER_ERROR@100', '100:ok@200', '150:ok@300']);
      expect(states).toEqual(['250:half-open']);
      expect(changes).toEqual(['0:closed>open', '100:open>half-open', '300:half-open>closed']);
    });
  });

  it('should read a stored record written without a period counter (an earlier version) and count periods on from it', () => {
    const ts = testScheduler();
    ts.run(({ cold, flush }) => {
      const legacy = { state: 'open', failures: 0, openedAt: 0, probes: 0, successes: 0, windowStart: 0, windowCalls: 0, windowFailures: 0 };
      const records = new Map<string, string>([['m', JSON.stringify(legacy)]]);
      // a store that keeps JSON, as the Redis store does
      const store: BreakerStore = {
        get: (key) => (records.has(key) ? (JSON.parse(records.get(key)!) as BreakerRecord) : undefined),
        set: (key, record) => void records.set(key, JSON.stringify(record)),
      };
      const a = createCircuitBreaker({ ...config, store, scheduler: ts as SchedulerLike });
      const out: string[] = [];
      callAt(ts, a, 100, cold('s 9ms #', values, serverError), out); // a probe of the stored period fails: open again at 110
      callAt(ts, a, 210, cold('s 9ms (x|)', values), out); // a probe of the next period closes it
      flush();
      expect(out).toEqual(['100:SERVER_ERROR@110', '210:ok@220']);
      expect(JSON.parse(records.get('m')!)).toMatchObject({ state: 'closed', period: 1 });
    });
  });
});
