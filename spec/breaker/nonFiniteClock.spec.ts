/** @test {circuitBreaker} @test {createCircuitBreaker} */
import { describe, expect, it } from 'vitest';
import { asyncScheduler, firstValueFrom, lastValueFrom, of, throwError, type SchedulerLike } from 'rxjs';
import { circuitBreaker, createCircuitBreaker, ProviderError, type BreakerRecord, type BreakerStore, type L0Event } from 'l0-rx';

/*
 * A scheduler whose now() read NaN (or Infinity) had the breaker store it: a record opened at NaN,
 * never half-open again (every later call refused, retry in NaN ms), whose `version` was NaN in
 * memory and null in a store that keeps JSON, and every version after it NaN too. A reading that
 * is no finite number is now refused with a TypeError naming it, which the breaker handles as a
 * store round that failed: the call is let through and nothing is written; state() errors with it.
 */

const serverError = new ProviderError('upstream 503', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 });
const start = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false } as L0Event;
const complete = { type: 'complete', finishReason: 'stop' } as L0Event;

/** A synchronous store keeping JSON text, as Redis does. */
function jsonStore() {
  const data = new Map<string, string>();
  const store: BreakerStore = {
    get: (key) => (data.has(key) ? (JSON.parse(data.get(key)!) as BreakerRecord) : undefined),
    set: (key, record) => void data.set(key, JSON.stringify(record)),
  };
  return { store, data };
}

/** One call through `breaker`: `ok` or its error's code. */
const outcome = (breaker: ReturnType<typeof createCircuitBreaker>, fails: boolean): Promise<string> =>
  lastValueFrom((fails ? throwError(() => serverError) : of(start, complete)).pipe(circuitBreaker(breaker)), { defaultValue: undefined }).then(
    () => 'ok',
    (e: { code?: string }) => e.code ?? 'error',
  );

describe('circuitBreaker with a clock that reads no finite number', () => {
  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['undefined', undefined],
  ])('should write nothing and let calls through, and error state() with a TypeError naming the reading (%s)', async (name, reading) => {
    const scheduler = { now: () => reading, schedule: asyncScheduler.schedule.bind(asyncScheduler) } as unknown as SchedulerLike;
    const { store, data } = jsonStore();
    const breaker = createCircuitBreaker({ key: 'm', failureThreshold: 1, store, scheduler });
    expect(await outcome(breaker, true)).toBe('SERVER_ERROR');
    expect(await outcome(breaker, false)).toBe('ok');
    expect(data.get('m')).toBeUndefined();
    await expect(firstValueFrom(breaker.state())).rejects.toThrow(new TypeError(`createCircuitBreaker({scheduler}).now() returned ${name}; it must return a finite number of ms`));
  });
});
