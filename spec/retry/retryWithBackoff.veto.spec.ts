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
    const warned = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const bug = new Error('veto bug');
    const { ts, run, calls } = start({
      shouldRetry: () => {
        throw bug;
      },
    });
    ts.flush();
    expect(calls()).toBe(1);
    expect(run.error).toMatchObject({ code: 'NETWORK_ERROR' });
    expect(warned.mock.calls).toEqual([[expect.stringContaining('`shouldRetry` threw or rejected'), bug]]);
    warned.mockRestore();
  });

  // the veto stood, but its error went nowhere: a bug in the callback read as a deliberate "no retry"
  it('should warn once per operator, with its error, about a shouldRetry that throws or rejects; the veto stands', async () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      const bug = new Error('veto bug');
      const ts = virtualScheduler();
      const op = retryWithBackoff({ backoff: 'fixed', baseDelay: 10, scheduler: ts, shouldRetry: () => { throw bug; } });
      const runs = [collect(alwaysFailing(networkError).source.pipe(op)), collect(alwaysFailing(networkError).source.pipe(op))];
      ts.flush();
      expect(runs.map((r) => [(r.error as { code?: string }).code, retries(r.events).length])).toEqual([['NETWORK_ERROR', 0], ['NETWORK_ERROR', 0]]);
      const message = 'l0-rx retryWithBackoff: `shouldRetry` threw or rejected (a veto: no retry)';
      expect(warn.mock.calls).toEqual([[message, bug]]);
      const down = new Error('db down');
      const rejecting = start({ shouldRetry: () => Promise.reject(down) });
      await settle();
      rejecting.ts.flush();
      expect([rejecting.calls(), (rejecting.run.error as { code?: string }).code]).toEqual([1, 'NETWORK_ERROR']);
      expect(warn.mock.calls).toEqual([[message, bug], [message, down]]);
    } finally {
      warn.mockRestore();
    }
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
      const warned = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
      const nope = new Error('nope');
      const { ts, run, calls } = start({ shouldRetry: () => Promise.reject(nope) });
      await settle();
      ts.flush();
      expect(calls()).toBe(1);
      expect(run.error).toMatchObject({ code: 'NETWORK_ERROR' });
      expect(warned.mock.calls).toEqual([[expect.stringContaining('`shouldRetry` threw or rejected'), nope]]);
      warned.mockRestore();
    });

    // a veto that never settles would hold the run forever: it is awaited as long as this policy would wait before a retry
    it('should end the run with an error naming shouldRetry when its promise has not settled within maxRetryAfter', async () => {
      const { ts, run, calls } = start({ shouldRetry: () => new Promise<boolean>(() => {}), maxRetryAfter: 5000, maxDelay: 100 });
      await settle(); // the clock starts once the promise had its microtasks
      let before: unknown = 'not read';
      ts.schedule(() => (before = run.error), 4999);
      ts.flush();
      expect(before).toBeUndefined();
      expect(ts.now()).toBe(5000);
      expect(calls()).toBe(1);
      expect(retries(run.events)).toEqual([]);
      expect(run.error).toMatchObject({
        name: 'UnknownError',
        attempt: 1,
        attemptErrors: [expect.objectContaining({ code: 'NETWORK_ERROR' })],
        cause: expect.objectContaining({ message: 'retryWithBackoff({shouldRetry}) did not settle within 5000 ms' }),
      });
    });

    it('should wait maxDelay for it when that is longer than maxRetryAfter', async () => {
      const { ts, run } = start({ shouldRetry: () => new Promise<boolean>(() => {}), maxRetryAfter: 0, baseDelay: 10, maxDelay: 300 });
      await settle();
      ts.flush();
      expect(ts.now()).toBe(300);
      expect(run.error).toMatchObject({ cause: expect.objectContaining({ message: expect.stringContaining('within 300 ms') }) });
      const defaults = start({ shouldRetry: () => new Promise<boolean>(() => {}) });
      await settle();
      defaults.ts.flush();
      expect(defaults.ts.now()).toBe(60_000); // maxRetryAfter's default
      expect(defaults.run.error).toMatchObject({ name: 'UnknownError' });
    });

    it('should not time out a verdict that settled in time', async () => {
      const { ts, run, calls } = start({ shouldRetry: async () => true, maxRetries: 1, maxRetryAfter: 5000 });
      await settle();
      ts.flush();
      expect(calls()).toBe(2);
      expect(run.error).toMatchObject({ code: 'NETWORK_ERROR' });
    });

    // a virtual scheduler's flush drains every action at once: a clock armed with the veto's call would beat a
    // promise settling on its own microtasks (a failure inside a flush, then an async veto: flush, settle, flush)
    it('should let a veto asked during a virtual flush settle before its clock starts', async () => {
      const { ts, run, calls } = start({ shouldRetry: async () => true, maxRetries: 2, maxRetryAfter: 5000 });
      await settle();
      ts.flush(); // the first retry: the second attempt fails inside this flush and its veto is asked there
      await settle();
      ts.flush();
      expect(calls()).toBe(3);
      expect(retries(run.events).length).toBe(2);
      expect(run.error).toMatchObject({ code: 'NETWORK_ERROR', attempt: 3 });
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
