/** @test {fallbackTo} */
import { describe, expect, it } from 'vitest';
import { NEVER, take } from 'rxjs';
import { fallbackTo, fromStream, ProviderError, type StreamContext } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const reset = () => new ProviderError('reset', { code: 'NETWORK_ERROR', category: 'network', retryable: true });

describe('fallbackTo teardown', () => {
  it('should abort a fallback whose consumer leaves on its synchronous start event', () => {
    testScheduler().run(({ cold, flush }) => {
      const calls: StreamContext[] = [];
      const source = fromStream((ctx) => {
        calls.push(ctx);
        return ctx.fallbackIndex === 0 ? cold('-#', undefined, reset()) : NEVER;
      });
      // start(1), fallback, start(fallback 1): take(3) unsubscribes inside the fallback's subscribe
      source.pipe(fallbackTo(source), take(3)).subscribe();
      flush();
      expect(calls.map((c) => [c.fallbackIndex, c.signal.aborted])).toEqual([[0, true], [1, true]]);
    });
  });
});
