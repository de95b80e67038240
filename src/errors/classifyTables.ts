import type { ErrorCategory } from './L0Error.js';
import type { ErrorReason } from './errorReason.js';

/** A classification before retry-after and status are attached. Internal to classifyError. */
export interface BaseClassification {
  readonly category: ErrorCategory;
  readonly reason: ErrorReason;
  readonly retryable: boolean;
}

const DEFAULT_REASON: Readonly<Record<ErrorCategory, ErrorReason>> = {
  network: 'network_error',
  'rate-limit': 'rate_limit',
  server: 'server_error',
  timeout: 'timeout',
  content: 'unknown',
  auth: 'auth',
  'bad-request': 'bad_request',
  abort: 'abort',
  unknown: 'unknown',
};

const RETRYABLE: Readonly<Record<ErrorCategory, boolean>> = {
  network: true,
  'rate-limit': true,
  server: true,
  timeout: true,
  content: true,
  auth: false,
  'bad-request': false,
  abort: false,
  unknown: true,
};

/** Builds a frozen classification with the category's default reason and retryability. */
export function cls(category: ErrorCategory, reason?: ErrorReason, retryable?: boolean): BaseClassification {
  return Object.freeze({
    category,
    reason: reason ?? DEFAULT_REASON[category],
    retryable: retryable ?? RETRYABLE[category],
  });
}

export const NETWORK = /*#__PURE__*/ cls('network');
export const INCOMPLETE_STREAM = /*#__PURE__*/ cls('network', 'incomplete_stream');
export const MALFORMED_CHUNK = /*#__PURE__*/ cls('server', 'malformed_chunk');
export const SERVER = /*#__PURE__*/ cls('server');
export const RATE_LIMIT = /*#__PURE__*/ cls('rate-limit');
export const TIMEOUT = /*#__PURE__*/ cls('timeout');
export const AUTH = /*#__PURE__*/ cls('auth');
export const BAD_REQUEST = /*#__PURE__*/ cls('bad-request');
export const CONTEXT_LENGTH = /*#__PURE__*/ cls('bad-request', 'context_length_exceeded');
export const CONTENT_FILTERED = /*#__PURE__*/ cls('bad-request', 'content_filtered');
export const ABORT = /*#__PURE__*/ cls('abort');
/** A spent quota (billing): a 429 that waiting does not fix, whatever `x-should-retry` or `isRetryable` say. */
export const QUOTA_EXHAUSTED = /*#__PURE__*/ cls('rate-limit', 'rate_limit', false);
/** TLS / certificate failures: a network failure that a retry cannot fix. */
export const TLS = /*#__PURE__*/ cls('network', 'network_error', false);

/** HTTP status -> classification, for the statuses that are not simple ranges. */
export const STATUS_TABLE: ReadonlyMap<number, BaseClassification> = /*#__PURE__*/ new Map([
  [400, BAD_REQUEST],
  [401, AUTH],
  [402, AUTH], // payment required: credentials/billing, a retry cannot fix it
  [403, AUTH],
  [404, BAD_REQUEST],
  [405, BAD_REQUEST],
  [407, AUTH],
  [408, TIMEOUT],
  [409, SERVER], // conflict: the OpenAI SDK and the AI SDK both retry it
  [413, BAD_REQUEST],
  [422, BAD_REQUEST],
  [425, SERVER], // too early
  [429, RATE_LIMIT],
  [529, SERVER], // Anthropic overloaded
]);

/** Classifies an HTTP status: the table first, then 4xx -> bad-request, 5xx -> server. */
export function classifyStatus(status: number): BaseClassification | undefined {
  const hit = STATUS_TABLE.get(status);
  if (hit) return hit;
  if (status >= 500 && status <= 599) return SERVER;
  if (status >= 400 && status <= 499) return BAD_REQUEST;
  return undefined;
}

/** Node / undici error `code` -> classification. */
export const CODE_TABLE: ReadonlyMap<string, BaseClassification> = /*#__PURE__*/ new Map([
  ['ECONNRESET', NETWORK],
  ['ECONNREFUSED', NETWORK],
  ['ECONNABORTED', NETWORK],
  ['ENOTFOUND', NETWORK],
  ['EAI_AGAIN', NETWORK],
  ['ETIMEDOUT', NETWORK],
  ['ESOCKETTIMEDOUT', NETWORK],
  ['EPIPE', NETWORK],
  ['EHOSTUNREACH', NETWORK],
  ['EHOSTDOWN', NETWORK],
  ['ENETUNREACH', NETWORK],
  ['ENETDOWN', NETWORK],
  ['ENETRESET', NETWORK],
  ['ERR_STREAM_PREMATURE_CLOSE', INCOMPLETE_STREAM],
  ['UND_ERR_SOCKET', NETWORK],
  ['UND_ERR_CLOSED', NETWORK],
  ['UND_ERR_CONNECT_TIMEOUT', NETWORK],
  ['UND_ERR_HEADERS_TIMEOUT', TIMEOUT],
  ['UND_ERR_BODY_TIMEOUT', TIMEOUT],
  ['UND_ERR_RES_CONTENT_LENGTH_MISMATCH', INCOMPLETE_STREAM],
  ['UND_ERR_ABORTED', ABORT],
  ['ABORT_ERR', ABORT],
  ['CERT_HAS_EXPIRED', TLS],
  ['DEPTH_ZERO_SELF_SIGNED_CERT', TLS],
  ['SELF_SIGNED_CERT_IN_CHAIN', TLS],
  ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', TLS],
  ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', TLS],
  ['ERR_TLS_CERT_ALTNAME_INVALID', TLS],
  ['CERT_NOT_YET_VALID', TLS],
  ['CERT_REVOKED', TLS],
  ['CERT_UNTRUSTED', TLS],
  ['CERT_REJECTED', TLS],
  ['CERT_SIGNATURE_FAILURE', TLS],
  ['UNABLE_TO_GET_ISSUER_CERT', TLS],
  ['HOSTNAME_MISMATCH', TLS],
]);

/**
 * Provider error `type` / `code` strings (OpenAI, Anthropic, AI SDK StreamProviderError, OpenAI-compatible
 * servers) -> classification. Keys are lower case.
 */
export const PROVIDER_TYPE_TABLE: ReadonlyMap<string, BaseClassification> = /*#__PURE__*/ new Map([
  ['context_length_exceeded', CONTEXT_LENGTH],
  ['string_above_max_length', CONTEXT_LENGTH],
  ['content_filter', CONTENT_FILTERED],
  ['content_policy_violation', CONTENT_FILTERED],
  ['content_filtered', CONTENT_FILTERED],
  ['server_error', SERVER],
  ['api_error', SERVER],
  ['internal_error', SERVER],
  ['internal_server_error', SERVER],
  ['overloaded_error', SERVER],
  ['overloaded', SERVER],
  ['service_unavailable', SERVER],
  ['rate_limit_error', RATE_LIMIT],
  ['rate_limit_exceeded', RATE_LIMIT],
  ['rate_limited', RATE_LIMIT],
  ['too_many_requests', RATE_LIMIT],
  ['insufficient_quota', QUOTA_EXHAUSTED],
  ['authentication_error', AUTH],
  ['permission_error', AUTH],
  ['invalid_api_key', AUTH],
  ['permission_denied', AUTH],
  ['unauthorized', AUTH],
  ['invalid_request_error', BAD_REQUEST],
  ['not_found_error', BAD_REQUEST],
  ['request_too_large', BAD_REQUEST],
  ['model_not_found', BAD_REQUEST],
  ['invalid_prompt', BAD_REQUEST],
  ['timeout_error', TIMEOUT],
]);

/**
 * Error `name` (or constructor name, for SDK classes that do not set `name`) -> classification.
 * `TypeError` and `SyntaxError` are not here: they need their message (see {@link classifyByNameAndMessage}).
 */
export const NAME_TABLE: ReadonlyMap<string, BaseClassification> = /*#__PURE__*/ new Map([
  ['AbortError', ABORT],
  ['APIUserAbortError', ABORT],
  ['TimeoutError', TIMEOUT],
  ['APIConnectionTimeoutError', TIMEOUT],
  ['APIConnectionError', NETWORK],
  ['ConnectTimeoutError', NETWORK],
  ['SocketError', NETWORK],
  ['HeadersTimeoutError', TIMEOUT],
  ['BodyTimeoutError', TIMEOUT],
  ['AI_JSONParseError', MALFORMED_CHUNK],
  ['AI_EmptyResponseBodyError', INCOMPLETE_STREAM],
  ['AI_LoadAPIKeyError', AUTH], // no API key given or in the environment
]);

/**
 * The AI SDK's checks of the call itself (its prompt, messages, arguments, model), made before or
 * without a request: the same call fails the same way again.
 */
const AI_CALL_ERROR = /^AI_(?:Invalid(?:Argument|Prompt|MessageRole|DataContent)|MessageConversion|UnsupportedFunctionality|NoSuch(?:Model|Provider)|LoadSetting)Error$/;

/**
 * The exact default messages of openai's `APIUserAbortError`, `APIConnectionError` and
 * `APIConnectionTimeoutError` (openai/core/error.js), which set no `name`: with their shape, all a
 * minified bundle leaves to recognise them by.
 */
export const OPENAI_DEFAULT_MESSAGES: ReadonlyMap<string, BaseClassification> = /*#__PURE__*/ new Map([
  ['Request was aborted.', ABORT],
  ['Connection error.', NETWORK],
  ['Request timed out.', TIMEOUT],
]);

/** fetch implementations' network failures (undici, browsers, Safari, Firefox, Deno). */
const FETCH_TYPE_ERROR = /^(?:fetch failed|failed to fetch|load failed|networkerror when attempting to fetch resource\.?|network request failed|network connection was lost\.?)$/i;

/**
 * openai's stream helpers (`chat.completions.stream()`, `responses.stream()`) end a body cut before its
 * finish reason, or empty, with a plain `OpenAIError` saying so.
 */
const OPENAI_HELPER_CUT = /^(?:missing finish_reason for choice \d+|request ended without sending any (?:chunks|events))$/;

/** `TypeError` / `SyntaxError` with a known message, thrown by fetch or an SDK's SSE reader; the AI SDK's checks of a call. */
export function classifyByNameAndMessage(name: string, message: string): BaseClassification | undefined {
  if (name === 'TypeError') {
    if (message === 'terminated') return INCOMPLETE_STREAM; // undici: body cut after the headers
    if (FETCH_TYPE_ERROR.test(message)) return NETWORK;
  }
  if (name === 'SyntaxError' && /\bmalformed server-sent event\b/i.test(message)) return MALFORMED_CHUNK;
  if (name === 'Error' && OPENAI_HELPER_CUT.test(message)) return INCOMPLETE_STREAM;
  if (AI_CALL_ERROR.test(name)) return BAD_REQUEST;
  // @ai-sdk/openai-compatible: a body that ended with no finish_reason is a cut stream, not bad data
  if (name === 'AI_InvalidResponseDataError') return /\bwithout a finish reason\b/i.test(message) ? INCOMPLETE_STREAM : MALFORMED_CHUNK;
  return undefined;
}

/** Context-window overflow phrases (OpenAI, Anthropic, OpenAI-compatible servers). */
export const CONTEXT_LENGTH_MESSAGE =
  /\bcontext[_ ]length[_ ]exceeded\b|\bmaximum context length\b|\bprompt is too long\b|\bexceeds? the context window\b/i;

/** Looser phrases, trusted only on an HTTP 400 / 413 body. */
export const CONTEXT_LENGTH_HINT = /\bcontext (?:length|window)\b|\btoo many (?:input )?tokens\b/i;

/**
 * The last resort: message text, matched with word boundaries, in order. Only phrases that cannot
 * appear in ordinary prose ("processed", "session", "reset password" never match).
 */
export const MESSAGE_RULES: readonly (readonly [RegExp, BaseClassification])[] = [
  [/\b(?:SSL certificate problem|self[- ]signed certificate|certificate has expired|unable to verify the first certificate)\b/i, TLS],
  [CONTEXT_LENGTH_MESSAGE, CONTEXT_LENGTH],
  [/\brate[- ]?limit(?:s|ed|ing)?\b|\b(?:status(?: code)?:?|HTTP) 429\b|\btoo many requests\b/i, RATE_LIMIT],
  [/\b(?:connection reset(?: by peer)?|socket hang up|other side closed|premature close)\b/i, NETWORK],
  [/\b(?:ECONNRESET|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENETUNREACH)\b/, NETWORK],
  [/\b(?:failed to fetch|fetch failed|network error|connection refused|request timed out)\b/i, NETWORK],
  [/\bstatus(?: code)?:? 5\d\d\b|\b(?:internal server error|service unavailable|bad gateway|gateway timeout)\b/i, SERVER],
  [/\boverloaded_error\b/i, SERVER],
];
