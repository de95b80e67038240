/** @test {onNextAttempt} @test {refusedAfter} */
import { describe, expect, it } from 'vitest';
import { onNextAttempt, refusedAfter } from '../../src/internal/refusedAttempt.js';

describe('the checks an attempt registers for the next one', () => {
  it('should answer with the first registered check that refuses, asking none after it', () => {
    const holder = {};
    const asked: number[] = [];
    onNextAttempt(holder, () => (asked.push(1), false));
    onNextAttempt(holder, () => (asked.push(2), 'second'));
    onNextAttempt(holder, () => (asked.push(3), 'third'));
    expect(refusedAfter(holder)).toBe('second');
    expect(asked).toEqual([1, 2]);
    expect([refusedAfter(undefined), refusedAfter({})]).toEqual([undefined, undefined]);
  });

  it('should ask 100,000 checks of one attempt (races or budgets merged in it) without a deep stack', () => {
    const holder = {};
    for (let i = 0; i < 100_000; i++) onNextAttempt(holder, () => i === 99_999 && 'last');
    // (a chain of closures, each calling the one before, overflowed the stack)
    expect(refusedAfter(holder)).toBe('last');
  });
});
