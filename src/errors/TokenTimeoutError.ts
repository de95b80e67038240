import { isL0Error, L0Error } from './L0Error.js';

/** Which budget ran out: before the first token, between tokens, or for the whole attempt. */
export type TimeoutKind = 'initial' | 'inter' | 'total';

export interface TokenTimeoutInfo {
  readonly kind: TimeoutKind;
  /** The configured budget that ran out, in ms. */
  readonly timeoutMs: number;
  /**
   * The wait that ran out, in ms, time spent downstream left out: for `total`, since the attempt
   * started; for `initial` and `inter`, since the source last showed life (the attempt's start or its
   * last content event, or a chunk it held back, see {@link withTimeouts}).
   */
  readonly elapsedMs: number;
  /** Content events seen before the timeout. */
  readonly tokenCount: number;
}

const CODES = { initial: 'INITIAL_TOKEN_TIMEOUT', inter: 'INTER_TOKEN_TIMEOUT', total: 'TOTAL_TIMEOUT' } as const;

/**
 * The source was silent for too long. Retryable; counts only against `maxRetries`.
 *
 * @example
 * import { isTokenTimeoutError } from 'l0-rx';
 * if (isTokenTimeoutError(e)) console.log(e.info.kind, e.info.elapsedMs);
 * @see {@link withTimeouts}
 */
export class TokenTimeoutError extends L0Error {
  override readonly name = 'TokenTimeoutError';
  declare readonly code: (typeof CODES)[TimeoutKind];
  readonly info: TokenTimeoutInfo;

  constructor(info: TokenTimeoutInfo) {
    const what = info.kind === 'initial' ? 'No first token' : info.kind === 'inter' ? 'No token' : 'Attempt not finished';
    super(`${what} within ${info.timeoutMs} ms (${info.kind} timeout after ${info.elapsedMs} ms)`, {
      code: CODES[info.kind],
      category: 'timeout',
      retryable: true,
      reason: 'timeout',
    });
    this.info = Object.freeze({ ...info });
  }
}

/**
 * True for a {@link TokenTimeoutError} from any copy of the package.
 * @example import { isTokenTimeoutError } from 'l0-rx'; if (isTokenTimeoutError(e)) console.warn('The model is slow; try a faster one');
 */
export const isTokenTimeoutError = (e: unknown): e is TokenTimeoutError =>
  isL0Error(e) && e.name === 'TokenTimeoutError';
