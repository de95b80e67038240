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
 *
 * @example
 * import { serializeError } from 'l0-rx';
 * JSON.stringify(serializeError(new Error('boom'))); // {"name":"Error","message":"boom"}
 */
export function serializeError(e: unknown): SerializedError {
  let plain: SerializedError;
  if (isL0Error(e)) plain = e.toJSON();
  else if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    plain = { name: e.name, message: e.message, ...(typeof code === 'string' ? { code } : {}) };
  } else if (typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string') {
    const o = e as { name?: unknown; message: string; code?: unknown };
    plain = {
      name: typeof o.name === 'string' ? o.name : 'Error',
      message: o.message,
      ...(typeof o.code === 'string' ? { code: o.code } : {}),
    };
  } else plain = { name: 'Error', message: String(e) };
  if (typeof e === 'object' && e !== null) Object.defineProperty(plain, 'live', { value: e, enumerable: false });
  return plain;
}
