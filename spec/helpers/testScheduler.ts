import { TestScheduler } from 'rxjs/testing';
import { expect } from 'vitest';
import { observableMatcher } from './observableMatcher.js';

/** A fresh TestScheduler whose assertions go through {@link observableMatcher}. One per test. */
export function testScheduler(): TestScheduler {
  return new TestScheduler(observableMatcher);
}

/** Asserts with vitest's deep equality; used where a spec compares plain values. */
export function expectEqual(actual: unknown, expected: unknown): void {
  expect(actual).toEqual(expected);
}

/**
 * Runs `ts`'s virtual time to its end outside `run()`, letting every pending microtask and promise
 * reaction run before each flush: the store bounds (`storeTimeout`) and `shouldRetry`'s are armed a
 * microtask after their call, so a virtual flush never beats a real store, which a marble `run()`
 * (one synchronous flush) never lets happen. No frame limit (outside `run()` a TestScheduler stops at 750).
 */
export async function runArmed(ts: TestScheduler): Promise<void> {
  ts.maxFrames = Number.POSITIVE_INFINITY;
  for (;;) {
    await new Promise((resolve) => setImmediate(resolve));
    if (ts.actions.length === 0) return;
    ts.flush();
  }
}
