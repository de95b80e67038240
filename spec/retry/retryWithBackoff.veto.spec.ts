/** @test {retryWithBackoff} */
import { describe, expect, it, vi } from 'vitest';
import { retryWithBackoff, type RetryWithBackoffConfig, type ShouldRetryContext } from 'l0-rx';
import { alwaysFailing, authError, collect, networkError, retries, virtualScheduler } from './retryHelpers.js';

/** Lets pending promise callbacks (and the `from(promise)` they feed) run. */
const settle = async () => {
  for (let i = 0; i < 10; i++) await Promise.resolve();
};

function start(config: RetryWithBackoffConfig, makeError: () => unknown = networkError) {
  const ts = virtualScheduler();
  const failing = alwaysFailing(makeError);
  const run = collect(failing.source.pipe(retryWithBackoff({ backoff: 'fixed', baseDelay: 10, ...config, scheduler: ts })));
  return { ts, run, calls: failing.calls };
}

describe('retryWithBackoff shouldRetry (R5)', () => {
  it('should not retry when shouldRetry returns false', () => {
    const { ts, run, calls } = start({ shouldRetry: () => false });
    ts.flush();
    expect(calls()).toBe(1);
    expect(run.error).toMatchObject({ code: 'NETWORK_ERROR' });
    expect(retries(run.events)).toEqual([]);
  });

  it('should pass the error and a frozen context', () => {
    const shouldRetry = vi.fn((_: unknown, __: ShouldRetryContext) => true);
    const { ts, calls } = start({ shouldRetry, maxRetries: 2 });
    ts.flush();
    expect(calls()).toBe(3);
    expect(shouldRetry).toHaveBeenCalledTimes(2);
    const [error, ctx] = shouldRetry.mock.calls[1]!;
    expect(error).toMatchObject({ code: 'NETWORK_ERROR', attempt: 2 });
    expect(ctx).toEqual({ attempt: 2, category: 'network', reason: 'network_error', retriesLeft: 1 });
    expect(Object.isFrozen(ctx)).toBe(true);
  });

  it('should treat a throwing shouldRetry as a veto', () => {
    const { ts, run, calls } = start({
      shouldRetry: () => {
        throw new Error('veto bug');
      },
    });
    ts.flush();
    expect(calls()).toBe(1);
    expect(run.error).toMatchObject({ code: 'NETWORK_ERROR' });
  });

  it('should treat a falsy result as a veto', () => {
    const { ts, calls } = start({ shouldRetry: () => undefined as unknown as boolean });
    ts.flush();
    expect(calls()).toBe(1);
  });

  it('should not retry past the budget even when shouldRetry says yes', () => {
    const shouldRetry = vi.fn(() => true);
    const { ts, calls } = start({ shouldRetry, maxRetries: 1 });
    ts.flush();
    expect(calls()).toBe(2);
    expect(shouldRetry).toHaveBeenCalledTimes(1);
  });

  it('should never consult shouldRetry for an auth error', () => {
    const shouldRetry = vi.fn(() => true);
    const { ts, run, calls } = start({ shouldRetry, retryOn: ['auth', 'network'] }, authError);
    ts.flush();
    expect(calls()).toBe(1);
    expect(shouldRetry).not.toHaveBeenCalled();
    expect(run.error).toMatchObject({ code: 'AUTH_ERROR' });
  });

  describe('async', () => {
    it('should retry after a promise resolving true', async () => {
      const { ts, run, calls } = start({ shouldRetry: async () => true, maxRetries: 1 });
      expect(retries(run.events)).toEqual([]);
      await settle();
      expect(retries(run.events).length).toBe(1);
      ts.flush();
      expect(calls()).toBe(2);
    });

    it('should veto on a promise resolving false', async () => {
      const { ts, run, calls } = start({ shouldRetry: async () => false });
      await settle();
      ts.flush();
      expect(calls()).toBe(1);
      expect(run.error).toMatchObject({ code: 'NETWORK_ERROR' });
    });

    it('should veto on a rejected promise', async () => {
      const { ts, run, calls } = start({ shouldRetry: () => Promise.reject(new Error('nope')) });
      await settle();
      ts.flush();
      expect(calls()).toBe(1);
      expect(run.error).toMatchObject({ code: 'NETWORK_ERROR' });
    });

    it('should drop a pending verdict when unsubscribed', async () => {
      const { ts, run, calls } = start({ shouldRetry: async () => true });
      run.subscription.unsubscribe();
      await settle();
      ts.flush();
      expect(calls()).toBe(1);
      expect(run.events).toEqual([]);
      expect(run.error).toBeUndefined();
    });
  });
});
