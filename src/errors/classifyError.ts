import { CODE_TABLE, MESSAGE_RULES, QUOTA_EXHAUSTED, type BaseClassification } from './classifyTables.js';
import { classifyNode, honourRetryable, messageOf, statusOf } from './classifyNode.js';
import { isErrorObject, safeGet } from './inspect.js';
import { isL0Error, type ErrorCategory } from './L0Error.js';
import type { ErrorReason } from './errorReason.js';
import { errorHeaders, retryAfterFromHeaders } from './retryAfter.js';
import { classifyL0Error, countsTowardAttempts, MAX_CAUSE_DEPTH } from './classifyL0Error.js';

/** What {@link classifyError} decided about an error. */
export interface ErrorClassification {
  readonly category: ErrorCategory;
  /** A snake_case reason, e.g. `rate_limit`, `incomplete_stream`, `context_length_exceeded`. */
  readonly reason: ErrorReason;
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

/** Retryable, as {@link UnknownError} is (whether a retry helps is not known; `attempts` budgets it). */
const UNKNOWN: ErrorClassification = /*#__PURE__*/ Object.freeze({
  category: 'unknown',
  reason: 'unknown',
  retryable: true,
  countsTowardAttempts: true,
});

/**
 * Decides what kind of failure an error is, without trusting message text unless nothing else
 * is known. Works on l0-rx's own errors, OpenAI SDK errors, AI SDK errors, Anthropic error
 * frames, Node / undici / browser fetch errors and plain objects.
 *
 * Rules:
 * 1. An {@link L0Error} (from any copy of the package) is read as is; only a missing `retryAfterMs`
 *    of one with an HTTP `status` is looked up on its cause chain's headers (an AI SDK `RetryError`'s
 *    `lastError` too) when `options.now` is given (an HTTP-date `Retry-After` that fromStream, having
 *    no clock, could not read); an AllStreamsExhaustedError without one has its last error's.
 * 2. Otherwise, for the error and then each `cause` (AI SDK `RetryError`: its `lastError`), up to
 *    5 levels: HTTP `status` / `statusCode` / `response.status` (with the AI SDK's `isRetryable`
 *    honoured, so a 200 cut mid-stream is a retryable `incomplete_stream`); the Node / undici
 *    `code`; provider `type` / `code` fields, nested in `error` too (`context_length_exceeded`,
 *    `overloaded_error`, `server_error`...), which an `isRetryable: true` cannot make retryable when
 *    they say otherwise (`insufficient_quota`); a context-length message on a plain bad request; the
 *    error's `name` or class name (for openai's unnamed classes in a minified bundle: their shape and
 *    exact default message); fetch's `TypeError`s and the SDK's malformed-SSE `SyntaxError`. The
 *    first level that matches wins, except that a plain `network_error` level keeps looking down
 *    the chain for a more specific Node / undici `code` (a TLS failure is not retryable, an
 *    `UND_ERR_ABORTED` is an abort). OpenAI's `x-should-retry` header on the matched levels is the
 *    server's verdict on retrying (the OpenAI SDK obeys it too), except over a spent quota
 *    (`insufficient_quota`): that is never retryable, whatever the header says.
 * 3. Only if no level matched: word-bounded message phrases ("socket hang up", "rate limit",
 *    "SSL certificate problem"...). Anything else is `unknown` (retryable, like {@link UnknownError}, and counts toward attempts).
 * 4. `retryAfterMs` comes from `retry-after-ms`, `retry-after` (seconds; an HTTP date only with
 *    `options.now`), from a `Headers` object or a plain header record. Only for a `rate-limit`
 *    error, and only when `retry-after` is absent or unusable (never over an HTTP date read without
 *    `now`: that is kept for a later call with a clock), the `x-ratelimit-reset-*` duration of an exhausted side
 *    (`x-ratelimit-remaining-<side>: 0`) is used: OpenAI sends these headers on every response.
 *
 * @example
 * import { asyncScheduler } from 'rxjs';
 * import { classifyError } from 'l0-rx';
 * const c = classifyError(e, { now: asyncScheduler.now() });
 * if (c.retryable) console.log(`retry ${c.reason} after ${c.retryAfterMs ?? 'backoff'} ms`);
 *
 * @see {@link ErrorClassification}
 * @param e Anything thrown or emitted as an error.
 * @param options `now`, for HTTP-date `Retry-After` headers.
 * @returns A frozen classification.
 */
export function classifyError(e: unknown, options?: ClassifyErrorOptions): ErrorClassification {
  try {
    return classify(e, options?.now);
  } catch {
    return UNKNOWN; // a last guard: every read below is already safe against throwing getters and Proxies
  }
}

function classify(e: unknown, now: number | undefined): ErrorClassification {
  const chain = causeChain(e);
  for (let i = 0; i < chain.length; i++) {
    const node = chain[i];
    if (isL0Error(node)) return classifyL0Error(node, now);
    const base = classifyNode(node);
    if (!base) continue;
    const deeper = isGenericNetwork(base) ? specificCodeBelow(chain, i) : undefined;
    return deeper
      ? finish(deeper.base, chain.slice(0, deeper.index + 1), now)
      : finish(base, chain.slice(0, i + 1), now);
  }
  for (const node of chain) {
    const message = messageOf(node);
    if (message === undefined) continue;
    for (const [pattern, base] of MESSAGE_RULES) {
      if (pattern.test(message)) return finish(base, chain, now);
    }
  }
  return UNKNOWN;
}

function isGenericNetwork(base: BaseClassification): boolean {
  return base.category === 'network' && base.reason === 'network_error' && base.retryable;
}

/**
 * Below a level that only said "network error" (fetch's `TypeError`, openai's `APIConnectionError`,
 * an AI SDK `APICallError` without a status): the first Node / undici `code` that says more (TLS,
 * abort, timeout, a cut body). Stops at an L0Error.
 */
function specificCodeBelow(chain: readonly unknown[], from: number): { base: BaseClassification; index: number } | undefined {
  for (let j = from + 1; j < chain.length; j++) {
    const node = chain[j];
    if (typeof node !== 'object' || node === null || isL0Error(node)) return undefined;
    const code = safeGet(node, 'code');
    const hit = typeof code === 'string' ? CODE_TABLE.get(code.toUpperCase()) : undefined;
    if (hit && !isGenericNetwork(hit)) return { base: hit, index: j };
  }
  return undefined;
}

function finish(base: BaseClassification, nodes: readonly unknown[], now: number | undefined): ErrorClassification {
  let status: number | undefined;
  let shouldRetry: string | undefined;
  const headers: ((name: string) => string | undefined)[] = [];
  for (const node of nodes) {
    if (typeof node !== 'object' || node === null) continue;
    status ??= statusOf(node);
    const get = errorHeaders(node);
    if (!get) continue;
    headers.push(get);
    shouldRetry ??= get('x-should-retry');
  }
  // OpenAI's `x-should-retry` header: the server's own verdict, which the OpenAI SDK obeys too,
  // except over a spent quota (`insufficient_quota`), which does not come back in seconds.
  const heard = shouldRetry === 'true' || shouldRetry === 'false';
  const verdict = heard && base.category !== 'abort' && base !== QUOTA_EXHAUSTED ? shouldRetry === 'true' : undefined;
  const decided = honourRetryable(base, verdict, true);
  let retryAfterMs: number | undefined;
  for (const get of headers) retryAfterMs ??= retryAfterFromHeaders(get, now, decided.category === 'rate-limit');
  return Object.freeze({
    ...decided,
    countsTowardAttempts: countsTowardAttempts(decided.category),
    ...(retryAfterMs === undefined ? {} : { retryAfterMs }),
    ...(status === undefined ? {} : { status }),
  });
}

/**
 * The error, then each `cause` (an AI SDK RetryError's `lastError`, an AggregateError's first error,
 * a stream part's `error`), at most MAX_CAUSE_DEPTH links down.
 */
function causeChain(e: unknown): unknown[] {
  const chain: unknown[] = [e];
  let node = e;
  while (chain.length <= MAX_CAUSE_DEPTH && typeof node === 'object' && node !== null) {
    const next = nextInChain(node);
    if (next === undefined || next === null || chain.includes(next)) break;
    chain.push(next);
    node = next;
  }
  return chain;
}

/** The link below `node`; every read is safe against throwing getters and revoked Proxies. */
function nextInChain(node: object): unknown {
  const name = safeGet(node, 'name');
  const lastError = safeGet(node, 'lastError');
  if (name === 'AI_RetryError' && safeGet(node, 'reason') !== 'abort' && lastError !== undefined) return lastError;
  const cause = safeGet(node, 'cause');
  if (cause !== undefined) return cause;
  const errors = safeGet(node, 'errors');
  if (name === 'AggregateError' && isArray(errors)) return safeGet(errors, 0);
  const error = safeGet(node, 'error');
  return isErrorObject(error) ? error : undefined; // an AI SDK `{type: 'error', error}` stream part
}

function isArray(v: unknown): v is unknown[] {
  try {
    return Array.isArray(v);
  } catch {
    return false; // a revoked Proxy
  }
}
