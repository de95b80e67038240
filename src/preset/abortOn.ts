import { identity, Observable, type MonoTypeOperatorFunction } from 'rxjs';
import { StreamAbortedError } from '../errors/StreamAbortedError.js';

/**
 * Errors with {@link StreamAbortedError} the moment `signal` aborts (and at once if it already
 * has), unsubscribing the source so its request is cancelled. Nothing upstream sees the abort as
 * a failure, so it is never retried and never falls back.
 *
 *   --a--b--c--|     source
 *   --a--#           abortOn(signal)   (signal aborts at frame 5)
 *
 * @internal Used by the l0() preset.
 */
export function abortOn<T>(signal: AbortSignal | undefined): MonoTypeOperatorFunction<T> {
  if (!signal) return identity;
  return (source) =>
    new Observable<T>((subscriber) => {
      const abort = () => subscriber.error(new StreamAbortedError(abortMessage(signal.reason), signal.reason));
      if (signal.aborted) {
        abort();
        return;
      }
      signal.addEventListener('abort', abort, { once: true });
      const subscription = source.subscribe(subscriber);
      return () => {
        signal.removeEventListener('abort', abort);
        subscription.unsubscribe();
      };
    });
}

function abortMessage(reason: unknown): string {
  if (reason instanceof Error && reason.name !== 'AbortError') return `The stream was aborted: ${reason.message}`;
  if (typeof reason === 'string' && reason) return `The stream was aborted: ${reason}`;
  return 'The stream was aborted';
}
