/** @test {withTimeouts} a content event exactly at a deadline (rule 3): in time, for every kind, whatever runs first */
import { Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import { describe, it } from 'vitest';
import { TokenTimeoutError, withTimeouts, type L0Event, type TimeoutKind } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const values: Record<string, L0Event> = {
  a: { type: 'token', value: 'a' },
  b: { type: 'token', value: 'b' },
  C: { type: 'complete', finishReason: 'stop' },
};
const timeout = (kind: TimeoutKind, timeoutMs: number, elapsedMs: number, tokenCount: number) =>
  new TokenTimeoutError({ kind, timeoutMs, elapsedMs, tokenCount });

/**
 * Emits `a` at frame `gap`, then `b` `gap` frames after `a`'s `next` returned, then completes: each
 * token is scheduled after the deadline `withTimeouts` armed on the previous one, so at a tie the
 * deadline's action runs first (a cold or hot marble source's tokens were scheduled before it).
 */
function afterTheDeadline(ts: TestScheduler, gap: number): Observable<L0Event> {
  return new Observable<L0Event>((subscriber) => ts.schedule(function step(n = 0) {
    subscriber.next(values[n === 0 ? 'a' : 'b']!);
    if (n === 1) subscriber.complete();
    else this.schedule(1, gap);
  }, gap));
}

describe('withTimeouts: a deadline is the last moment a content event may arrive', () => {
  describe('initialToken', () => {
    it('should pass a first token that arrives exactly at the deadline, scheduled after it (cold)', () => {
      // it timed out at 3: the deadline's action, armed at subscription, ran before the token due at the same frame
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('---a--|', values).pipe(withTimeouts({ initialToken: 3 }))).toBe('---a--|', values);
      });
    });

    it('should pass a first token that arrives exactly at the deadline, scheduled before it (hot)', () => {
      testScheduler().run(({ hot, expectObservable }) => {
        expectObservable(hot('---a--|', values).pipe(withTimeouts({ initialToken: 3 }))).toBe('---a--|', values);
      });
    });

    it('should time out at the deadline when the token comes a frame later, and time the next gap from a token at it', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('----a|', values).pipe(withTimeouts({ initialToken: 3 }))).toBe('---#', values, timeout('initial', 3, 3, 0));
        expectObservable(cold('---a---b|', values).pipe(withTimeouts({ initialToken: 3, interToken: 2 })))
          .toBe('---a-#', values, timeout('inter', 2, 2, 1));
      });
    });
  });

  describe('interToken', () => {
    it('should pass a token that arrives exactly at the deadline, scheduled before it (cold)', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('-a--b|', values).pipe(withTimeouts({ interToken: 3 }))).toBe('-a--b|', values);
      });
    });

    it('should pass a token that arrives exactly at the deadline, scheduled after it', () => {
      // it timed out at 6: a source that asks for the next chunk after the previous one was taken (an async iterator) lost the tie
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        expectObservable(afterTheDeadline(ts, 3).pipe(withTimeouts({ interToken: 3 }))).toBe('---a--(b|)', values);
      });
    });
  });

  describe('total', () => {
    it('should complete a run that completes exactly at the deadline, scheduled after it (cold)', () => {
      // it timed out at 3 before the token and the complete due at the same frame
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(cold('---(aC|)', values).pipe(withTimeouts({ total: 3 }))).toBe('---(aC|)', values);
      });
    });

    it('should complete a run that completes exactly at the deadline, scheduled before it (hot)', () => {
      // the token passed and the run timed out at once: the complete due at the same frame was lost
      testScheduler().run(({ hot, expectObservable }) => {
        expectObservable(hot('---(aC|)', values).pipe(withTimeouts({ total: 3 }))).toBe('---(aC|)', values);
      });
    });

    it('should pass a token at the deadline, then time out when the run has not completed by its end', () => {
      testScheduler().run(({ cold, hot, expectObservable }) => {
        expectObservable(cold('---a--C|', values).pipe(withTimeouts({ total: 3 }))).toBe('---(a#)', values, timeout('total', 3, 3, 1));
        expectObservable(hot('---a--C|', values).pipe(withTimeouts({ total: 3 }))).toBe('---(a#)', values, timeout('total', 3, 3, 1));
      });
    });
  });
});
