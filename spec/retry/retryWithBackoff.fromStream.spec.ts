/** @test {retryWithBackoff} */
import { NEVER, Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  accumulate,
  detectZeroOutput,
  fromStream,
  retryWithBackoff,
  withTimeouts,
  type L0Event,
  type StreamContext,
} from 'l0-rx';
import { collect, tok, virtualScheduler } from './retryHelpers.js';

describe('retryWithBackoff with fromStream and withTimeouts', () => {
  it('should abort the timed-out attempt\'s signal and call the factory again with the next attempt', () => {
    const ts = virtualScheduler();
    const seen: { attempt: number; signal: AbortSignal }[] = [];
    const factory = (ctx: StreamContext) => {
      seen.push({ attempt: ctx.attempt, signal: ctx.signal });
      return ctx.attempt === 1 ? NEVER : new Observable<L0Event>((s) => {
        s.next(tok('ok'));
        s.complete();
      });
    };
    const run = collect(
      fromStream(factory).pipe(
        withTimeouts({ initialToken: 100, scheduler: ts }),
        retryWithBackoff({ backoff: 'fixed', baseDelay: 10, scheduler: ts }),
      ),
    );
    ts.flush();
    expect(seen.map((s) => [s.attempt, s.signal.aborted])).toEqual([[1, true], [2, false]]);
    expect(run.events.map((e) => e.type)).toEqual(['start', 'retry', 'start', 'token', 'complete']);
    expect(run.events[1]).toMatchObject({ type: 'retry', attempt: 1, delayMs: 10, reason: 'timeout', error: { code: 'INITIAL_TOKEN_TIMEOUT' } });
    expect(run.events[2]).toMatchObject({ type: 'start', attempt: 2, isRetry: true });
    expect(run.completed).toBe(true);
  });

  it('should resume the next attempt from the last checkpoint', () => {
    const ts = virtualScheduler();
    const checkpoints: (string | undefined)[] = [];
    const factory = (ctx: StreamContext) => {
      checkpoints.push(ctx.checkpoint);
      return new Observable<L0Event>((s) => {
        if (ctx.attempt === 1) {
          s.next(tok('Once upon'));
          s.next({ type: 'checkpoint', content: 'Once upon', tokenCount: 1 });
          s.error(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' }));
        } else {
          s.next(tok(' a time'));
          s.complete();
        }
      });
    };
    const states = collect(
      fromStream(factory).pipe(retryWithBackoff({ baseDelay: 5, backoff: 'fixed', scheduler: ts }), accumulate()) as never,
    );
    ts.flush();
    expect(checkpoints).toEqual([undefined, 'Once upon']);
    const last = (states.events as unknown as { content: string; status: string; networkRetryCount: number }[]).at(-1);
    expect(last).toMatchObject({ content: 'Once upon a time', status: 'complete', networkRetryCount: 1 });
  });

  it('should retry an empty answer as zero output through the content budget, then rethrow it', () => {
    const ts = virtualScheduler();
    let calls = 0;
    const factory = () =>
      new Observable<L0Event>((s) => {
        calls += 1;
        s.next(tok('...'));
        s.complete();
      });
    const run = collect(fromStream(factory).pipe(detectZeroOutput(), retryWithBackoff({ attempts: 1, backoff: 'fixed', baseDelay: 3, scheduler: ts })));
    ts.flush();
    expect(calls).toBe(2);
    expect(run.events.map((e) => e.type)).toEqual(['start', 'token', 'retry', 'start', 'token']);
    expect(run.error).toMatchObject({ code: 'ZERO_OUTPUT', attempt: 2, attemptErrors: [expect.anything(), expect.anything()] });
  });
});
