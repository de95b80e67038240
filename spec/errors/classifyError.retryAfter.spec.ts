/** @test {classifyError} */
import { describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { APICallError } from '@ai-sdk/provider';
import { classifyError, ProviderError } from 'l0-rx';

const NOW = Date.parse('2025-01-01T00:00:00Z');
const rateLimited = (headers: Record<string, string>) =>
  new OpenAI.RateLimitError(429, { message: 'slow down' }, undefined, new Headers(headers));
const retryAfter = (e: unknown, now?: number) => classifyError(e, now === undefined ? undefined : { now }).retryAfterMs;

describe('classifyError Retry-After', () => {
  it.each([
    ['retry-after-ms wins over retry-after', { 'retry-after-ms': '1500', 'retry-after': '1' }, 1500],
    ['retry-after in seconds', { 'retry-after': '2' }, 2000],
    ['fractional retry-after seconds', { 'retry-after': '0.5' }, 500],
    ['fractional retry-after-ms, rounded up', { 'retry-after-ms': '12.2' }, 13],
    ['retry-after 0', { 'retry-after': '0' }, 0],
    ['an unparsable retry-after', { 'retry-after': 'soon' }, undefined],
    ['a negative retry-after', { 'retry-after': '-3' }, undefined],
    ['an unparsable retry-after-ms falls back to retry-after', { 'retry-after-ms': 'x', 'retry-after': '1' }, 1000],
    ['x-ratelimit-reset-tokens when tokens are exhausted', { 'x-ratelimit-reset-requests': '1s', 'x-ratelimit-reset-tokens': '6m0s', 'x-ratelimit-remaining-tokens': '0', 'x-ratelimit-remaining-requests': '5' }, 360_000],
    ['x-ratelimit-reset-requests when requests are exhausted', { 'x-ratelimit-reset-requests': '1s', 'x-ratelimit-reset-tokens': '6m0s', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-remaining-tokens': '5' }, 1000],
    ['the longer reset when neither is known to be exhausted', { 'x-ratelimit-reset-requests': '20ms', 'x-ratelimit-reset-tokens': '1.5s' }, 1500],
    ['retry-after over the rate-limit resets', { 'retry-after': '3', 'x-ratelimit-reset-requests': '1s' }, 3000],
    ['no headers', {}, undefined],
  ])('should read %s', (_, headers, expected) => {
    expect(retryAfter(rateLimited(headers))).toBe(expected);
  });

  describe('HTTP-date form', () => {
    const dated = () => rateLimited({ 'retry-after': new Date(NOW + 5000).toUTCString() });

    it('should turn an HTTP date into a delay from options.now', () => {
      expect(retryAfter(dated(), NOW)).toBe(5000);
    });

    it('should give 0 for a date already past', () => {
      expect(retryAfter(dated(), NOW + 60_000)).toBe(0);
    });

    it('should ignore an HTTP date without options.now', () => {
      expect(retryAfter(dated())).toBeUndefined();
    });

    it('should still read the seconds form without options.now', () => {
      expect(retryAfter(rateLimited({ 'retry-after': '4' }))).toBe(4000);
    });

    it("should read the date on the cause of a ProviderError that was normalised without a clock", () => {
      const wrapped = new ProviderError('Rate limited (HTTP 429)', { code: 'RATE_LIMITED', category: 'rate-limit', reason: 'rate_limit', retryable: true, status: 429, cause: dated() });
      expect(retryAfter(wrapped)).toBeUndefined();
      expect(classifyError(wrapped, { now: NOW })).toEqual({ category: 'rate-limit', reason: 'rate_limit', retryable: true, countsTowardAttempts: false, status: 429, retryAfterMs: 5000 });
    });

    it("should keep a ProviderError's own retryAfterMs over its cause's headers", () => {
      const wrapped = new ProviderError('x', { code: 'RATE_LIMITED', category: 'rate-limit', retryable: true, status: 429, retryAfterMs: 10, cause: dated() });
      expect(retryAfter(wrapped, NOW)).toBe(10);
    });

    it('should not look below an L0Error without an HTTP status', () => {
      const wrapped = new ProviderError('x', { code: 'NETWORK_ERROR', category: 'network', retryable: true, cause: dated() });
      expect(retryAfter(wrapped, NOW)).toBeUndefined();
    });
  });

  describe('header sources', () => {
    it('should read a plain header record case-insensitively (AI SDK responseHeaders)', () => {
      const e = new APICallError({ message: 'x', url: 'u', requestBodyValues: {}, statusCode: 429, responseHeaders: { 'Retry-After-Ms': '40' } });
      expect(retryAfter(e)).toBe(40);
    });

    it('should read response.headers', () => {
      expect(retryAfter({ status: 503, response: { headers: new Headers({ 'retry-after': '7' }) } })).toBe(7000);
    });

    it('should read the headers of an error further down the cause chain', () => {
      expect(retryAfter(new Error('wrapped', { cause: rateLimited({ 'retry-after': '9' }) }))).toBe(9000);
    });

    it('should ignore a headers object whose get throws', () => {
      const headers = { get: () => { throw new Error('nope'); } };
      expect(classifyError({ status: 429, headers })).toMatchObject({ category: 'rate-limit', retryable: true });
      expect(retryAfter({ status: 429, headers })).toBeUndefined();
    });
  });
});
