/** @test {circuitBreaker} @test {redisBreakerStore} */
import { describe, expect, it } from 'vitest';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { createCircuitBreaker, ProviderError } from 'l0-rx';
import { redisBreakerStore } from 'l0-rx/breakers/redis';
import { useRedisServer } from '../helpers/redisServer.js';
import { breakerCall as call } from '../helpers/breakerCall.js';

/*
 * A Redis round's change is computed between its GET and its compare-and-set: a round computed
 * first can land after a later round's read. Rounds were ordered by when their change was computed,
 * so a read-only round that read the record before the other's write, answered first, made the
 * writer's answer look stale: the change it made (closed -> open) was never reported, in its call's
 * stream nor to onStateChange, until some later call read it.
 */

const serverError = new ProviderError('upstream 503', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 });
const badRequest = new ProviderError('bad request', { code: 'BAD_REQUEST', category: 'bad-request', retryable: false, status: 400 });
const scheduler = { now: () => 0, schedule: asyncScheduler.schedule.bind(asyncScheduler) } as SchedulerLike;
// No store bound: the default storeTimeout (1000 ms) would run on the wall clock, and a round trip a loaded
// machine stalls past it fails that round, so the call reports no closed>open: this spec's own failure, no defect.
const storeTimeout = Number.POSITIVE_INFINITY;


describe('circuitBreaker with the Redis store: rounds in the order Redis applied them', () => {
  const redis = useRedisServer();

  it('should report the change of a round whose compare-and-set lands after another round read the record', async () => {
    const seen: string[] = [];
    const breaker = createCircuitBreaker({ key: 'm', failureThreshold: 1, storeTimeout, scheduler, store: redisBreakerStore(redis.client), onStateChange: (c) => seen.push(`${c.from}>${c.to}`) });
    const failing = call(breaker);
    const spared = call(breaker);
    while (!failing.source.observed || !spared.source.observed) await new Promise((resolve) => setImmediate(resolve)); // both tickets answered
    failing.source.error(serverError); // opens the breaker: GET, then the compare-and-set
    spared.source.error(badRequest); // counts for nothing: a GET, no write, answered before the other's compare-and-set
    expect(await failing.ended).toEqual(['closed>open', 'SERVER_ERROR']);
    expect(await spared.ended).toEqual(['BAD_REQUEST']);
    expect(seen).toEqual(['closed>open']);
  });
});
