/** @test {circuitBreaker} */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createClient } from 'redis';
import { asyncScheduler, from, lastValueFrom, NEVER, throwError, type SchedulerLike } from 'rxjs';
import { circuitBreaker, createCircuitBreaker, ProviderError, type BreakerRecord, type BreakerStore, type L0Event } from 'l0-rx';
import { redisBreakerStore } from 'l0-rx/breakers/redis';
import { startRedisServer, type RedisServer } from '../helpers/redisServer.js';

const serverError = new ProviderError('upstream 503', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 });
const answer: L0Event[] = [{ type: 'token', value: 'ok' }, { type: 'complete', finishReason: 'stop' }];

/** An asynchronous store (a database, a remote cache) with an atomic `update`; every answer a promise. */
function asyncStore(): BreakerStore & { records: Map<string, BreakerRecord> } {
  const records = new Map<string, BreakerRecord>();
  return {
    records,
    get: async (key) => records.get(key),
    set: async (key, record) => void records.set(key, record),
    update: async (key, change) => {
      await Promise.resolve();
      const stored = records.get(key);
      const next = change(stored);
      if (next !== stored) records.set(key, next);
    },
  };
}

const settle = () => new Promise((resolve) => setImmediate(resolve));

describe('circuitBreaker with an asynchronous store, unsubscribed while asking for a ticket', () => {
  it('should free the half-open probe slot of a call unsubscribed before its ticket arrived', async () => {
    let clock = 0;
    const scheduler = { now: () => clock, schedule: asyncScheduler.schedule.bind(asyncScheduler) } as SchedulerLike;
    const store = asyncStore();
    const breaker = createCircuitBreaker({ key: 'm', failureThreshold: 1, resetTimeout: 1_000, scheduler, store });
    await lastValueFrom(throwError(() => serverError).pipe(circuitBreaker(breaker))).catch(() => undefined);
    expect(store.records.get('m')?.state).toBe('open');
    clock = 1_000; // half-open: one probe at a time
    // a caller that gives up at once (a cancelled HTTP request, a race loser), while the store is still answering
    NEVER.pipe(circuitBreaker(breaker)).subscribe().unsubscribe();
    await settle();
    // that call never ran: the next one is the probe, not refused forever with CircuitOpenError
    const outcome = await lastValueFrom(from(answer).pipe(circuitBreaker(breaker))).then(() => 'ok', (e: { code?: string }) => e.code ?? 'error');
    expect([outcome, store.records.get('m')?.state]).toEqual(['ok', 'closed']);
  });

  describe('with the Redis store', () => {
    let server: RedisServer;
    let client: ReturnType<typeof createClient> | undefined;
    beforeAll(async () => {
      server = await startRedisServer();
    });
    afterAll(async () => {
      if (client?.isOpen) await client.quit();
      await server?.stop();
    });

    it('should free the probe slot of a call unsubscribed while Redis was answering', async () => {
      client = createClient({ url: server.url });
      client.on('error', () => undefined);
      await client.connect();
      let clock = 0;
      const scheduler = { now: () => clock, schedule: asyncScheduler.schedule.bind(asyncScheduler) } as SchedulerLike;
      const breaker = createCircuitBreaker({ key: 'unsubscribed-probe', failureThreshold: 1, resetTimeout: 1_000, scheduler, store: redisBreakerStore(client) });
      await lastValueFrom(throwError(() => serverError).pipe(circuitBreaker(breaker))).catch(() => undefined);
      clock = 1_000;
      NEVER.pipe(circuitBreaker(breaker)).subscribe().unsubscribe();
      for (let i = 0; i < 5; i++) await client.ping(); // let the abandoned ticket's writes land
      const outcome = await lastValueFrom(from(answer).pipe(circuitBreaker(breaker))).then(() => 'ok', (e: { code?: string }) => e.code ?? 'error');
      expect([outcome, await lastValueFrom(breaker.state())]).toEqual(['ok', 'closed']);
    });
  });
});
