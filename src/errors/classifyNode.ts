import {
  ABORT,
  CODE_TABLE,
  CONTEXT_LENGTH,
  CONTEXT_LENGTH_HINT,
  CONTEXT_LENGTH_MESSAGE,
  INCOMPLETE_STREAM,
  NAME_TABLE,
  NETWORK,
  OPENAI_DEFAULT_MESSAGES,
  PROVIDER_TYPE_TABLE,
  SERVER,
  classifyByNameAndMessage,
  classifyStatus,
  cls,
  type BaseClassification,
} from './classifyTables.js';
import { safeGet, safeHas, safeString } from './inspect.js';

/**
 * One level of an error's cause chain, classified without looking at `cause` or free message
 * text. Internal to classifyError.
 *
 * 1. HTTP `status` / `statusCode` / `response.status`, refined by a provider `type` / `code` of the
 *    same category, then by a context-length message when the result is a plain `bad_request`.
 *    The AI SDK's `isRetryable` is honoured, except over an explicitly non-retryable provider code
 *    (`insufficient_quota`, `context_length_exceeded`...).
 * 2. The Node / undici `code`, then the provider `type` / `code` alone.
 * 3. The `name` or class name; then, for SDK classes that set no `name` (openai's, whose class
 *    names a minifier mangles), their shape plus their exact default message.
 * 4. fetch's `TypeError`s, the SDK's malformed-SSE `SyntaxError`, AI SDK stream errors, in-band frames.
 */
export function classifyNode(node: unknown): BaseClassification | undefined {
  if (typeof node !== 'object' || node === null) return undefined;
  const o = node as Record<string, unknown>;
  const retryableField = safeGet(o, 'isRetryable');
  const isRetryable = typeof retryableField === 'boolean' ? retryableField : undefined;
  const name = safeString(o, 'name') ?? '';
  if (name === 'AI_RetryError' && safeGet(o, 'reason') === 'abort') return ABORT;

  const status = statusOf(node);
  const providerType = classifyProviderType(o);
  if (status !== undefined) {
    const byStatus = classifyStatus(status);
    if (byStatus) {
      // a more specific reason (context length, quota...) from the body
      const refined = withContextLength(providerType?.category === byStatus.category ? providerType : byStatus, o, status === 400 || status === 413);
      return explicitlyFinal(refined, providerType) ? refined : honourRetryable(refined, isRetryable, true);
    }
    if (isRetryable === true) return status >= 200 && status < 300 ? INCOMPLETE_STREAM : NETWORK;
  } else if (isRetryable === true && providerType === undefined && name === 'AI_APICallError') return NETWORK;

  const code = safeGet(o, 'code');
  if (typeof code === 'string') {
    const byCode = CODE_TABLE.get(code.toUpperCase());
    if (byCode) return byCode;
  }
  if (providerType) {
    const refined = withContextLength(providerType, o, false);
    return explicitlyFinal(refined, providerType) ? refined : honourRetryable(refined, isRetryable, false);
  }

  const ctor = safeGet(safeGet(node, 'constructor'), 'name');
  const byName = NAME_TABLE.get(name) ?? (typeof ctor === 'string' ? NAME_TABLE.get(ctor) : undefined);
  if (byName) return byName;
  const byShape = classifyOpenAIShape(o, name);
  if (byShape) return byShape;
  const byMessage = classifyByNameAndMessage(name, messageOf(node) ?? '');
  if (byMessage) return byMessage;

  if (name === 'AI_StreamProviderError') return cls('server', 'server_error', isRetryable ?? true);
  // An OpenAI APIError without a status but with a body: an in-band error frame in a 200 stream.
  if (safeHas(o, 'requestID') && safeHas(o, 'param') && asRecord(safeGet(o, 'error'))) return SERVER;
  return undefined;
}

/** The HTTP status of one error object, if it carries one. */
export function statusOf(node: object): number | undefined {
  return asStatus(safeGet(node, 'status')) ?? asStatus(safeGet(node, 'statusCode')) ?? asStatus(safeGet(safeGet(node, 'response'), 'status'));
}

function asStatus(v: unknown): number | undefined {
  const n = typeof v === 'string' && /^\d{3}$/.test(v) ? Number(v) : v;
  return typeof n === 'number' && Number.isInteger(n) && n >= 100 && n <= 599 ? n : undefined;
}

/** A thrown string, or an object's string `message`. */
export function messageOf(node: unknown): string | undefined {
  if (typeof node === 'string') return node;
  return safeString(node, 'message');
}

/** Provider `type` / `code` strings on the error or its nested bodies (numeric nested codes read as statuses). */
function classifyProviderType(o: Record<string, unknown>): BaseClassification | undefined {
  for (const body of bodiesOf(o)) {
    if (!body) continue;
    for (const key of ['code', 'type'] as const) {
      const v = safeGet(body, key);
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

/** The error, the OpenAI APIError body / Anthropic frame `error`, the AI SDK `data` and `data.error`, a Responses API `response.error`. */
function bodiesOf(o: Record<string, unknown>): (Record<string, unknown> | undefined)[] {
  const data = asRecord(safeGet(o, 'data'));
  return [o, asRecord(safeGet(o, 'error')), asRecord(safeGet(data, 'error')), data, asRecord(safeGet(safeGet(o, 'response'), 'error'))];
}

/**
 * A plain `bad_request` whose message says the prompt is too long becomes `context_length_exceeded`
 * (Anthropic sends a generic `invalid_request_error` type). The message is looked for on the error,
 * its nested bodies and the AI SDK's raw `responseBody`; `loose` (an HTTP 400 / 413) also accepts
 * the looser context-length phrases.
 */
function withContextLength(base: BaseClassification, o: Record<string, unknown>, loose: boolean): BaseClassification {
  if (base.category !== 'bad-request' || base.reason !== 'bad_request') return base;
  const texts = [...bodiesOf(o).map((body) => safeGet(body, 'message')), safeGet(o, 'responseBody')];
  for (const text of texts) {
    if (typeof text !== 'string') continue;
    if (CONTEXT_LENGTH_MESSAGE.test(text) || (loose && CONTEXT_LENGTH_HINT.test(text))) return CONTEXT_LENGTH;
  }
  return base;
}

/** The provider named a non-retryable condition (`insufficient_quota`, ...): `isRetryable: true` cannot override it. */
function explicitlyFinal(refined: BaseClassification, providerType: BaseClassification | undefined): boolean {
  return providerType !== undefined && !refined.retryable && refined.category === providerType.category;
}

/**
 * openai's `APIUserAbortError`, `APIConnectionError` and `APIConnectionTimeoutError` set no `name`, so
 * after minification only their shape is left: an `APIError` (own `requestID`, `param`, `headers`)
 * with no status, headers or body, and the SDK's exact default message.
 */
function classifyOpenAIShape(o: Record<string, unknown>, name: string): BaseClassification | undefined {
  if (name !== 'Error' || !(safeHas(o, 'requestID') && safeHas(o, 'param') && safeHas(o, 'headers'))) return undefined;
  if (safeGet(o, 'status') !== undefined || safeGet(o, 'headers') !== undefined || safeGet(o, 'error') !== undefined) return undefined;
  const message = safeString(o, 'message');
  return message === undefined ? undefined : OPENAI_DEFAULT_MESSAGES.get(message);
}

function asRecord(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : undefined;
}

/**
 * The AI SDK's `isRetryable` (or OpenAI's `x-should-retry`): `true` upgrades (a 200 cut mid-stream,
 * a provider saying so); `false` downgrades only when a status backs it (without a status it is
 * just the SDK's default).
 */
export function honourRetryable(
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
