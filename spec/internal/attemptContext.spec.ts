/** @test {subscribeWithContext} */
import { describe, expect, it } from 'vitest';
import { concatMap, lastValueFrom, of, throwError, toArray } from 'rxjs';
import { fallbackTo, fromStream, ProviderError, type L0Event, type StreamContext } from 'l0-rx';
import { subscribeWithContext, takeAttemptContext } from '../../src/attempt/attemptContext.js';

const reset = () => new ProviderError('reset', { code: 'NETWORK_ERROR', category: 'network', retryable: true });
const tok = (value: string): L0Event => ({ type: 'token', value });

describe('attempt context', () => {
  it('should hand the context to a source that takes it during subscribe, once', () => {
    const seen: unknown[] = [];
    const source = of(1);
    subscribeWithContext(
      { subscribe: (o: never) => { seen.push(takeAttemptContext(), takeAttemptContext()); return source.subscribe(o); } } as never,
      {},
      { attempt: 2, fallbackIndex: 1, checkpoint: 'ab' },
    );
    expect(seen).toEqual([{ attempt: 2, fallbackIndex: 1, checkpoint: 'ab' }, undefined]);
    expect(takeAttemptContext()).toBeUndefined();
  });

  it('should not leak into a stream subscribed while a canned fallback emits synchronously', async () => {
    const contexts: StreamContext[] = [];
    const unrelated = fromStream((ctx) => {
      contexts.push(ctx);
      return of<L0Event[]>(tok('fresh'));
    });
    const events = await lastValueFrom(
      throwError(reset).pipe(
        fallbackTo(of<L0Event[]>(tok('cached'), { type: 'complete', finishReason: 'stop' })),
        concatMap((e) => (e.type === 'complete' ? unrelated : of(e))),
        toArray(),
      ),
    );
    expect(contexts.map((c) => [c.attempt, c.fallbackIndex, c.checkpoint])).toEqual([[1, 0, undefined]]);
    expect(events.find((e) => e.type === 'start')).toMatchObject({ isFallback: false });
  });

  it('should restore the outer context after a nested subscribe', () => {
    const outer = { attempt: 1, fallbackIndex: 3 };
    let seenInside: unknown;
    subscribeWithContext(
      { subscribe: (o: never) => { subscribeWithContext(of(1), {}, { attempt: 9, fallbackIndex: 9 }); seenInside = takeAttemptContext(); return of(1).subscribe(o); } } as never,
      {},
      outer,
    );
    expect(seenInside).toBe(outer);
  });
});
