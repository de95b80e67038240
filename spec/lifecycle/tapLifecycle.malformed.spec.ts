/** @test {tapLifecycle} */
import { concat, of, throwError } from 'rxjs';
import { describe, expect, it, vi } from 'vitest';
import { isInvalidStreamError, tapLifecycle, type L0Event, type L0State } from 'l0-rx';

/* A malformed event (a hand-made source, a log written by other code) ends the run as any error does: typed, through onError. */

function run(event: unknown) {
  const calls: string[] = [];
  const onError = vi.fn((error: unknown, willRetry: boolean, willFallback: boolean) => calls.push(`onError(${willRetry}, ${willFallback})`));
  const onAbort = vi.fn(() => calls.push('onAbort'));
  let error: unknown;
  const seen: L0Event[] = [];
  of(event as L0Event).pipe(tapLifecycle({ onError, onAbort, onRetry: () => calls.push('onRetry') })).subscribe({
    next: (e) => seen.push(e),
    error: (e: unknown) => (error = e),
  });
  return { calls, onError, error, seen };
}

describe('tapLifecycle with a malformed event', () => {
  it.each([
    ['a retry event without its error', { type: 'retry', attempt: 1, delayMs: 0, reason: 'unknown' }, /a malformed retry event/],
    ['a fallback event whose error is null', { type: 'fallback', fromIndex: 0, toIndex: 1, error: null }, /a malformed fallback event/],
    ['a token event without a value', { type: 'token' }, /a malformed token event/],
  ])('should end the run with an InvalidStreamError naming %s, and call onError(false, false), not onAbort', (_, event, message) => {
    const { calls, onError, error, seen } = run(event);
    expect(isInvalidStreamError(error)).toBe(true);
    expect((error as Error).message).toMatch(/^tapLifecycle: /);
    expect((error as Error).message).toMatch(message);
    expect(calls).toEqual(['onError(false, false)']);
    expect(onError.mock.calls[0]![0]).toBe(error);
    expect(seen).toEqual([]);
  });

  it('should call back one end for a source that errors after its complete event: onComplete, never onError after it', () => {
    const calls: string[] = [];
    let error: unknown;
    const complete: L0Event = { type: 'complete', finishReason: 'stop' };
    concat(of(complete), throwError(() => new Error('socket closed late'))).pipe(
      tapLifecycle({ onComplete: () => calls.push('onComplete'), onError: () => calls.push('onError'), onAbort: () => calls.push('onAbort') }),
    ).subscribe({ error: (e: unknown) => (error = e) });
    expect([calls, (error as Error).message]).toEqual([['onComplete'], 'socket closed late']);
  });

  it('should keep the state it gave onComplete as it was, when a source goes on after its complete event', () => {
    let done: L0State | undefined;
    const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
    const call = (id: string): L0Event => ({ type: 'tool-call', id, name: 'f', arguments: '{}' });
    const data: L0Event = { type: 'data', payload: { contentType: 'json', json: 'late' } };
    of(start, call('c0'), { type: 'complete', finishReason: 'stop' } as L0Event, call('c1'), data)
      .pipe(tapLifecycle({ onComplete: (s) => (done = s) }))
      .subscribe();
    expect([done!.toolCalls.map((c) => c.id), done!.data]).toEqual([['c0'], []]);
  });
});
