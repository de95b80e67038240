import { Observable } from 'rxjs';
import type { L0Event } from 'l0-rx';
import { takeAttemptContext, type AttemptContext } from '../../src/attempt/attemptContext.js';

/**
 * A stand-in for `fromStream` in specs of the operators that hand an attempt context down
 * (fallbackTo, retryWithBackoff): takes the context at subscribe time, records it in `calls`,
 * emits `start` (and `resume` with a checkpoint) synchronously, then subscribes `body(ctx)`.
 */
export function attemptSource(
  body: (ctx: AttemptContext) => Observable<L0Event>,
  calls: AttemptContext[] = [],
): Observable<L0Event> {
  return new Observable<L0Event>((subscriber) => {
    const ctx = takeAttemptContext() ?? { attempt: 1, fallbackIndex: 0 };
    calls.push(ctx);
    const { attempt, fallbackIndex } = ctx;
    subscriber.next({ type: 'start', attempt, fallbackIndex, isRetry: attempt > 1, isFallback: fallbackIndex > 0 });
    if (ctx.checkpoint) subscriber.next({ type: 'resume', checkpoint: ctx.checkpoint });
    return body(ctx).subscribe(subscriber);
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
