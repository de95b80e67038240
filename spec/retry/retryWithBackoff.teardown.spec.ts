/** @test {retryWithBackoff} */
import { describe, expect, it } from 'vitest';
import { NEVER, queueScheduler, take, throwError } from 'rxjs';
import { fromStream, ProviderError, retryWithBackoff, type L0Event, type StreamContext } from 'l0-rx';
import { flood } from '../helpers/flood.js';
import { testScheduler } from '../helpers/testScheduler.js';

const reset = () => new ProviderError('reset', { code: 'NETWORK_ERROR', category: 'network', retryable: true });

/** A source whose first attempt fails and later attempts hang, recording every call's context. */
function recordingSource(calls: StreamContext[]) {
  return fromStream((ctx) => {
    calls.push(ctx);
    return ctx.attempt === 1 && ctx.fallbackIndex === 0 ? throwError(reset) : NEVER;
  });
}

describe('retryWithBackoff teardown', () => {
  it('should make no request for an attempt whose consumer leaves on its synchronous start event', () => {
    testScheduler().run(({ flush }) => {
      const calls: StreamContext[] = [];
      // start(1), retry, start(2): take(3) unsubscribes inside attempt 2's subscribe
      recordingSource(calls).pipe(retryWithBackoff({ backoff: 'fixed', baseDelay: 1 }), take(3)).subscribe();
      flush();
      // the consumer left on attempt 2's start, which fromStream emits before calling the factory: no request is made
      expect(calls.map((c) => [c.attempt, c.signal.aborted])).toEqual([[1, true]]);
    });
  });

  it('should keep the live attempt when a synchronous scheduler runs a 0 ms wait inline', () => {
    const calls: StreamContext[] = [];
    const subscription = recordingSource(calls)
      .pipe(retryWithBackoff({ backoff: 'fixed', baseDelay: 0, scheduler: queueScheduler }))
      .subscribe();
    expect(calls.map((c) => c.attempt)).toEqual([1, 2]);
    subscription.unsubscribe();
    expect(calls[1]!.signal.aborted).toBe(true);
  });

  it('should end 2,000 attempts that fail inside their subscribe, with 0 ms waits a synchronous scheduler runs inline', () => {
    let error: unknown;
    let attempts = 0;
    fromStream(() => (attempts++, throwError(reset)))
      .pipe(retryWithBackoff({ attempts: 1, maxRetries: 1999, backoff: 'fixed', baseDelay: 0, scheduler: queueScheduler }))
      .subscribe({ error: (e: unknown) => (error = e) });
    expect(attempts).toBe(2000);
    expect(error).toMatchObject({ name: 'ProviderError', attempt: 2000 });
  });

  it('should stop listening to a synchronous source when the consumer leaves during its subscribe', () => {
    const f = flood();
    const seen: L0Event[] = [];
    f.source.pipe(retryWithBackoff(), take(2)).subscribe((e) => seen.push(e));
    expect(seen).toHaveLength(2);
    expect(f.emitted).toBe(2);
  });
});
