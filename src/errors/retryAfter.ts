/**
 * Reading a server-requested delay from response headers. Internal to classifyError.
 *
 * Order: `retry-after-ms` (milliseconds, OpenAI), `retry-after` (seconds, or an HTTP date when a
 * `now` is known), then the OpenAI `x-ratelimit-reset-requests` / `x-ratelimit-reset-tokens`
 * durations (`"1s"`, `"6m0s"`, `"20ms"`). Without `now` an HTTP-date `retry-after` is ignored, as
 * library code never reads the wall clock.
 */

type HeaderGetter = (name: string) => string | undefined;

/** Makes a case-insensitive getter for a `Headers` object or a plain header record; undefined otherwise. */
export function headerGetter(headers: unknown): HeaderGetter | undefined {
  if (typeof headers !== 'object' || headers === null) return undefined;
  const get = (headers as { get?: unknown }).get;
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
  for (const [k, v] of Object.entries(headers)) {
    if (typeof v === 'string') lower.set(k.toLowerCase(), v);
    else if (typeof v === 'number') lower.set(k.toLowerCase(), String(v));
    else if (Array.isArray(v) && typeof v[0] === 'string') lower.set(k.toLowerCase(), v[0]);
  }
  return lower.size === 0 ? undefined : (name) => lower.get(name);
}

const NUMBER = /^\s*\d+(?:\.\d+)?\s*$/;

function nonNegative(ms: number): number | undefined {
  return Number.isFinite(ms) && ms >= 0 ? Math.ceil(ms) : undefined;
}

/** `"1s"`, `"6m0s"`, `"20ms"`, `"1h2m3.5s"` -> ms; undefined when not in that form. */
export function parseDuration(value: string): number | undefined {
  const trimmed = value.trim();
  if (!/^(?:\d+(?:\.\d+)?(?:h|ms|m|s))+$/.test(trimmed)) return undefined;
  const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1000, ms: 1 };
  let total = 0;
  for (const [, n, u] of trimmed.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s)/g)) total += Number(n) * unit[u!]!;
  return nonNegative(total);
}

/** `retry-after` as seconds, or as an HTTP date relative to `now` (ignored without `now`). */
export function parseRetryAfter(value: string, now?: number): number | undefined {
  if (NUMBER.test(value)) return nonNegative(Number(value) * 1000);
  if (now === undefined) return undefined;
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil(at - now));
}

function fromRateLimitReset(get: HeaderGetter): number | undefined {
  const requests = get('x-ratelimit-reset-requests');
  const tokens = get('x-ratelimit-reset-tokens');
  const exhaustedRequests = get('x-ratelimit-remaining-requests')?.trim() === '0';
  const exhaustedTokens = get('x-ratelimit-remaining-tokens')?.trim() === '0';
  const pick = [
    ...(requests !== undefined && (exhaustedRequests || !exhaustedTokens) ? [parseDuration(requests)] : []),
    ...(tokens !== undefined && (exhaustedTokens || !exhaustedRequests) ? [parseDuration(tokens)] : []),
  ].filter((ms): ms is number => ms !== undefined);
  return pick.length === 0 ? undefined : Math.max(...pick);
}

/** Reads a delay in ms from a header getter, or undefined when no usable header is present. */
export function retryAfterFromHeaders(get: HeaderGetter, now?: number): number | undefined {
  const ms = get('retry-after-ms');
  if (ms !== undefined && NUMBER.test(ms)) return nonNegative(Number(ms));
  const after = get('retry-after');
  const parsed = after === undefined ? undefined : parseRetryAfter(after, now);
  return parsed ?? fromRateLimitReset(get);
}

/** The headers an error object carries: `headers` (OpenAI), `responseHeaders` (AI SDK), `response.headers`. */
export function errorHeaders(node: object): HeaderGetter | undefined {
  const o = node as { headers?: unknown; responseHeaders?: unknown; response?: { headers?: unknown } };
  return headerGetter(o.headers) ?? headerGetter(o.responseHeaders) ?? headerGetter(o.response?.headers);
}
