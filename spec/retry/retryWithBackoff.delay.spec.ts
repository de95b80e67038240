/** @test {retryWithBackoff} */
import { describe, expect, it, vi } from 'vitest';
import { AllStreamsExhaustedError, classifyError, fallbackTo, retryWithBackoff, serializeError, toL0Error, type L0Event, type RetryDelayContext, type RetryWithBackoffConfig } from 'l0-rx';
import { map } from 'rxjs';
import { APICallError } from '@ai-sdk/provider';
import { RetryError } from 'ai';
import { testScheduler } from '../helpers/testScheduler.js';
import { unhandledDuring } from '../helpers/unhandled.js';
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

  it('should end the run with a typed error naming random when it returns NaN, never waiting a NaN delay', () => {
    const run = delays({ maxRetries: 3, random: () => Number.NaN });
    expect(run.delays).toEqual([]);
    expect(run.subscribedAt).toEqual([0]);
    expect(run.error).toMatchObject({ name: 'UnknownError', attempt: 1, cause: new TypeError('retryWithBackoff({random}) must return a number in [0, 1), got NaN') });
  });

  it('should leave the rejection of an async random handled, ending the run with the TypeError naming it', async () => {
    let run: ReturnType<typeof delays> | undefined;
    const unhandled = await unhandledDuring(() => {
      run = delays({ maxRetries: 3, random: (() => Promise.reject(new Error('no entropy'))) as never });
    });
    expect(run!.error).toMatchObject({ name: 'UnknownError', cause: new TypeError('retryWithBackoff({random}) must return a number in [0, 1), got a Promise') });
    expect(unhandled).toEqual([]);
  });

  it.each([
    ['whose then throws', { then: () => { throw new Error('then broke'); } }],
    ['whose then getter throws', { get then(): never { throw new Error('getter broke'); } }],
  ])('should end the run with the TypeError naming random when it returns a thenable %s, not with that throw', (_, thenable) => {
    const run = delays({ maxRetries: 3, random: (() => thenable) as never });
    expect(run.subscribedAt).toEqual([0]);
    expect(run.error).toMatchObject({ name: 'UnknownError', attempt: 1, cause: new TypeError('retryWithBackoff({random}) must return a number in [0, 1), got an object') });
  });

  it('should retry a zero baseDelay at once, not after a NaN delay, past the 1024th retry', () => {
    const run = delays({ backoff: 'exponential', baseDelay: 0, maxRetries: 1030 });
    expect(run.delays).toHaveLength(1030);
    expect(new Set(run.delays)).toEqual(new Set([0]));
    expect(run.error).toMatchObject({ code: 'NETWORK_ERROR', attempt: 1031 });
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

  it.each([[Number.NaN], [-5]])('should wait the backoff when the error says its Retry-After is %s (built by hand, or relayed)', (retryAfterMs) => {
    const run = delays({ maxRetries: 2, backoff: 'fixed', baseDelay: 7 }, () => rateLimitError(retryAfterMs));
    expect(run.delays).toEqual([7, 7]);
    expect(run.subscribedAt).toEqual([0, 7, 14]);
    expect(classifyError(rateLimitError(retryAfterMs))).not.toHaveProperty('retryAfterMs');
  });

  it('should give up on an error whose Retry-After is Infinity (longer than any maxRetryAfter)', () => {
    const run = delays({ maxRetries: 2 }, () => rateLimitError(Infinity));
    expect(run.subscribedAt).toEqual([0]);
    expect(run.error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: Infinity });
  });

  it('should wait the HTTP-date Retry-After behind an AI SDK RetryError, read with the scheduler\'s clock', () => {
    // the virtual clock starts at 0: the date is 5 s after it
    const call = new APICallError({ message: 'x', url: 'u', requestBodyValues: {}, statusCode: 429, responseHeaders: { 'retry-after': new Date(5000).toUTCString() } });
    const exhausted = () => toL0Error(new RetryError({ message: 'Failed after 3 attempts', reason: 'maxRetriesExceeded', errors: [call, call, call] }));
    const run = delays({ maxRetries: 1, backoff: 'fixed', baseDelay: 7 }, exhausted);
    expect(run.delays).toEqual([5000]);
    expect(run.subscribedAt).toEqual([0, 5000]);
  });

  it('should wait the last stream\'s Retry-After when it runs a fallback chain that failed on every stream again', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const primary = cold<L0Event>('-#', {}, networkError());
      const fallback = cold<L0Event>('-#', {}, rateLimitError(5));
      const run$ = primary.pipe(fallbackTo(fallback), retryWithBackoff({ maxRetries: 1, backoff: 'fixed', baseDelay: 1 }));
      // f: fallback at frame 1; r: retry at frame 2, waiting the 429's 5 ms (not the 1 ms backoff): the chain again at frame 7
      expectObservable(run$.pipe(map((e) => e.type))).toBe('-fr-----f#', { f: 'fallback', r: 'retry' }, expect.objectContaining({ name: 'AllStreamsExhaustedError' }));
    });
  });

  it('should give up on a fallback chain whose last stream asked for longer than maxRetryAfter', () => {
    const exhausted = () => new AllStreamsExhaustedError([networkError(), rateLimitError(30_000)]);
    expect(classifyError(exhausted())).toMatchObject({ category: 'rate-limit', retryAfterMs: 30_000 });
    const run = delays({ maxRetries: 3, maxRetryAfter: 20_000 }, exhausted);
    expect(run.subscribedAt).toEqual([0]);
    expect(run.error).toMatchObject({ name: 'AllStreamsExhaustedError' });
  });

  it("should wait a nested chain's last Retry-After, and retry a chain whose cause leads back into it on its category (no stack overflow)", () => {
    const nested = () => new AllStreamsExhaustedError([networkError(), new AllStreamsExhaustedError([rateLimitError(9)])]);
    expect(delays({ maxRetries: 1, backoff: 'fixed', baseDelay: 7 }, nested).delays).toEqual([9]);
    const cyclic = () => {
      const e = new AllStreamsExhaustedError([rateLimitError()]);
      Object.defineProperty(e, 'cause', { value: e }); // a link back into the chain, as serializeError's [Circular] allows for
      return e;
    };
    expect(classifyError(cyclic())).toMatchObject({ category: 'rate-limit', retryable: true });
    const run = delays({ maxRetries: 2, backoff: 'fixed', baseDelay: 7 }, cyclic);
    expect(run.delays).toEqual([7, 7]);
    expect(run.error).toMatchObject({ name: 'AllStreamsExhaustedError', category: 'rate-limit', attempt: 3 });
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

  it.each([
    ['resolves', () => Promise.resolve(50)],
    ['rejects', () => Promise.reject(new Error('no delay'))],
  ])('should end the run with a TypeError naming an async calculateDelay (one that %s), not keep the computed delay silently', async (_, calculateDelay) => {
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown) => unhandled.push(reason);
    process.on('unhandledRejection', onUnhandled);
    try {
      const run = delays({ backoff: 'fixed', baseDelay: 30, maxRetries: 2, calculateDelay: calculateDelay as unknown as () => number });
      expect(run.delays).toEqual([]);
      expect(run.subscribedAt).toEqual([0]);
      expect(run.error).toMatchObject({ name: 'UnknownError', attempt: 1, cause: expect.objectContaining({ name: 'TypeError', message: expect.stringMatching(/^retryWithBackoff\(\{calculateDelay\}\) must return a number, got a promise/) }) });
      await new Promise((resolve) => setImmediate(resolve));
      expect(unhandled).toEqual([]);
    } finally {
      process.off('unhandledRejection', onUnhandled);
    }
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

  it('should give up, not wait the backoff, on a Retry-After too long for a double (400 digits of seconds)', () => {
    const run = delays({ maxRetries: 5, maxRetryAfter: MAX }, () => tooManyRequests('9'.repeat(400)));
    expect(run.subscribedAt).toEqual([0]);
    expect(run.error).toMatchObject({ code: 'RATE_LIMITED', retryAfterMs: Number.MAX_VALUE });
    expect(JSON.parse(JSON.stringify(serializeError(run.error)))).toMatchObject({ retryAfterMs: Number.MAX_VALUE });
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
