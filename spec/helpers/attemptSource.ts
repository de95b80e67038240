import { defer, type Observable } from 'rxjs';
import { fromAttempt, type AttemptContext, type L0Event } from 'l0-rx';

/**
 * A stand-in for `fromStream` in specs of the operators that hand an attempt context down
 * (fallbackTo, retryWithBackoff), built on the public `fromAttempt`: records the context each
 * subscription took in `calls`, emits `start` (and `resume` with a checkpoint), then `body(ctx)`.
 */
export function attemptSource(
  body: (ctx: AttemptContext) => Observable<L0Event>,
  calls: AttemptContext[] = [],
): Observable<L0Event> {
  return fromAttempt((ctx) => {
    calls.push(ctx);
    return defer(() => body(ctx));
  });
}

/** Event constructors for specs. */
export const ev = {
  start: (attempt = 1, fallbackIndex = 0): L0Event => ({
    type: 'start', attempt, fallbackIndex, isRetry: attempt > 1, isFallback: fallbackIndex > 0,
  }),
  tok: (value: string): L0Event => ({ type: 'token', value }),
  resume: (checkpoint: string): L0Event => ({ type: 'resume', checkpoint }),
  checkpoint: (content: string, tokenCount: number): L0Event => ({ type: 'checkpoint', content, tokenCount }),
  complete: (): L0Event => ({ type: 'complete', finishReason: 'stop' }),
};
