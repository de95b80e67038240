/** @test {parallel} @test {batched} */
import { describe, expect, it } from 'vitest';
import { batched, parallel, type L0Event, type ParallelResult } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const values = { a: { type: 'token', value: 'a' } as L0Event };

describe('failFast', () => {
  it('should emit the failing run\'s own snapshot before the closing one (parallel)', () => {
    const snaps: ParallelResult[] = [];
    testScheduler().run(({ cold, flush }) => {
      parallel([cold('-----a|', values), cold('--#', values, new Error('bad'))], { failFast: true }).subscribe((r) => snaps.push(r));
      flush();
    });
    expect(snaps.map((r) => r.index)).toEqual([1, undefined]);
  });

  it('should emit the failing run\'s own snapshot before the closing one (batched)', () => {
    const snaps: ParallelResult[] = [];
    testScheduler().run(({ cold, flush }) => {
      batched([cold('-----a|', values), cold('--#', values, new Error('bad')), cold('a|', values)], 2, { failFast: true }).subscribe((r) => snaps.push(r));
      flush();
    });
    expect(snaps.map((r) => r.index)).toEqual([1, undefined]);
  });
});
