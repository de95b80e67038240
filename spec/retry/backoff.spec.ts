/** @test {computeDelay} */
import { describe, expect, it } from 'vitest';
import { computeDelay, type BackoffKind } from '../../src/retry/backoff.js';

const fixedRandom = (r: number) => () => r;
const params = (random: () => number, previousDelay?: number) => ({ baseDelay: 1000, maxDelay: 10000, random, previousDelay });
const series = (kind: BackoffKind, n: number, p: ReturnType<typeof params>) =>
  Array.from({ length: n }, (_, i) => computeDelay(kind, i, p));

describe('computeDelay', () => {
  it('should wait baseDelay every time with fixed', () => {
    expect(series('fixed', 3, { ...params(fixedRandom(0.9)), baseDelay: 500 })).toEqual([500, 500, 500]);
  });

  it('should grow by baseDelay with linear, capped at maxDelay', () => {
    expect(series('linear', 3, params(fixedRandom(0)))).toEqual([1000, 2000, 3000]);
    expect(computeDelay('linear', 20, params(fixedRandom(0)))).toBe(10000);
  });

  it('should double with exponential and cap at maxDelay', () => {
    expect(series('exponential', 5, params(fixedRandom(0)))).toEqual([1000, 2000, 4000, 8000, 10000]);
  });

  it('should not overflow for a huge retry index', () => {
    expect(computeDelay('exponential', 5000, params(fixedRandom(0)))).toBe(10000);
    expect(computeDelay('full-jitter', 5000, params(fixedRandom(0.5)))).toBe(5000);
  });

  it('should stay 0, never NaN, for a zero baseDelay from the 1024th retry on (2^i is Infinity there)', () => {
    const zero = { ...params(fixedRandom(0.5)), baseDelay: 0 };
    for (const kind of ['exponential', 'full-jitter'] as const) {
      expect([1023, 1024, 5000].map((i) => computeDelay(kind, i, zero))).toEqual([0, 0, 0]);
    }
  });

  it.each([[Number.NaN], [1], [-0.5], ['0.5']])('should refuse a random() that returns %s, naming the option', (r) => {
    for (const kind of ['full-jitter', 'fixed-jitter', 'decorrelated-jitter'] as const) {
      expect(() => computeDelay(kind, 0, params(() => r as number))).toThrow(
        new TypeError(`retryWithBackoff({random}) must return a number in [0, 1), got ${typeof r === 'string' ? '"0.5"' : r}`),
      );
    }
  });

  it('should scale the capped exponential by random() with full-jitter', () => {
    expect(computeDelay('full-jitter', 2, params(fixedRandom(0)))).toBe(0);
    expect(computeDelay('full-jitter', 2, params(fixedRandom(0.5)))).toBe(2000);
    expect(computeDelay('full-jitter', 2, params(fixedRandom(0.999999)))).toBe(3999);
  });

  it('should stay in [base, 1.5 base] with fixed-jitter whatever the retry index', () => {
    const p = { ...params(fixedRandom(0)), baseDelay: 100 };
    expect(computeDelay('fixed-jitter', 0, p)).toBe(100);
    expect(computeDelay('fixed-jitter', 7, { ...p, random: fixedRandom(0.5) })).toBe(125);
    expect(computeDelay('fixed-jitter', 3, { ...p, random: fixedRandom(0.999999) })).toBe(149);
  });

  it('should cap fixed-jitter at maxDelay', () => {
    expect(computeDelay('fixed-jitter', 0, { ...params(fixedRandom(0.9)), baseDelay: 1000, maxDelay: 1200 })).toBe(1200);
  });

  it('should start decorrelated-jitter in [base, 3 base] and grow from the previous delay', () => {
    expect(computeDelay('decorrelated-jitter', 0, params(fixedRandom(0)))).toBe(1000);
    expect(computeDelay('decorrelated-jitter', 0, params(fixedRandom(0.5)))).toBe(2000);
    expect(computeDelay('decorrelated-jitter', 1, params(fixedRandom(0.5), 2000))).toBe(3500);
    expect(computeDelay('decorrelated-jitter', 4, params(fixedRandom(0.9), 9000))).toBe(10000);
  });

  it('should never return a negative delay', () => {
    expect(computeDelay('decorrelated-jitter', 1, params(fixedRandom(0.5), 100))).toBe(1000);
    expect(computeDelay('fixed', 0, { ...params(fixedRandom(0)), baseDelay: 0 })).toBe(0);
  });

  it('should cap every kind at maxDelay', () => {
    const kinds: BackoffKind[] = ['fixed', 'linear', 'exponential', 'full-jitter', 'fixed-jitter', 'decorrelated-jitter'];
    for (const kind of kinds) {
      expect(computeDelay(kind, 3, { baseDelay: 5000, maxDelay: 2000, random: fixedRandom(0.99), previousDelay: 5000 })).toBeLessThanOrEqual(2000);
    }
  });
});
