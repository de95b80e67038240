/** @test {retryWithBackoff} */
import { describe, expect, it, vi } from 'vitest';
import { retryWithBackoff, toL0Error, type RetryDelayContext, type RetryWithBackoffConfig } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';
import { alwaysFailing, collect, networkError, rateLimitError, retries, retryEvent, values, virtualScheduler } from './retryHelpers.js';

/** The `delayMs` of every retry of an always-failing source, and the virtual times it was subscribed at. */
function delays(config: RetryWithBackoffConfig, makeError: () => unknown = networkError) {
  const ts = virtualScheduler();
  const subscribedAt: number[] = [];
  const { source } = alwaysFailing(() => {
    subscribedAt.push(ts.now());
    return makeError();
  });
  const run = collect(source.pipe(retryWithBackoff({ ...config, scheduler: ts })));
  ts.flush();
  return { delays: retries(run.events).map((r) => r.delayMs), subscribedAt, error: run.error };
}

describe('retryWithBackoff delays (R3)', () => {
  it('should wait a fixed delay', () => {
    expect(delays({ backoff: 'fixed', baseDelay: 500, maxRetries: 3 })).toMatchObject({
      delays: [500, 500, 500],
      subscribedAt: [0, 500, 1000, 1500],
    });
  });

  it('should grow linearly', () => {
    expect(delays({ backoff: 'linear', baseDelay: 1000, maxRetries: 3 }).delays).toEqual([1000, 2000, 3000]);
  });

  it('should double with exponential, capped at maxDelay', () => {
    const run = delays({ backoff: 'exponential', baseDelay: 1000, maxDelay: 10000, maxRetries: 5 });
    expect(run.delays).toEqual([1000, 2000, 4000, 8000, 10000]);
    expect(run.subscribedAt).toEqual([0, 1000, 3000, 7000, 15000, 25000]);
  });

  it('should apply full jitter to the exponential delay', () => {
    expect(delays({ backoff: 'full-jitter', baseDelay: 1000, maxRetries: 3, random: () => 0.5 }).delays).toEqual([500, 1000, 2000]);
  });

  it('should keep fixed-jitter in [base, 1.5 base] whatever the attempt', () => {
    const randoms = [0, 0.5, 0.999, 0.25];
    let i = 0;
    const run = delays({ baseDelay: 100, maxRetries: 4, random: () => randoms[i++]! });
    expect(run.delays).toEqual([100, 125, 149, 112]);
  });

  it('should grow decorrelated jitter from the previous delay', () => {
    expect(delays({ backoff: 'decorrelated-jitter', baseDelay: 1000, maxRetries: 3, random: () => 0.5 }).delays).toEqual([
      2000, 3500, 5750,
    ]);
  });
});

describe('retryWithBackoff Retry-After', () => {
  it('should wait exactly the Retry-After, without jitter', () => {
    const run = delays({ maxRetries: 2, random: () => 0.9 }, () => rateLimitError(3000));
    expect(run.delays).toEqual([3000, 3000]);
    expect(run.subscribedAt).toEqual([0, 3000, 6000]);
  });

  it('should honour a Retry-After above maxDelay up to maxRetryAfter', () => {
    expect(delays({ maxRetries: 1, maxDelay: 10000 }, () => rateLimitError(30000)).delays).toEqual([30000]);
  });

  it('should still wait a Retry-After exactly equal to maxRetryAfter', () => {
    expect(delays({ maxRetries: 1, maxRetryAfter: 20000 }, () => rateLimitError(20000)).delays).toEqual([20000]);
  });

  it('should give up at once when the Retry-After exceeds maxRetryAfter', () => {
    const run = delays({ maxRetries: 5, maxRetryAfter: 20000 }, () => rateLimitError(30000));
    expect(run.delays).toEqual([]);
    expect(run.subscribedAt).toEqual([0]);
    expect(run.error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 30000 });
  });

  it('should use the backoff when respectRetryAfter is false', () => {
    const run = delays({ maxRetries: 1, respectRetryAfter: false, backoff: 'fixed', baseDelay: 7 }, () => rateLimitError(30000));
    expect(run.delays).toEqual([7]);
  });

  it('should show the wait as a marble', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const err = rateLimitError(4);
      const source = cold('-a-#', values, err);
      const r = retryEvent(1, 4, 'rate_limit', { code: 'RATE_LIMITED', status: 429 });
      expectObservable(source.pipe(retryWithBackoff({ maxRetries: 1 }))).toBe('-a-r----a-#', { ...values, r }, err);
      expectSubscriptions(source.subscriptions).toBe(['^--!', '-------^--!']);
    });
  });
});

describe('retryWithBackoff calculateDelay (R4)', () => {
  it('should use the returned delay and pass the retry context', () => {
    const calculateDelay = vi.fn((_: RetryDelayContext) => 50);
    const run = delays({ baseDelay: 1000, maxRetries: 2, calculateDelay, backoff: 'fixed' });
    expect(run.delays).toEqual([50, 50]);
    expect(run.subscribedAt).toEqual([0, 50, 100]);
    const ctx = calculateDelay.mock.calls[1]![0];
    expect(ctx).toMatchObject({ attempt: 2, totalAttempts: 3, category: 'network', reason: 'network_error', defaultDelay: 1000 });
    expect(ctx.error).toMatchObject({ code: 'NETWORK_ERROR' });
    expect(Object.isFrozen(ctx)).toBe(true);
  });

  it.each([[undefined], [-1], [Number.NaN], [Infinity]])('should keep the computed delay when it returns %s', (value) => {
    expect(delays({ backoff: 'fixed', baseDelay: 30, maxRetries: 1, calculateDelay: () => value }).delays).toEqual([30]);
  });

  it('should not be called when a Retry-After is honoured', () => {
    const calculateDelay = vi.fn(() => 1);
    expect(delays({ maxRetries: 1, calculateDelay }, () => rateLimitError(200)).delays).toEqual([200]);
    expect(calculateDelay).not.toHaveBeenCalled();
  });

  it('should end the run with what a throwing calculateDelay throws (typed, the attempt\'s error listed), without retrying', () => {
    const oops = new Error('oops');
    const run = delays({ maxRetries: 3, calculateDelay: () => { throw oops; } });
    expect(run.error).toMatchObject({ name: 'UnknownError', cause: oops, attempt: 1 });
    expect((run.error as { attemptErrors: unknown[] }).attemptErrors).toHaveLength(1);
    expect(run.subscribedAt).toEqual([0]);
    expect(run.delays).toEqual([]);
  });
});

describe('retryWithBackoff and the longest wait a timer holds (2^31 - 1 ms; Node fires a longer one at once)', () => {
  const MAX = 2_147_483_647;
  /** A 429 as an SDK throws it, the server's Retry-After (seconds) in its headers, typed as fromStream types it. */
  const tooManyRequests = (seconds: string) => toL0Error(Object.assign(new Error('429 Too Many Requests'), { status: 429, headers: { 'retry-after': seconds } }));

  it('should give up on a server asking for Retry-After: 99999999 (seconds), not retry at once, with maxRetryAfter at the limit', () => {
    const run = delays({ maxRetries: 5, maxRetryAfter: MAX }, () => tooManyRequests('99999999'));
    expect(run.delays).toEqual([]);
    expect(run.subscribedAt).toEqual([0]);
    expect(run.error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: 99_999_999_000 });
  });

  it('should refuse a maxRetryAfter that would let such a Retry-After reach a timer', () => {
    expect(() => retryWithBackoff({ maxRetryAfter: 1e12 })).toThrow(TypeError);
    expect(() => retryWithBackoff({ maxRetryAfter: 1e12 })).toThrow(/^retryWithBackoff\(\{maxRetryAfter\}\) must be at most 2147483647 ms/);
  });

  it('should wait a Retry-After just under the limit in full', () => {
    const run = delays({ maxRetries: 1, maxRetryAfter: MAX }, () => tooManyRequests('2147483'));
    expect(run.delays).toEqual([2_147_483_000]);
    expect(run.subscribedAt).toEqual([0, 2_147_483_000]);
  });

  it('should wait the limit, not fire at once, when calculateDelay asks for longer', () => {
    const run = delays({ maxRetries: 1, calculateDelay: () => 3e9 });
    expect(run.delays).toEqual([MAX]);
    expect(run.subscribedAt).toEqual([0, MAX]);
  });

  it('should keep the longest exponential growth at maxDelay set to the limit', () => {
    const run = delays({ backoff: 'exponential', baseDelay: 1000, maxDelay: MAX, maxRetries: 24 });
    expect(Math.max(...run.delays)).toBe(MAX);
    expect(run.delays.slice(-2)).toEqual([MAX, MAX]);
  });
});
