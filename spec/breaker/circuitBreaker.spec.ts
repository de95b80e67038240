/** @test {circuitBreaker} */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { lastValueFrom, NEVER, of, throwError, timer, type Observable, type SchedulerLike } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import {
  circuitBreaker, CircuitOpenError, createCircuitBreaker, fallbackTo, GuardrailViolationError, isCircuitOpenError, memoryBreakerStore, ProviderError, retryWithBackoff,
  StreamAbortedError,
  type BreakerStateChange, type CircuitBreakerConfig, type L0Event,
} from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';
import { unhandledDuring } from '../helpers/unhandled.js';

const values = {
  s: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false } as L0Event,
  a: { type: 'token', value: 'a' } as L0Event,
  x: { type: 'complete', finishReason: 'stop' } as L0Event,
};
const serverError = new ProviderError('upstream 503', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 });
const badRequest = new ProviderError('bad request', { code: 'BAD_REQUEST', category: 'bad-request', retryable: false, status: 400 });

/** A breaker on the test scheduler, recording its state changes as `frame:from>to`. */
function breakerOn(ts: TestScheduler, config: Partial<CircuitBreakerConfig> = {}) {
  const changes: string[] = [];
  const breaker = createCircuitBreaker({ key: 'm', scheduler: ts as SchedulerLike, onStateChange: (c: BreakerStateChange) => changes.push(`${c.at}:${c.from}>${c.to}`), ...config });
  return { breaker, changes };
}

/** Makes one call through the breaker at each `[frame, source]`, each its own subscriber; records `start:outcome@end`. */
function callsAt(ts: TestScheduler, breaker: ReturnType<typeof breakerOn>['breaker'], plan: readonly (readonly [number, Observable<L0Event>])[]): string[] {
  const out: string[] = [];
  for (const [frame, source] of plan) {
    timer(frame, ts).subscribe(() =>
      source.pipe(circuitBreaker(breaker)).subscribe({
        complete: () => out.push(`${frame}:ok@${ts.now()}`),
        error: (e: { code?: string }) => out.push(`${frame}:${e.code ?? 'error'}@${ts.now()}`),
      }),
    );
  }
  return out;
}

describe('circuitBreaker', () => {
  describe('creation', () => {
    it('should throw a TypeError when the breaker does not come from createCircuitBreaker', () => {
      expect(() => circuitBreaker({} as never)).toThrow(/createCircuitBreaker/);
    });

    it('should throw a TypeError naming a missing key', () => {
      expect(() => createCircuitBreaker({} as CircuitBreakerConfig)).toThrow(/createCircuitBreaker\(\{key\}\) must be a non-empty string/);
    });

    it('should throw a TypeError for a failureRatio outside (0, 1]', () => {
      expect(() => createCircuitBreaker({ key: 'm', failureRatio: 1.5 })).toThrow(/failureRatio/);
    });

    it('should take failureThreshold 0 (that trigger off) only with a failureRatio, as README and JSDoc say', () => {
      expect(() => createCircuitBreaker({ key: 'm', failureThreshold: 0 })).toThrow(/failureThreshold\}\) must be above 0 when failureRatio is not set/);
      expect(() => createCircuitBreaker({ key: 'm', failureThreshold: 0, failureRatio: 0.5 })).not.toThrow();
      const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
      expect(readme).toContain('| `failureThreshold` | 5 | consecutive counted failures that open it (0: off, with `failureRatio` set; without it a `TypeError`, since nothing would open the breaker) |');
    });

    it('should throw a TypeError for a store whose `update` is not a function (every round would fail and the breaker never open)', () => {
      const store = { ...memoryBreakerStore(), update: true };
      expect(() => createCircuitBreaker({ key: 'm', store } as never)).toThrow(new TypeError('createCircuitBreaker({store}) must be a BreakerStore ({get, set, update?}), got an object'));
    });

    it('should throw a TypeError for an unknown option, with a suggestion', () => {
      expect(() => createCircuitBreaker({ key: 'm', resetTimout: 5 } as never)).toThrow(/did you mean `resetTimeout`/);
    });
  });

  it('should pass a healthy source through untouched', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const { breaker } = breakerOn(ts);
      expectObservable(cold('s-a-x|', values).pipe(circuitBreaker(breaker))).toBe('s-a-x|', values);
    });
  });

  it('should open after failureThreshold consecutive failures and fail the next call at once, without subscribing it', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectSubscriptions, flush }) => {
      const { breaker, changes } = breakerOn(ts, { failureThreshold: 2, resetTimeout: 100 });
      const failing = cold('s-#', values, serverError);
      const healthy = cold('s-a-x|', values);
      const out = callsAt(ts, breaker, [[0, failing], [10, failing], [20, healthy]]);
      flush();
      expect(out).toEqual(['0:SERVER_ERROR@2', '10:SERVER_ERROR@12', '20:CIRCUIT_OPEN@20']);
      expect(changes).toEqual(['12:closed>open']);
      expectSubscriptions(healthy.subscriptions).toBe([]);
    });
  });

  it('should reset the consecutive count on a success', () => {
    const ts = testScheduler();
    ts.run(({ cold, flush }) => {
      const { breaker, changes } = breakerOn(ts, { failureThreshold: 2 });
      const failing = cold('-#', values, serverError);
      const out = callsAt(ts, breaker, [[0, failing], [5, cold('-x|', values)], [10, failing], [20, cold('-x|', values)]]);
      flush();
      expect(out.map((o) => o.split('@')[0])).toEqual(['0:SERVER_ERROR', '5:ok', '10:SERVER_ERROR', '20:ok']);
      expect(changes).toEqual([]);
    });
  });

  it('should never count a bad request, a context-length error or auth', () => {
    const ts = testScheduler();
    ts.run(({ cold, flush }) => {
      const { breaker, changes } = breakerOn(ts, { failureThreshold: 1 });
      const contextLength = new ProviderError('too long', { code: 'CONTEXT_LENGTH_EXCEEDED', category: 'bad-request', retryable: false, status: 400 });
      const auth = new ProviderError('no key', { code: 'AUTH_ERROR', category: 'auth', retryable: false, status: 401 });
      const out = callsAt(ts, breaker, [[0, cold('-#', values, badRequest)], [5, cold('-#', values, contextLength)], [10, cold('-#', values, auth)], [15, cold('-x|', values)]]);
      flush();
      expect(out.at(-1)).toBe('15:ok@17');
      expect(changes).toEqual([]);
    });
  });

  it('should never count an abort, a guardrail violation or a DOMException AbortError (content and abort, as README says)', () => {
    const ts = testScheduler();
    ts.run(({ cold, flush }) => {
      const { breaker, changes } = breakerOn(ts, { failureThreshold: 1 });
      const guardrail = new GuardrailViolationError({ violations: [{ ruleId: 'json', message: 'unbalanced', severity: 'error', recoverable: true }] } as never);
      // a DOMException's code is a number: AbortError's is 20
      const errors = [new StreamAbortedError(), guardrail, new DOMException('The user aborted a request.', 'AbortError')];
      const out = callsAt(ts, breaker, [...errors.map((e, i) => [i * 5, cold('-#', values, e)] as const), [15, cold('-x|', values)]]);
      flush();
      expect(out).toEqual(['0:STREAM_ABORTED@1', '5:GUARDRAIL_VIOLATION@6', '10:20@11', '15:ok@17']);
      expect(changes).toEqual([]);
    });
  });

  it("should never count another breaker's CircuitOpenError (no request was made): a provider breaker around a model breaker", () => {
    const ts = testScheduler();
    ts.run(({ cold, flush }) => {
      const model = breakerOn(ts, { key: 'openai:gpt-4o', failureThreshold: 1, resetTimeout: 1000 });
      const provider = breakerOn(ts, { key: 'openai', failureThreshold: 2, resetTimeout: 1000 });
      const out: string[] = [];
      const call = (source: Observable<L0Event>): void => {
        source.pipe(circuitBreaker(model.breaker), circuitBreaker(provider.breaker)).subscribe({ complete: () => out.push('ok'), error: (e: { code: string }) => out.push(e.code) });
      };
      call(cold('-#', values, serverError));
      flush();
      const healthy = cold('-x|', values);
      call(healthy);
      call(healthy);
      flush();
      // one request failed: the model's breaker opened; its two refusals made no request, so the provider's stays closed
      expect(out).toEqual(['SERVER_ERROR', 'CIRCUIT_OPEN', 'CIRCUIT_OPEN']);
      expect(model.changes).toEqual(['1:closed>open']);
      expect(provider.changes).toEqual([]);
      expect(healthy.subscriptions).toEqual([]);
    });
  });

  describe('half-open', () => {
    it('should let one probe through after resetTimeout and close when it succeeds', () => {
      const ts = testScheduler();
      ts.run(({ cold, flush }) => {
        const { breaker, changes } = breakerOn(ts, { failureThreshold: 1, resetTimeout: 50 });
        const out = callsAt(ts, breaker, [[0, cold('-#', values, serverError)], [30, cold('-x|', values)], [60, cold('---x|', values)], [70, cold('-x|', values)]]);
        flush();
        expect(out).toEqual(['0:SERVER_ERROR@1', '30:CIRCUIT_OPEN@30', '60:ok@64', '70:ok@72']);
        expect(changes).toEqual(['1:closed>open', '60:open>half-open', '63:half-open>closed']);
      });
    });

    it('should fail other calls fast while the probe is in flight (halfOpenMaxProbes)', () => {
      const ts = testScheduler();
      ts.run(({ cold, flush }) => {
        const { breaker } = breakerOn(ts, { failureThreshold: 1, resetTimeout: 50 });
        const out = callsAt(ts, breaker, [[0, cold('-#', values, serverError)], [60, cold('-----x|', values)], [62, cold('-x|', values)]]);
        flush();
        expect(out).toEqual(['0:SERVER_ERROR@1', '62:CIRCUIT_OPEN@62', '60:ok@66']);
      });
    });

    it('should reopen when the probe fails', () => {
      const ts = testScheduler();
      ts.run(({ cold, flush }) => {
        const { breaker, changes } = breakerOn(ts, { failureThreshold: 1, resetTimeout: 50 });
        callsAt(ts, breaker, [[0, cold('-#', values, serverError)], [60, cold('-#', values, serverError)]]);
        flush();
        expect(changes).toEqual(['1:closed>open', '60:open>half-open', '61:half-open>open']);
      });
    });

    it('should close only after successThreshold probes succeed', () => {
      const ts = testScheduler();
      ts.run(({ cold, flush }) => {
        const { breaker, changes } = breakerOn(ts, { failureThreshold: 1, resetTimeout: 50, successThreshold: 2 });
        callsAt(ts, breaker, [[0, cold('-#', values, serverError)], [60, cold('-x|', values)], [70, cold('-x|', values)]]);
        flush();
        expect(changes).toEqual(['1:closed>open', '60:open>half-open', '71:half-open>closed']);
      });
    });

    it('should free the probe slot when the probe is unsubscribed', () => {
      const ts = testScheduler();
      ts.run(({ cold, flush }) => {
        const { breaker } = breakerOn(ts, { failureThreshold: 1, resetTimeout: 50 });
        callsAt(ts, breaker, [[0, cold('-#', values, serverError)]]);
        timer(60, ts).subscribe(() => {
          const probe = cold('--------x|', values).pipe(circuitBreaker(breaker)).subscribe();
          timer(2, ts).subscribe(() => probe.unsubscribe());
        });
        const out = callsAt(ts, breaker, [[65, cold('-x|', values)]]);
        flush();
        expect(out).toEqual(['65:ok@67']);
      });
    });
  });

  it('should open on a failure ratio once minimumThroughput calls were seen', () => {
    const ts = testScheduler();
    ts.run(({ cold, flush }) => {
      const { breaker, changes } = breakerOn(ts, { failureThreshold: 0, failureRatio: 0.5, minimumThroughput: 4 });
      const ok = cold('-x|', values);
      const bad = cold('-#', values, serverError);
      callsAt(ts, breaker, [[0, bad], [5, ok], [10, bad], [15, ok], [20, bad]]);
      flush();
      expect(changes).toEqual(['21:closed>open']); // 2/4 at 15 was a success; 3/5 at 21 opens
    });
  });

  it('should make retryWithBackoff give up at once and fallbackTo move on when open', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const { breaker } = breakerOn(ts, { failureThreshold: 1, resetTimeout: 1_000 });
      const primary = cold('s-#', values, serverError);
      breaker.acquire().subscribe(([t]) => breaker.settle(t, { error: serverError }).subscribe()); // open it
      const S: L0Event = { type: 'start', attempt: 1, fallbackIndex: 1, isRetry: false, isFallback: true };
      const fallback = cold('S---a-x|', { ...values, S });
      const run = primary.pipe(circuitBreaker(breaker), retryWithBackoff({ baseDelay: 10 }), fallbackTo(fallback));
      expectObservable(run).toBe('(fS)a-x|', { ...values, S, f: expect.objectContaining({ type: 'fallback', error: expect.objectContaining({ code: 'CIRCUIT_OPEN' }) }) });
      expectSubscriptions(primary.subscriptions).toBe([]);
    });
  });

  it('should share state between every call that uses the same breaker', () => {
    const ts = testScheduler();
    ts.run(({ cold, flush }) => {
      const { breaker } = breakerOn(ts, { failureThreshold: 1 });
      const out = callsAt(ts, breaker, [[0, cold('-#', values, serverError)], [5, cold('-x|', values)]]);
      const other = createCircuitBreaker({ key: 'm', scheduler: ts as SchedulerLike });
      const independent = callsAt(ts, other, [[5, cold('-x|', values)]]);
      flush();
      expect([out[1], independent[0]]).toEqual(['5:CIRCUIT_OPEN@5', '5:ok@7']);
    });
  });

  it('should report the open error with the key and when it retries', () => {
    const e = new CircuitOpenError({ key: 'gpt', state: 'open', retryInMs: 250 });
    expect([isCircuitOpenError(e), e.retryable, e.category, e.message]).toEqual([true, false, 'server', 'The circuit breaker for "gpt" is open; no call was made (retry in 250 ms)']);
  });

  describe('rxjs checklist', () => {
    it('should pass a never-ending source through and record nothing when unsubscribed', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable, flush }) => {
        const { breaker, changes } = breakerOn(ts, { failureThreshold: 1 });
        expectObservable(NEVER_L0.pipe(circuitBreaker(breaker)), '^--!').toBe('---');
        flush();
        expect(changes).toEqual([]);
      });
    });

    it('should not break the call when onStateChange throws', () => {
      const ts = testScheduler();
      ts.run(({ cold, flush }) => {
        const breaker = createCircuitBreaker({ key: 'm', failureThreshold: 1, scheduler: ts as SchedulerLike, onStateChange: () => { throw new Error('cb'); } });
        const out = callsAt(ts, breaker, [[0, cold('-#', values, serverError)], [5, cold('-x|', values)]]);
        flush();
        expect(out).toEqual(['0:SERVER_ERROR@1', '5:CIRCUIT_OPEN@5']);
      });
    });

    it('should ignore an async onStateChange whose promise rejects, leaving nothing unhandled', async () => {
      const seen: string[] = [];
      const breaker = createCircuitBreaker({ key: 'm', failureThreshold: 1, onStateChange: async (c) => { seen.push(`${c.from}>${c.to}`); throw new Error('log down'); } });
      const unhandled = await unhandledDuring(async () => {
        const first = await lastValueFrom(throwError(() => serverError).pipe(circuitBreaker(breaker))).catch((e: unknown) => e);
        const second = await lastValueFrom(of(values.x).pipe(circuitBreaker(breaker))).catch((e: unknown) => e);
        expect([first, isCircuitOpenError(second)]).toEqual([serverError, true]);
      });
      expect([seen, unhandled]).toEqual([['closed>open'], []]);
    });
  });
});

const NEVER_L0: Observable<L0Event> = NEVER;
