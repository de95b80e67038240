/** @test {sequential} @test {batched} @test {parallel} sources that fail while being subscribed: a loop, never a recursion */
import { describe, expect, it } from 'vitest';
import { Subject, type Observable } from 'rxjs';
import { batched, fromStream, parallel, ProviderError, sequential, type L0Event, type ParallelResult } from 'l0-rx';

/*
 * The attempt loop and the race once subscribed a stream that failed inside another's subscribe
 * from within that subscribe (thousands overflowed the stack). The runners subscribe their sources
 * in a loop (runAll's `inOrder`), so a source that fails inside its subscribe has returned before the
 * next is subscribed, also when they waited behind a slow one: the stack left to each is the same.
 */
const N = 2000;
const reset = () => new ProviderError('reset', { code: 'NETWORK_ERROR', category: 'network', retryable: true });

/** How many more calls deep the stack can go from here. */
function headroom(): number {
  let depth = 0;
  const dive = (): number => (depth++, dive());
  try {
    dive();
  } catch {
    /* the stack's end */
  }
  return depth;
}

/** N sources that throw inside their subscribe; the stack headroom the first and the last had. */
function sources(): { list: Observable<L0Event>[]; room: number[] } {
  const room: number[] = [];
  const list = Array.from({ length: N }, (_, i) =>
    fromStream(() => {
      if (i === 0 || i === N - 1) room.push(headroom());
      throw reset();
    }),
  );
  return { list, room };
}

describe(`sequential, batched and parallel over ${N} sources that fail inside their subscribe`, () => {
  it.each([
    ['sequential', (s: Observable<L0Event>[]) => sequential(s)],
    ['batched (batches of 7)', (s: Observable<L0Event>[]) => batched(s, 7)],
    ['parallel (concurrency 5)', (s: Observable<L0Event>[]) => parallel(s)],
  ])('%s should subscribe each with the stack the first had, and end with every run failed', (_, runner) => {
    const { list, room } = sources();
    let last: ParallelResult | undefined;
    let completed = false;
    runner(list).subscribe({ next: (r) => (last = r), complete: () => (completed = true) });
    expect([completed, last?.done, last?.failureCount]).toEqual([true, true, N]);
    // a runner that subscribed the next source from inside the failing one would leave the last far less (or overflow)
    expect(room[1]).toBeGreaterThan(room[0]! * 0.9);
  });
});

describe(`sequential, batched and parallel over ${N} sources that fail inside their subscribe after one that ends later`, () => {
  // the runners queued every source behind a slow one and, when it ended, subscribed each next one from inside the last
  // one's end: 2,000 failing sources overflowed the stack after about 650 (sequential stopped there, never done, no error)
  it.each([
    ['sequential', (s: Observable<L0Event>[]) => sequential(s)],
    ['batched (batches of 3)', (s: Observable<L0Event>[]) => batched(s, 3)],
    ['parallel (concurrency 2)', (s: Observable<L0Event>[]) => parallel(s, { concurrency: 2 })],
  ])('%s should subscribe each with the stack the first had, and end with every one of them failed', (_, runner) => {
    const slow = new Subject<L0Event>();
    const { list, room } = sources();
    let last: ParallelResult | undefined;
    let completed = false;
    runner([slow, slow, ...list]).subscribe({ next: (r) => (last = r), complete: () => (completed = true) });
    slow.complete();
    expect([completed, last?.done, last?.successCount, last?.failureCount]).toEqual([true, true, 2, N]);
    expect(room[1]).toBeGreaterThan(room[0]! * 0.9);
  });
});
