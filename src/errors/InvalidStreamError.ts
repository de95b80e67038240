import { describeAny } from './inspect.js';
import { isL0Error, L0Error } from './L0Error.js';

/**
 * A factory returned something that is not a stream l0-rx knows, or a stream item is not a valid
 * event. The message names what was received. Never retried.
 *
 * @example
 * import { isInvalidStreamError } from 'l0-rx';
 * if (isInvalidStreamError(e)) console.error(e.message);
 * @see {@link fromStream}
 */
export class InvalidStreamError extends L0Error {
  override readonly name = 'InvalidStreamError';
  declare readonly code: 'INVALID_STREAM';

  constructor(message: string, cause?: unknown) {
    super(message, { code: 'INVALID_STREAM', category: 'bad-request', retryable: false, reason: 'invalid_stream', cause });
  }
}

/**
 * True for an {@link InvalidStreamError} from any copy of the package.
 * @example import { isInvalidStreamError } from 'l0-rx'; if (isInvalidStreamError(e)) console.error(e.message);
 */
export const isInvalidStreamError = (e: unknown): e is InvalidStreamError =>
  isL0Error(e) && e.name === 'InvalidStreamError';

/**
 * Names a value for an error message: its type, constructor and a few keys, strings and function
 * sources shortened to `max` characters. Never throws (a revoked Proxy, throwing getters, a symbol).
 */
export function describeValue(value: unknown, max = 40): string {
  return describeAny(value, max);
}
