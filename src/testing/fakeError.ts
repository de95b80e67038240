/**
 * Builds errors shaped exactly like the ones real SDKs and Node's network stack throw, so that
 * `classifyError` and the adapters meet realistic input in unit tests.
 */
import { apiError } from '../chaos/sdkErrors.js';
import type { FakeApiError } from '../chaos/sdkErrors.js';

export type { FakeApiError } from '../chaos/sdkErrors.js';

/** An HTTP error response, as the openai SDK reports it (`APIError` and its subclasses). */
export interface FakeHttpErrorSpec {
  /** The HTTP status, e.g. 429, 500, 503, 529, 400, 401. */
  readonly status: number;
  /** Response headers, e.g. `{'retry-after': '2'}`; exposed as a real `Headers`. @default {} */
  readonly headers?: Readonly<Record<string, string>>;
  /** The body's `error.message`. @default a status-specific message */
  readonly message?: string;
  /** The body's `error.code`, e.g. `context_length_exceeded`. @default a status-specific code or `null` */
  readonly code?: string;
  /** The body's `error.type`, e.g. `server_error`. @default a status-specific type */
  readonly type?: string;
}

/** Network codes with a known real-world shape; any other string builds a generic coded error. */
export type FakeNetworkCode =
  | 'ECONNRESET'
  | 'ECONNREFUSED'
  | 'ENOTFOUND'
  | 'ETIMEDOUT'
  | 'EPIPE'
  | 'EAI_AGAIN'
  | 'UND_ERR_SOCKET'
  | 'UND_ERR_CONNECT_TIMEOUT'
  | 'UND_ERR_HEADERS_TIMEOUT'
  | 'UND_ERR_BODY_TIMEOUT'
  | (string & {});

/**
 * What a scripted failure looks like: an HTTP status error, a network error by code, an in-band
 * SSE error frame (a 200 stream that carries `{error}`), or any `Error` instance, thrown as is.
 */
export type FakeErrorSpec =
  | FakeHttpErrorSpec
  | { readonly network: FakeNetworkCode }
  | { readonly inBand: { readonly type: string; readonly message?: string; readonly code?: string } }
  | Error;

interface StatusDefaults { name: string; type: string; code: string | null; message: string }

function statusDefaults(status: number): StatusDefaults {
  switch (status) {
    case 400: return { name: 'BadRequestError', type: 'invalid_request_error', code: null, message: 'Bad request.' };
    case 401: return { name: 'AuthenticationError', type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided.' };
    case 403: return { name: 'PermissionDeniedError', type: 'invalid_request_error', code: null, message: 'Permission denied.' };
    case 404: return { name: 'NotFoundError', type: 'invalid_request_error', code: 'model_not_found', message: 'The model does not exist.' };
    case 409: return { name: 'ConflictError', type: 'invalid_request_error', code: null, message: 'Conflict.' };
    case 422: return { name: 'UnprocessableEntityError', type: 'invalid_request_error', code: null, message: 'Unprocessable entity.' };
    case 429: return { name: 'RateLimitError', type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached. Please try again later.' };
    case 529: return { name: 'InternalServerError', type: 'overloaded_error', code: null, message: 'Overloaded' };
    default:
      return status >= 500
        ? { name: 'InternalServerError', type: 'server_error', code: null, message: 'The server had an error while processing your request.' }
        : { name: 'APIError', type: 'invalid_request_error', code: null, message: `Request failed with status ${status}.` };
  }
}

const SYSTEM_ERRORS: Readonly<Record<string, readonly [syscall: string, errno: number, message: string]>> = {
  ECONNRESET: ['read', -104, 'read ECONNRESET'],
  ECONNREFUSED: ['connect', -111, 'connect ECONNREFUSED 127.0.0.1:443'],
  ENOTFOUND: ['getaddrinfo', -3008, 'getaddrinfo ENOTFOUND api.openai.com'],
  ETIMEDOUT: ['connect', -110, 'connect ETIMEDOUT 127.0.0.1:443'],
  EPIPE: ['write', -32, 'write EPIPE'],
  EAI_AGAIN: ['getaddrinfo', -3001, 'getaddrinfo EAI_AGAIN api.openai.com'],
};

const UNDICI_ERRORS: Readonly<Record<string, readonly [name: string, message: string, outer: string]>> = {
  UND_ERR_SOCKET: ['SocketError', 'other side closed', 'terminated'],
  UND_ERR_CONNECT_TIMEOUT: ['ConnectTimeoutError', 'Connect Timeout Error', 'fetch failed'],
  UND_ERR_HEADERS_TIMEOUT: ['HeadersTimeoutError', 'Headers Timeout Error', 'fetch failed'],
  UND_ERR_BODY_TIMEOUT: ['BodyTimeoutError', 'Body Timeout Error', 'terminated'],
};

function networkError(code: string): Error {
  const system = SYSTEM_ERRORS[code];
  if (system) {
    const [syscall, errno, message] = system;
    return Object.assign(new Error(message), { code, errno, syscall });
  }
  const undici = UNDICI_ERRORS[code];
  if (undici) {
    const [name, message, outer] = undici;
    const cause = Object.assign(new Error(message), { code });
    cause.name = name;
    return new TypeError(outer, { cause });
  }
  return Object.assign(new Error(`network error ${code}`), { code });
}

/**
 * Builds the error a {@link FakeErrorSpec} describes, as the real SDKs would throw it.
 *
 *   {status: 429, headers: {'retry-after': '2'}}   spec
 *   RateLimitError-shaped: status 429, headers.get('retry-after') === '2', error.code 'rate_limit_exceeded'
 *
 * Rules:
 * 1. `{status}` gives an openai `APIError` look-alike: an instance of a class named as the SDK's for the
 *    status (`constructor.name` is `RateLimitError`, `InternalServerError`, `BadRequestError`, ...) whose
 *    `name` is `'Error'`, as the real SDK's errors are (so test `status`, not `name`), `message` is `"<status> <message>"`,
 *    `headers` is a real `Headers`, `error` is the JSON body `{message, type, code, param}`, and
 *    `code`/`type` are copied from it. Status 529 defaults to Anthropic's `overloaded_error` type.
 * 2. `{network: code}` gives Node's shape: system codes (`ECONNRESET`, `ENOTFOUND`, ...) are an `Error`
 *    with `code`, `errno` and `syscall`; undici codes are the `TypeError` fetch throws (`terminated` /
 *    `fetch failed`) whose `cause` carries the `code` (`UND_ERR_SOCKET` -> `SocketError: other side closed`).
 * 3. `{inBand: {type}}` gives what the openai SDK throws for an `{error}` frame inside a 200 stream:
 *    an `APIError` with no `status` and `error.type` set.
 * 4. An `Error` instance is returned unchanged.
 * 5. A spec is of one kind only: `{status: 429, network: 'ECONNRESET'}` or `{network, headers}` throws
 *    a TypeError naming the conflicting keys, and so does a key of no kind next to a known one
 *    (`{status: 429, header: {...}}`: a typo that would otherwise be ignored), a key `inBand` has not,
 *    and a header name or value a real `Headers` refuses (`'retry after'`).
 *
 * @example
 * import { fakeError } from 'l0-rx/testing';
 * const e = fakeError({ status: 429, headers: { 'retry-after': '2' } });
 * e.headers.get('retry-after'); // '2'
 * @param spec What to build. @returns A fresh error (or `spec` itself when it is an `Error`).
 * @throws TypeError when `spec` is none of the accepted shapes or mixes keys of two of them.
 */
export function fakeError(spec: FakeHttpErrorSpec | { readonly inBand: { readonly type: string; readonly message?: string; readonly code?: string } }): FakeApiError;
export function fakeError(spec: FakeErrorSpec): Error;
export function fakeError(spec: FakeErrorSpec): Error {
  const problem = describeFakeErrorProblem(spec);
  if (problem) throw new TypeError(`fakeError: ${problem}`);
  if (spec instanceof Error) return spec;
  if ('network' in spec) return networkError(spec.network);
  if ('inBand' in spec) {
    const { type, message = 'The server had an error while processing your request.', code } = spec.inBand;
    return apiError('APIError', undefined, new Headers({ 'content-type': 'text/event-stream' }), {
      message, type, code: code ?? null, param: null,
    });
  }
  const d = statusDefaults(spec.status);
  return apiError(d.name, spec.status, new Headers(spec.headers ?? {}), {
    message: spec.message ?? d.message, type: spec.type ?? d.type, code: spec.code ?? d.code, param: null,
  });
}

/** The keys of each kind of {@link FakeErrorSpec} object, named by its leading key. */
const SPEC_KINDS: ReadonlyArray<readonly [kind: string, keys: readonly string[]]> = [
  ['status', ['status', 'headers', 'message', 'code', 'type']],
  ['network', ['network']],
  ['inBand', ['inBand']],
];
/** The kinds, for messages. */
const SHAPES = 'a spec is one of {status, headers?, message?, code?, type?}, {network} or {inBand}';

/** Names the keys of `o` that belong to different kinds of spec (`"status", "headers" ({status}) with "network" ({network})`). */
function mixedKinds(o: object): string | undefined {
  const keys = Object.keys(o);
  const groups = SPEC_KINDS.map(([kind, own]) => [kind, keys.filter((k) => own.includes(k))] as const).filter(([, found]) => found.length > 0);
  if (groups.length < 2) return undefined;
  const named = groups.map(([kind, found]) => `${found.map((k) => `"${k}"`).join(', ')} ({${kind}})`);
  return `conflicting keys ${named.join(' with ')}: ${SHAPES}`;
}

const IN_BAND_KEYS: readonly string[] = ['type', 'message', 'code'];

/** @internal Returns why `spec` is not a valid {@link FakeErrorSpec}, or `undefined` when it is. */
export function describeFakeErrorProblem(spec: unknown): string | undefined {
  if (spec instanceof Error) return undefined;
  if (typeof spec !== 'object' || spec === null) return `expected an error spec object or an Error, got ${typeof spec}`;
  const mixed = mixedKinds(spec);
  if (mixed) return mixed;
  const o = spec as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !SPEC_KINDS.some(([, own]) => own.includes(k)));
  if (unknown.length > 0 && unknown.length < Object.keys(o).length) {
    // a known kind with a stray key: most often a typo (`header` for `headers`), silently ignored before
    return `unknown key(s) ${unknown.map((k) => `"${k}"`).join(', ')} in an error spec (${SHAPES})`;
  }
  if ('status' in o) {
    const s = o.status;
    if (typeof s !== 'number' || !Number.isInteger(s) || s < 100 || s > 999) return `status must be an HTTP status (100-999), got ${String(s)}`;
    if (o.headers !== undefined && (typeof o.headers !== 'object' || o.headers === null)) return 'headers must be a record of strings';
    const badHeader = Object.entries((o.headers ?? {}) as object).find(([, v]) => typeof v !== 'string');
    if (badHeader) return `headers[${JSON.stringify(badHeader[0])}] must be a string, got ${JSON.stringify(badHeader[1])}`;
    // a name or value a real Headers refuses (`'retry after'`, a newline) would fail only when the error is built
    try {
      new Headers(o.headers as Record<string, string> | undefined);
    } catch (e) {
      return `headers: ${(e as Error).message}`;
    }
    return notStrings(o, ['message', 'code', 'type'], '');
  }
  if ('network' in o) return typeof o.network === 'string' && o.network !== '' ? undefined : 'network must be a non-empty error code string';
  if ('inBand' in o) {
    const ib = o.inBand as { type?: unknown } | null;
    if (!ib || typeof ib !== 'object' || typeof ib.type !== 'string') return 'inBand must be {type: string, message?, code?}';
    const stray = Object.keys(ib).find((k) => !IN_BAND_KEYS.includes(k));
    if (stray !== undefined) return `inBand has an unknown key "${stray}" (allowed: ${IN_BAND_KEYS.join(', ')})`;
    return notStrings(ib as Record<string, unknown>, ['message', 'code'], 'inBand.');
  }
  return `unknown error spec with keys {${Object.keys(o).join(', ')}} (use {status}, {network}, {inBand} or an Error)`;
}

/** Names the first of `keys` that is present in `o` but not a string (an SDK error body holds strings there). */
function notStrings(o: Record<string, unknown>, keys: readonly string[], prefix: string): string | undefined {
  const key = keys.find((k) => o[k] !== undefined && typeof o[k] !== 'string');
  return key === undefined ? undefined : `${prefix}${key} must be a string, got ${JSON.stringify(o[key])}`;
}
