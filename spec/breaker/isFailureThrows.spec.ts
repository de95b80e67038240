/** @test {circuitBreaker} */
import { describe, expect, it } from 'vitest';
import { type SchedulerLike } from 'rxjs';
import { circuitBreaker, createCircuitBreaker, isCircuitOpenError, ProviderError, type L0Event } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const values = {
  a: { type: 'token', value: 'a' } as L0Event,
  x: { type: 'complete', finishReason: 'stop' } as L0Event,
};

describe('circuitBreaker with an isFailure that throws', () => {
  it.each([['undefined', undefined], ['"yes"', 'yes'], ['0', 0]])('should count a call as failed when isFailure returns %s (a missing return would never open the breaker)', (_, bad) => {
    const ts = testScheduler();
    const serverError = new ProviderError('upstream 503', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 });
    const breaker = createCircuitBreaker({ key: 'm', failureThreshold: 2, scheduler: ts as SchedulerLike, isFailure: () => bad as unknown as boolean });
    const log: string[] = [];
    ts.run(({ cold, flush }) => {
      for (const at of [0, 5, 10]) {
        ts.schedule(() => cold<L0Event>('-#', undefined, serverError).pipe(circuitBreaker(breaker)).subscribe({ error: (e) => log.push(isCircuitOpenError(e) ? 'open' : 'failed') }), at);
      }
      flush();
    });
    expect(log).toEqual(['failed', 'failed', 'open']);
  });


  it('should count the call as failed and free the half-open probe slot, failing the call with its own error', () => {
    const ts = testScheduler();
    const serverError = new ProviderError('upstream 503', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 });
    let throwNow = false;
    const breaker = createCircuitBreaker({
      key: 'm', failureThreshold: 1, resetTimeout: 10, scheduler: ts as SchedulerLike,
      isFailure: () => { if (throwNow) throw new Error('isFailure bug'); return true; },
    });
    const log: string[] = [];
    ts.run(({ cold, flush }) => {
      cold<L0Event>('-#', undefined, serverError).pipe(circuitBreaker(breaker)).subscribe({ error: () => log.push('1st failed') }); // opens at frame 1
      ts.schedule(() => {
        throwNow = true; // the half-open probe; its settle throws inside isFailure
        cold<L0Event>('-#', undefined, serverError).pipe(circuitBreaker(breaker)).subscribe({ error: (e) => log.push(`probe: ${(e as Error).message}`) });
      }, 20);
      ts.schedule(() => {
        throwNow = false;
        breaker.state().subscribe((s) => log.push(`state at 1000: ${s}`));
        cold('-(ax|)', values).pipe(circuitBreaker(breaker)).subscribe({
          error: (e) => log.push(isCircuitOpenError(e) ? 'later call: CircuitOpenError' : 'later call: other error'), complete: () => log.push('later call ok'),
        });
      }, 1000);
      flush();
    });
    expect(log).toEqual(['1st failed', 'probe: upstream 503', 'state at 1000: half-open', 'later call ok']);
  });
});
