/** @test {l0} */
import { describe, expect, it, vi } from 'vitest';
import { l0, L0_DEFAULTS, type BackoffKind, type RetryEvent } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { finalState, framesOf, runScenario, type ScenarioResult } from '../helpers/runScenario.js';

/* L0 acceptance scenarios R1-R7 (reference/l0-tests-and-bench.md 7.2), through the l0() preset on virtual time. */

const zeroOutput = () => fakeModel('|'); // completes with no text: ZeroOutputError, a content failure
const networkForever = () => fakeModel('#'); // read ECONNRESET on every call
const retryEvents = (run: ScenarioResult) => run.events.filter((e): e is RetryEvent => e.type === 'retry');
const delays = (run: ScenarioResult) => retryEvents(run).map((e) => e.delayMs);
const sequence = (...values: number[]) => {
  let i = 0;
  return () => values[Math.min(i++, values.length - 1)]!;
};

describe('l0() retry and backoff (R1-R7)', () => {
  it('should call a source failing with a content error 1 + attempts times, then fail with that error (R1)', () => {
    const model = zeroOutput();
    const run = runScenario(() => l0({ stream: model, retry: { attempts: 2, backoff: 'fixed', baseDelay: 10 } }));
    expect(model.callCount).toBe(3);
    expect(model.calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
    expect(run.error).toMatchObject({ code: 'ZERO_OUTPUT', attempt: 3 });
    expect((run.error as { attemptErrors: unknown[] }).attemptErrors).toHaveLength(3);
    expect(run.errorFrame).toBe(20);
  });

  it('should give attempts above the default maxRetries all their retries (the default cap of 6 cut them short without a word)', () => {
    const model = zeroOutput();
    runScenario(() => l0({ stream: model, retry: { attempts: 10, backoff: 'fixed', baseDelay: 1 } }));
    expect(model.callCount).toBe(11);
    const capped = zeroOutput();
    runScenario(() => l0({ stream: capped, retry: { attempts: 10, maxRetries: 4, backoff: 'fixed', baseDelay: 1 } }));
    expect(capped.callCount).toBe(5); // a maxRetries given is a cap kept as given
  });

  it('should call the source once with attempts 0 (R1)', () => {
    const model = zeroOutput();
    const run = runScenario(() => l0({ stream: model, retry: { attempts: 0 } }));
    expect(model.callCount).toBe(1);
    expect(run.error).toMatchObject({ code: 'ZERO_OUTPUT' });
  });

  it('should cap network retries at maxRetries whatever attempts says (R2)', () => {
    const model = networkForever();
    const run = runScenario(() => l0({ stream: model, retry: { attempts: 100, maxRetries: 2, backoff: 'fixed', baseDelay: 1 } }));
    expect(model.callCount).toBe(3);
    // Decision: the terminal error is the last error itself; the cap shows as its `attemptErrors`
    // (1 + maxRetries of them) rather than as a message mentioning the maximum.
    expect(run.error).toMatchObject({ code: 'NETWORK_ERROR', attempt: 3 });
    expect((run.error as { attemptErrors: unknown[] }).attemptErrors).toHaveLength(3);
  });

  it('should call the source once with maxRetries 0 (R2)', () => {
    const model = networkForever();
    const run = runScenario(() => l0({ stream: model, retry: { attempts: 100, maxRetries: 0 } }));
    expect(model.callCount).toBe(1);
    expect(run.error).toMatchObject({ code: 'NETWORK_ERROR' });
  });

  describe('backoff formulas, as retry delayMs and as the frame of the next attempt (R3)', () => {
    it.each<[BackoffKind, number, number[]]>([
      ['fixed', 500, [500, 500, 500]],
      ['exponential', 1000, [1000, 2000, 4000, 8000, 10000]],
      ['linear', 1000, [1000, 2000, 3000]],
    ])('should wait %s delays from base %i (R3)', (backoff, baseDelay, expected) => {
      const model = networkForever();
      const run = runScenario(() =>
        l0({ stream: model, retry: { backoff, baseDelay, maxDelay: 10_000, maxRetries: expected.length }, timeout: false }),
      );
      expect(delays(run)).toEqual(expected);
      const retryFrames = framesOf(run, 'retry');
      const startFrames = framesOf(run, 'start');
      expect(startFrames.slice(1)).toEqual(retryFrames.map((f, i) => f + expected[i]!));
      expect(model.callCount).toBe(expected.length + 1);
    });

    it('should keep fixed-jitter (the default) delays in [base, 1.5 base] at every retry (R3)', () => {
      const run = runScenario(() =>
        l0({ stream: networkForever(), retry: { baseDelay: 100, maxRetries: 4 }, random: sequence(0, 0.5, 0.999, 0.2), timeout: false }),
      );
      expect(delays(run)).toEqual([100, 125, 149, 110]);
    });

    it('should keep full-jitter delays within [0, base * 2^i]: at the third retry (i = 2) in [0, 4000] (R3)', () => {
      const high = runScenario(() =>
        l0({ stream: networkForever(), retry: { backoff: 'full-jitter', baseDelay: 1000, maxRetries: 3 }, random: () => 0.9999 }),
      );
      expect(delays(high)).toEqual([999, 1999, 3999]);
      const low = runScenario(() =>
        l0({ stream: networkForever(), retry: { backoff: 'full-jitter', baseDelay: 1000, maxRetries: 3 }, random: () => 0 }),
      );
      expect(delays(low)).toEqual([0, 0, 0]);
    });
  });

  it('should use the delay a custom calculateDelay returns, with the documented context (R4)', () => {
    const calculateDelay = vi.fn(() => 50);
    const run = runScenario(() =>
      l0({ stream: fakeModel(['#', 'ok|']), retry: { baseDelay: 1000, calculateDelay }, random: () => 0 }),
    );
    expect(run.completeFrame).toBe(52); // 50 ms wait, then 'ok|' takes 2 frames
    expect(run.completeFrame!).toBeLessThan(500);
    expect(calculateDelay).toHaveBeenCalledWith({
      attempt: 1,
      totalAttempts: 7,
      category: 'network',
      reason: 'network_error',
      error: expect.objectContaining({ code: 'NETWORK_ERROR' }),
      defaultDelay: 1000,
    });
  });

  it('should keep the computed delay when calculateDelay returns undefined (R4)', () => {
    const run = runScenario(() =>
      l0({ stream: fakeModel(['#', 'ok|']), retry: { baseDelay: 1000, calculateDelay: () => undefined }, random: () => 0 }),
    );
    expect(delays(run)).toEqual([1000]);
    expect(run.completeFrame).toBe(1002);
  });

  it('should not retry when shouldRetry vetoes, and fail with the error (R5)', () => {
    const model = networkForever();
    const shouldRetry = vi.fn(() => false);
    const run = runScenario(() => l0({ stream: model, retry: { shouldRetry } }));
    expect(model.callCount).toBe(1);
    expect(shouldRetry).toHaveBeenCalledTimes(1);
    expect(run.error).toMatchObject({ code: 'NETWORK_ERROR' });
  });

  it('should go to the fallback when shouldRetry vetoes, the fallback event before the fallback start (R5)', () => {
    const model = networkForever();
    const run = runScenario(() =>
      l0({ stream: model, fallbackStreams: [fakeModel('ok|')], retry: { shouldRetry: () => false } }),
    );
    expect(model.callCount).toBe(1);
    expect(run.events.map((e) => e.type)).toEqual(['start', 'fallback', 'start', 'token', 'token', 'complete']);
    expect(run.events[2]).toMatchObject({ type: 'start', isFallback: true, fallbackIndex: 1 });
  });

  it('should treat a throwing shouldRetry as a veto (R5)', () => {
    const warned = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const model = networkForever();
    const run = runScenario(() =>
      l0({
        stream: model,
        retry: {
          shouldRetry: () => {
            throw new Error('veto failed');
          },
        },
      }),
    );
    expect(model.callCount).toBe(1);
    expect(run.error).toMatchObject({ code: 'NETWORK_ERROR' });
    expect(warned.mock.calls).toEqual([[expect.stringContaining('`shouldRetry` threw or rejected'), expect.objectContaining({ message: 'veto failed' })]]);
    warned.mockRestore();
  });

  it('should not retry when shouldRetry says yes but the budget is 0 (R5)', () => {
    const model = zeroOutput();
    const shouldRetry = vi.fn(() => true);
    runScenario(() => l0({ stream: model, retry: { attempts: 0, shouldRetry } }));
    expect(model.callCount).toBe(1);
    expect(shouldRetry).not.toHaveBeenCalled();
  });

  it.each([401, 403])('should never consult shouldRetry for a %i (R5)', (status) => {
    const model = fakeModel({ items: [{ error: { status } }] });
    const shouldRetry = vi.fn(() => true);
    const run = runScenario(() => l0({ stream: model, retry: { shouldRetry } }));
    expect(model.callCount).toBe(1);
    expect(shouldRetry).not.toHaveBeenCalled();
    expect(run.error).toMatchObject({ code: 'AUTH_ERROR' });
  });

  it('should retry a plain Error by default through the attempts budget, and not when retryOn leaves unknown out (R6)', () => {
    const model = fakeModel({ items: [{ error: new Error('boom') }] });
    const run = runScenario(() => l0({ stream: model, random: () => 0 }));
    expect(model.callCount).toBe(4);
    expect(retryEvents(run).map((e) => [e.reason, e.countsTowardAttempts])).toEqual([['unknown', true], ['unknown', true], ['unknown', true]]);
    expect(run.error).toMatchObject({ name: 'UnknownError', message: 'Unclassified failure: Error: boom', category: 'unknown' });
    const once = fakeModel({ items: [{ error: new Error('boom') }] });
    runScenario(() => l0({ stream: once, retry: { retryOn: ['network', 'rate-limit', 'server', 'timeout', 'content'] } }));
    expect(once.callCount).toBe(1);
  });

  it('should retry a plain Error when retryOn lists unknown, against attempts (R6)', () => {
    const model = fakeModel({ items: [{ error: new Error('boom') }] });
    const run = runScenario(() => l0({ stream: model, retry: { attempts: 1, retryOn: ['unknown'], backoff: 'fixed', baseDelay: 1 } }));
    expect(model.callCount).toBe(2);
    expect(retryEvents(run)).toMatchObject([{ attempt: 1, reason: 'unknown' }]);
    expect((run.error as Error).cause).toMatchObject({ message: 'boom' });
  });

  it('should retry a content failure 3 times by default, waiting the 1000 ms fixed-jitter base (R7)', () => {
    const model = zeroOutput();
    const run = runScenario(() => l0({ stream: model, random: () => 0 }));
    // Decision: the documented default (3 content retries), not L0's runtime 2.
    expect(model.callCount).toBe(4);
    expect(delays(run)).toEqual([1000, 1000, 1000]);
    expect(framesOf(run, 'start')).toEqual([0, 1000, 2000, 3000]);
    expect(L0_DEFAULTS.retry).toMatchObject({ attempts: 3, maxRetries: 6, backoff: 'fixed-jitter', baseDelay: 1000, maxDelay: 10_000 });
  });

  it('should cap retries of any kind at 6 by default and never wait more than 1.5 x base (R7)', () => {
    const model = networkForever();
    const run = runScenario(() => l0({ stream: model, random: () => 0.9999 }));
    expect(model.callCount).toBe(7);
    expect(delays(run)).toEqual([1499, 1499, 1499, 1499, 1499, 1499]);
    expect(finalState(run.events).networkRetryCount).toBe(6);
  });
});
