/** @test {budget} */
import { describe, expect, it } from 'vitest';
import { filter } from 'rxjs';
import { budget, createBudget, defineGuardrailRule, guard, l0, ProviderError, raceModels, type L0Event, type StreamContext } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';
import { marbleAttempts, type Cold } from './marbleAttempts.js';

/*
 * A budget after the loops (l0()'s runOperators, or piped after retryWithBackoff/fallbackTo) saw
 * only the `retry` and `fallback` events of a failed attempt, whose error is serialised: the
 * tokens a hold-back guard held back from that attempt (written, paid for, never passed on) came
 * with the attempt's error, which the loop keeps, so that budget never counted them.
 */

const tok = (value: string): L0Event => ({ type: 'token', value });
const reset = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
const start = (attempt: number, fallbackIndex = 0): L0Event => ({ type: 'start', attempt, fallbackIndex, isRetry: attempt > 1, isFallback: fallbackIndex > 0 });
const values = { s: start(1), t: start(2), a: tok('a'), b: tok('b'), c: tok('c'), d: tok('d'), D: tok('dd'), X: tok('X'), x: { type: 'complete', finishReason: 'stop' } as L0Event };
const fast = { backoff: 'fixed', baseDelay: 1 } as const;
const noBad = defineGuardrailRule({ name: 'no-bad', severity: 'error', check: (delta: string) => (delta.includes('X') ? { message: 'bad' } : undefined) });
/** One token a character, so the held text counts as its tokens did. */
const chars = (text: string) => text.length;
const noViolations = filter((e: L0Event) => e.type !== 'violation');

/** A factory whose attempt n streams `marbles[n - 1]` (`#` an ECONNRESET), and the attempts it was called for. */
const attempts = (cold: Cold, ...marbles: string[]) => marbleAttempts(cold, values, reset, ...marbles);

describe('budget after the retry and fallback loops (l0() runOperators), behind a hold-back guard', () => {
  it.each([
    ['its own violation', '-a-b-c-X-(x|)', 4],
    ['an error from upstream', '-a-b-c-#', 3],
  ])('should count the tokens held back from an attempt that failed by %s, with its retry event, and cut the next attempt at its first token', (_, first, held) => {
    testScheduler().run(({ cold, expectObservable }) => {
      const { factory } = attempts(cold, first, '-D-(x|)');
      const run = l0({ stream: factory, guardrails: [noBad], guardMode: 'hold-back', retry: fast, runOperators: [budget({ maxOutputTokens: held + 1, estimateTokens: chars })] });
      // the held and dropped a, b, c (and X) leave room for one token: dd (2), held until attempt 2 completes, would cross it (before, the budget had counted none, and the run completed with dd)
      const r = expect.objectContaining({ type: 'retry', attempt: 1 });
      expectObservable(run.pipe(noViolations)).toBe('s------rt--#', { s: start(1), t: start(2), r }, expect.objectContaining({ code: 'BUDGET_EXCEEDED', message: `Budget exceeded: maxOutputTokens ${held + 1} (would reach ${held + 2})` }));
    });
  });

  it('should cut the run at the retry when the held tokens spent the limit, with onExceeded complete, so the next attempt is never sent', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const { factory, calls } = attempts(cold, '-a-b-c-#', '-d-(x|)');
      const run = l0({ stream: factory, guardrails: [noBad], guardMode: 'hold-back', retry: fast, runOperators: [budget({ maxOutputTokens: 2, estimateTokens: chars, onExceeded: 'complete' })] });
      // the retry passes (it retracts the attempt), then the length completion with the run's 3 tokens (before: attempt 2 was sent and the run completed with d)
      const L: L0Event = { type: 'complete', finishReason: 'length', usage: { outputTokens: 3, inputTokens: 0 } };
      expectObservable(run).toBe('s------(rL|)', { s: start(1), r: expect.objectContaining({ type: 'retry', attempt: 1 }), L });
      flush();
      expect(calls).toEqual([1]);
    });
  });

  it('should count the tokens held back from a primary that failed, with its fallback event', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const primary = () => cold('-a-b-c-#', values, reset);
      const fallback = () => cold('----D-(x|)', values);
      // a, b, c leave room for one token: the fallback is sent, and its dd would cross the limit
      const run = l0({ stream: primary, fallbackStreams: [fallback], guardrails: [noBad], guardMode: 'hold-back', retry: { maxRetries: 0 }, runOperators: [budget({ maxOutputTokens: 4, estimateTokens: chars })] });
      // before: the fallback's dd passed and the run completed
      const f = expect.objectContaining({ type: 'fallback', fromIndex: 0, toIndex: 1 });
      // (dd is held until the fallback completes)
      expectObservable(run).toBe('s------(fS)--#', { s: start(1), f, S: start(1, 1) }, expect.objectContaining({ code: 'BUDGET_EXCEEDED' }));
    });
  });

  it('should count every attempt\'s held tokens once into a shared ledger when the run fails for good (the last with the error that ends it)', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const ledger = createBudget({ maxOutputTokens: 100, estimateTokens: chars });
      // one typed error object for every attempt (the loops pass it on as it is): each attempt's holds are counted once (1: a b, 2: c d)
      const dropped = new ProviderError('read ECONNRESET', { code: 'NETWORK_ERROR', category: 'network', retryable: true });
      const scripts = ['-a-b-#', '-c-d-#'];
      const factory = (ctx: StreamContext) => cold(scripts[ctx.attempt - 1]!, values, dropped);
      const run = l0({ stream: factory, guardrails: [noBad], guardMode: 'hold-back', retry: { ...fast, maxRetries: 1 }, runOperators: [budget(ledger)] });
      expectObservable(run).toBe('s----rt----#', { s: start(1), t: start(2), r: expect.objectContaining({ type: 'retry' }) }, expect.objectContaining({ code: 'NETWORK_ERROR' }));
      flush();
      // before: 0
      expect(ledger.outputTokens).toBe(4);
    });
  });
});

describe('budget after the loops, when an attempt that failed spent the limit exactly', () => {
  // a b c, held and dropped, make exactly 3 of 3: the next attempt could not stream one token
  it.each([['attemptOperators'], ['runOperators']] as const)('should never send the next attempt, as in %s, and end with that token\'s error', (where) => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const { factory, calls } = attempts(cold, '-a-b-c-#', '-d-(x|)');
      const run = l0({ stream: factory, guardrails: [noBad], guardMode: 'hold-back', retry: fast, [where]: [budget({ maxOutputTokens: 3, estimateTokens: chars })] });
      const error = expect.objectContaining({ code: 'BUDGET_EXCEEDED', message: 'Budget exceeded: maxOutputTokens 3 (would reach 4)' });
      // inside the loop attempt 2 is refused as attempt 1 fails (it was after a retry and its wait); after it, the retry is where the run ends
      // (before: after the loop the retry passed, attempt 2's request was sent and cut at d)
      expectObservable(run).toBe('s------#', { s: start(1) }, error);
      flush();
      expect(calls).toEqual([1]);
    });
  });

  it('should cut the run at the retry with onExceeded complete, when the tokens released and those held make the limit', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const { factory, calls } = attempts(cold, '-a-b-c-#', '-d-(x|)');
      // one character held back: a and b are released, c is held when the attempt fails (2 + 1 of 3)
      const holdOne = guard([noBad], { mode: 'hold-back', holdBack: 1 });
      const run = l0({ stream: factory, retry: fast, attemptOperators: [holdOne], runOperators: [budget({ maxOutputTokens: 3, estimateTokens: chars, onExceeded: 'complete' })] });
      const L: L0Event = { type: 'complete', finishReason: 'length', usage: { outputTokens: 3, inputTokens: 0 } };
      // before: the retry passed and attempt 2 was sent, cut at d
      expectObservable(run).toBe('s--a-b-(rL|)', { s: start(1), a: tok('a'), b: tok('b'), r: expect.objectContaining({ type: 'retry', attempt: 1 }), L });
      flush();
      expect(calls).toEqual([1]);
    });
  });
});

describe('budget after the loops, at a retry whose attempt would resume from a checkpoint', () => {
  it('should end the run at the retry with no resume, the checkpoint not restored, as inside the loops', () => {
    testScheduler().run(({ cold, flush }) => {
      const { factory, calls } = attempts(cold, '-a-b-c-#', '-d-(x|)');
      const limit = budget({ maxOutputTokens: 3, estimateTokens: chars, onExceeded: 'complete' });
      const run = l0({ stream: factory, continueFromLastKnownGoodToken: true, checkpointInterval: 2, retry: fast, runOperators: [limit] });
      const seen: string[] = [];
      run.subscribe((e) => seen.push(e.type));
      flush();
      // before: attempt 2 was sent, resumed from "ab" (the run's text again) and cut at d
      expect([seen, calls]).toEqual([['start', 'token', 'token', 'checkpoint', 'token', 'retry', 'complete'], [1]]);
    });
  });
});

describe('budget after a race whose winner retried behind a hold-back guard', () => {
  it("should count each of the winner's failed attempts' held tokens once, when the race releases its retry events only at the win", () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      const ledger = createBudget({ maxOutputTokens: 100, estimateTokens: chars });
      // attempt 1 holds a, attempt 2 b c: both holds are made before the win releases either retry event
      const { factory } = attempts(cold, '-a-#', '-b-c-#', '-d-(x|)');
      const run = raceModels([l0({ stream: factory, guardrails: [noBad], guardMode: 'hold-back', retry: fast })]).pipe(budget(ledger));
      const u = start(3);
      expectObservable(run).toBe('-------------(srtRudx|)', { s: start(1), r: expect.objectContaining({ type: 'retry', attempt: 1 }), t: start(2), R: expect.objectContaining({ type: 'retry', attempt: 2 }), u, d: tok('d'), x: values.x });
      flush();
      // a (1), b c (2), d (1); before: 2 (the count of a moved past the hold of b c, made already)
      expect(ledger.outputTokens).toBe(4);
    });
  });
  it('should end the run at a retry the race releases only at the win, when the held tokens spent the limit (that attempt was sent, and won)', () => {
    testScheduler().run(({ cold, expectObservable, flush }) => {
      // attempt 1 holds a, attempt 2 b c: 3 of 3 when the win releases the second retry
      const { factory, calls } = attempts(cold, '-a-#', '-b-c-#', '-d-(x|)');
      const run = raceModels([l0({ stream: factory, guardrails: [noBad], guardMode: 'hold-back', retry: fast })]).pipe(budget({ maxOutputTokens: 3, estimateTokens: chars }));
      const error = expect.objectContaining({ code: 'BUDGET_EXCEEDED', message: 'Budget exceeded: maxOutputTokens 3 (would reach 4)' });
      // before: the retry and attempt 3's start passed, and the run ended at d
      expectObservable(run).toBe('-------------(srt#)', { s: start(1), r: expect.objectContaining({ type: 'retry', attempt: 1 }), t: start(2) }, error);
      flush();
      expect(calls).toEqual([1, 2, 3]);
    });
  });
});

describe('budget after the loops, with an estimator that throws a value no Error wraps', () => {
  it('should end the run with what it threw (0) at the retry event that brings held tokens, as at a token, never pass the retry uncounted', () => {
    testScheduler().run(({ cold, flush }) => {
      const { factory, calls } = attempts(cold, '-a-b-c-#', '-d-(x|)');
      // the held a b c come as one text: the estimator throws 0 for it (one token a character otherwise)
      const estimateTokens = (text: string) => {
        if (text.length > 1) throw 0;
        return text.length;
      };
      const run = l0({ stream: factory, guardrails: [noBad], guardMode: 'hold-back', retry: fast, runOperators: [budget({ maxOutputTokens: 100, estimateTokens })] });
      const seen: unknown[] = [];
      run.subscribe({ next: (e) => seen.push(e.type), error: (e: unknown) => seen.push(['error', e]), complete: () => seen.push('complete') });
      flush();
      // before: the throw was taken for no error, the retry passed uncounted and attempt 2 completed the run
      expect([seen, calls]).toEqual([['start', ['error', 0]], [1]]);
    });
  });
});
