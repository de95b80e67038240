/** @test {budget} */
import { describe, expect, it } from 'vitest';
import { catchError, concat, EMPTY, filter, tap } from 'rxjs';
import { z } from 'zod';
import { budget, BudgetExceededError, createBudget, defineGuardrailRule, guard, createMemoryEventStore, fromStream, l0, raceModels, recommendedGuardrails, retryWithBackoff, structured, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';
import { marbleAttempts, type Cold } from './marbleAttempts.js';

/*
 * A budget inside the retry loop (before retryWithBackoff, or in l0()'s attemptOperators) is
 * subscribed again at every attempt: it used to start from zero each time, so a run that kept
 * retrying was never cut. It now continues the count of the same run's previous attempt.
 */

const tok = (value: string): L0Event => ({ type: 'token', value });
const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
const start = (attempt: number): L0Event => ({ type: 'start', attempt, fallbackIndex: 0, isRetry: attempt > 1, isFallback: false });
const values = { s: start(1), t: start(2), a: tok('a'), b: tok('b'), c: tok('c'), d: tok('d'), X: tok('X'), x: { type: 'complete', finishReason: 'stop' } as L0Event };
const over = (max: number, reached: number, outputTokens = reached) => new BudgetExceededError({ limit: 'maxOutputTokens', max, reached, outputTokens });
const fast = { backoff: 'fixed', baseDelay: 1 } as const;

/** A factory whose attempt n streams `marbles[n - 1]` (`#` an ECONNRESET), and the attempts it was called for. */
const attempts = (cold: Cold, ...marbles: string[]) => marbleAttempts(cold, values, reset, ...marbles);

/** The retry event of attempt n failing with ECONNRESET after `fast`'s wait. */
const retried = (attempt: number) => expect.objectContaining({ type: 'retry', attempt, delayMs: 1, reason: 'network_error' });
/** The retry event of attempt n when a budget in it refuses the next attempt: no wait (the run ends at once). */
const refused = (attempt: number) => expect.objectContaining({ type: 'retry', attempt, delayMs: 0, reason: 'network_error' });

describe('budget inside the retry loop (per attempt)', () => {
  it('should count over the attempts of one run, and cut the later attempt at the delta that crosses the limit', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const { factory } = attempts(cold, '-a-b-#', '-c-d-(x|)');
      const run = fromStream(factory).pipe(budget({ maxOutputTokens: 3 }), retryWithBackoff(fast));
      // attempt 1: a, b (2 tokens), fails at 5; attempt 2 from 6: c makes 3, d would make 4
      expectObservable(run).toBe('sa-b-rtc-#', { ...values, r: retried(1) }, over(3, 4));
    });
  });

  it('should never send an attempt that could not stream one token, and report the run\'s usage with onExceeded complete', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const { factory, calls } = attempts(cold, '-a-b-#', '-c-(x|)');
      const run = fromStream(factory).pipe(budget({ maxTotalTokens: 22, inputTokens: 10, onExceeded: 'complete' }), retryWithBackoff(fast));
      // attempt 1: 10 + 2; attempt 2 would send the prompt again (22) and stream a token (23)
      const cut: L0Event = { type: 'complete', finishReason: 'length', usage: { outputTokens: 2, inputTokens: 10 } };
      expectObservable(run).toBe('sa-b-(rL|)', { ...values, r: refused(1), L: cut });
      flush();
      expect(calls).toEqual([1]);
    });
  });

  it('should cut a run of l0() whose budget is in attemptOperators, across its retries', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const { factory } = attempts(cold, '-a-b-#', '-c-#', '-d-b-(x|)');
      const run = l0({ stream: factory, retry: { ...fast, attempts: 5 }, attemptOperators: [budget({ maxOutputTokens: 4 })] });
      // 2 tokens, then 1 (3), then d (4), and b would make 5: before, each attempt counted from 0 and the third completed the run
      expectObservable(run).toBe('sa-b-rtc-qud-#', { ...values, r: retried(1), q: retried(2), u: start(3) }, over(4, 5));
    });
  });

  describe('after a hold-back guard (l0() guardrails, then attemptOperators)', () => {
    const noBad = defineGuardrailRule({ name: 'no-bad', severity: 'error', check: (delta: string) => (delta.includes('X') ? { message: 'bad' } : undefined) });
    /** One token a character, so the held text counts as its tokens did. */
    const chars = (text: string) => text.length;

    it.each([
      ['its own violation', '-a-b-c-X-(x|)'],
      ['an error from upstream', '-a-b-c-#'],
    ])('should count the tokens it held back from an attempt that failed by %s, and so never send an attempt the limit leaves no token', (_, first) => {
      testScheduler().run(({ cold, expectObservable, flush }) => {
        const { factory, calls } = attempts(cold, first, '-d-(x|)');
        const run = l0({ stream: factory, guardrails: [noBad], guardMode: 'hold-back', retry: fast, attemptOperators: [budget({ maxOutputTokens: 3, estimateTokens: chars })] });
        // attempt 1's a, b, c were written and held back, never released: they spent the 3 tokens (before, the budget saw none, and attempt 2 was sent and completed)
        // (and the refusal comes as the attempt fails: no retry, no wait)
        expectObservable(run.pipe(filter((e) => e.type !== 'violation'))).toBe('s------#', { s: start(1) }, expect.objectContaining({ code: 'BUDGET_EXCEEDED' }));
        flush();
        expect(calls).toEqual([1]);
      });
    });

    it('should end the attempt with the TypeError naming estimateTokens when it cannot count the held text', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        // each one-character delta counts; the held text 'ab' gets NaN
        const estimateTokens = (text: string) => (text.length > 1 ? Number.NaN : 1);
        const run = cold('-a-b-#', values, reset).pipe(guard([noBad], { mode: 'hold-back' }), budget({ maxOutputTokens: 100, estimateTokens }));
        expectObservable(run).toBe('-----#', values, new TypeError('budget({estimateTokens}): returned NaN for a delta; it must return a finite number of tokens >= 0'));
      });
    });

    it('should count the held tokens of a run once, when an earlier run failed with the same error object', () => {
      testScheduler().run(({ cold, expectObservable, flush }) => {
        const ledger = createBudget({ maxOutputTokens: 100, estimateTokens: chars });
        // the guard on the source itself: the source's own error (one object for every run) reaches the budget
        const run = (marbles: string) => cold(marbles, values, reset).pipe(guard([noBad], { mode: 'hold-back' }), budget(ledger), catchError(() => EMPTY));
        expectObservable(concat(run('-a-b-#'), run('-c-#'))).toBe('--------|');
        flush();
        // 'ab' then 'c' held back: 3 tokens (before, the second run's error still held 'ab' as well: 2 + 3)
        expect(ledger.outputTokens).toBe(3);
      });
    });

    it('should count nothing more for an attempt whose held tokens it released', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const { factory } = attempts(cold, '-a-b-c-(x|)');
        const run = l0({ stream: factory, guardrails: [noBad], guardMode: 'hold-back', retry: fast, attemptOperators: [budget({ maxOutputTokens: 3, estimateTokens: chars })] });
        // released at the end as one token of 3: exactly the limit, so nothing was counted twice
        expectObservable(run).toBe('s------(Tx|)', { ...values, T: tok('abc') });
      });
    });
  });

  it('should end an l0() run with its length completion when a budget in attemptOperators leaves the next attempt no token, never retrying it as zero output', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const { factory, calls } = attempts(cold, '-a-b-c-#', '-d-(x|)');
      const run = l0({ stream: factory, retry: fast, attemptOperators: [budget({ maxOutputTokens: 3, onExceeded: 'complete' })] });
      // attempt 2 could not stream one token: never sent, and its `length` completion ends the run (it was retried as zero output, then failed with ZeroOutputError)
      const cut: L0Event = { type: 'complete', finishReason: 'length', usage: { outputTokens: 3, inputTokens: 0 } };
      expectObservable(run).toBe('sa-b-c-(rL|)', { ...values, r: refused(1), L: cut });
      flush();
      expect(calls).toEqual([1]);
    });
  });

  it('should end an l0() run with its length completion when a budget in attemptOperators cuts an attempt at its first delta', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const scripts = ['-a-b-#', '-L-(x|)'];
      const long = { ...values, L: tok('twelve chars') }; // 3 tokens by the default estimate: 2 + 3 would make 5
      const run = l0({ stream: (ctx) => cold(scripts[ctx.attempt - 1]!, long, reset), retry: fast, attemptOperators: [budget({ maxOutputTokens: 4, onExceeded: 'complete' })] });
      const cut: L0Event = { type: 'complete', finishReason: 'length', usage: { outputTokens: 2, inputTokens: 0 } };
      expectObservable(run).toBe('sa-b-rt(L|)', { ...values, r: retried(1), L: cut });
    });
  });

  it('should keep the cut\'s length completion through the operators between budget and zero-output detection, and those around the loop', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const { factory } = attempts(cold, '-a-b-c-#', '-d-(x|)');
      const seen: L0Event[] = [];
      // guardrails before the budget, an operator of the user's after it (the complete then held), a recorder and a run operator around the loop
      const run = l0({
        stream: factory, retry: fast, guardrails: recommendedGuardrails, record: createMemoryEventStore(),
        attemptOperators: [budget({ maxOutputTokens: 3, onExceeded: 'complete' }), tap((e) => seen.push(e))], runOperators: [tap(() => undefined)], onComplete: () => undefined,
      });
      const cut: L0Event = { type: 'complete', finishReason: 'length', usage: { outputTokens: 3, inputTokens: 0 } };
      expectObservable(run).toBe('sa-b-c-(rL|)', { ...values, r: refused(1), L: cut });
    });
  });

  it('should end a structured() run with its length completion, no result, when a budget in attemptOperators leaves the next attempt no token', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const json = { a: tok('{"n'), b: tok('ame"'), c: tok(': "x'), d: tok('{"name":"y"}') };
      const { factory, calls } = attempts((m, _v, err) => cold(m, { ...values, ...json }, err), '-a-b-c-#', '-d-(x|)');
      const run = structured({ stream: factory, schema: z.object({ name: z.string() }), retry: fast, attemptOperators: [budget({ maxOutputTokens: 3, onExceeded: 'complete' })] });
      const cut: L0Event = { type: 'complete', finishReason: 'length', usage: { outputTokens: 3, inputTokens: 0 } };
      // read as an empty answer (INVALID_JSON), the attempt was retried three times with no request sent, and the run failed with INVALID_JSON
      expectObservable(run.pipe(filter((e) => e.type !== 'partial'))).toBe('sa-b-c-(rL|)', { ...values, ...json, r: refused(1), L: cut });
      flush();
      expect(calls).toEqual([1]);
    });
  });

  it('should still read the cut text of a structured() run as a length answer (onTruncated: accept gives its repaired result)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const json = { a: tok('{"n'), b: tok('ame"'), c: tok(': "x'), d: tok('", "more": 1}') };
      const stream = () => cold('-a-b-c-d-(x|)', { ...values, ...json });
      const run = structured({ stream, schema: z.object({ name: z.string() }), onTruncated: 'accept', retry: fast, attemptOperators: [budget({ maxOutputTokens: 3, onExceeded: 'complete' })] });
      const cut: L0Event = { type: 'complete', finishReason: 'length', usage: { outputTokens: 3, inputTokens: 0 } };
      const result = expect.objectContaining({ type: 'result', data: { name: 'x' }, truncated: true });
      expectObservable(run.pipe(filter((e) => e.type !== 'partial'))).toBe('sa-b-c-(RL|)', { ...values, ...json, R: result, L: cut });
    });
  });

  it('should still fail a provider\'s own length completion with no text as zero output, a budget in attemptOperators or not', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const empty: L0Event = { type: 'complete', finishReason: 'length', usage: { outputTokens: 4, inputTokens: 1 } };
      const stream = () => cold('-(L|)', { L: empty });
      const zero = expect.objectContaining({ code: 'ZERO_OUTPUT' });
      expectObservable(l0({ stream, retry: false, attemptOperators: [budget({ maxOutputTokens: 100, onExceeded: 'complete' })] })).toBe('s#', values, zero);
      expectObservable(l0({ stream, retry: false })).toBe('s#', values, zero);
    });
  });

  it('should start a count of its own for each fallback stream of l0(), whose loop is its own', () => {
    const scheduler = testScheduler();
    scheduler.run(({ cold, flush }) => {
      const primary = () => cold('-a-b-c-#', values, reset);
      const backup = () => cold('-d-c-(x|)', values);
      const run = l0({ stream: primary, fallbackStreams: [backup], retry: false, attemptOperators: [budget({ maxOutputTokens: 3 })] });
      const log: string[] = [];
      run.subscribe({ next: (e) => log.push(`${scheduler.now()}:${e.type === 'token' ? e.value : e.type}`), complete: () => log.push('done') });
      flush();
      // the backup's 2 tokens after the primary's 3 are under the limit: its loop counts from 0 (put the budget after fallbackTo to count both)
      expect(log).toEqual(['0:start', '1:a', '3:b', '5:c', '7:fallback', '7:start', '8:d', '10:c', '12:complete', 'done']);
    });
  });

  it('should keep each run\'s count its own: two subscriptions of one run count apart', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const { factory } = attempts(cold, '-a-b-#', '-c-(x|)', '-a-b-#', '-c-(x|)');
      const once = fromStream(factory).pipe(budget({ maxOutputTokens: 3 }), retryWithBackoff(fast));
      expectObservable(once).toBe('sa-b-rtc-(x|)', { ...values, r: retried(1) });
      expectObservable(once).toBe('sa-b-rtc-(x|)', { ...values, r: retried(1) });
    });
  });

  it('should count each race entrant\'s attempts apart, each continuing its own count', () => {
    const scheduler = testScheduler();
    const time = () => scheduler.now();
    scheduler.run(({ cold, flush }) => {
      const cap = budget({ maxOutputTokens: 3 });
      const entrant = (marbles: string[]) => {
        let n = 0;
        return fromStream(() => cold(marbles[n++]!, values, reset)).pipe(cap);
      };
      const run = raceModels([entrant(['-a-b-#', '-c-d-(x|)']), entrant(['--d-#', '---d-(x|)'])]).pipe(retryWithBackoff(fast));
      const log: string[] = [];
      run.subscribe({ next: (e) => log.push(`${time()}:${e.type === 'token' ? e.value : e.type}`), error: (e: unknown) => log.push(`${time()}:${(e as Error).message}`) });
      flush();
      // the first entrant wins both attempts: a, b, then c (3), and d would make 4; the loser's own count, 1 token an attempt, never adds to it
      expect(log).toEqual(['1:start', '1:a', '3:b', '5:retry', '7:start', '7:c', '9:Budget exceeded: maxOutputTokens 3 (would reach 4)']);
    });
  });
});
