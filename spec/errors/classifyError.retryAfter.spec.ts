/** @test {classifyError} */
import { describe, expect, it } from 'vitest';
import OpenAI from 'openai';
import { APICallError } from '@ai-sdk/provider';
import { RetryError } from 'ai';
import { classifyError, ProviderError } from 'l0-rx';
import { toL0Error } from '../../src/errors/normalizeError.js';

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
    ['no rate-limit reset when neither side is exhausted', { 'x-ratelimit-reset-requests': '20ms', 'x-ratelimit-reset-tokens': '1.5s' }, undefined],
    ['no rate-limit reset when the remaining counts are not 0', { 'x-ratelimit-reset-requests': '1s', 'x-ratelimit-reset-tokens': '6m0s', 'x-ratelimit-remaining-requests': '59', 'x-ratelimit-remaining-tokens': '149984' }, undefined],
    ['the longer reset when both sides are exhausted', { 'x-ratelimit-reset-requests': '20ms', 'x-ratelimit-reset-tokens': '1.5s', 'x-ratelimit-remaining-requests': '0', 'x-ratelimit-remaining-tokens': '0' }, 1500],
    ['retry-after over the rate-limit resets', { 'retry-after': '3', 'x-ratelimit-reset-requests': '1s' }, 3000],
    ['no headers', {}, undefined],
    ['a retry-after too long for a double, as the longest finite delay (never as none)', { 'retry-after': '9'.repeat(400) }, Number.MAX_VALUE],
    ['a retry-after-ms too long for a double, likewise', { 'retry-after-ms': '9'.repeat(400) }, Number.MAX_VALUE],
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

    it('should not take a number-like string for a date (V8 parses "-3" as 2001)', () => {
      expect(retryAfter(rateLimited({ 'retry-after': '-3' }), NOW)).toBeUndefined();
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

  describe('x-ratelimit-reset-* headers (OpenAI sends them on every response)', () => {
    const usage = {
      'x-ratelimit-limit-requests': '60',
      'x-ratelimit-limit-tokens': '150000',
      'x-ratelimit-remaining-requests': '59',
      'x-ratelimit-remaining-tokens': '149984',
      'x-ratelimit-reset-requests': '1s',
      'x-ratelimit-reset-tokens': '6m0s',
    };
    const tokensExhausted = { ...usage, 'x-ratelimit-remaining-tokens': '0' };

    it('should not read them on a 500 (APIError.generate)', () => {
      const e = OpenAI.APIError.generate(500, { error: { message: 'boom', type: 'server_error' } }, undefined, new Headers(usage));
      expect(e).toBeInstanceOf(OpenAI.InternalServerError);
      expect(classifyError(e)).toEqual({ category: 'server', reason: 'server_error', retryable: true, countsTowardAttempts: false, status: 500 });
    });

    it('should not read them on a 500 even when a side is exhausted', () => {
      const e = OpenAI.APIError.generate(500, { error: { message: 'boom' } }, undefined, new Headers(tokensExhausted));
      expect(retryAfter(e, NOW)).toBeUndefined();
    });

    it('should not read them on an in-band server error frame', () => {
      const e = new OpenAI.APIError(undefined, { message: 'The server had an error', type: 'server_error' }, undefined, new Headers(tokensExhausted));
      expect(classifyError(e)).toMatchObject({ category: 'server', retryable: true });
      expect(retryAfter(e)).toBeUndefined();
    });

    it('should read the exhausted side on an in-band rate-limit frame', () => {
      const e = new OpenAI.APIError(undefined, { message: 'slow', code: 'rate_limit_exceeded' }, undefined, new Headers(tokensExhausted));
      expect(retryAfter(e)).toBe(360_000);
    });

    it('should not take the reset over an HTTP-date retry-after that needs a clock', () => {
      const e = rateLimited({ ...tokensExhausted, 'retry-after': new Date(NOW + 5000).toUTCString() });
      expect(retryAfter(e)).toBeUndefined();
      expect(retryAfter(e, NOW)).toBe(5000);
    });

    it('should read the HTTP date once the clock is known, after toL0Error ran without one', () => {
      const e = rateLimited({ ...tokensExhausted, 'retry-after': new Date(NOW + 5000).toUTCString() });
      const normalised = toL0Error(e) as ProviderError;
      expect(normalised).toBeInstanceOf(ProviderError);
      expect(normalised.retryAfterMs).toBeUndefined();
      expect(classifyError(normalised, { now: NOW })).toMatchObject({ category: 'rate-limit', status: 429, retryAfterMs: 5000 });
    });

    it('should read the HTTP date behind an AI SDK RetryError (its lastError) once the clock is known, after toL0Error ran without one', () => {
      const call = new APICallError({ message: 'x', url: 'u', requestBodyValues: {}, statusCode: 429, responseHeaders: { 'retry-after': new Date(NOW + 5000).toUTCString() } });
      const e = new RetryError({ message: 'Failed after 3 attempts', reason: 'maxRetriesExceeded', errors: [call, call, call] });
      const normalised = toL0Error(e) as ProviderError;
      expect(normalised).toMatchObject({ code: 'RATE_LIMITED', status: 429, retryAfterMs: undefined });
      expect(retryAfter(e, NOW)).toBe(5000);
      expect(classifyError(normalised, { now: NOW })).toMatchObject({ category: 'rate-limit', status: 429, retryAfterMs: 5000 });
    });

    it('should fall back to the reset when retry-after is not a delay at all', () => {
      expect(retryAfter(rateLimited({ ...tokensExhausted, 'retry-after': 'soon' }))).toBe(360_000);
    });

    it('should not read the reset headers of a 500 through a ProviderError either', () => {
      const e = OpenAI.APIError.generate(500, { error: { message: 'boom' } }, undefined, new Headers(tokensExhausted));
      const normalised = toL0Error(e) as ProviderError;
      expect(normalised.retryAfterMs).toBeUndefined();
      expect(retryAfter(normalised, NOW)).toBeUndefined();
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
