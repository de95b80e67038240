/** @test {parallel} per-run timeout and cancellation (also through sequential and batched) */
import { describe, expect, it } from 'vitest';
import { concatMap, from, last, lastValueFrom, Observable, of, timer, type SchedulerLike } from 'rxjs';
import { batched, isStreamAbortedError, isTokenTimeoutError, l0, parallel, sequential, StreamAbortedError, type L0Event, type TokenTimeoutError } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const values = {
  a: { type: 'token', value: 'A' } as L0Event,
  x: { type: 'complete', finishReason: 'stop' } as L0Event,
};
const bad = new Error('bad op');

describe('parallel: timeout and cancellation', () => {
  describe('creation', () => {
    it('should throw a TypeError naming a timeout that is not a finite number of ms > 0', () => {
      expect(() => parallel([], { timeout: 0 })).toThrow(/parallel\(sources, \{timeout\}\) must be a finite number of ms > 0/);
    });

    it('should throw a TypeError naming a signal that is not an AbortSignal', () => {
      expect(() => sequential([], { signal: {} as AbortSignal })).toThrow(/\{signal\}\) must be an AbortSignal/);
    });

    it('should throw a TypeError naming a scheduler that is not one, and accept the new keys in batched', () => {
      expect(() => batched([], 2, { scheduler: 5 as never })).toThrow(/\{scheduler\}\) must be a SchedulerLike/);
      expect(() => batched([], 2, { timeout: 10, signal: new AbortController().signal })).not.toThrow();
    });
  });

  describe('timeout', () => {
    it('should unsubscribe a run at its deadline and fail it with a TOTAL_TIMEOUT TokenTimeoutError, leaving the others', () => {
      const ts = testScheduler();
      ts.run(({ cold, expectObservable, expectSubscriptions }) => {
        const slow = cold('a-----x|', values);
        const quick = cold('-a-x|', values);
        const run = parallel([slow, quick], { timeout: 4, scheduler: ts as SchedulerLike }).pipe(last());
        expectObservable(run).toBe('----(z|)', {
          z: expect.objectContaining({ statuses: ['error', 'success'], failureCount: 1, errors: [expect.objectContaining({ code: 'TOTAL_TIMEOUT', message: 'Attempt not finished within 4 ms (total timeout after 4 ms)' }), null] }),
        });
        expectSubscriptions(slow.subscriptions).toBe('^---!');
      });
    });

    // a run whose end its source scheduled after the deadline's timer (a model streaming chunk by chunk) failed at that
    // very instant, while one scheduled before it succeeded; a pipeline step failed at it either way
    it('should let a run that ends at the deadline itself succeed, however its source scheduled that end', () => {
      const ts = testScheduler();
      ts.run(({ cold, expectObservable }) => {
        const marbled = cold('---(ax|)', values); // its end scheduled when subscribed, before the deadline's timer
        const chunked = timer(1).pipe(concatMap(() => timer(2)), concatMap(() => of(values.a, values.x))); // scheduled at 1, after it
        const run = parallel([marbled, chunked, cold('----(ax|)', values)], { timeout: 3, scheduler: ts as SchedulerLike }).pipe(last());
        expectObservable(run).toBe('---(z|)', { z: expect.objectContaining({ statuses: ['success', 'success', 'error'], successCount: 2 }) });
      });
    });

    it('should time each run from its own subscription (sequential)', () => {
      const ts = testScheduler();
      ts.run(({ cold, expectObservable }) => {
        const three = cold('--x|', values); // 3 frames: inside a 4-frame budget each time
        const run = sequential([three, three, three], { timeout: 4, scheduler: ts as SchedulerLike }).pipe(last());
        expectObservable(run).toBe('---------(z|)', { z: expect.objectContaining({ successCount: 3 }) });
      });
    });

    it('should trip failFast like any failure', () => {
      const ts = testScheduler();
      ts.run(({ cold, expectObservable }) => {
        const hang = cold('-', values);
        const run = parallel([hang, cold('------x|', values)], { timeout: 2, failFast: true, scheduler: ts as SchedulerLike }).pipe(last());
        expectObservable(run).toBe('--(z|)', { z: expect.objectContaining({ statuses: ['error', 'cancelled'] }) });
      });
    });

    it('should record the timeout error as a TokenTimeoutError of kind total', async () => {
      const ts = testScheduler();
      let error: unknown;
      ts.run(({ cold }) => {
        parallel([cold('-', values)], { timeout: 3, scheduler: ts as SchedulerLike }).subscribe((r) => (error = r.errors[0]));
      });
      expect(isTokenTimeoutError(error) && (error as TokenTimeoutError).info.kind).toBe('total');
    });
  });

  describe('signal', () => {
    it('should unsubscribe the runs in flight when aborted, start no more, and close with them cancelled', () => {
      const ts = testScheduler();
      const controller = new AbortController();
      ts.run(({ cold, expectObservable, expectSubscriptions }) => {
        const done = cold('-x|', values);
        const slow = cold('------x|', values);
        const queued = cold('--x|', values);
        ts.schedule(() => controller.abort(), 4);
        const run = parallel([done, slow, queued], { concurrency: 2, signal: controller.signal });
        expectObservable(run).toBe('--y-(z|)', {
          y: expect.objectContaining({ index: 0, done: false }),
          z: expect.objectContaining({ index: undefined, statuses: ['success', 'cancelled', 'cancelled'], cancelledCount: 2, done: true }),
        });
        expectSubscriptions(slow.subscriptions).toBe('^---!');
        expectSubscriptions(queued.subscriptions).toBe('--^-!');
      });
    });

    it('should stop a run whose source aborts the signal while being subscribed, and close with it cancelled, never a success', () => {
      // the run was made the batch's child only once its subscribe returned: its synchronous tokens and completion still
      // went through, and the closing snapshot called it a success (with no snapshot of its own, completed 0)
      const ts = testScheduler();
      const controller = new AbortController();
      const seen: boolean[] = [];
      ts.run(({ cold, expectObservable, expectSubscriptions }) => {
        const aborting = new Observable<L0Event>((s) => {
          controller.abort();
          seen.push(s.closed);
          s.next(values.a);
          s.next(values.x);
          s.complete();
        });
        const queued = cold('-x|', values);
        expectObservable(parallel([aborting, queued], { concurrency: 1, signal: controller.signal })).toBe('(z|)', {
          z: expect.objectContaining({ statuses: ['cancelled', 'cancelled'], results: [null, null], successCount: 0, cancelledCount: 2, done: true }),
        });
        expectSubscriptions(queued.subscriptions).toBe([]);
      });
      expect(seen).toEqual([true]);
    });

    it('should start nothing when the signal is already aborted', () => {
      const ts = testScheduler();
      ts.run(({ cold, expectObservable, expectSubscriptions }) => {
        const a = cold('x|', values);
        expectObservable(batched([a, a], 1, { signal: AbortSignal.abort() })).toBe('(z|)', { z: expect.objectContaining({ statuses: ['cancelled', 'cancelled'], done: true }) });
        expectSubscriptions(a.subscriptions).toBe([]);
      });
    });
  });

  describe('cancelling one run', () => {
    it('should end a run that fails with a StreamAbortedError as cancelled, keeping its error, without tripping failFast', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const aborted = new StreamAbortedError('The stream was aborted');
        const run = parallel([cold('a-#', values, aborted), cold('----x|', values)], { failFast: true }).pipe(last());
        expectObservable(run).toBe('-----(z|)', {
          z: expect.objectContaining({ statuses: ['cancelled', 'success'], errors: [expect.objectContaining({ code: 'STREAM_ABORTED' }), null], failureCount: 0, cancelledCount: 1 }),
        });
      });
    });

    it('should cancel one l0({signal}) run while the others finish', async () => {
      const one = new AbortController();
      const hanging = l0({ stream: () => new Observable<L0Event>(() => undefined) as never, signal: one.signal });
      const quick = l0({ stream: () => from([values.a, values.x]) as never });
      const result = lastValueFrom(parallel([hanging, quick]));
      one.abort();
      const r = await result;
      expect([r.statuses, isStreamAbortedError(r.errors[0]), r.results[1]?.content]).toEqual([['cancelled', 'success'], true, 'A']);
    });

    it('should still count a plain failure as an error', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        expectObservable(parallel([cold('#', values, bad)]).pipe(last())).toBe('(z|)', { z: expect.objectContaining({ statuses: ['error'] }) });
      });
    });
  });
});
