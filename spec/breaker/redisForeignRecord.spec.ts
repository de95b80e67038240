/** @test {redisBreakerStore} */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { asyncScheduler, defer, lastValueFrom, of, type SchedulerLike } from 'rxjs';
import { circuitBreaker, createCircuitBreaker, type L0Event } from 'l0-rx';
import { redisBreakerStore } from 'l0-rx/breakers/redis';
import { startRedisServer, type RedisServer } from '../helpers/redisServer.js';

const answer: L0Event[] = [{ type: 'token', value: 'ok' }, { type: 'complete', finishReason: 'stop' }];
const scheduler = { now: () => 50_000, schedule: asyncScheduler.schedule.bind(asyncScheduler) } as SchedulerLike;
const whole = { failures: 0, openedAt: 1_000, probes: 0, successes: 0, windowStart: 1_000, windowCalls: 0, windowFailures: 0 };

/* A record another writer stored without the fields ours writes: `{"state":"open"}` has no openedAt, so it never turned half-open and failed every call fast until its TTL. */
describe('redisBreakerStore: a record without the fields the store writes', () => {
  let server: RedisServer;
  let client: ReturnType<typeof createClient>;
  beforeAll(async () => {
    server = await startRedisServer();
    client = createClient({ url: server.url });
    client.on('error', () => undefined);
    await client.connect();
  });
  afterAll(async () => {
    if (client?.isOpen) await client.quit();
    await server?.stop();
  });

  it.each([
    ['only a state', { state: 'open' }],
    ['a field that is no number', { ...whole, state: 'open', openedAt: '1000' }],
    ['a field that is null', { ...whole, state: 'half-open', probes: null }],
  ])('should read it as closed and let the call through (%s)', async (name, record) => {
    const key = `foreign-${name.replace(/\W/g, '')}`;
    await client.set(`l0-rx:breaker:${key}`, JSON.stringify(record));
    const breaker = createCircuitBreaker({ key, resetTimeout: 1_000, scheduler, store: redisBreakerStore(client) });
    expect(await lastValueFrom(breaker.state())).toBe('closed');
    let subscribed = false;
    await lastValueFrom(defer(() => ((subscribed = true), of(...answer))).pipe(circuitBreaker(breaker)));
    expect(subscribed).toBe(true);
  });

  it('should keep reading a whole record of ours as it is (open stays open within resetTimeout)', async () => {
    await client.set('l0-rx:breaker:whole', JSON.stringify({ ...whole, state: 'open', openedAt: 49_900 }));
    const breaker = createCircuitBreaker({ key: 'whole', resetTimeout: 1_000, scheduler, store: redisBreakerStore(client) });
    expect(await lastValueFrom(breaker.state())).toBe('open');
  });
});
