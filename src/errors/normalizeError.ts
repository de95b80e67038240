import { classifyError, type ErrorClassification } from './classifyError.js';
import { isL0Error } from './L0Error.js';
import { ProviderError, type ProviderErrorCode } from './ProviderError.js';
import { StreamAbortedError } from './StreamAbortedError.js';

/** Options for {@link toL0Error}. */
export interface ToL0ErrorOptions {
  /** The current time in ms since the epoch, for HTTP-date `Retry-After` headers. @default undefined */
  readonly now?: number;
}

/**
 * Turns a raw SDK / network error into a typed l0-rx error. Internal: not exported from the barrels.
 *
 * 1. An {@link L0Error} is returned unchanged.
 * 2. An abort becomes a {@link StreamAbortedError} with the original as `cause`.
 * 3. A network, rate-limit, server, timeout, auth or bad-request failure becomes a {@link ProviderError}
 *    carrying the classification (category, reason, retryable, status, retryAfterMs) and `cause`.
 * 4. Anything else (`unknown`, `content` from a foreign error) is returned unchanged, so user errors
 *    propagate untouched. So is a foreign error whose classification came from an L0Error in its
 *    `cause` chain (a user's wrapper around our own error): it is not a provider failure.
 *
 * @example
 * catchError((e) => throwError(() => toL0Error(e, { now: scheduler.now() })))
 */
export function toL0Error(e: unknown, options?: ToL0ErrorOptions): unknown {
  if (isL0Error(e)) return e;
  const c = classifyError(e, options);
  if (decidedByNestedL0Error(e, c)) return e;
  const original = messageOf(e);
  switch (c.category) {
    case 'abort':
      return new StreamAbortedError(original ? `The stream was aborted: ${original}` : undefined, e);
    case 'network':
    case 'rate-limit':
    case 'server':
    case 'timeout':
    case 'auth':
    case 'bad-request':
      return new ProviderError(describe(c, original), {
        code: providerCode(c),
        category: c.category,
        retryable: c.retryable,
        reason: c.reason,
        ...(c.status === undefined ? {} : { status: c.status }),
        ...(c.retryAfterMs === undefined ? {} : { retryAfterMs: c.retryAfterMs }),
        cause: e,
      });
    default:
      return e;
  }
}

function providerCode(c: ErrorClassification): ProviderErrorCode {
  switch (c.category) {
    case 'rate-limit':
      return 'RATE_LIMITED';
    case 'server':
      return c.reason === 'malformed_chunk' ? 'MALFORMED_CHUNK' : 'SERVER_ERROR';
    case 'auth':
      return 'AUTH_ERROR';
    case 'bad-request':
      return c.reason === 'context_length_exceeded'
        ? 'CONTEXT_LENGTH_EXCEEDED'
        : c.reason === 'content_filtered'
          ? 'CONTENT_FILTERED'
          : 'BAD_REQUEST';
    default: // network, timeout
      return c.reason === 'incomplete_stream' ? 'INCOMPLETE_STREAM' : c.reason === 'malformed_chunk' ? 'MALFORMED_CHUNK' : 'NETWORK_ERROR';
  }
}

const HEADLINE: Readonly<Record<string, string>> = {
  network_error: 'Network error',
  incomplete_stream: 'The stream was cut before it finished',
  malformed_chunk: 'The provider sent a malformed chunk',
  rate_limit: 'Rate limited',
  server_error: 'Provider server error',
  timeout: 'The request timed out',
  auth: 'Authentication failed',
  bad_request: 'The provider rejected the request',
  context_length_exceeded: 'The prompt exceeds the model context length',
  content_filtered: 'The provider content filter blocked the request',
};

/** E.g. "Rate limited (HTTP 429), retry after 1000 ms: 429 Too many requests". */
function describe(c: ErrorClassification, original: string | undefined): string {
  const headline = HEADLINE[c.reason] ?? `Provider error (${c.reason})`;
  const status = c.status === undefined ? '' : ` (HTTP ${c.status})`;
  const after = c.retryAfterMs === undefined ? '' : `, retry after ${c.retryAfterMs} ms`;
  return `${headline}${status}${after}${original ? `: ${original}` : ''}`;
}

function decidedByNestedL0Error(e: unknown, c: ErrorClassification): boolean {
  let node = (e as { cause?: unknown } | null | undefined)?.cause;
  for (let depth = 0; depth < 5 && typeof node === 'object' && node !== null; depth++) {
    if (isL0Error(node)) return node.category === c.category && node.reason === c.reason;
    node = (node as { cause?: unknown }).cause;
  }
  return false;
}

function messageOf(e: unknown): string | undefined {
  if (typeof e === 'string') return e || undefined;
  if (typeof e !== 'object' || e === null) return e === undefined ? undefined : String(e);
  const m = (e as { message?: unknown }).message;
  return typeof m === 'string' && m !== '' ? m : undefined;
}
