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
