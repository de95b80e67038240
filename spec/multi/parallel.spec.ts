/** @test {parallel} */
import { describe, expect, it } from 'vitest';
import { last, lastValueFrom, map, NEVER, of, type Observable } from 'rxjs';
import { batched, parallel, PARALLEL_DEFAULTS, sequential, type L0Event, type ParallelResult } from 'l0-rx';
import { expectLinearTime } from '../helpers/linearTime.js';
import { testScheduler } from '../helpers/testScheduler.js';

const values = {
  s: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false } as L0Event,
  a: { type: 'token', value: 'A' } as L0Event,
  c: { type: 'token', value: 'C' } as L0Event,
  x: { type: 'complete', finishReason: 'stop' } as L0Event,
};
const bad = new Error('bad op');
/** The snapshots' shape that a spec cares about. */
const view = (r: ParallelResult) => ({
  results: r.results.map((s) => s?.content ?? null), errors: r.errors, statuses: r.statuses, completed: r.completed, done: r.done,
});

describe('parallel', () => {
  describe('creation', () => {
    it('should default to a concurrency of 5', () => {
      expect(PARALLEL_DEFAULTS.concurrency).toBe(5);
    });

    it('should throw a TypeError naming a concurrency that is not an integer >= 1 or Infinity', () => {
      for (const bad of [0, -1, NaN, 1.5, -Infinity, '2']) {
        expect(() => parallel([], { concurrency: bad as number })).toThrow(new TypeError(`parallel(sources, {concurrency}) must be an integer >= 1 or Infinity (no limit), got ${typeof bad === 'string' ? '"2"' : String(bad)}`));
      }
    });

    it('should take concurrency: Infinity as no limit: every run subscribed at once', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const runs = Array.from({ length: 7 }, () => cold<L0Event>('--(ax|)', values));
        expectObservable(parallel(runs, { concurrency: Infinity }).pipe(last(), map((r) => r.successCount))).toBe('--(n|)', { n: 7 });
        for (const r of runs) expectSubscriptions(r.subscriptions).toBe('^-!');
      });
    });

    it('should throw a TypeError naming a timeout longer than a timer waits (2147483647 ms)', () => {
      expect(() => parallel([], { timeout: 3e9 })).toThrow(new TypeError('parallel(sources, {timeout}) must be at most 2147483647 ms (about 24.8 days), got 3000000000'));
    });

    it('should throw a TypeError naming a source that is not an Observable', () => {
      expect(() => parallel([NEVER, 'x' as unknown as Observable<L0Event>])).toThrow(/sources\[1\]/);
    });

    it('should throw a TypeError naming a hole in the sources, as an undefined entry is', () => {
      // the hole was skipped: a done snapshot said statuses ['pending', 'success'], no error, allSucceeded false
      // eslint-disable-next-line no-sparse-arrays
      const holey = [, NEVER] as unknown as Observable<L0Event>[];
      const message = (fn: string) => new TypeError(`${fn}: sources[0] must be an Observable<L0Event>, got undefined`);
      expect(() => parallel(holey)).toThrow(message('parallel'));
      expect(() => sequential(holey)).toThrow(message('sequential'));
      expect(() => batched(holey, 2)).toThrow(message('batched'));
    });

    it('should throw a TypeError for an unknown option', () => {
      expect(() => parallel([], { concurency: 2 } as never)).toThrow(/did you mean `concurrency`/);
    });

    // the array was read at each subscription: an entry set after the check ran unchecked (a run failing with
    // "sources[i].pipe is not a function"), and one pushed later became a run the caller never passed
    it.each([
      ['parallel', (s: Observable<L0Event>[]) => parallel(s)],
      ['sequential', (s: Observable<L0Event>[]) => sequential(s)],
      ['batched', (s: Observable<L0Event>[]) => batched(s, 2)],
    ])('should run the sources as they were when %s was called, whatever happens to the array afterwards', async (_, make) => {
      const sources = [of(values.a, values.x)];
      const runs = make(sources);
      sources.push('x' as unknown as Observable<L0Event>, of(values.c, values.x));
      const done = await lastValueFrom(runs);
      expect([done.total, done.statuses, done.results.map((s) => s?.content)]).toEqual([1, ['success'], ['A']]);
    });
  });

  it('should emit one done snapshot with zero counts for no sources', async () => {
    const r = await lastValueFrom(parallel([]));
    expect([r.done, r.total, r.successCount, r.allSucceeded]).toEqual([true, 0, 0, true]);
  });

  // L0 P1
  it('should never subscribe more than `concurrency` sources at once', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions, flush }) => {
      const ops = Array.from({ length: 6 }, () => cold('s-------------------a-x|', values)); // 23 frames each
      expectObservable(parallel(ops, { concurrency: 2 }).pipe(last())).toBe('69ms (z|)', { z: expect.objectContaining({ done: true, successCount: 6 }) });
      flush();
      const subs = ops.map((o) => o.subscriptions[0]!);
      for (const frame of [0, 23, 46]) {
        expect(subs.filter((s) => s.subscribedFrame <= frame && s.unsubscribedFrame > frame)).toHaveLength(2);
      }
      expectSubscriptions(ops[2]!.subscriptions).toBe('23ms ^ 22ms !');
    });
  });

  it('should start the sources in input order with a concurrency of 1 (L0 P1)', () => {
    testScheduler().run(({ cold, expectSubscriptions, flush }) => {
      const ops = [cold('-a|', values), cold('--a|', values), cold('a|', values)];
      parallel(ops, { concurrency: 1 }).subscribe();
      flush();
      expectSubscriptions(ops[0]!.subscriptions).toBe('^-!');
      expectSubscriptions(ops[1]!.subscriptions).toBe('--^--!');
      expectSubscriptions(ops[2]!.subscriptions).toBe('-----^!');
    });
  });

  // L0 P2
  it('should give results in input order with errors aligned and a snapshot as each run ends', () => {
    const snapshots: ReturnType<typeof view>[] = [];
    testScheduler().run(({ cold }) => {
      const ops = [cold('60ms a-x|', values), cold('-#', values, bad), cold('10ms c-x|', values)];
      parallel(ops).subscribe((r) => snapshots.push(view(r)));
    });
    expect(snapshots.map((s) => [s.completed, s.done])).toEqual([[1, false], [2, false], [3, true]]);
    expect(snapshots[2]).toEqual({ results: ['A', null, 'C'], errors: [null, bad, null], statuses: ['success', 'error', 'success'], completed: 3, done: true });
  });

  it('should count successes and failures and say whether all succeeded', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const run = parallel([cold('a|', values), cold('#', values, bad)]).pipe(last());
      expectObservable(run).toBe('-(z|)', { z: expect.objectContaining({ successCount: 1, failureCount: 1, allSucceeded: false }) });
    });
  });

  describe('snapshots', () => {
    it('should show in each snapshot the runs as they stood when it was emitted, read at once or after the batch', () => {
      const snaps: ParallelResult[] = [];
      const early: string[] = [];
      testScheduler().run(({ cold }) => {
        const ops = [cold('---a-x|', values), cold('-#', values, bad), cold('-c-x|', values), cold('--a-x|', values)];
        parallel(ops, { concurrency: 2 }).subscribe((r) => {
          if (snaps.push(r) % 2) early.push(JSON.stringify(r)); // every other one read at once, the rest only at the end
        });
      });
      expect(snaps.map(view)).toEqual([
        { results: [null, null, null, null], errors: [null, bad, null, null], statuses: ['running', 'error', 'pending', 'pending'], completed: 1, done: false },
        { results: [null, null, 'C', null], errors: [null, bad, null, null], statuses: ['running', 'error', 'success', 'pending'], completed: 2, done: false },
        { results: ['A', null, 'C', null], errors: [null, bad, null, null], statuses: ['success', 'error', 'success', 'running'], completed: 3, done: false },
        { results: ['A', null, 'C', 'A'], errors: [null, bad, null, null], statuses: ['success', 'error', 'success', 'success'], completed: 4, done: true },
      ]);
      expect(snaps.filter((_, i) => i % 2 === 0).map((r) => JSON.stringify(r))).toEqual(early);
      const r = snaps[1]!;
      expect([Array.isArray(r.results), r.statuses === r.statuses, { ...r }.errors === r.errors, Object.isFrozen(r)]).toEqual([true, true, true, true]);
      expect(Object.keys(r)).toEqual(['results', 'errors', 'statuses', 'index', 'completed', 'total', 'successCount', 'failureCount', 'cancelledCount', 'allSucceeded', 'done']);
    });

    it('should mark the unfinished runs of a closing snapshot cancelled, and no earlier snapshot', () => {
      const controller = new AbortController();
      const snaps: ParallelResult[] = [];
      const ts = testScheduler();
      ts.run(({ cold }) => {
        parallel([cold('-a-x|', values), cold('------a|', values), cold('a--|', values)], { concurrency: 2, signal: controller.signal }).subscribe((r) => snaps.push(r));
        ts.schedule(() => controller.abort(), 5); // the third run started at 4
      });
      expect(snaps.map((r) => [r.statuses, r.cancelledCount, r.done])).toEqual([
        [['success', 'running', 'pending'], 0, false],
        [['success', 'cancelled', 'cancelled'], 2, true],
      ]);
    });

    // each snapshot copied the three arrays and counted the statuses: 8,000 runs took 1.3 s, four times as many over a minute
    it('should emit a batch\'s snapshots in time linear in its size', () => {
      const sources = Array.from({ length: 16_000 }, () => of(values.a, values.x));
      expectLinearTime('parallel', (n) => {
        const t = performance.now();
        parallel(sources.slice(0, n), { concurrency: 3 }).pipe(last()).subscribe();
        return performance.now() - t;
      }, 4_000);
    });
  });

  describe('failFast', () => {
    it('should unsubscribe the runs in flight and never start the queued ones at the first failure', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const slow = cold('-----a|', values);
        const failing = cold('--#', values, bad);
        const queued = cold('a|', values);
        const run = parallel([slow, failing, queued], { concurrency: 2, failFast: true }).pipe(last());
        expectObservable(run).toBe('--(z|)', { z: expect.objectContaining({ statuses: ['cancelled', 'error', 'cancelled'], cancelledCount: 2, done: true }) });
        expectSubscriptions(slow.subscriptions).toBe('^-!');
        expectSubscriptions(queued.subscriptions).toBe([]);
      });
    });
  });

  describe('rxjs checklist', () => {
    it('should emit nothing while the runs are silent', () => {
      testScheduler().run(({ expectObservable }) => {
        expectObservable(parallel([NEVER, NEVER])).toBe('-');
      });
    });

    it('should unsubscribe every run when the consumer unsubscribes', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const a = cold('-----a|', values);
        expectObservable(parallel([a, a]), '^--!').toBe('---');
        expectSubscriptions(a.subscriptions).toBe(['^--!', '^--!']);
      });
    });

    it('should keep state per subscription', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const run = parallel([cold('-a|', values)]).pipe(last());
        const z = expect.objectContaining({ completed: 1, done: true });
        expectObservable(run).toBe('--(z|)', { z });
        expectObservable(run).toBe('--(z|)', { z });
      });
    });
  });
});
