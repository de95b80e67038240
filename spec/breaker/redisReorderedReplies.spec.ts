/** @test {circuitBreaker} @test {redisBreakerStore} */
import { describe, expect, it } from 'vitest';
import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { createCircuitBreaker, ProviderError } from 'l0-rx';
import { redisBreakerStore, type RedisBreakerClient } from 'l0-rx/breakers/redis';
import { useRedisServer } from '../helpers/redisServer.js';
import { breakerCall as call } from '../helpers/breakerCall.js';

/*
 * A Redis client whose replies can come back out of order (a pool of connections behind one object)
 * answers a GET that Redis ran before another round's compare-and-set after that round was
 * reported. Rounds were ordered by when their change was computed, so that late read, computed last,
 * looked newest: it reported open -> closed from the record it read before the breaker opened, and
 * the next read reported closed -> open a second time. Each record now carries a write counter
 * (`version`): a round reports only if the record it read or wrote is not older than the one the
 * reported rounds had seen.
 */

const serverError = new ProviderError('upstream 503', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 });
const badRequest = new ProviderError('bad request', { code: 'BAD_REQUEST', category: 'bad-request', retryable: false, status: 400 });
const scheduler = { now: () => 0, schedule: asyncScheduler.schedule.bind(asyncScheduler) } as SchedulerLike;
const flush = () => new Promise((resolve) => setImmediate(resolve));

/**
 * `inner`'s commands, run at once in call order (as Redis runs them), their replies held until the
 * test releases them, in any order: `held[n].release()`.
 */
function reordering(inner: RedisBreakerClient) {
  const held: { readonly op: string; release(): Promise<void> }[] = [];
  const hold = <T>(op: string, reply: Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const settled = reply.then((v) => () => resolve(v), (e: unknown) => () => reject(e));
      held.push({ op, release: async () => void ((await settled)(), await flush(), await flush()) });
    });
  const client: RedisBreakerClient = {
    get: (key) => hold('get', inner.get(key)),
    set: (key, value, options) => hold('set', inner.set(key, value, options)),
    eval: (script, options) => hold('eval', inner.eval(script, options)),
  };
  const waitFor = async (n: number) => {
    for (let i = 0; held.length < n; i++) {
      if (i > 1_000) throw new Error(`expected ${n} commands, got ${held.length}`);
      await flush();
    }
  };
  return { client, held, waitFor };
}

/** Redis in this process: GET, SET and the store's compare-and-set script, each run when called. */
function memoryRedis(): RedisBreakerClient {
  const data = new Map<string, string>();
  return {
    get: async (key) => data.get(key) ?? null,
    set: async (key, value) => void data.set(key, value),
    eval: (_script, { keys: [key], arguments: [had, was, next] }) => {
      const cur = data.get(key!);
      const match = had === '0' ? cur === undefined : cur === was;
      if (match) data.set(key!, next!);
      return Promise.resolve(match ? 1 : 0);
    },
  };
}


/** A read answered after a later write was reported: reported once, never undone by the stale read. */
async function lateRead(inner: RedisBreakerClient) {
  const { client, held, waitFor } = reordering(inner);
  const seen: string[] = [];
  const breaker = createCircuitBreaker({ key: 'm', failureThreshold: 1, storeTimeout: Number.POSITIVE_INFINITY, scheduler, store: redisBreakerStore(client), onStateChange: (c) => seen.push(`${c.from}>${c.to}`) });
  const failing = call(breaker);
  await waitFor(1);
  await held[0]!.release(); // its ticket: nothing stored, read as closed...
  await waitFor(2);
  await held[1]!.release(); // ...and written so: let through
  failing.source.error(serverError); // its end: a GET...
  await waitFor(3);
  const early = call(breaker); // ...and another call's ticket: a GET Redis runs before the compare-and-set below
  await waitFor(4);
  await held[2]!.release(); // the failure opens the breaker: the compare-and-set
  await waitFor(5);
  expect(held.map((h) => h.op)).toEqual(['get', 'eval', 'get', 'get', 'eval']);
  await held[4]!.release();
  expect(await failing.ended).toEqual(['closed>open', 'SERVER_ERROR']);
  await held[3]!.release(); // the GET run before the breaker opened, answered last
  const after = call(breaker);
  await waitFor(6);
  await held[5]!.release();
  expect(await after.ended).toEqual(['CIRCUIT_OPEN']);
  expect(early.log).toEqual([]);
  expect(seen).toEqual(['closed>open']);
}

/** A read of what a write wrote, answered before the write: the read reports the change, the write's answer nothing more. */
async function lateWrite(inner: RedisBreakerClient) {
  const { client, held, waitFor } = reordering(inner);
  const seen: string[] = [];
  const breaker = createCircuitBreaker({ key: 'm', failureThreshold: 1, storeTimeout: Number.POSITIVE_INFINITY, scheduler, store: redisBreakerStore(client), onStateChange: (c) => seen.push(`${c.from}>${c.to}`) });
  const failing = call(breaker);
  for (let i = 0; i < 3; i++) {
    if (i === 2) failing.source.error(serverError); // its end, once its ticket was read and written
    await waitFor(i + 1);
    await held[i]!.release();
  }
  await waitFor(4); // the failure's compare-and-set: the breaker opens in Redis
  const late = call(breaker); // a GET Redis runs after it
  await waitFor(5);
  await held[4]!.release();
  expect(await late.ended).toEqual(['CIRCUIT_OPEN']); // a refused call's stream has no breaker events
  expect(seen).toEqual(['closed>open']);
  await held[3]!.release(); // the compare-and-set's reply, answered last
  expect(await failing.ended).toEqual(['SERVER_ERROR']);
  expect(seen).toEqual(['closed>open']);
}

describe('circuitBreaker with a Redis client whose replies come back out of order', () => {
  const redis = useRedisServer();

  it('should report a change once, with a real redis-server', async () => {
    await lateRead(redis.client as unknown as RedisBreakerClient);
  });

  it('should report a change once, with Redis in this process', async () => {
    await lateRead(memoryRedis());
  });

  it('should not report again a change a read of the new record reported first, with a real redis-server', async () => {
    await lateWrite(redis.client as unknown as RedisBreakerClient);
  });

  it('should not report again a change a read of the new record reported first, with Redis in this process', async () => {
    await lateWrite(memoryRedis());
  });

  it('should report what a record written after the key expired shows, its version going on from the clock', async () => {
    // the version of a record written over nothing was 1, older than the open record's reported before, so
    // every answer read as stale: the breaker closed by the expiry was never reported (a call that writes nothing)
    let t = 0;
    const clock = { now: () => t, schedule: asyncScheduler.schedule.bind(asyncScheduler) } as SchedulerLike;
    const seen: string[] = [];
    const breaker = createCircuitBreaker({ key: 'm', failureThreshold: 1, resetTimeout: 1e9, storeTimeout: Number.POSITIVE_INFINITY, scheduler: clock, store: redisBreakerStore(redis.client), onStateChange: (c) => seen.push(`${c.from}>${c.to}`) });
    const failing = call(breaker);
    while (!failing.source.observed) await flush();
    failing.source.error(serverError);
    expect(await failing.ended).toEqual(['closed>open', 'SERVER_ERROR']);
    await redis.client.del('l0-rx:breaker:m'); // expired (its ttlMs), or deleted by hand
    t = 1_000;
    const spared = call(breaker);
    while (!spared.source.observed) await flush();
    spared.source.error(badRequest); // counts for nothing: no write
    expect(await spared.ended).toEqual(['open>closed', 'BAD_REQUEST']);
    expect(seen).toEqual(['closed>open', 'open>closed']);
  });
});
