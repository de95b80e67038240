/**
 * Reading a server-requested delay from response headers. Internal to classifyError.
 *
 * Order: `retry-after-ms` (milliseconds, OpenAI), `retry-after` (seconds, or an HTTP date when a
 * `now` is known), then, for a rate-limit error only, the OpenAI `x-ratelimit-reset-requests` /
 * `x-ratelimit-reset-tokens` duration (`"1s"`, `"6m0s"`, `"20ms"`) of each exhausted side
 * (`x-ratelimit-remaining-<side>: 0`). OpenAI sends those headers on every response, so on any
 * other error, or for a side with quota left, they say nothing about when to retry.
 * Without `now` an HTTP-date `retry-after` is not read, as library code never reads the wall clock;
 * it is not replaced by the reset headers either, so a later call with a clock can still read it.
 */

import { safeGet } from './inspect.js';

type HeaderGetter = (name: string) => string | undefined;

/** Makes a case-insensitive getter for a `Headers` object or a plain header record; undefined otherwise. */
export function headerGetter(headers: unknown): HeaderGetter | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const get = safeGet(headers, 'get');
  if (typeof get === 'function') {
    return (name) => {
      try {
        const v: unknown = get.call(headers, name);
        return typeof v === 'string' ? v : undefined;
      } catch {
        return undefined;
      }
    };
  }
  const lower = new Map<string, string>();
  try {
    for (const [k, v] of Object.entries(headers)) {
      const first: unknown = Array.isArray(v) ? v[0] : v; // a Node header list: its first value
      if (typeof first === 'string' || typeof v === 'number') lower.set(k.toLowerCase(), String(first));
    }
  } catch {
    // a header record with a throwing getter (or a revoked Proxy): no usable headers
  }
  return lower.size === 0 ? undefined : (name) => lower.get(name);
}

const NUMBER = /^\s*\d+(?:\.\d+)?\s*$/;

/**
 * A delay in whole ms. One too long for a double (a 400-digit `retry-after`) is the longest finite
 * one, so it still gives up (beyond any `maxRetryAfter`) and survives JSON, instead of reading as no delay.
 */
function nonNegative(ms: number): number | undefined {
  return ms >= 0 ? Math.ceil(Math.min(ms, Number.MAX_VALUE)) : undefined;
}

/** `"1s"`, `"6m0s"`, `"20ms"`, `"1h2m3.5s"` -> ms; undefined when not in that form. */
export function parseDuration(value: string): number | undefined {
  const trimmed = value.trim();
  if (!/^(?:\d+(?:\.\d+)?(?:h|ms|m|s))+$/.test(trimmed)) return undefined;
  let total = 0;
  for (const [, n, u] of trimmed.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)) total += Number(n) * (u === 'h' ? 3_600_000 : u === 'm' ? 60_000 : u === 's' ? 1000 : 1);
  return nonNegative(total);
}

const MONTH = /\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)\b/i;
const CLOCK = /\b\d{1,2}:\d{2}:\d{2}\b/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/;

/**
 * An HTTP date (IMF-fixdate `Wed, 21 Oct 2015 07:28:00 GMT`, RFC 850, asctime) or an ISO 8601 time.
 * `Date.parse` alone would accept almost anything (`"-3"` is a date in V8).
 */
function isHttpDate(value: string): boolean {
  return (MONTH.test(value) && CLOCK.test(value)) || ISO_TIME.test(value.trim());
}

/** `retry-after` as seconds, or as an HTTP date relative to `now` (ignored without `now`). */
export function parseRetryAfter(value: string, now?: number): number | undefined {
  if (NUMBER.test(value)) return nonNegative(Number(value) * 1000);
  if (now === undefined || !isHttpDate(value)) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil(at - now));
}

/** The longest `x-ratelimit-reset-<side>` among the sides whose `x-ratelimit-remaining-<side>` is 0. */
function fromRateLimitReset(get: HeaderGetter): number | undefined {
  let longest: number | undefined;
  for (const side of ['requests', 'tokens'] as const) {
    if (get(`x-ratelimit-remaining-${side}`)?.trim() !== '0') continue;
    const reset = get(`x-ratelimit-reset-${side}`);
    const ms = reset === undefined ? undefined : parseDuration(reset);
    if (ms !== undefined) longest = Math.max(longest ?? 0, ms);
  }
  return longest;
}

/**
 * Reads a delay in ms from a header getter, or undefined when no usable header is present.
 * `rateLimit`: the error is a rate limit, so an exhausted side's `x-ratelimit-reset-*` may be used.
 */
export function retryAfterFromHeaders(get: HeaderGetter, now?: number, rateLimit = false): number | undefined {
  const ms = get('retry-after-ms');
  if (ms !== undefined && NUMBER.test(ms)) return nonNegative(Number(ms));
  const after = get('retry-after');
  if (after !== undefined) {
    const parsed = parseRetryAfter(after, now);
    if (parsed !== undefined) return parsed;
    // an HTTP date read without a clock: left for a call with `now`, never replaced by the resets
    if (now === undefined && isHttpDate(after)) return undefined;
  }
  return rateLimit ? fromRateLimitReset(get) : undefined;
}

/** The headers an error object carries: `headers` (OpenAI), `responseHeaders` (AI SDK), `response.headers`. */
export function errorHeaders(node: object): HeaderGetter | undefined {
  return (
    headerGetter(safeGet(node, 'headers')) ??
    headerGetter(safeGet(node, 'responseHeaders')) ??
    headerGetter(safeGet(safeGet(node, 'response'), 'headers'))
  );
}
