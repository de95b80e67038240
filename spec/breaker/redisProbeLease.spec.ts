/** @test {redisBreakerStore} @test {createCircuitBreaker} */
import { describe, expect, it } from 'vitest';
import { asyncScheduler, defer, lastValueFrom, NEVER, of, throwError, type SchedulerLike, type Subscription } from 'rxjs';
import { circuitBreaker, createCircuitBreaker, ProviderError, type L0Event } from 'l0-rx';
import { redisBreakerStore } from 'l0-rx/breakers/redis';
import { until, useRedisClients } from '../helpers/redisServer.js';

/*
 * The half-open probe slot across servers sharing one Redis breaker: its `probedAt` is a lease of
 * `resetTimeout`, measured on each server's own clock. Within it no second server (nor the same
 * server started again, a new breaker object) is let through; a server whose clock runs ahead of
 * the one that let the probe in reads the lease as that much older.
 */

const serverError = new ProviderError('upstream 503', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 });
const answer: L0Event[] = [{ type: 'token', value: 'ok' }, { type: 'complete', finishReason: 'stop' }];
/** A server's clock, moved by hand (the store's awaits are real, so no TestScheduler here). */
const clockAt = (now: () => number) => ({ now, schedule: asyncScheduler.schedule.bind(asyncScheduler) }) as SchedulerLike;

describe('redisBreakerStore: a half-open probe across servers', () => {
  const { connect } = useRedisClients();

  /** One call's outcome: 'ok' or the error's code. */
  const call = (breaker: ReturnType<typeof createCircuitBreaker>, fails: boolean) =>
    lastValueFrom(defer(() => (fails ? throwError(() => serverError) : of(...answer))).pipe(circuitBreaker(breaker))).then(() => 'ok', (e: { code?: string }) => e.code ?? 'error');

  it('should let one probe in across servers and a restarted one within resetTimeout, and a server whose clock runs resetTimeout ahead in too', async () => {
    let now = 10_000;
    const config = { key: 'probe-1', failureThreshold: 1, resetTimeout: 1_000 } as const;
    const breakerOn = async (skew = 0) => createCircuitBreaker({ ...config, store: redisBreakerStore(await connect()), scheduler: clockAt(() => now + skew) });
    const [a, b] = [await breakerOn(), await breakerOn()];
    expect(await call(a, true)).toBe('SERVER_ERROR'); // opens at 10 000
    now = 11_000;
    // A's probe runs (an answer still streaming)
    let probing = false;
    const probe: Subscription = defer(() => ((probing = true), NEVER)).pipe(circuitBreaker(a)).subscribe();
    const redis = await connect();
    await until(async () => (await redis.ping(), probing)); // (a round trip each: the breaker's own round trips go on meanwhile)
    try {
      now = 11_999;
      expect(await call(b, false)).toBe('CIRCUIT_OPEN');
      expect(await call(await breakerOn(), false)).toBe('CIRCUIT_OPEN'); // a server started again: the slot is in Redis
      // a clock 1 000 ms ahead reads the probe as let in resetTimeout ago: its slot is given back
      expect(await call(await breakerOn(1_000), false)).toBe('ok');
    } finally {
      probe.unsubscribe();
    }
  });
});
