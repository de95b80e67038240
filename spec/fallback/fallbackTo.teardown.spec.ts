/** @test {fallbackTo} */
import { describe, expect, it } from 'vitest';
import { NEVER, take, throwError } from 'rxjs';
import { fallbackTo, fromStream, ProviderError, type L0Event, type StreamContext } from 'l0-rx';
import { flood } from '../helpers/flood.js';
import { testScheduler } from '../helpers/testScheduler.js';

const reset = () => new ProviderError('reset', { code: 'NETWORK_ERROR', category: 'network', retryable: true });

describe('fallbackTo teardown', () => {
  it('should make no request for a fallback whose consumer leaves on its synchronous start event', () => {
    testScheduler().run(({ cold, flush }) => {
      const calls: StreamContext[] = [];
      const source = fromStream((ctx) => {
        calls.push(ctx);
        return ctx.fallbackIndex === 0 ? cold('-#', undefined, reset()) : NEVER;
      });
      // start(1), fallback, start(fallback 1): take(3) unsubscribes inside the fallback's subscribe
      source.pipe(fallbackTo(source), take(3)).subscribe();
      flush();
      // the consumer left on the fallback's start, which fromStream emits before calling the factory: no request is made
      expect(calls.map((c) => [c.fallbackIndex, c.signal.aborted])).toEqual([[0, true]]);
    });
  });

  it('should stop listening to a synchronous primary when the consumer leaves during its subscribe', () => {
    const primary = flood();
    const seen: L0Event[] = [];
    primary.source.pipe(fallbackTo(NEVER), take(2)).subscribe((e) => seen.push(e));
    expect(seen).toHaveLength(2);
    expect(primary.emitted).toBe(2);
  });

  it('should stop listening to a synchronous fallback when the consumer leaves during its subscribe', () => {
    const backup = flood();
    const seen: L0Event[] = [];
    // fallback, then two tokens of the fallback
    throwError(reset).pipe(fallbackTo(backup.source), take(3)).subscribe((e) => seen.push(e));
    expect(seen.map((e) => e.type)).toEqual(['fallback', 'token', 'token']);
    expect(backup.emitted).toBe(2);
  });
});
