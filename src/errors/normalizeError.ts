import { classifyError, type ErrorClassification } from './classifyError.js';
import { safeGet, safeString } from './inspect.js';
import { isL0Error, type L0Error } from './L0Error.js';
import { ProviderError, type ProviderErrorCode } from './ProviderError.js';
import { StreamAbortedError } from './StreamAbortedError.js';
import { UnknownError } from './UnknownError.js';
import { asL0Error } from './classifyL0Error.js';

/** Options for {@link toL0Error}. */
export interface ToL0ErrorOptions {
  /** The current time in ms since the epoch, for HTTP-date `Retry-After` headers. @default undefined */
  readonly now?: number;
}

/**
 * Turns anything thrown, rejected with or emitted as an error into a typed l0-rx error. A total function:
 * it never throws, whatever the value. `fromStream` applies it to everything a source fails with; use it
 * in a source of your own so provider errors are typed before `retryWithBackoff` sees them.
 *
 *   #              an error notification carrying any value `e`
 *   #              toL0Error(e): always an L0Error, with `e` as its `cause` unless it was one already
 *
 * 1. An {@link L0Error} (from any copy of the package) is returned unchanged; an object that only forges
 *    its brand, without a code, a category and a message, is wrapped like any other value (step 4).
 * 2. An abort (a user's wrapper around our own StreamAbortedError too) becomes a {@link StreamAbortedError}
 *    with the original as `cause`, so it is never retried.
 * 3. A network, rate-limit, server, timeout, auth or bad-request failure becomes a {@link ProviderError}
 *    carrying the classification (category, reason, retryable, status, retryAfterMs) and `cause`.
 * 4. Anything else becomes an {@link UnknownError} (category `unknown`, retryable) whose message names
 *    the value: a user's own `Error`, a `TypeError` from user code, a string, `undefined`, a plain object,
 *    a revoked Proxy... So is a foreign error whose classification came from an L0Error in its `cause`
 *    chain (a user's wrapper around our own error): it is not a provider failure.
 *
 * @example
 * import { catchError, throwError, type Observable } from 'rxjs';
 * import { toL0Error } from 'l0-rx';
 * declare const mySource$: Observable<string>; // your own source, erroring with anything
 * mySource$.pipe(catchError((e) => throwError(() => toL0Error(e))));
 */
export function toL0Error(e: unknown, options?: ToL0ErrorOptions): L0Error {
  try {
    if (isL0Error(e)) return asL0Error(e);
    return classified(e, options);
  } catch {
    return new UnknownError(e); // a last guard: classification and messages are already total
  }
}

function classified(e: unknown, options: ToL0ErrorOptions | undefined): L0Error {
  const c = classifyError(e, options);
  if (c.category !== 'abort' && decidedByNestedL0Error(e, c)) return new UnknownError(e);
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
    default: // unknown, and content (only ever decided by an L0Error, handled above)
      return new UnknownError(e);
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
  let node = safeGet(e, 'cause');
  for (let depth = 0; depth < 5 && typeof node === 'object' && node !== null; depth++) {
    if (isL0Error(node)) return safeGet(node, 'category') === c.category && safeGet(node, 'reason') === c.reason;
    node = safeGet(node, 'cause');
  }
  return false;
}

/** The original message for a ProviderError / StreamAbortedError message (a string, or an object's `message`). */
function messageOf(e: unknown): string | undefined {
  const m = typeof e === 'string' ? e : safeString(e, 'message');
  return m === undefined || m === '' ? undefined : m;
}
