/** @test {batched} */
import { describe, expect, it } from 'vitest';
import { last } from 'rxjs';
import { batched, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const values = { a: { type: 'token', value: 'A' } as L0Event };
const bad = new Error('bad');

describe('batched', () => {
  it('should start the next batch only when the whole batch has ended', () => {
    testScheduler().run(({ cold, expectSubscriptions, flush }) => {
      const long = cold('----a|', values);
      const short = cold('-a|', values);
      const third = cold('-a|', values);
      batched([long, short, third], 2).subscribe();
      flush();
      expectSubscriptions(long.subscriptions).toBe('^----!');
      expectSubscriptions(short.subscriptions).toBe('^-!');
      expectSubscriptions(third.subscriptions).toBe('-----^-!');
    });
  });

  it('should stop the current batch and skip the later ones with failFast', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const slow = cold('----a|', values);
      const failing = cold('-#', values, bad);
      const later = cold('a|', values);
      expectObservable(batched([slow, failing, later], 2, { failFast: true }).pipe(last())).toBe('-(z|)', {
        z: expect.objectContaining({ statuses: ['cancelled', 'error', 'cancelled'] }),
      });
      expectSubscriptions(slow.subscriptions).toBe('^!');
      expectSubscriptions(later.subscriptions).toBe([]);
    });
  });

  it('should throw a TypeError for a batch size that is not an integer >= 1', () => {
    expect(() => batched([], 0)).toThrow(/batchSize must be an integer >= 1, got 0/);
  });
});
