/** @test {checkTimerDelay} */
import { describe, expect, it } from 'vitest';
import { optionPath } from '../../src/internal/options.js';
import { checkTimerDelay, clampTimerDelay, MAX_TIMER_DELAY } from '../../src/internal/timerDelay.js';

const path = optionPath('withTimeouts');

describe('MAX_TIMER_DELAY', () => {
  it('should be 2^31 - 1 ms, the longest delay setTimeout holds', () => {
    expect(MAX_TIMER_DELAY).toBe(2 ** 31 - 1);
    expect(MAX_TIMER_DELAY).toBe(2_147_483_647);
  });
});

describe('checkTimerDelay', () => {
  it.each([0, 1, 1.5, 86_400_000, MAX_TIMER_DELAY])('should accept %d ms', (ms) => {
    expect(() => checkTimerDelay(path, 'initialToken', ms)).not.toThrow();
  });

  it('should let Infinity pass, for the options where it means "never" (it never reaches a timer)', () => {
    expect(() => checkTimerDelay(path, 'initialToken', Infinity)).not.toThrow();
  });

  it.each([MAX_TIMER_DELAY + 1, 3e9, Number.MAX_SAFE_INTEGER])('should throw a TypeError naming the option, the value and the limit for %d ms', (ms) => {
    expect(() => checkTimerDelay(path, 'initialToken', ms)).toThrow(TypeError);
    expect(() => checkTimerDelay(path, 'initialToken', ms)).toThrow(
      `withTimeouts({initialToken}) must be at most 2147483647 ms (about 24.8 days), got ${ms}`,
    );
  });
});

/** @test {clampTimerDelay} */
describe('clampTimerDelay', () => {
  it.each([
    [0, 0],
    [1234.5, 1234.5],
    [MAX_TIMER_DELAY, MAX_TIMER_DELAY],
    [MAX_TIMER_DELAY + 1, MAX_TIMER_DELAY],
    [99_999_999_000, MAX_TIMER_DELAY], // Retry-After: 99999999 (seconds)
    [Infinity, MAX_TIMER_DELAY],
  ])('should make %d ms %d ms', (ms, expected) => {
    expect(clampTimerDelay(ms)).toBe(expected);
  });
});
