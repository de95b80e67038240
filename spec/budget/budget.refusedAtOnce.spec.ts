/** @test {budget} */
import { describe, expect, it } from 'vitest';
import type { Observable } from 'rxjs';
import { budget, BudgetExceededError, createBudget, fromStream, l0, retryWithBackoff, type L0Event, type StreamContext } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

/*
 * A budget inside the retry loop refuses an attempt that could not stream one token (rule 4). It
 * knows so when the attempt before it fails, yet the loop announced a `retry` and waited its whole
 * delay (here 1000 frames) before the budget refused the attempt it had promised.
 */

const tok = (value: string): L0Event => ({ type: 'token', value });
const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
const unauthorized = Object.assign(new Error('401 Unauthorized'), { status: 401 });
const start = (attempt: number): L0Event => ({ type: 'start', attempt, fallbackIndex: 0, isRetry: attempt > 1, isFallback: false });
const values = { s: start(1), t: start(2), a: tok('a'), b: tok('b'), c: tok('c') };
const over = (max: number, reached: number) => new BudgetExceededError({ limit: 'maxOutputTokens', max, reached, outputTokens: reached });
const slow = { backoff: 'fixed', baseDelay: 1000 } as const;

/** A factory whose attempt n streams `marbles[n - 1]` (`#`: `error`), and the attempts it was called for. */
function attempts(cold: (marbles: string, values?: Record<string, L0Event>, error?: unknown) => Observable<L0Event>, error: unknown, ...marbles: string[]) {
  const calls: number[] = [];
  const factory = (ctx: StreamContext) => (calls.push(ctx.attempt), cold(marbles[ctx.attempt - 1]!, values, error));
  return { factory, calls };
}

describe('budget inside the retry loop, when the attempt after a failure could not stream one token', () => {
  it('should end the run with BudgetExceededError as the attempt fails, with no retry event and no wait', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const { factory, calls } = attempts(cold, reset, '-a-b-#', '-c-|');
      const run = fromStream(factory).pipe(budget({ maxOutputTokens: 2 }), retryWithBackoff(slow));
      // before: 'sa-b-r' and the error 1000 frames later, after a retry that promised attempt 2
      expectObservable(run).toBe('sa-b-#', values, over(2, 3));
      flush();
      expect(calls).toEqual([1]);
    });
  });

  it('should complete with length at once with onExceeded complete: the retry passes (retracting the text) with delayMs 0', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const { factory, calls } = attempts(cold, reset, '-a-b-#', '-c-|');
      const run = fromStream(factory).pipe(budget({ maxOutputTokens: 2, onExceeded: 'complete' }), retryWithBackoff(slow));
      const retry = expect.objectContaining({ type: 'retry', attempt: 1, delayMs: 0, reason: 'network_error' });
      const cut: L0Event = { type: 'complete', finishReason: 'length', usage: { outputTokens: 2, inputTokens: 0 } };
      expectObservable(run).toBe('sa-b-(rL|)', { ...values, r: retry, L: cut });
      flush();
      expect(calls).toEqual([1]);
    });
  });

  it('should end an l0() run whose budget is in attemptOperators at once, its default backoff never waited', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const { factory } = attempts(cold, reset, '-a-b-#', '-c-|');
      const run = l0({ stream: factory, detectZeroTokens: false, timeout: false, attemptOperators: [budget({ maxOutputTokens: 2 })] });
      expectObservable(run).toBe('sa-b-#', values, over(2, 3));
    });
  });

  it('should end at once when the attempt fails after the budget passed its end (zero output, detected after attemptOperators)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const dots = { ...values, a: tok('.'), b: tok('.') };
      const stream = () => cold('-a-b-|', dots);
      const run = l0({ stream, timeout: false, attemptOperators: [budget({ maxOutputTokens: 2 })] });
      expectObservable(run).toBe('sa-b-#', dots, over(2, 3));
    });
  });

  it('should refuse at once when a shared ledger is spent by another run meanwhile', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const ledger = createBudget({ maxOutputTokens: 5 });
      ledger.outputTokens = 3; // another run's
      const { factory } = attempts(cold, reset, '-a-b-#', '-c-|');
      expectObservable(fromStream(factory).pipe(budget(ledger), retryWithBackoff(slow))).toBe('sa-b-#', values, over(5, 6));
    });
  });

  it('should still end with the attempt\'s own error when the loop would not retry it (an auth error)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const { factory } = attempts(cold, unauthorized, '-a-b-#');
      const run = fromStream(factory).pipe(budget({ maxOutputTokens: 2 }), retryWithBackoff(slow));
      expectObservable(run).toBe('sa-b-#', values, expect.objectContaining({ code: 'AUTH_ERROR' }));
    });
  });

  it('should still end with the attempt\'s own error when shouldRetry vetoes the retry', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const { factory } = attempts(cold, reset, '-a-b-#');
      const run = fromStream(factory).pipe(budget({ maxOutputTokens: 2 }), retryWithBackoff({ ...slow, shouldRetry: () => false }));
      expectObservable(run).toBe('sa-b-#', values, expect.objectContaining({ code: 'NETWORK_ERROR' }));
    });
  });

  it('should wait as before when two budgets share the attempt (which one refuses is left to them)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const { factory } = attempts(cold, reset, '-a-b-#', '-c-|');
      const run = fromStream(factory).pipe(budget({ maxOutputTokens: 2 }), budget({ maxOutputTokens: 100 }), retryWithBackoff(slow));
      const retry = expect.objectContaining({ type: 'retry', attempt: 1, delayMs: 1000 });
      expectObservable(run).toBe('sa-b-r 999ms #', { ...values, r: retry }, over(2, 3));
    });
  });

  it('should still wait the delay and send the next attempt when it can stream a token', () => {
    testScheduler().run(({ cold, expectObservable, time }) => {
      const { factory } = attempts(cold, reset, '-a-b-#', '-c-|');
      const run = fromStream(factory).pipe(budget({ maxOutputTokens: 3 }), retryWithBackoff(slow));
      const wait = time('-'.repeat(1000) + '|');
      const retry = expect.objectContaining({ type: 'retry', attempt: 1, delayMs: wait });
      expectObservable(run).toBe(`sa-b-r ${wait - 1}ms tc-(x|)`, { ...values, r: retry, x: { type: 'complete', finishReason: 'stop' } });
    });
  });
});
