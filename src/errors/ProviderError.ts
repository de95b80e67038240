import { toErrorReason, type ErrorReason } from './errorReason.js';
import { isL0Error, L0Error, type ErrorCategory } from './L0Error.js';

export type ProviderErrorCode =
  | 'NETWORK_ERROR'
  | 'RATE_LIMITED'
  | 'SERVER_ERROR'
  | 'AUTH_ERROR'
  | 'BAD_REQUEST'
  | 'CONTEXT_LENGTH_EXCEEDED'
  | 'CONTENT_FILTERED'
  | 'INCOMPLETE_STREAM'
  | 'MALFORMED_CHUNK';

export interface ProviderErrorOptions {
  readonly code: ProviderErrorCode;
  readonly category: ErrorCategory;
  readonly retryable: boolean;
  /** @default the code's reason: `NETWORK_ERROR` -> `network_error`, `RATE_LIMITED` -> `rate_limit`... */
  readonly reason?: ErrorReason;
  readonly status?: number;
  readonly retryAfterMs?: number;
  readonly cause?: unknown;
}

/** The default reason of a code: the code in lower case (`NETWORK_ERROR` -> `network_error`), but for these two. */
const REASON_OF: Readonly<Partial<Record<ProviderErrorCode, ErrorReason>>> = { RATE_LIMITED: 'rate_limit', AUTH_ERROR: 'auth' };

/**
 * The model provider or the network failed: HTTP status errors, resets, in-band error frames,
 * cut or malformed streams. The original SDK error is the `cause`.
 *
 * @example
 * import { isProviderError } from 'l0-rx';
 * if (isProviderError(e) && e.code === 'RATE_LIMITED') console.log(e.retryAfterMs);
 * @see {@link fromStream} {@link classifyError}
 */
export class ProviderError extends L0Error {
  override readonly name = 'ProviderError';
  declare readonly code: ProviderErrorCode;

  constructor(message: string, options: ProviderErrorOptions) {
    super(message, { ...options, reason: options.reason ?? REASON_OF[options.code] ?? toErrorReason(`${options.code}`.toLowerCase()) });
  }
}

/**
 * True for a {@link ProviderError} from any copy of the package.
 * @example import { isProviderError } from 'l0-rx'; if (isProviderError(e)) console.log(e.status);
 */
export const isProviderError = (e: unknown): e is ProviderError => isL0Error(e) && e.name === 'ProviderError';
