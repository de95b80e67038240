/** @test {createCircuitBreaker} @test {circuitBreaker} */
import { throwError, type SchedulerLike } from 'rxjs';
import { TestScheduler } from 'rxjs/testing';
import { describe, expect, it } from 'vitest';
import { circuitBreaker, createCircuitBreaker, isCircuitOpenError, ProviderError, type CircuitBreakerConfig, type L0Event } from 'l0-rx';

/* An async isFailure is awaited (as consensus awaits its async parse), up to storeTimeout: its
   answer decides, as a synchronous one does; one that has not settled by then counts the call as failed. */

const serverError = new ProviderError('upstream 503', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 });
const microtasks = () => new Promise((resolve) => setImmediate(resolve));
type IsFailure = NonNullable<CircuitBreakerConfig['isFailure']>;

/** Three failing calls one after another (each once the one before has ended); what each ended with. */
async function threeCalls(isFailure: IsFailure, scheduler: SchedulerLike = new TestScheduler(() => undefined)): Promise<string[]> {
  const breaker = createCircuitBreaker({ key: 'm', failureThreshold: 2, scheduler, isFailure });
  const log: string[] = [];
  for (let i = 0; i < 3; i++) {
    throwError(() => serverError).pipe(circuitBreaker(breaker)).subscribe({ error: (e) => log.push(isCircuitOpenError(e) ? 'open' : (e as Error).message) });
    await microtasks();
  }
  return log;
}

describe('circuitBreaker with an async isFailure', () => {
  it('should spare a call whose isFailure resolves to false (its promise was counted as a failure)', async () => {
    expect(await threeCalls(async () => false)).toEqual(['upstream 503', 'upstream 503', 'upstream 503']);
  });

  it('should count a call whose isFailure resolves to true, or to no boolean, and hold its end until then', async () => {
    expect(await threeCalls(async () => true)).toEqual(['upstream 503', 'upstream 503', 'open']);
    expect(await threeCalls((async () => undefined) as unknown as IsFailure)).toEqual(['upstream 503', 'upstream 503', 'open']);
    let answer: (failed: boolean) => void = () => undefined;
    const breaker = createCircuitBreaker({ key: 'm', failureThreshold: 1, scheduler: new TestScheduler(() => undefined), isFailure: () => new Promise<boolean>((resolve) => (answer = resolve)) });
    const log: string[] = [];
    throwError(() => serverError).pipe(circuitBreaker(breaker)).subscribe({ error: (e) => log.push((e as Error).message) });
    await microtasks();
    expect(log).toEqual([]);
    answer(true);
    await microtasks();
    expect(log).toEqual(['upstream 503']);
  });

  it('should count a call whose isFailure has not settled within storeTimeout as failed, and pass its end on then', async () => {
    const ts = new TestScheduler(() => undefined);
    const breaker = createCircuitBreaker({ key: 'm', failureThreshold: 1, storeTimeout: 100, scheduler: ts, isFailure: () => new Promise<boolean>(() => undefined) });
    const events: L0Event[] = [];
    const log: string[] = [];
    throwError(() => serverError).pipe(circuitBreaker(breaker)).subscribe({ next: (e) => events.push(e), error: (e) => log.push(`${(e as Error).message} at ${ts.now()}`) });
    await microtasks();
    expect(log).toEqual([]);
    ts.flush();
    expect(log).toEqual(['upstream 503 at 100']);
    expect(events).toEqual([{ type: 'breaker', key: 'm', from: 'closed', to: 'open' }]);
  });

  it('should ignore an answer that comes after storeTimeout (the call was counted as failed then), unlike a late store answer', async () => {
    const ts = new TestScheduler(() => undefined);
    let answer: (failed: boolean) => void = () => undefined;
    const breaker = createCircuitBreaker({ key: 'm', failureThreshold: 1, storeTimeout: 100, scheduler: ts, isFailure: () => new Promise<boolean>((resolve) => (answer = resolve)) });
    throwError(() => serverError).pipe(circuitBreaker(breaker)).subscribe({ error: () => undefined });
    await microtasks();
    ts.flush();
    answer(false);
    await microtasks();
    const log: string[] = [];
    throwError(() => serverError).pipe(circuitBreaker(breaker)).subscribe({ error: (e) => log.push(isCircuitOpenError(e) ? 'open' : (e as Error).message) });
    await microtasks();
    expect(log).toEqual(['open']);
  });
});
