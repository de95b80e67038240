/** @test {accumulate} */
import { describe, expect, it } from 'vitest';
import { toSignal } from '@angular/core/rxjs-interop';
import { concat, of, Subject, throwError } from 'rxjs';
import { computed } from '@angular/core';
import { TestScheduler } from 'rxjs/testing';
import { accumulate, ProviderError, type L0Event } from 'l0-rx';
import { START } from '../helpers/linearTime.js';

// Angular's toSignal throws the stream's error whenever the signal is read; errorsAsState avoids that.
const failing = () =>
  concat(
    of<L0Event[]>({ type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false }, { type: 'token', value: 'partial' }),
    throwError(() => new ProviderError('Rate limited', { code: 'RATE_LIMITED', category: 'rate-limit', retryable: true })),
  );

describe('accumulate with Angular toSignal', () => {
  it('should make the signal throw on read when the stream errors (the problem)', () => {
    const state = toSignal(failing().pipe(accumulate()), { manualCleanup: true });
    expect(() => state()).toThrow('Rate limited');
  });

  it('should keep the signal readable with errorsAsState, showing the failure as state', () => {
    const state = toSignal(failing().pipe(accumulate({ errorsAsState: true })), { manualCleanup: true });
    expect(state()).toMatchObject({ status: 'error', content: 'partial', error: { code: 'RATE_LIMITED' } });
  });

  it('should recompute a computed over a list only when the list changed (signal equality is identity)', () => {
    const events = new Subject<L0Event>();
    const state = toSignal(events.pipe(accumulate()), { manualCleanup: true });
    const toolCalls = computed(() => state()?.toolCalls);
    let renders = 0;
    const view = computed(() => (renders++, toolCalls()?.length));
    view();
    const call: L0Event = { type: 'tool-call', id: 'c0', name: 'f', arguments: '{}' };
    for (const e of [START, call, { type: 'data', payload: { contentType: 'json', json: 'd' } }, { type: 'progress', percent: 50 }, { type: 'token', value: 'a' }, { type: 'checkpoint', content: 'a', tokenCount: 1 }] as L0Event[]) {
      events.next(e);
      view();
    }
    expect(renders).toBe(3); // undefined, then START's empty list, then the call's
  });

  it('should show every token as it arrives', () => {
    const scheduler = new TestScheduler((a, b) => expect(a).toEqual(b));
    scheduler.run(({ cold, flush }) => {
      const source = cold<L0Event>('-a-b|', { a: { type: 'token', value: 'Hel' }, b: { type: 'token', value: 'lo' } });
      const state = toSignal(source.pipe(accumulate({ errorsAsState: true })), { manualCleanup: true });
      const seen: (string | undefined)[] = [state()?.content];
      scheduler.schedule(() => seen.push(state()?.content), 2); // after 'Hel' (frame 1), before 'lo' (frame 3)
      scheduler.schedule(() => seen.push(state()?.content), 4);
      flush();
      expect(seen).toEqual([undefined, 'Hel', 'Hello']);
    });
  });
});
