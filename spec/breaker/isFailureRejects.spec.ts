/** @test {circuitBreaker} */
import { afterEach, describe, expect, it } from 'vitest';
import { throwError } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { circuitBreaker, createCircuitBreaker, isCircuitOpenError, ProviderError } from 'l0-rx';

const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);

describe('circuitBreaker with an async isFailure that rejects', () => {
  afterEach(() => {
    process.off('unhandledRejection', onUnhandled);
  });

  it('should count the call as failed, as a throw does, and leave no rejection unhandled', async () => {
    process.on('unhandledRejection', onUnhandled);
    const serverError = new ProviderError('upstream 503', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 });
    const bug = new Error('isFailure bug');
    const isFailure = () => Promise.reject<boolean>(bug); // an async isFailure
    const breaker = createCircuitBreaker({ key: 'm', failureThreshold: 2, scheduler: new TestScheduler(() => undefined), isFailure });
    const log: string[] = [];
    for (let i = 0; i < 3; i++) {
      throwError(() => serverError).pipe(circuitBreaker(breaker)).subscribe({ error: (e) => log.push(isCircuitOpenError(e) ? 'open' : `failed: ${(e as Error).message}`) });
      // the rejection is awaited, and Node reports an unhandled one once the microtasks have run: one macrotask later, both have
      await new Promise((resolve) => setImmediate(resolve));
    }
    expect(log).toEqual(['failed: upstream 503', 'failed: upstream 503', 'open']);
    expect(unhandled).toEqual([]);
  });
});
