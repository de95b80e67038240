/** @test {budget} */
import { describe, expect, it } from 'vitest';
import { Subject, type Observable } from 'rxjs';
import { budget, createBudget, isBudgetExceededError, fallbackTo, fromStream, hedge, retryWithBackoff, type L0Event, type StreamContext } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';
import { marbleAttempts, type Cold } from './marbleAttempts.js';

/*
 * A budget the loops subscribe again at every attempt counts over the run's attempts (see
 * budget.perAttempt.spec.ts). Two placements still restarted per attempt: a shared ledger's run
 * (the ledger counted on, but a `length` completion reported the attempt's usage alone), and a
 * budget inside a `fallbackTo` that is itself inside the retry loop (each retry made a new fallback
 * loop, and each loop was a run of its own).
 */

const tok = (value: string): L0Event => ({ type: 'token', value });
const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
const values = { a: tok('a'), b: tok('b'), c: tok('c'), d: tok('d'), x: { type: 'complete', finishReason: 'stop' } as L0Event };
const fast = { backoff: 'fixed', baseDelay: 1 } as const;

/** A factory whose attempt n streams `marbles[n - 1]` (`#` an ECONNRESET), and the attempts it was called for. */
const attempts = (cold: Cold, ...marbles: string[]) => marbleAttempts(cold, values, reset, ...marbles);

/** `run`'s events as `time:what` (a token as its value), and its end. */
function logOf(run: Observable<L0Event>, now: () => number): string[] {
  const log: string[] = [];
  const at = (what: string) => log.push(`${now()}:${what}`);
  run.subscribe({
    next: (e) => at(e.type === 'token' ? e.value : e.type === 'complete' && e.usage ? `${e.finishReason} ${e.usage.outputTokens}+${e.usage.inputTokens}` : e.type),
    error: (e: unknown) => at((e as Error).message),
    complete: () => at('end'),
  });
  return log;
}

describe('budget counting over a run\'s attempts', () => {
  it('should report the run\'s usage over its attempts in a shared ledger\'s length completion, not the last attempt\'s', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, flush }) => {
      const ledger = createBudget({ maxOutputTokens: 3, onExceeded: 'complete' });
      const { factory } = attempts(cold, '-a-b-#', '-c-d-(x|)');
      const log = logOf(fromStream(factory).pipe(budget(ledger), retryWithBackoff(fast)), () => scheduler.now());
      flush();
      // attempt 1: a, b; attempt 2: c makes 3, d would make 4 (was `length 1+0`: attempt 2's usage alone)
      expect(log).toEqual(['0:start', '1:a', '3:b', '5:retry', '6:start', '7:c', '9:length 3+0', '9:end']);
      expect(ledger.outputTokens).toBe(3);
    });
  });

  it('should report the run\'s usage so far when a shared ledger leaves a later attempt no room to send', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, flush }) => {
      const ledger = createBudget({ maxTotalTokens: 22, inputTokens: 10, onExceeded: 'complete' });
      const { factory, calls } = attempts(cold, '-a-b-#', '-c-(x|)');
      const log = logOf(fromStream(factory).pipe(budget(ledger), retryWithBackoff(fast)), () => scheduler.now());
      flush();
      // attempt 2 would send the prompt again (22) and stream a token (23): never sent (was `length 0+0`), nor waited for (was at 6)
      expect(log).toEqual(['0:start', '1:a', '3:b', '5:retry', '5:length 2+10', '5:end']);
      expect(calls).toEqual([1]);
    });
  });

  it('should count over the retries of a run whose budget is inside a fallbackTo inside the retry loop', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, flush }) => {
      const primary = attempts(cold, '-a-b-#', '-c-d-(x|)');
      const backup = () => cold<L0Event>('-#', values, reset);
      const cap = budget({ maxOutputTokens: 3 });
      const run = fromStream(primary.factory).pipe(cap, fallbackTo(fromStream(backup))).pipe(retryWithBackoff(fast));
      const log = logOf(run, () => scheduler.now());
      flush();
      // attempt 1: a, b, then the backup fails too; attempt 2: c makes 3, d would make 4 (before, each retry's fallback loop counted from 0 and the run completed)
      expect(log).toEqual(['0:start', '1:a', '3:b', '5:fallback', '5:start', '6:retry', '7:start', '8:c', '10:Budget exceeded: maxOutputTokens 3 (would reach 4)']);
    });
  });

  it('should count over the retries of a run whose fallback stream has the budget, inside the retry loop', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, flush }) => {
      const backup = attempts(cold, '-a-b-#', '-c-d-(x|)');
      let backupAttempt = 0;
      // the fallback stream is each time attempt 1 of its stream: the factory picks its marbles by the retry instead
      const fallback = fromStream(() => backup.factory({ attempt: ++backupAttempt } as StreamContext)).pipe(budget({ maxOutputTokens: 3 }));
      const run = fromStream(() => cold<L0Event>('-#', values, reset)).pipe(fallbackTo(fallback)).pipe(retryWithBackoff(fast));
      const log = logOf(run, () => scheduler.now());
      flush();
      expect(log).toEqual(['0:start', '1:fallback', '1:start', '2:a', '4:b', '6:retry', '7:start', '8:fallback', '8:start', '9:c', '11:Budget exceeded: maxOutputTokens 3 (would reach 4)']);
    });
  });

  it('should count a hedge of the same request apart from its primary inside a retry loop, each over its own attempts', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, flush }) => {
      let calls = 0;
      // the primary streams 3 tokens from frame 3; the hedge (the same request again, at frame 2) 3 from frame 0 of its own
      const call = fromStream(() => (calls++ === 0 ? cold<L0Event>('---a-b-c-(x|)', values) : cold<L0Event>('a-b-c-(x|)', values))).pipe(budget({ maxOutputTokens: 4 }), retryWithBackoff(fast));
      const log = logOf(call.pipe(hedge(call, { delay: 2, scheduler, winOn: { minChars: 3 } }), retryWithBackoff(fast)), () => scheduler.now());
      flush();
      // 3 tokens each, 6 in all: within 4 each (the hedge's loop counted on from the primary's count, and failed the run at 5)
      expect(log).toEqual(['6:start', '6:a', '6:b', '6:c', '8:complete', '8:end']);
    });
  });

  it('should count an entrant of a race over the attempts of the loop around the race', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, flush }) => {
      const primary = attempts(cold, '-a-b-#', '-c-d-(x|)');
      const run = fromStream(primary.factory).pipe(budget({ maxOutputTokens: 3 }), hedge(fromStream(() => cold<L0Event>('-#', values, reset)), { delay: 100, scheduler }), retryWithBackoff(fast));
      const log = logOf(run, () => scheduler.now());
      flush();
      expect(log).toEqual(['1:start', '1:a', '3:b', '5:retry', '7:start', '7:c', '9:Budget exceeded: maxOutputTokens 3 (would reach 4)']);
    });
  });

  it('should still count two runs of one shared ledger apart in their length completions', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, flush }) => {
      const ledger = createBudget({ maxOutputTokens: 3, onExceeded: 'complete' });
      const first = logOf(fromStream(attempts(cold, '-a-b-(x|)').factory).pipe(budget(ledger), retryWithBackoff(fast)), () => scheduler.now());
      const second = logOf(fromStream(attempts(cold, '-c-d-(x|)').factory).pipe(budget(ledger), retryWithBackoff(fast)), () => scheduler.now());
      flush();
      expect(first).toEqual(['0:start', '1:a', '3:b', '5:complete', '5:end']);
      // the ledger's third token is c; d would make 4: this run streamed 1
      expect(second).toEqual(['0:start', '1:c', '3:length 1+0', '3:end']);
    });
  });

  it('should give each run that crosses a shared ledger its own error, whose info is that run\'s crossing', () => {
    // interleaved runs of one ledger: no error object is reused or changed by another run's cut
    const ledger = createBudget({ maxOutputTokens: 3 });
    const [a, b] = [new Subject<L0Event>(), new Subject<L0Event>()];
    const errors: unknown[] = [];
    for (const run of [a, b]) run.pipe(budget(ledger)).subscribe({ error: (e: unknown) => errors.push(e) });
    a.next(tok('a'));
    b.next(tok('b'));
    a.next(tok('12345678')); // 2 more: 4
    b.next(tok('c')); // 1 more: 3, within the limit (a's crossing counted nothing)
    b.next(tok('1234567890123')); // 4 more: 7
    expect(errors).toHaveLength(2);
    expect(errors[0]).not.toBe(errors[1]);
    expect(errors.map((e) => isBudgetExceededError(e) && [e.info.reached, Object.isFrozen(e.info)])).toEqual([[4, true], [7, true]]);
  });
});
