import { isL0Error, L0Error } from './L0Error.js';

/**
 * The user aborted the run (an `AbortSignal` fired). Never retried, never falls back. The web
 * stream of {@link toServerSentEvents} errors with one when its reader falls more than `maxQueuedBytes` behind.
 *
 * @example
 * import { isStreamAbortedError } from 'l0-rx';
 * if (isStreamAbortedError(e)) console.log('cancelled');
 * @see {@link l0} {@link toServerSentEvents}
 */
export class StreamAbortedError extends L0Error {
  override readonly name = 'StreamAbortedError';
  declare readonly code: 'STREAM_ABORTED';

  constructor(message = 'The stream was aborted', cause?: unknown) {
    super(message, { code: 'STREAM_ABORTED', category: 'abort', retryable: false, reason: 'abort', cause });
  }
}

/**
 * True for a {@link StreamAbortedError} from any copy of the package.
 * @example
 * import { isStreamAbortedError } from 'l0-rx';
 * events$.subscribe({ error: (e) => { if (!isStreamAbortedError(e)) console.error(e); } }); // a cancel is no failure
 */
export const isStreamAbortedError = (e: unknown): e is StreamAbortedError =>
  isL0Error(e) && e.name === 'StreamAbortedError';
