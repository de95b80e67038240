/** @test {hedge} */
import { describe, expect, it } from 'vitest';
import { concatMap, NEVER, of, timer, type Observable } from 'rxjs';
import { AllStreamsExhaustedError, hedge, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const tok = (value: string): L0Event => ({ type: 'token', value });
const values = {
  s: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false } as L0Event,
  a: tok('a'), b: tok('b'), c: tok('c'),
  x: { type: 'complete', finishReason: 'stop' } as L0Event,
  t: { type: 'tool-call', id: '1', name: 'f', arguments: '{}' } as L0Event,
};
const e1 = new Error('one');
const e2 = new Error('two');

describe('hedge', () => {
  describe('creation', () => {
    it('should throw a TypeError when the backup is not an Observable, with the value', () => {
      expect(() => hedge({} as Observable<L0Event>, { delay: 5 })).toThrow(new TypeError('hedge(backup, config): backup must be an Observable<L0Event>, got an object'));
      expect(() => hedge(undefined as never, { delay: 5 })).toThrow(new TypeError('hedge(backup, config): backup must be an Observable<L0Event>, got undefined'));
    });

    it('should throw a TypeError naming delay when it is missing or not positive', () => {
      expect(() => hedge(NEVER, {} as { delay: number })).toThrow(/hedge\(backup, \{delay\}\) must be a finite number/);
      expect(() => hedge(NEVER, { delay: 0 })).toThrow(/delay/);
    });

    it('should throw a TypeError naming delay when it is longer than a timer waits (2147483647 ms)', () => {
      expect(() => hedge(NEVER, { delay: 3e9 })).toThrow(new TypeError('hedge(backup, {delay}) must be at most 2147483647 ms (about 24.8 days), got 3000000000'));
      expect(hedge(NEVER, { delay: 2_147_483_647 })).toBeTypeOf('function');
    });

    it('should throw a TypeError for maxHedges below 1', () => {
      expect(() => hedge(NEVER, { delay: 5, maxHedges: 0 })).toThrow(/maxHedges/);
    });

    it('should refuse maxHedges Infinity, saying why, where concurrency takes it as no limit', () => {
      // it said only "must be an integer >= 1", as if Infinity were a typo, while parallel and consensus take concurrency: Infinity
      expect(() => hedge(NEVER, { delay: 5, maxHedges: Infinity })).toThrow(
        new TypeError('hedge(backup, {maxHedges}) must be an integer >= 1 (a bound on the requests of `backup`: no limit would replace failed ones without end), got Infinity'),
      );
      expect(() => hedge(NEVER, { delay: 5, maxHedges: 1.5 })).toThrow(new TypeError('hedge(backup, {maxHedges}) must be an integer >= 1, got 1.5'));
    });

    it('should throw a TypeError for an unknown option, with a suggestion', () => {
      expect(() => hedge(NEVER, { delay: 5, maxHedge: 2 } as never)).toThrow(/did you mean `maxHedges`/);
    });
  });

  it('should never subscribe the backup when the primary produces content before the delay', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const primary = cold('s-a---x|', values);
      const backup = cold('s-b|', values);
      expectObservable(primary.pipe(hedge(backup, { delay: 4 }))).toBe('--(sa)x|', values);
      expectSubscriptions(backup.subscriptions).toBe([]);
    });
  });

  it('should subscribe the backup at the delay and stream it when it answers first, unsubscribing the primary', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const primary = cold('s---------a|', values);
      const backup = cold('s-b---x|', values);
      expectObservable(primary.pipe(hedge(backup, { delay: 4 }))).toBe('------(sb)x|', values);
      expectSubscriptions(primary.subscriptions).toBe('^-----!');
      expectSubscriptions(backup.subscriptions).toBe('----^------!');
    });
  });

  // the backup was subscribed at the delay, then unsubscribed in that same frame: a request opened and aborted for nothing,
  // whenever the primary's first token was scheduled after the hedge's timer (a model streaming chunk by chunk)
  it('should not subscribe the backup when the primary\'s first content comes at the delay itself, however it was scheduled', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const marbled = cold('----(ax|)', values); // its token scheduled when subscribed, before the hedge's timer
      const chunked = timer(1).pipe(concatMap(() => timer(3)), concatMap(() => of(values.a, values.x))); // scheduled at 1, after it
      const backup = cold('s-b-x|', values);
      expectObservable(marbled.pipe(hedge(backup, { delay: 4 }))).toBe('----(ax|)', values);
      expectObservable(chunked.pipe(hedge(backup, { delay: 4 }))).toBe('----(ax|)', values);
      expectSubscriptions(backup.subscriptions).toBe([]);
    });
  });

  it('should keep the primary and unsubscribe the backup when the primary answers first after all', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const primary = cold('s-----a---x|', values);
      const backup = cold('s-----b|', values);
      expectObservable(primary.pipe(hedge(backup, { delay: 4 }))).toBe('------(sa)x|', values);
      expectSubscriptions(backup.subscriptions).toBe('----^-!');
    });
  });

  it('should start one more backup after each further delay, up to maxHedges', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const primary = cold('s------------a|', values);
      const backup = cold('s------b---|', values);
      expectObservable(primary.pipe(hedge(backup, { delay: 3, maxHedges: 2 }))).toBe('----------(sb)|', values);
      expectSubscriptions(backup.subscriptions).toBe(['---^----------!', '------^---!']);
    });
  });

  it('should never hedge after a tool call, even when tokens are what wins', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const primary = cold('s-t---------x|', values);
      const backup = cold('s-b|', values);
      expectObservable(primary.pipe(hedge(backup, { delay: 4, winOn: { minChars: 50 } }))).toBe('--(st)------x|', values);
      expectSubscriptions(backup.subscriptions).toBe([]);
    });
  });

  it('should subscribe the backup at once when the primary fails before the delay', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const primary = cold('s-#', values, e1);
      const backup = cold('s-b---|', values);
      expectObservable(primary.pipe(hedge(backup, { delay: 10 }))).toBe('----(sb)|', values);
      expectSubscriptions(backup.subscriptions).toBe('--^-----!');
    });
  });

  it('should error with AllStreamsExhaustedError holding both errors when primary and backup fail', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const primary = cold('s-------#', values, e1);
      const backup = cold('s-#', values, e2);
      expectObservable(primary.pipe(hedge(backup, { delay: 2 }))).toBe('--------#', undefined, new AllStreamsExhaustedError([e1, e2]));
    });
  });

  describe('rxjs checklist', () => {
    it('should stay silent when both are silent', () => {
      testScheduler().run(({ expectObservable }) => {
        expectObservable(NEVER.pipe(hedge(NEVER, { delay: 2 }))).toBe('-');
      });
    });

    it('should cancel the pending hedge when the consumer unsubscribes before the delay', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const primary = cold('s--------a|', values);
        const backup = cold('s-b|', values);
        expectObservable(primary.pipe(hedge(backup, { delay: 5 })), '^--!').toBe('---');
        expectSubscriptions(primary.subscriptions).toBe('^--!');
        expectSubscriptions(backup.subscriptions).toBe([]);
      });
    });

    it('should error the run when onWin throws', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const boom = new Error('callback');
        expectObservable(cold('s-a|', values).pipe(hedge(NEVER, { delay: 5, onWin: () => { throw boom; } }))).toBe('--#', undefined, boom);
      });
    });

    it('should tell onWin which entrant won: 0 the primary, 1 the first backup', () => {
      const wins: number[] = [];
      testScheduler().run(({ cold }) => {
        cold('s-------a|', values).pipe(hedge(cold('s-b|', values), { delay: 2, onWin: (i) => wins.push(i.index) })).subscribe();
        cold('s-a|', values).pipe(hedge(cold('s-b|', values), { delay: 2, onWin: (i) => wins.push(i.index) })).subscribe();
      });
      expect(wins.sort()).toEqual([0, 1]);
    });
  });
});
