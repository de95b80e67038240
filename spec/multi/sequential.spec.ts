/** @test {sequential} */
import { describe, expect, it } from 'vitest';
import { last } from 'rxjs';
import { sequential, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const values = { a: { type: 'token', value: 'A' } as L0Event, b: { type: 'token', value: 'B' } as L0Event };
const bad = new Error('bad');

describe('sequential', () => {
  it('should subscribe each source only when the previous one has ended', () => {
    testScheduler().run(({ cold, expectSubscriptions, flush }) => {
      const first = cold('--a|', values);
      const second = cold('-b|', values);
      sequential([first, second]).subscribe();
      flush();
      expectSubscriptions(first.subscriptions).toBe('^--!');
      expectSubscriptions(second.subscriptions).toBe('---^-!');
    });
  });

  it('should go on after a failure, and stop there with failFast', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const failing = cold('-#', values, bad);
      const next = cold('-b|', values);
      expectObservable(sequential([failing, next]).pipe(last())).toBe('---(z|)', { z: expect.objectContaining({ statuses: ['error', 'success'] }) });
      expectObservable(sequential([failing, next], { failFast: true }).pipe(last())).toBe('-(z|)', { z: expect.objectContaining({ statuses: ['error', 'cancelled'] }) });
      expectSubscriptions(next.subscriptions).toBe('-^-!');
    });
  });

  it('should reject a concurrency option, which it fixes at 1', () => {
    expect(() => sequential([], { concurrency: 2 } as never)).toThrow(/unknown option `concurrency`/);
  });
});
