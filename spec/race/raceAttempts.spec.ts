/** @test {raceModels} @test {hedge} */
import { describe, expect, it } from 'vitest';
import { asyncScheduler, last, map, subscribeOn } from 'rxjs';
import { accumulate, fallbackTo, GuardrailViolationError, hedge, l0, ProviderError, raceModels, retryWithBackoff, type AttemptContext, type L0Event } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { attemptSource, ev } from '../helpers/attemptSource.js';
import { testScheduler } from '../helpers/testScheduler.js';

const values = {
  a: ev.tok('a'),
  b: ev.tok('b'),
  c: { type: 'checkpoint', content: 'ab', tokenCount: 2 } as L0Event,
  r: expect.objectContaining({ type: 'retry', attempt: 1 }) as unknown as L0Event,
  f: expect.objectContaining({ type: 'fallback', fromIndex: 0, toIndex: 1 }) as unknown as L0Event,
};
const failed = new Error('network down');
const fixed = (scheduler: ReturnType<typeof testScheduler>) => retryWithBackoff({ backoff: 'fixed', baseDelay: 1, scheduler });

describe('a race inside retryWithBackoff or fallbackTo', () => {
  it('should hand the retry\'s attempt to every entrant of the next race, so its winner\'s start says attempt 2', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const first = attemptSource((ctx) => (ctx.attempt === 1 ? cold('--#', undefined, failed) : cold('-----a|', values)));
      const second = attemptSource((ctx) => (ctx.attempt === 1 ? cold('---#', undefined, failed) : cold('--b----|', values)));
      // both fail by 3 (retry), the race is subscribed again at 4 and the second entrant wins at 6
      expectObservable(raceModels([first, second]).pipe(fixed(ts))).toBe('---r--(sb)-|', { ...values, s: ev.start(2) });
    });
  });

  it('should run the race again when every entrant failed with a retryable error of its kind (a 503), as after an unclassified one', () => {
    const down = new ProviderError('upstream 503', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 });
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const first = attemptSource((ctx) => (ctx.attempt === 1 ? cold('--#', undefined, down) : cold('-----a|', values)));
      const second = attemptSource((ctx) => (ctx.attempt === 1 ? cold('---#', undefined, down) : cold('--b----|', values)));
      expectObservable(raceModels([first, second]).pipe(fixed(ts))).toBe('---r--(sb)-|', { ...values, s: ev.start(2) });
    });
  });

  it('should not run the race again when the last entrant failed with an error that says a retry cannot pass', () => {
    const fatal = new GuardrailViolationError({ violations: [{ ruleId: 'pii', severity: 'fatal', message: 'leak', recoverable: false }] });
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const first = attemptSource(() => cold('--#', undefined, failed));
      const second = attemptSource(() => cold('---#', undefined, fatal));
      expectObservable(raceModels([first, second]).pipe(fixed(ts))).toBe('---#', undefined, expect.objectContaining({ code: 'ALL_STREAMS_EXHAUSTED', message: 'All 2 attempt(s) over every stream failed; last: Guardrail violation (pii): leak' }));
    });
  });

  it('should give the factory of every entrant the attempt it makes', () => {
    const ts = testScheduler();
    const firstCalls: AttemptContext[] = [];
    const secondCalls: AttemptContext[] = [];
    ts.run(({ cold, flush }) => {
      const first = attemptSource((ctx) => (ctx.attempt === 1 ? cold('--#', undefined, failed) : cold('-----a|', values)), firstCalls);
      const second = attemptSource((ctx) => (ctx.attempt === 1 ? cold('---#', undefined, failed) : cold('--b----|', values)), secondCalls);
      raceModels([first, second]).pipe(fixed(ts)).subscribe();
      flush();
    });
    expect([firstCalls, secondCalls].map((calls) => calls.map((c) => c.attempt))).toEqual([[1, 2], [1, 2]]);
  });

  it('should let accumulate() show the attempt the winner streams', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const first = attemptSource((ctx) => (ctx.attempt === 1 ? cold('--#', undefined, failed) : cold('-----a|', values)));
      const second = attemptSource((ctx) => (ctx.attempt === 1 ? cold('---#', undefined, failed) : cold('--b----|', values)));
      const attempt = raceModels([first, second]).pipe(fixed(ts), accumulate(), last(), map((s) => `${s.attempt}:${s.content}`));
      expectObservable(attempt).toBe('-----------(x|)', { x: '2:b' });
    });
  });

  it('should number a hedge backup that its timer subscribes in a retried attempt with that attempt', () => {
    const ts = testScheduler();
    ts.run(({ cold, time, expectObservable }) => {
      const primary = attemptSource((ctx) => (ctx.attempt === 1 ? cold('---#', undefined, failed) : cold('--------a|', values)));
      const backup = attemptSource((ctx) => (ctx.attempt === 1 ? cold('-#', undefined, failed) : cold('-b-----|', values)));
      // attempt 1: the backup starts at 2, both fail at 3; attempt 2 from 4: the backup starts at 6 and wins at 7
      const hedged = primary.pipe(hedge(backup, { delay: time('--|'), scheduler: ts }), fixed(ts));
      expectObservable(hedged).toBe('---r---(sb)--|', { ...values, s: ev.start(2) });
    });
  });

  it('should hand a fallback\'s index to every entrant of a race it falls back to', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const primary = attemptSource(() => cold('-#', undefined, failed));
      const slow = attemptSource(() => cold('-----a|', values));
      const fast = attemptSource(() => cold('--b---|', values));
      // the primary fails at 1; the race is subscribed at 1 and `fast` wins at 3
      expectObservable(primary.pipe(fallbackTo(raceModels([slow, fast])))).toBe('sf-(Sb)|', { ...values, s: ev.start(), S: ev.start(1, 1) });
    });
  });

  it('should hand the checkpoint a retry resumes from to every entrant', () => {
    const ts = testScheduler();
    const calls: AttemptContext[][] = [[], []];
    ts.run(({ cold, flush }) => {
      // the first entrant wins with 'ab', checkpoints, then fails: the next attempt resumes from 'ab'
      const entrants = [
        attemptSource((ctx) => (ctx.attempt === 1 ? cold('-ac#', values, failed) : cold('----a|', values)), calls[0]),
        attemptSource((ctx) => (ctx.attempt === 1 ? cold('-----#', undefined, failed) : cold('-b|', values)), calls[1]),
      ];
      raceModels(entrants).pipe(fixed(ts)).subscribe();
      flush();
    });
    expect(calls.map((c) => c.map((x) => x.checkpoint))).toEqual([[undefined, 'ab'], [undefined, 'ab']]);
  });

  it('should still error with an InvalidStreamError when every entrant lost the attempt it was handed', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      // subscribed after an asynchronous step, neither sees the context: the winner would say attempt 1
      const late = (retried: string) => {
        let calls = 0;
        return attemptSource(() => (++calls === 1 ? cold('--#', undefined, failed) : cold(retried, values))).pipe(subscribeOn(asyncScheduler));
      };
      const first = late('-----a|');
      const second = late('-b|');
      const lost = expect.objectContaining({ name: 'InvalidStreamError', code: 'INVALID_STREAM' });
      // both fail at 2, the retry resubscribes at 3, the second wins at 4 with a start that says attempt 1
      expectObservable(raceModels([first, second]).pipe(fixed(ts))).toBe('--r-#', values, lost);
    });
  });

  it('should let entrants with retries of their own (whole l0() runs) take the attempt without an InvalidStreamError', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const own = (retried: string) => {
        let subscriptions = 0;
        return attemptSource(() => (++subscriptions === 1 ? cold('--#', undefined, failed) : cold(retried, values)))
          .pipe(retryWithBackoff({ maxRetries: 0, scheduler: ts }));
      };
      // each entrant's own retry takes the outer attempt's context: its first attempt is that attempt, 2
      expectObservable(raceModels([own('--------a|'), own('-b-----|')]).pipe(fixed(ts))).toBe('--r-(sb)--|', { ...values, s: ev.start(2) });
    });
  });

  describe('entrants with retries of their own (whole l0() runs)', () => {
    /** What a consumer reads about attempts: each `start` and `retry` with its attempt. */
    const attemptsOf = (events: L0Event[]) => events.flatMap((e) => (e.type === 'start' ? [`start ${e.attempt}${e.isRetry ? ' (retry)' : ''}`] : e.type === 'retry' ? [`retry ${e.attempt}`] : []));

    it('should number a winner\'s own retries after the outer attempt, and the outer\'s next attempt after them', () => {
      const ts = testScheduler();
      const events: L0Event[] = [];
      const calls: AttemptContext[] = [];
      let completed = false;
      ts.run(({ cold, flush }) => {
        // attempts 1 and 2 stream a token and fail: its own loop retries once, then it fails the race's attempt 1
        const own = attemptSource((ctx) => (ctx.attempt <= 2 ? cold('-a#', values, failed) : cold('-a|', values)), calls)
          .pipe(retryWithBackoff({ maxRetries: 1, backoff: 'fixed', baseDelay: 1, scheduler: ts }));
        raceModels([own, cold<L0Event>('-------b|', values)]).pipe(fixed(ts)).subscribe({ next: (e) => events.push(e), complete: () => (completed = true) });
        flush();
      });
      expect(attemptsOf(events)).toEqual(['start 1', 'retry 1', 'start 2 (retry)', 'retry 2', 'start 3 (retry)']);
      expect(calls.map((c) => c.attempt)).toEqual([1, 2, 3]);
      expect(completed).toBe(true);
    });

    it('should number the attempts of a whole l0() run raced inside a retried race as one sequence, its factory told each', () => {
      const ts = testScheduler();
      const events: L0Event[] = [];
      const gpt = fakeModel(['-a#', '-a#', '-ab|']);
      const claude = fakeModel(['-#']);
      const retry = { maxRetries: 1, backoff: 'fixed', baseDelay: 1 } as const;
      ts.run(({ flush }) => {
        const race = raceModels({ gpt: l0({ stream: gpt, retry, scheduler: ts }), claude: l0({ stream: claude, retry, scheduler: ts }) });
        race.pipe(retryWithBackoff({ ...retry, scheduler: ts })).subscribe((e) => events.push(e));
        flush();
      });
      expect(attemptsOf(events)).toEqual(['start 1', 'retry 1', 'start 2 (retry)', 'retry 2', 'start 3 (retry)']);
      // claude lost attempt 1 at gpt's first token; the race's next attempt is 3 for both
      expect([gpt.calls.map((c) => c.attempt), claude.calls.map((c) => c.attempt)]).toEqual([[1, 2, 3], [1, 3]]);
      expect(events.at(-1)).toMatchObject({ type: 'complete' });
    });

    it('should number a hedge backup with retries of its own, subscribed by its timer, with the outer attempt', () => {
      const ts = testScheduler();
      const events: L0Event[] = [];
      ts.run(({ cold, time, flush }) => {
        const own = (body: (attempt: number) => string) => attemptSource((ctx) => cold(body(ctx.attempt), values, failed))
          .pipe(retryWithBackoff({ maxRetries: 0, scheduler: ts }));
        // attempt 1: both fail; attempt 2 (from 4): the primary is silent, the backup starts at 6 and wins
        const primary = own((attempt) => (attempt === 1 ? '---#' : '--------a|'));
        const backup = own((attempt) => (attempt === 1 ? '-#' : '-b-----|'));
        primary.pipe(hedge(backup, { delay: time('--|'), scheduler: ts }), fixed(ts)).subscribe((e) => events.push(e));
        flush();
      });
      expect(attemptsOf(events)).toEqual(['retry 1', 'start 2 (retry)']);
    });
  });
});
