/** @test {budget} */
import { describe, expect, it } from 'vitest';
import { defer, merge, type Observable } from 'rxjs';
import { AllStreamsExhaustedError, budget, BudgetExceededError, createBudget, defineGuardrailRule, fallbackTo, fromStream, hedge, l0, raceModels, retryWithBackoff, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';
import { marbleAttempts, type Cold } from './marbleAttempts.js';

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
const attempts = (cold: Cold, error: unknown, ...marbles: string[]) => marbleAttempts(cold, values, error, ...marbles);

/** `run`'s events as `time:what` (a token as its value, an error as its message), and its end. */
function logOf(run: Observable<L0Event>, now: () => number): string[] {
  const log: string[] = [];
  const at = (what: string) => log.push(`${now()}:${what}`);
  run.subscribe({ next: (e) => at(e.type === 'token' ? e.value : e.type), error: (e: unknown) => at((e as Error).message), complete: () => at('end') });
  return log;
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

  // two budgets in one attempt: the second to register left the refusal unknown, and the loop waited its whole delay
  // ('sa-b-r 999ms #') for the attempt the budgets then refused; the outer of the two, subscribed first, answers first
  it.each([
    ['the inner one refuses the next', budget({ maxOutputTokens: 2 }), budget({ maxOutputTokens: 100 })],
    ['the outer one refuses the next', budget({ maxOutputTokens: 100 }), budget({ maxOutputTokens: 2 })],
    ['both refuse it (the outer one answers, in error mode)', budget({ maxOutputTokens: 2, onExceeded: 'complete' }), budget({ maxOutputTokens: 2 })],
  ])('should end the run at once when two budgets share the attempt and %s', (_, inner, outer) => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const { factory, calls } = attempts(cold, reset, '-a-b-#', '-c-|');
      expectObservable(fromStream(factory).pipe(inner, outer, retryWithBackoff(slow))).toBe('sa-b-#', values, over(2, 3));
      flush();
      expect(calls).toEqual([1]);
    });
  });

  // one budget subscribed twice in an attempt (its source leaves the context in place, as fromServerSentEvents does): the
  // second subscription counts afresh, as its copy in the next attempt will; its spent count answered for that attempt, and
  // the run ended at once ('-a-b-#') though nothing would refuse it
  it('should wait and retry when only a second subscription of one budget in the attempt spent its own count', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const legs = ['-----#', '-a-b|', '-c-|', '-|'];
      let n = 0;
      const leg = defer(() => cold(legs[n++]!, values, reset)).pipe(budget({ maxOutputTokens: 2 }));
      const retry = expect.objectContaining({ type: 'retry', attempt: 1, delayMs: 1000 });
      expectObservable(merge(leg, leg).pipe(retryWithBackoff(slow))).toBe('-a-b-r 999ms -c-|', { ...values, r: retry });
    });
  });

  it('should complete at once when the outer of two budgets, in complete mode, refuses the next attempt before the inner one would error', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const { factory, calls } = attempts(cold, reset, '-a-b-#', '-c-|');
      const run = fromStream(factory).pipe(budget({ maxOutputTokens: 2 }), budget({ maxOutputTokens: 2, onExceeded: 'complete' }), retryWithBackoff(slow));
      const retry = expect.objectContaining({ type: 'retry', attempt: 1, delayMs: 0 });
      const cut: L0Event = { type: 'complete', finishReason: 'length', usage: { outputTokens: 2, inputTokens: 0 } };
      // (was 'sa-b-r 999ms (L|)': the same end, after the wait)
      expectObservable(run).toBe('sa-b-(rL|)', { ...values, r: retry, L: cut });
      flush();
      expect(calls).toEqual([1]);
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

  it('should end with the next attempt\'s error as the refused attempt did: attempt 2, after attempt 1\'s error in attemptErrors', () => {
    testScheduler().run(({ cold, flush }) => {
      const { factory } = attempts(cold, reset, '-a-b-#', '-c-|');
      let error: unknown;
      fromStream(factory).pipe(budget({ maxOutputTokens: 2 }), retryWithBackoff(slow)).subscribe({ error: (e: unknown) => (error = e) });
      flush();
      // (was attempt 1, listed twice: the network error and the refusal)
      expect(error).toMatchObject({ code: 'BUDGET_EXCEEDED', attempt: 2, fallbackIndex: 0 });
      const list = (error as { attemptErrors: { code: string; attempt: number }[] }).attemptErrors.map((e) => `${e.code}@${e.attempt}`);
      expect(list).toEqual(['NETWORK_ERROR@1', 'BUDGET_EXCEEDED@2']);
    });
  });

  it('should hand the failed attempt\'s held-back output on with that error, so a budget after the loops still counts it', () => {
    const noBad = defineGuardrailRule({ name: 'no-bad', severity: 'error', check: (delta: string) => (delta.includes('X') ? { message: 'bad' } : undefined) });
    const chars = (text: string) => text.length;
    const scheduler = testScheduler();
    scheduler.run(({ cold, flush }) => {
      const { factory } = attempts(cold, reset, '-a-b-c-#', '-c-|');
      const after = createBudget({ maxOutputTokens: 100, estimateTokens: chars });
      const run = l0({ stream: factory, guardrails: [noBad], guardMode: 'hold-back', retry: { backoff: 'fixed', baseDelay: 1000 }, attemptOperators: [budget({ maxOutputTokens: 3, estimateTokens: chars })], runOperators: [budget(after)] });
      const log = logOf(run, () => scheduler.now());
      flush();
      expect(log).toEqual(['0:start', '7:Budget exceeded: maxOutputTokens 3 (would reach 4)']);
      // a, b and c were held back, never passed on, and paid for (was 0: the retry event that carried them is no longer sent)
      expect(after.outputTokens).toBe(3);
    });
  });
});

describe('budget inside a race\'s entrant, inside the retry loop', () => {
  it('should leave the next attempt to the race when only one entrant\'s budget is spent: the other entrant still races and wins', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, flush }) => {
      const first = attempts(cold, reset, '-a-b-#', '-c-|');
      const second = attempts(cold, reset, '-----c-|', '-c-|');
      const run = raceModels([fromStream(first.factory).pipe(budget({ maxOutputTokens: 2 })), fromStream(second.factory)]).pipe(retryWithBackoff(slow));
      const log = logOf(run, () => scheduler.now());
      flush();
      // attempt 2: the first entrant is refused before its request, the second wins (was: the run ended at 5 with BudgetExceededError)
      expect(log).toEqual(['1:start', '1:a', '3:b', '5:retry', '1006:start', '1006:c', '1008:complete', '1008:end']);
      expect([first.calls, second.calls]).toEqual([[1], [1, 2]]);
    });
  });

  it('should start a hedge\'s backup at once in the next attempt when the primary\'s budget is spent and the backup never started', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, flush }) => {
      const primary = attempts(cold, reset, '-a-b-#', '-c-|');
      const backup = attempts(cold, reset, '-c-|', '-c-|');
      const run = fromStream(primary.factory).pipe(budget({ maxOutputTokens: 2 }), hedge(fromStream(backup.factory).pipe(budget({ maxOutputTokens: 2 })), { delay: 100 }), retryWithBackoff(slow));
      const log = logOf(run, () => scheduler.now());
      flush();
      // (was: the run ended at 5 with the primary's BudgetExceededError, the backup's budget never asked)
      expect(log).toEqual(['1:start', '1:a', '3:b', '5:retry', '1006:start', '1006:c', '1008:complete', '1008:end']);
      expect([primary.calls, backup.calls]).toEqual([[1], [2]]);
    });
  });

  // the race answers the loop for its entrants: every one refused with an error is the race's AllStreamsExhaustedError, at once
  // (it waited the 1000-frame backoff, announced a retry, then failed the same way with no request sent)
  it('should end the run as the attempt fails when every entrant counts into one spent ledger, with no retry and no wait', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, flush }) => {
      const first = attempts(cold, reset, '-a-b-#', '-c-|');
      const second = attempts(cold, reset, '---a-b-#', '-c-|');
      const ledger = createBudget({ maxOutputTokens: 2 });
      const run = raceModels([fromStream(first.factory).pipe(budget(ledger)), fromStream(second.factory).pipe(budget(ledger))]).pipe(retryWithBackoff(slow));
      const log = logOf(run, () => scheduler.now());
      flush();
      expect(log).toEqual(['1:start', '1:a', '3:b', '5:All 2 attempt(s) over every stream failed; last: Budget exceeded: maxOutputTokens 2 (would reach 3)']);
      expect([first.calls, second.calls]).toEqual([[1], [1]]);
    });
  });

  it('should end the run at once with the race\'s error whose list is every entrant\'s refusal, the next attempt numbered', () => {
    let error: unknown;
    let at = -1;
    const scheduler = testScheduler();
    scheduler.run(({ cold, flush }) => {
      const first = attempts(cold, reset, '-a-b-#', '-c-|');
      const second = attempts(cold, reset, '-------', '-c-|');
      const ledger = createBudget({ maxOutputTokens: 2 });
      raceModels([fromStream(first.factory).pipe(budget(ledger)), fromStream(second.factory).pipe(budget(ledger))])
        .pipe(retryWithBackoff(slow)).subscribe({ error: (e) => ((error = e), (at = scheduler.now())) });
      flush();
    });
    // as attempt 1 fails (frame 5), not after the 1000-frame wait: the same error the refused attempt 2 ends with
    expect(at).toBe(5);
    expect(error).toBeInstanceOf(AllStreamsExhaustedError);
    expect((error as AllStreamsExhaustedError).errors).toEqual([over(2, 3), over(2, 3)]);
    // as a budget's refusal without the race: attempt 2, category abort, not retryable, attempt 1's error before it
    const { attempt, category, retryable, attemptErrors } = error as AllStreamsExhaustedError;
    expect({ attempt, category, retryable, attempts: attemptErrors?.length }).toEqual({ attempt: 2, category: 'abort', retryable: false, attempts: 2 });
  });

  it('should end the run as the attempt fails when one entrant was refused in it and the other spent its own budget', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, flush }) => {
      // attempt 1: the first wins and spends its budget, then fails; attempt 2: the first is refused, the second spends its own and fails
      const first = attempts(cold, reset, '-a-b-#', '-c-|', '-c-|');
      const second = attempts(cold, reset, '-------', '-a-b-#', '-c-|');
      const run = raceModels([fromStream(first.factory).pipe(budget({ maxOutputTokens: 2 })), fromStream(second.factory).pipe(budget({ maxOutputTokens: 2 }))])
        .pipe(retryWithBackoff(slow));
      const log = logOf(run, () => scheduler.now());
      flush();
      // the entrant refused in attempt 2 is asked too: no third attempt after another 1000 frames
      expect(log).toEqual(['1:start', '1:a', '3:b', '5:retry', '1006:start', '1006:a', '1008:b', '1010:All 2 attempt(s) over every stream failed; last: Budget exceeded: maxOutputTokens 2 (would reach 3)']);
      expect([first.calls, second.calls]).toEqual([[1], [1, 2]]);
    });
  });

  it('should end a hedge\'s run as the attempt fails when the primary and the started backup count into one spent ledger', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, flush }) => {
      const primary = attempts(cold, reset, '---a-b-#', '-c-|');
      const backup = attempts(cold, reset, '-------', '-c-|');
      const ledger = createBudget({ maxOutputTokens: 2 });
      const run = fromStream(primary.factory).pipe(budget(ledger), hedge(fromStream(backup.factory).pipe(budget(ledger)), { delay: 2 }), retryWithBackoff(slow));
      const log = logOf(run, () => scheduler.now());
      flush();
      expect(log).toEqual(['3:start', '3:a', '5:b', '7:All 2 attempt(s) over every stream failed; last: Budget exceeded: maxOutputTokens 2 (would reach 3)']);
      expect([primary.calls, backup.calls]).toEqual([[1], [1]]);
    });
  });

  // a backup this attempt never started has no budget to ask (one of its own may let it stream): the loop waits, as README says
  it('should still wait the backoff when a hedge\'s backup never started in the attempt, then fail the race with no request sent', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, flush }) => {
      const primary = attempts(cold, reset, '-a-b-#', '-c-|');
      const backup = attempts(cold, reset, '-c-|', '-c-|');
      const ledger = createBudget({ maxOutputTokens: 2 });
      const run = fromStream(primary.factory).pipe(budget(ledger), hedge(fromStream(backup.factory).pipe(budget(ledger)), { delay: 100 }), retryWithBackoff(slow));
      const log = logOf(run, () => scheduler.now());
      flush();
      expect(log).toEqual(['1:start', '1:a', '3:b', '5:retry', '1005:All 2 attempt(s) over every stream failed; last: Budget exceeded: maxOutputTokens 2 (would reach 3)']);
      expect([primary.calls, backup.calls]).toEqual([[1], []]);
    });
  });

  // an entrant refused with complete{length} is no failure the race can foresee (it completes without content): the loop waits
  it('should still wait the backoff when one entrant\'s spent budget completes with length instead of an error', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, flush }) => {
      const first = attempts(cold, reset, '-a-b-#', '-c-|');
      const second = attempts(cold, reset, '-c-|', '-c-|');
      const spent = createBudget({ maxOutputTokens: 2, onExceeded: 'complete' });
      spent.outputTokens = 2;
      const run = raceModels([fromStream(first.factory).pipe(budget({ maxOutputTokens: 2 })), fromStream(second.factory).pipe(budget(spent))])
        .pipe(retryWithBackoff(slow));
      const log = logOf(run, () => scheduler.now());
      flush();
      // attempt 2 is sent after the wait: the first entrant is refused, the second completes empty (ZeroOutputError), retried again
      expect(log.slice(0, 5)).toEqual(['1:start', '1:a', '3:b', '5:retry', '1005:retry']);
    });
  });

  it('should still wait the backoff when the budget is in a fallbackTo\'s primary inside the loop, then end with its error', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, flush }) => {
      const primary = attempts(cold, reset, '-a-b-#', '-c-|');
      const backup = attempts(cold, reset, '-#');
      const run = fromStream(primary.factory).pipe(budget({ maxOutputTokens: 2 }), fallbackTo(fromStream(backup.factory)), retryWithBackoff(slow));
      const log = logOf(run, () => scheduler.now());
      flush();
      expect(log).toEqual(['0:start', '1:a', '3:b', '5:fallback', '5:start', '6:retry', '1006:Budget exceeded: maxOutputTokens 2 (would reach 3)']);
      expect([primary.calls, backup.calls]).toEqual([[1], [1]]);
    });
  });
});
