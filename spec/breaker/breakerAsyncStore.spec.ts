/** @test {circuitBreaker} @test {redisBreakerStore} */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { lastValueFrom, toArray } from 'rxjs';
import { circuitBreaker, createCircuitBreaker, fallbackTo, fromStream, retryWithBackoff, type BreakerRecord, type BreakerStore, type L0Event, type StreamContext } from 'l0-rx';
import { redisBreakerStore, type RedisBreakerClient } from 'l0-rx/breakers/redis';
import { fakeModel } from 'l0-rx/testing';
import { startRedisServer, type RedisServer } from '../helpers/redisServer.js';
import { RETRY, eventsOf, openaiClient, REPLY, requestsFor, textOf, useFaultServer } from '../integration/harness.js';

/* A store that answers with a promise (Redis always does) makes the breaker subscribe its source
   after its own subscribe returned: the attempt a retryWithBackoff or fallbackTo around it hands
   down must still reach the source (its factory's ctx, its `start`), as with the memory store. */

/** A memory store that answers every call with a promise. */
function asyncStore(): BreakerStore {
  const records = new Map<string, BreakerRecord>();
  return { get: async (key) => records.get(key), set: async (key, record) => void records.set(key, record) };
}

const startsOf = (events: readonly L0Event[]) => eventsOf(events, 'start').map((s) => [s.attempt, s.fallbackIndex]);

describe('circuitBreaker with an asynchronous store', () => {
  it('should hand each retry its attempt (not fail the run with an InvalidStreamError)', async () => {
    const calls: StreamContext[] = [];
    const model = fakeModel(['#', 'ok|']);
    const source = fromStream((ctx) => (calls.push(ctx), model(ctx)));
    const events = await lastValueFrom(source.pipe(circuitBreaker(createCircuitBreaker({ key: 'm', store: asyncStore() })), retryWithBackoff({ ...RETRY }), toArray()));
    expect(calls.map((c) => c.attempt)).toEqual([1, 2]);
    expect(startsOf(events)).toEqual([[1, 0], [2, 0]]);
    expect(textOf(events)).toBe('ok');
  });

  it('should hand a fallback its stream index', async () => {
    const failing = fakeModel(['#']);
    const backup = fakeModel(['ok|']);
    const breaker = createCircuitBreaker({ key: 'backup', store: asyncStore() });
    const run = fromStream(failing).pipe(fallbackTo(fromStream(backup).pipe(circuitBreaker(breaker))));
    const events = await lastValueFrom(run.pipe(toArray()));
    expect(startsOf(events)).toEqual([[1, 0], [1, 1]]);
    expect(textOf(events)).toBe('ok');
  });

  describe('against redis-server and the fault server (openai SDK)', () => {
    const ctx = useFaultServer();
    let redis: RedisServer;
    let client: RedisBreakerClient & { quit(): Promise<unknown> };
    beforeAll(async () => {
      redis = await startRedisServer();
      const c = createClient({ url: redis.url });
      c.on('error', () => undefined);
      await c.connect();
      client = c;
    });
    afterAll(async () => {
      await client?.quit();
      await redis?.stop();
    });

    it('should retry a 500 through a Redis-backed breaker and stream the second request', async () => {
      const openai = openaiClient(ctx.server);
      const model = 'fault:server-error*1';
      const breaker = createCircuitBreaker({ key: 'gpt', store: redisBreakerStore(client) });
      const source = fromStream(({ signal }) => openai.chat.completions.create({ model, messages: [{ role: 'user', content: 'Hi' }], stream: true }, { signal }));
      const events = await lastValueFrom(source.pipe(circuitBreaker(breaker), retryWithBackoff({ ...RETRY }), toArray()));
      expect(startsOf(events)).toEqual([[1, 0], [2, 0]]);
      expect(textOf(events)).toBe(REPLY);
      expect(requestsFor(ctx.server, model)).toHaveLength(2);
    });
  });
});
