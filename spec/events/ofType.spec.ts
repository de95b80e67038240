/** @test {ofType} */
import { describe, it } from 'vitest';
import { ofType, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

describe('ofType', () => {
  it('should keep only the listed event types', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const values: Record<string, L0Event> = {
        s: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false },
        a: { type: 'token', value: 'a' },
        r: { type: 'reasoning', value: 'r' },
        c: { type: 'complete', finishReason: 'stop' },
      };
      expectObservable(cold('-s-a-r-c|', values).pipe(ofType('token', 'complete'))).toBe('---a---c|', values);
    });
  });

  it('should complete for an empty source and stay silent for a never source', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<L0Event>('|').pipe(ofType('token'))).toBe('|');
      expectObservable(cold<L0Event>('-').pipe(ofType('token'))).toBe('');
    });
  });

  it('should unsubscribe from the source when the consumer leaves', () => {
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot<L0Event>('-a-a-a-', { a: { type: 'token', value: 'a' } });
      expectObservable(source.pipe(ofType('token')), '^--!').toBe('-a-', { a: { type: 'token', value: 'a' } });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
  });

  it('should pass errors through', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<L0Event>('-#').pipe(ofType('token'))).toBe('-#');
    });
  });
});
