import { describeAny, isErrorObject, MAX_DESCRIPTION, safeGet, safeString } from './inspect.js';
import { isL0Error, type ErrorCategory } from './L0Error.js';

/**
 * The plain form of an error inside an event or a log: `{name, code, message, ...}`.
 * `live` (not enumerable, so never serialised) holds the original error object where one exists.
 */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly category?: ErrorCategory;
  readonly retryable?: boolean;
  readonly reason?: string;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly attempt?: number;
  readonly fallbackIndex?: number;
  readonly checkpoint?: string;
  readonly cause?: SerializedError | string;
  readonly live?: unknown;
}

/**
 * Turns any thrown value into a {@link SerializedError}; the original is kept as the non-enumerable `live`.
 * Never throws, whatever the value (throwing getters, a revoked Proxy, a cyclic `cause` chain, a symbol).
 *
 *   #                      an error notification carrying `e`
 *   {name, message, ...}   serializeError(e): plain data, safe to JSON.stringify and log
 *
 * @example
 * import { serializeError } from 'l0-rx';
 * JSON.stringify(serializeError(new Error('boom'))); // {"name":"Error","message":"boom"}
 */
export function serializeError(e: unknown): SerializedError {
  let plain: SerializedError;
  try {
    plain = toPlain(e);
    if (typeof e === 'object' && e !== null) Object.defineProperty(plain, 'live', { value: e, enumerable: false });
  } catch {
    // only a forged L0Error brand with a hostile toJSON result gets here
    plain = { name: 'Error', message: describeAny(e, MAX_DESCRIPTION) };
  }
  return plain;
}

function toPlain(e: unknown): SerializedError {
  if (isL0Error(e)) {
    try {
      const json: unknown = e.toJSON();
      if (safeString(json, 'name') !== undefined && safeString(json, 'message') !== undefined) return json as SerializedError;
    } catch {
      // a foreign object carrying the brand, with a broken toJSON: read it as any error below
    }
  }
  const message = safeString(e, 'message');
  if (message !== undefined || isErrorObject(e)) {
    const code = safeGet(e, 'code');
    return { name: safeString(e, 'name') ?? 'Error', message: message ?? '', ...(typeof code === 'string' ? { code } : {}) };
  }
  if (typeof e === 'string') return { name: 'Error', message: e };
  return { name: 'Error', message: (typeof e === 'object' && e !== null) || typeof e === 'function' ? describeAny(e, MAX_DESCRIPTION) : String(e) };
}
