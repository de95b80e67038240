/** @test {l0} */
import { concat, defer, EMPTY, ignoreElements, Observable, throwError, timer, type MonoTypeOperatorFunction } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { l0, UnknownError, isAllStreamsExhaustedError, type L0Event } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { runScenario, typesOf } from '../helpers/runScenario.js';

/* An attempt ends when its stream ends, not at its `complete` event: an attempt operator that fails at the source's completion fails the attempt before the consumer sees `complete`. */

const fast = { backoff: 'fixed', baseDelay: 5 } as const;

/** An attempt operator that passes every event and validates when the source completes: its first `failures` attempts fail there. */
function validateAtEnd(failures: number): MonoTypeOperatorFunction<L0Event> {
  let attempts = 0;
  return (source) =>
    defer(() => {
      const failing = ++attempts <= failures;
      return concat(source, defer(() => (failing ? throwError(() => new Error('rejected at the end')) : EMPTY)));
    });
}

describe('l0() attempt operators that fail at the source\'s completion', () => {
  it('should retry the attempt before any complete: one complete, the last event, and onComplete once with the retried answer', () => {
    const onComplete = vi.fn();
    const run = runScenario(() => l0({ stream: fakeModel(['ab|', 'cd|']), retry: fast, attemptOperators: [validateAtEnd(1)], onComplete }));
    expect(run.error).toBeUndefined();
    expect(typesOf(run.events)).toEqual(['start', 'token', 'token', 'retry', 'start', 'token', 'token', 'complete']);
    expect(onComplete).toHaveBeenCalledTimes(1);
    expect(onComplete.mock.calls[0]![0]).toMatchObject({ content: 'cd', attempt: 2 });
  });

  it('should end the run with the error and no complete event once the retries are spent', () => {
    const onComplete = vi.fn();
    const run = runScenario(() => l0({ stream: fakeModel('ab|'), retry: false, attemptOperators: [validateAtEnd(1)], onComplete }));
    expect(run.error).toBeInstanceOf(UnknownError);
    expect(typesOf(run.events)).toEqual(['start', 'token', 'token']);
    expect(onComplete).not.toHaveBeenCalled();
  });

  it('should move to the fallback without a complete from the primary', () => {
    const run = runScenario(() =>
      l0({ stream: fakeModel('ab|'), fallbackStreams: [fakeModel('c|')], retry: false, attemptOperators: [validateAtEnd(1)] }),
    );
    expect(run.error).toBeUndefined();
    expect(typesOf(run.events)).toEqual(['start', 'token', 'token', 'fallback', 'start', 'token', 'complete']);
  });

  it('should end with the last error, not complete, when every stream fails at its completion', () => {
    const run = runScenario(() =>
      l0({ stream: fakeModel('a|'), fallbackStreams: [fakeModel('b|')], retry: false, attemptOperators: [validateAtEnd(2)] }),
    );
    expect(isAllStreamsExhaustedError(run.error)).toBe(true);
    expect(typesOf(run.events)).not.toContain('complete');
  });

  it('should pass complete when the attempt ends: at the same frame for a synchronous check, later for one that validates asynchronously', () => {
    const slowCheck: MonoTypeOperatorFunction<L0Event> = (source) => concat(source, timer(7).pipe(ignoreElements()));
    const plain = runScenario(() => l0({ stream: fakeModel('ab-|'), attemptOperators: [validateAtEnd(0)] }));
    const slow = runScenario(() => l0({ stream: fakeModel('ab-|'), attemptOperators: [slowCheck] }));
    expect(plain.timeline.find(([, e]) => e.type === 'complete')?.[0]).toBe(3);
    expect(slow.timeline.find(([, e]) => e.type === 'complete')?.[0]).toBe(10);
    expect(slow.completeFrame).toBe(10);
  });

  it('should keep complete the last event when an attempt operator emits after it', () => {
    const late: MonoTypeOperatorFunction<L0Event> = (source) =>
      new Observable<L0Event>((subscriber) =>
        source.subscribe({
          next: (e) => subscriber.next(e),
          error: (e: unknown) => subscriber.error(e),
          complete: () => {
            subscriber.next({ type: 'progress', message: 'validated' });
            subscriber.complete();
          },
        }),
      );
    const run = runScenario(() => l0({ stream: fakeModel('a|'), attemptOperators: [late] }));
    expect(typesOf(run.events)).toEqual(['start', 'token', 'progress', 'complete']);
  });
});
