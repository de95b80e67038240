import type { ErrorReason } from './errorReason.js';
import { isL0Error, type ErrorCategory } from './L0Error.js';

/**
 * The plain form of an error inside an event or a log: `{name, code, message, ...}`. It holds
 * everything the operators and callbacks need (a timeout's `info.kind`, the `reason`), so a run
 * replayed from its recorded events behaves exactly like the live run.
 */
export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly category?: ErrorCategory;
  readonly retryable?: boolean;
  readonly reason?: ErrorReason;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly attempt?: number;
  readonly fallbackIndex?: number;
  readonly checkpoint?: string;
  /** The error class's `info` (a {@link TokenTimeoutError}'s `kind` and `elapsedMs`...), plain data. */
  readonly info?: Readonly<Record<string, unknown>>;
  readonly cause?: SerializedError | string;
  /** An {@link AllStreamsExhaustedError}'s `errors`: every attempt's error, oldest first. */
  readonly errors?: readonly SerializedError[];
}

/**
 * Turns any thrown value into a {@link SerializedError}: plain data, nothing hidden.
 *
 * @example
 * import { serializeError } from 'l0-rx';
 * JSON.stringify(serializeError(new Error('boom'))); // {"name":"Error","message":"boom"}
 */
export function serializeError(e: unknown): SerializedError {
  if (isL0Error(e)) return e.toJSON();
  if (e instanceof Error) {
    const code = (e as { code?: unknown }).code;
    return { name: e.name, message: e.message, ...(typeof code === 'string' ? { code } : {}) };
  }
  if (typeof e === 'object' && e !== null && typeof (e as { message?: unknown }).message === 'string') {
    const o = e as { name?: unknown; message: string; code?: unknown };
    return {
      name: typeof o.name === 'string' ? o.name : 'Error',
      message: o.message,
      ...(typeof o.code === 'string' ? { code: o.code } : {}),
    };
  }
  return { name: 'Error', message: String(e) };
}
