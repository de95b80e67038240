import { isL0Error, L0Error } from './L0Error.js';

export interface ZeroOutputInfo {
  /** The text the run produced (empty, whitespace, punctuation or one repeated character). */
  readonly content: string;
}

/**
 * A run completed with no meaningful output. Retryable; counts against `attempts`.
 *
 * @example
 * import { isZeroOutputError } from 'l0-rx';
 * if (isZeroOutputError(e)) console.log(JSON.stringify(e.info.content));
 * @see {@link detectZeroOutput}
 */
export class ZeroOutputError extends L0Error {
  override readonly name = 'ZeroOutputError';
  declare readonly code: 'ZERO_OUTPUT';
  readonly info: ZeroOutputInfo;

  constructor(info: ZeroOutputInfo) {
    super(`The model produced no meaningful output (${JSON.stringify(info.content.slice(0, 40))})`, {
      code: 'ZERO_OUTPUT',
      category: 'content',
      retryable: true,
      reason: 'zero_output',
    });
    this.info = Object.freeze({ ...info });
  }
}

/**
 * True for a {@link ZeroOutputError} from any copy of the package.
 * @example import { isZeroOutputError } from 'l0-rx'; if (isZeroOutputError(e)) console.log(e.info.content);
 */
export const isZeroOutputError = (e: unknown): e is ZeroOutputError => isL0Error(e) && e.name === 'ZeroOutputError';
