import { describeThrown } from './inspect.js';
import { isL0Error, L0Error } from './L0Error.js';

/**
 * A failure l0-rx could not classify: a factory, SDK or source threw or rejected with something that is
 * neither a known provider / network failure nor an abort (a user `TypeError`, a string, `undefined`, a
 * plain object, an odd proxy...). The original value is the `cause`; the message names it, shortened.
 * Category `unknown`: retryable, and a retry counts against `attempts` (see {@link retryWithBackoff}).
 *
 *   --a--#                 a factory's stream errors with `'boom'`
 *   s-a--#                 fromStream(factory): errors with UnknownError('Unclassified failure: a string "boom"')
 *
 * @example
 * import { isUnknownError } from 'l0-rx';
 * if (isUnknownError(e)) console.error('unexpected failure', e.cause);
 * @see {@link fromStream} {@link classifyError}
 */
export class UnknownError extends L0Error {
  override readonly name = 'UnknownError';
  declare readonly code: 'UNKNOWN_ERROR';

  /**
   * @param cause The value that was thrown, rejected with or emitted as an error (any value, `undefined` included).
   * @param message Defaults to `Unclassified failure: <the value, described and shortened>`.
   */
  constructor(cause: unknown, message = `Unclassified failure: ${describeThrown(cause)}`) {
    super(message, { code: 'UNKNOWN_ERROR', category: 'unknown', retryable: true, reason: 'unknown', cause });
  }
}

/**
 * True for an {@link UnknownError} from any copy of the package.
 * @example import { isUnknownError } from 'l0-rx'; if (isUnknownError(e)) console.error(e.cause);
 */
export const isUnknownError = (e: unknown): e is UnknownError => isL0Error(e) && e.name === 'UnknownError';
