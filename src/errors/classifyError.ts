import {
  ABORT,
  CODE_TABLE,
  CONTEXT_LENGTH,
  INCOMPLETE_STREAM,
  MESSAGE_RULES,
  NAME_TABLE,
  NETWORK,
  PROVIDER_TYPE_TABLE,
  SERVER,
  classifyByNameAndMessage,
  classifyStatus,
  CONTEXT_LENGTH_HINT,
  CONTEXT_LENGTH_MESSAGE,
  cls,
  type BaseClassification,
} from './classifyTables.js';
import { isL0Error, type ErrorCategory, type L0Error } from './L0Error.js';
import { errorHeaders, retryAfterFromHeaders } from './retryAfter.js';

/** What {@link classifyError} decided about an error. */
export interface ErrorClassification {
  readonly category: ErrorCategory;
  /** A snake_case reason, e.g. `rate_limit`, `incomplete_stream`, `context_length_exceeded`. */
  readonly reason: string;
  /** Whether a retry could succeed. */
  readonly retryable: boolean;
  /** True for `content` and `unknown` failures: they use the `attempts` budget, not only `maxRetries`. */
  readonly countsTowardAttempts: boolean;
  /** A server-requested delay (Retry-After and friends), in ms. */
  readonly retryAfterMs?: number;
  /** The HTTP status, when the error came from an HTTP response. */
  readonly status?: number;
}

/** Options for {@link classifyError}. */
export interface ClassifyErrorOptions {
  /**
   * The current time in ms since the epoch (e.g. `scheduler.now()`), used only to turn an HTTP-date
   * `Retry-After` into a delay. Without it an HTTP-date `Retry-After` is ignored.
   * @default undefined
   */
  readonly now?: number;
}

/** How many `cause` / `lastError` links are followed below the thrown error. */
const MAX_DEPTH = 5;

const UNKNOWN: ErrorClassification = Object.freeze({
  category: 'unknown',
  reason: 'unknown',
  retryable: false,
  countsTowardAttempts: true,
});

/**
 * Decides what kind of failure an error is, without trusting message text unless nothing else
 * is known. Works on l0-rx's own errors, OpenAI SDK errors, AI SDK errors, Anthropic error
 * frames, Node / undici / browser fetch errors and plain objects.
 *
 * Rules:
 * 1. An {@link L0Error} (from any copy of the package) is read as is; only a missing `retryAfterMs`
 *    of one with an HTTP `status` is looked up on its cause's headers when `options.now` is given
 *    (an HTTP-date `Retry-After` that fromStream, having no clock, could not read).
 * 2. Otherwise, for the error and then each `cause` (AI SDK `RetryError`: its `lastError`), up to
 *    5 levels: HTTP `status` / `statusCode` / `response.status` (with the AI SDK's `isRetryable`
 *    honoured, so a 200 cut mid-stream is a retryable `incomplete_stream`); the Node / undici
 *    `code`; provider `type` / `code` fields, nested in `error` too (`context_length_exceeded`,
 *    `overloaded_error`, `server_error`...); the error's `name` or class name; fetch's `TypeError`s
 *    and the SDK's malformed-SSE `SyntaxError`. The first level that matches wins.
 * 3. Only if no level matched: word-bounded message phrases ("socket hang up", "rate limit",
 *    "SSL certificate problem"...). Anything else is `unknown` (not retryable, counts toward attempts).
 * 4. `retryAfterMs` comes from `retry-after-ms`, `retry-after` (seconds; an HTTP date only with
 *    `options.now`) or `x-ratelimit-reset-*`, from a `Headers` object or a plain header record.
 *
 * @example
 * import { classifyError } from 'l0-rx';
 * const c = classifyError(err, { now: scheduler.now() });
 * if (c.retryable) console.log(`retry ${c.reason} after ${c.retryAfterMs ?? 'backoff'} ms`);
 *
 * @see {@link ErrorClassification}
 * @param e Anything thrown or emitted as an error.
 * @param options `now`, for HTTP-date `Retry-After` headers.
 * @returns A frozen classification.
 */
export function classifyError(e: unknown, options?: ClassifyErrorOptions): ErrorClassification {
  const chain = causeChain(e);
  for (let i = 0; i < chain.length; i++) {
    const node = chain[i];
    if (isL0Error(node)) return fromL0Error(node, options?.now);
    const base = classifyNode(node);
    if (base) return finish(base, chain.slice(0, i + 1), options?.now);
  }
  for (const node of chain) {
    const message = messageOf(node);
    if (message === undefined) continue;
    for (const [pattern, base] of MESSAGE_RULES) {
      if (pattern.test(message)) return finish(base, chain, options?.now);
    }
  }
  return UNKNOWN;
}

/**
 * An L0Error as it classified itself. Its `retryAfterMs` was read without a clock (fromStream has
 * none), so an HTTP-date `Retry-After` on the HTTP error it wraps is read here, once `now` is known.
 */
function fromL0Error(e: L0Error, now: number | undefined): ErrorClassification {
  const retryAfterMs = e.retryAfterMs ?? (now === undefined || e.status === undefined ? undefined : causeRetryAfter(e, now));
  return Object.freeze({
    category: e.category,
    reason: e.reason,
    retryable: e.retryable,
    countsTowardAttempts: countsTowardAttempts(e.category),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(e.status === undefined ? {} : { status: e.status }),
  });
}

/** The first Retry-After found on the headers of `e`'s cause chain (an HTTP date needs `now`). */
function causeRetryAfter(e: L0Error, now: number): number | undefined {
  for (const node of causeChain(e.cause).slice(0, MAX_DEPTH)) {
    if (typeof node !== 'object' || node === null || isL0Error(node)) return undefined;
    const get = errorHeaders(node);
    const ms = get ? retryAfterFromHeaders(get, now) : undefined;
    if (ms !== undefined) return ms;
  }
  return undefined;
}

function countsTowardAttempts(category: ErrorCategory): boolean {
  return category === 'content' || category === 'unknown';
}

function finish(base: BaseClassification, nodes: readonly unknown[], now: number | undefined): ErrorClassification {
  let status: number | undefined;
  let retryAfterMs: number | undefined;
  let shouldRetry: string | undefined;
  for (const node of nodes) {
    if (typeof node !== 'object' || node === null) continue;
    status ??= statusOf(node);
    const get = errorHeaders(node);
    if (!get) continue;
    retryAfterMs ??= retryAfterFromHeaders(get, now);
    shouldRetry ??= get('x-should-retry');
  }
  // OpenAI's `x-should-retry` header: the server's own verdict, which the OpenAI SDK obeys too.
  const verdict = base.category === 'abort' ? undefined : shouldRetry === 'true' ? true : shouldRetry === 'false' ? false : undefined;
  const decided = honourRetryable(base, verdict, true);
  return Object.freeze({
    ...decided,
    countsTowardAttempts: countsTowardAttempts(decided.category),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(status === undefined ? {} : { status }),
  });
}

/**
 * The error, then each `cause` (an AI SDK RetryError's `lastError`, an AggregateError's first error,
 * a stream part's `error`), at most MAX_DEPTH links down.
 */
function causeChain(e: unknown): unknown[] {
  const chain: unknown[] = [e];
  let node = e;
  while (chain.length <= MAX_DEPTH && typeof node === 'object' && node !== null) {
    const o = node as { name?: unknown; lastError?: unknown; reason?: unknown; cause?: unknown; errors?: unknown; error?: unknown };
    const next =
      o.name === 'AI_RetryError' && o.reason !== 'abort' && o.lastError !== undefined
        ? o.lastError
        : o.cause !== undefined
          ? o.cause
          : o.name === 'AggregateError' && Array.isArray(o.errors)
            ? o.errors[0]
            : o.error instanceof Error // an AI SDK `{type: 'error', error}` stream part
              ? o.error
              : undefined;
    if (next === undefined || next === null || chain.includes(next)) break;
    chain.push(next);
    node = next;
  }
  return chain;
}

function statusOf(node: object): number | undefined {
  const o = node as { status?: unknown; statusCode?: unknown; response?: { status?: unknown } | null };
  return asStatus(o.status) ?? asStatus(o.statusCode) ?? asStatus(o.response?.status);
}

function asStatus(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d{3}$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 100 && n <= 599 ? n : undefined;
}

function messageOf(node: unknown): string | undefined {
  if (typeof node === 'string') return node;
  if (typeof node !== 'object' || node === null) return undefined;
  const m = (node as { message?: unknown }).message;
  return typeof m === 'string' ? m : undefined;
}

/** One level of the chain, without looking at `cause` or free message text. */
function classifyNode(node: unknown): BaseClassification | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const o = node as Record<string, unknown>;
  const isRetryable = typeof o['isRetryable'] === 'boolean' ? o['isRetryable'] : undefined;
  const name = typeof o['name'] === 'string' ? o['name'] : '';
  if (name === 'AI_RetryError' && o['reason'] === 'abort') return ABORT;

  const status = statusOf(node);
  const providerType = classifyProviderType(o);
  if (status !== undefined) {
    const byStatus = classifyStatus(status);
    if (byStatus) {
      const refined =
        providerType?.category === byStatus.category // a more specific reason (context length, quota...)
          ? providerType
          : (status === 400 || status === 413) && contextLengthMessage(messageOf(node) ?? '')
            ? CONTEXT_LENGTH
            : byStatus;
      return honourRetryable(refined, isRetryable, true);
    }
    if (isRetryable === true) return status >= 200 && status < 300 ? INCOMPLETE_STREAM : NETWORK;
  } else if (isRetryable === true && providerType === undefined && name === 'AI_APICallError') return NETWORK;

  const code = o['code'];
  if (typeof code === 'string') {
    const byCode = CODE_TABLE.get(code.toUpperCase());
    if (byCode) return byCode;
  }
  if (providerType) return honourRetryable(providerType, isRetryable, false);

  const ctor = (node as { constructor?: { name?: unknown } }).constructor?.name;
  const byName = NAME_TABLE.get(name) ?? (typeof ctor === 'string' ? NAME_TABLE.get(ctor) : undefined);
  if (byName) return byName;
  const byMessage = classifyByNameAndMessage(name, messageOf(node) ?? '');
  if (byMessage) return byMessage;

  if (name === 'AI_StreamProviderError') return cls('server', 'server_error', isRetryable ?? true);
  // An OpenAI APIError without a status but with a body: an in-band error frame in a 200 stream.
  if ('requestID' in o && 'param' in o && typeof o['error'] === 'object' && o['error'] !== null) return SERVER;
  return undefined;
}

/** Provider `type` / `code` strings on the error or its nested bodies (numeric nested codes read as statuses). */
function classifyProviderType(o: Record<string, unknown>): BaseClassification | undefined {
  const data = asRecord(o['data']);
  // OpenAI APIError body / Anthropic frame `error`; AI SDK `data.error`; Responses API `response.error`
  const bodies = [o, asRecord(o['error']), asRecord(data?.['error']), data, asRecord(asRecord(o['response'])?.['error'])];
  for (const body of bodies) {
    if (!body) continue;
    for (const key of ['code', 'type'] as const) {
      const v = body[key];
      if (typeof v === 'string') {
        const hit = PROVIDER_TYPE_TABLE.get(v.toLowerCase());
        if (hit) return hit;
      } else if (body !== o && typeof v === 'number') {
        const hit = classifyStatus(v); // OpenRouter-style {error: {code: 429}}
        if (hit) return hit;
      }
    }
  }
  return undefined;
}

function contextLengthMessage(message: string): boolean {
  return CONTEXT_LENGTH_MESSAGE.test(message) || CONTEXT_LENGTH_HINT.test(message);
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
}

/**
 * The AI SDK's `isRetryable`: `true` always upgrades (a 200 cut mid-stream, a provider saying so);
 * `false` downgrades only when a status backs it (without a status it is just the SDK's default).
 */
function honourRetryable(
  base: BaseClassification,
  isRetryable: boolean | undefined,
  hasStatus: boolean,
): BaseClassification {
  if (isRetryable === true && !base.retryable) {
    return base.category === 'auth' || base.category === 'bad-request' ? SERVER : cls(base.category, base.reason, true);
  }
  if (isRetryable === false && base.retryable && hasStatus) return cls(base.category, base.reason, false);
  return base;
}
