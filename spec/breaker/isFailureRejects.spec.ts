/** @test {circuitBreaker} */
import { afterEach, describe, expect, it } from 'vitest';
import { type SchedulerLike } from 'rxjs';
import { circuitBreaker, createCircuitBreaker, isCircuitOpenError, ProviderError, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

describe('circuitBreaker with an async isFailure that rejects', () => {
  afterEach(() => {
    process.off('unhandledRejection', onUnhandled);
  });

  it('should count the call as failed, as a throw does, and leave no rejection unhandled', async () => {
    process.on('unhandledRejection', onUnhandled);
    const ts = testScheduler();
    const serverError = new ProviderError('upstream 503', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 });
    const bug = new Error('isFailure bug');
    const isFailure = (() => Promise.reject(bug)) as unknown as () => boolean; // an async isFailure
    const breaker = createCircuitBreaker({ key: 'm', failureThreshold: 2, scheduler: ts as SchedulerLike, isFailure });
    const log: string[] = [];
    ts.run(({ cold, flush }) => {
      for (const at of [0, 5, 10]) {
        ts.schedule(() => cold<L0Event>('-#', undefined, serverError).pipe(circuitBreaker(breaker)).subscribe({ error: (e) => log.push(isCircuitOpenError(e) ? 'open' : `failed: ${(e as Error).message}`) }), at);
      }
      flush();
    });
    expect(log).toEqual(['failed: upstream 503', 'failed: upstream 503', 'open']);
    // Node reports an unhandled rejection once the microtasks have run: one macrotask later, it has
    await new Promise((resolve) => setImmediate(resolve));
    expect(unhandled).toEqual([]);
  });
});
