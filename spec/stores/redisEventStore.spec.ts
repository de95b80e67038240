/** @test {createRedisEventStore} */
import { createClient } from 'redis';
import { lastValueFrom, Subject } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { recordEvents, replayEvents, type L0Event, type RecordedInfo } from 'l0-rx';
import { createRedisEventStore } from 'l0-rx/stores/redis';
import { until, useRedisServer } from '../helpers/redisServer.js';
import { env, tokens } from './storeFixtures.js';

describe('createRedisEventStore (against a real redis-server)', () => {
  const redis = useRedisServer();

  it('should append to a Redis stream with XADD and read it back in order', async () => {
    const store = createRedisEventStore(redis.client);
    await store.append([env('a', 0), env('a', 1)]);
    await store.append([env('a', 2)]);
    expect(await store.read('a')).toEqual([env('a', 0), env('a', 1), env('a', 2)]);
    expect(await redis.client.xLen('l0:events:stream:a')).toBe(3);
  });

  it('should read an inclusive seq range on the server with XRANGE', async () => {
    const store = createRedisEventStore(redis.client);
    await store.append([0, 1, 2, 3, 4].map((s) => env('a', s)));
    expect(await store.read('a', { fromSeq: 1, toSeq: 3 })).toEqual([env('a', 1), env('a', 2), env('a', 3)]);
  });

  it('should keep streams apart, list them, and read an unknown one as empty', async () => {
    const store = createRedisEventStore(redis.client);
    await store.append([env('b', 0), env('a', 0)]);
    expect(await store.streams()).toEqual(['a', 'b']);
    expect(await store.read('nope')).toEqual([]);
  });

  it('should delete a stream', async () => {
    const store = createRedisEventStore(redis.client);
    await store.append([env('a', 0), env('b', 0)]);
    await store.delete('a');
    expect(await store.streams()).toEqual(['b']);
    expect(await store.read('a')).toEqual([]);
  });

  it('should stop listing a stream whose key went outside the store (deleted by another client, expired), and list it again when recorded again', async () => {
    const store = createRedisEventStore(redis.client);
    await store.append([env('a', 0), env('b', 0), env('c', 0)]);
    await redis.client.del('l0:events:stream:a');
    await redis.client.sendCommand(['PEXPIREAT', 'l0:events:stream:b', '1']); // expired (a time in the past)
    // ['a', 'b', 'c'] before, for good: replayEvents then said STREAM_EMPTY, not STREAM_NOT_FOUND, for a log that is gone
    expect(await store.streams()).toEqual(['c']);
    expect(await redis.client.sMembers('l0:events:streams')).toEqual(['c']); // unlisted for good, not filtered at every call
    await expect(lastValueFrom(replayEvents(store, 'a'))).rejects.toMatchObject({ name: 'EventLogError', code: 'STREAM_NOT_FOUND' });
    await store.append([env('a', 0, 'new')]);
    expect(await store.streams()).toEqual(['a', 'c']);
  });

  it('should keep stores with different key prefixes apart', async () => {
    const one = createRedisEventStore(redis.client, { keyPrefix: 'one:' });
    const two = createRedisEventStore(redis.client, { keyPrefix: 'two:' });
    await one.append([env('a', 0)]);
    expect(await two.streams()).toEqual([]);
  });

  it('should reject a seq that is not above the stream last one, so two runs never interleave silently', async () => {
    const store = createRedisEventStore(redis.client);
    await store.append([env('a', 0), env('a', 1)]);
    await expect(store.append([env('a', 1, 'again')])).rejects.toThrow(/equal or smaller/);
  });

  it('should replay what recordEvents wrote, from another client', async () => {
    const recorded = new Promise<RecordedInfo>((resolve) =>
      tokens(5, 2).pipe(recordEvents(createRedisEventStore(redis.client), { streamId: 'r', onRecorded: resolve })).subscribe());
    expect(await recorded).toMatchObject({ count: 5, error: undefined });
    const other = createClient({ url: redis.server.url });
    await other.connect();
    const replayed: L0Event[] = [];
    await new Promise<void>((resolve) => replayEvents(createRedisEventStore(other), 'r').subscribe({ next: (e) => replayed.push(e), complete: resolve }));
    await other.quit();
    expect(replayed.map((e) => (e as { value: string }).value)).toEqual(['t0', 't1', 't2', 't3', 't4']);
  });

  it('should lose nothing when 100 recorders on 4 clients append 1,000 events each', async () => {
    const clients = await Promise.all([0, 1, 2, 3].map(async () => {
      const c = createClient({ url: redis.server.url });
      await c.connect();
      return c;
    }));
    const names = Array.from({ length: 100 }, (_, i) => `w${i}`);
    const infos = await Promise.all(names.map((streamId, i) =>
      new Promise<RecordedInfo>((resolve) =>
        tokens(1000, 25).pipe(recordEvents(createRedisEventStore(clients[i % 4]!), { streamId, onRecorded: resolve })).subscribe())));
    await Promise.all(clients.map((c) => c.quit()));
    expect(infos.every((info) => info.count === 1000 && info.error === undefined)).toBe(true);
    const store = createRedisEventStore(redis.client);
    expect(await store.streams()).toEqual([...names].sort());
    for (const name of names) {
      const log = await store.read(name);
      expect(log.length === 1000 && log.every((e, i) => e.seq === i && (e.event as { value: string }).value === `t${i}`), name).toBe(true);
    }
  }, 60_000);

  it('should not bring a deleted stream back for a recorder still writing it (only seq 0 creates a stream)', async () => {
    const store = createRedisEventStore(redis.client);
    await store.append([env('a', 0), env('a', 1)]);
    await store.delete('a');
    await expect(store.append([env('a', 2), env('a', 3)])).rejects.toThrow('createRedisEventStore: stream "a" is not in Redis (deleted, or its seq 0 was never appended), so seq 2 is not appended');
    expect([await redis.client.exists('l0:events:stream:a'), await store.streams()]).toEqual([0, []]);
    await store.append([env('a', 0, 'new')]); // a new run of that id
    expect(await store.read('a')).toEqual([env('a', 0, 'new')]);
  });

  it('should refuse an untagged envelope of a stream gone from Redis (deleted, expired) with a typed EventLogError naming it', async () => {
    const store = createRedisEventStore(redis.client);
    await store.append([env('a', 0), env('a', 1)]);
    await redis.client.sendCommand(['PEXPIRE', 'l0:events:stream:a', '1']);
    await until(async () => (await redis.client.exists('l0:events:stream:a')) === 0);
    await expect(store.append([env('a', 2)])).rejects.toMatchObject({
      name: 'EventLogError', code: 'STREAM_NOT_FOUND', streamId: 'a', retryable: false,
      message: 'createRedisEventStore: stream "a" is not in Redis (deleted, or its seq 0 was never appended), so seq 2 is not appended',
    });
  });

  it('should list a stream once its seq 0 is stored, even when a later envelope of the batch is refused', async () => {
    const store = createRedisEventStore(redis.client);
    await expect(store.append([env('a', 0), env('a', 1), env('a', 1, 'again')])).rejects.toThrow(/equal or smaller/);
    expect([await store.streams(), (await store.read('a')).length]).toEqual([['a'], 2]);
  });

  it('should leave the delete marker out of a read, and delete a key that holds no stream', async () => {
    const store = createRedisEventStore(redis.client);
    await store.append([env('a', 0), env('a', 1)]);
    await redis.client.sendCommand(['XADD', 'l0:events:stream:a', '*', 'deleted', '1']); // as seen between delete's XADD and DEL
    expect(await store.read('a')).toEqual([env('a', 0), env('a', 1)]);
    await redis.client.set('l0:events:stream:s', 'not a stream');
    await store.delete('s');
    expect(await redis.client.exists('l0:events:stream:s')).toBe(0);
  });

  it('should refuse a run still recording into a stream being deleted (its marker added, its DEL not yet) as RUN_MISMATCH, not a failed XADD', async () => {
    const store = createRedisEventStore(redis.client);
    await store.append([{ ...env('a', 0), run: 'r' }, env('a', 1)]);
    await redis.client.sendCommand(['XADD', 'l0:events:stream:a', '*', 'deleted', '1']); // as seen between delete's XADD and DEL
    // Redis refused the entry id below the marker's: STORE_FAILED, which a recorder reported as RECORD_FAILED
    await expect(store.append([{ ...env('a', 2), run: 'r' }])).rejects.toMatchObject({ name: 'EventLogError', code: 'RUN_MISMATCH', streamId: 'a', message: 'stream "a" holds no log: seq 2 of run r refused' });
    await expect(store.append([env('a', 2)])).rejects.toMatchObject({ code: 'STREAM_NOT_FOUND', message: 'createRedisEventStore: stream "a" is not in Redis (deleted, or its seq 0 was never appended), so seq 2 is not appended' });
    expect(await redis.client.xLen('l0:events:stream:a')).toBe(3);
    // through recordEvents: the run's recorder reports the other run's (here: no run's) log, not a store failure
    const codes: string[] = [];
    const live = new Subject<L0Event>();
    const recorded = new Promise<RecordedInfo>((resolve) => {
      live.pipe(recordEvents(store, { streamId: 'b', onRecordError: (e) => codes.push(e.code), onRecorded: resolve })).subscribe({ error: () => undefined });
    });
    live.next({ type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false });
    await until(async () => (await redis.client.exists('l0:events:stream:b')) === 1);
    await redis.client.sendCommand(['XADD', 'l0:events:stream:b', '*', 'deleted', '1']);
    live.next({ type: 'token', value: 'x' });
    live.complete();
    expect((await recorded).error?.code).toBe('RUN_MISMATCH');
    expect(codes).toEqual(['RUN_MISMATCH']);
  });

  it('should never leave a new run of a deleted id unlisted, however a delete on another connection interleaves with it', async () => {
    // a connection whose SREM is held, as a busy network or server can delay it behind the commands of other clients
    let held!: () => void;
    let holding = false;
    const gate = new Promise<void>((resolve) => (held = resolve));
    const slow = createRedisEventStore({
      sendCommand: async (args) => {
        if (args[0] === 'SREM') {
          holding = true;
          await gate;
        }
        return redis.client.sendCommand([...args]);
      },
    });
    const store = createRedisEventStore(redis.client);
    await store.append([{ ...env('a', 0, 'old'), run: 'old' }]);
    const deleting = slow.delete('a');
    await until(async () => holding);
    const next = await Promise.resolve(store.append([{ ...env('a', 0, 'new'), run: 'new' }])).then(() => 'recorded', (e: { code?: string }) => e.code);
    held();
    await deleting;
    // the new run's seq 0 went in after DEL, and the delayed SREM then unlisted it: streams() [] while read('a') held the run
    const [listed, log] = [await store.streams(), await store.read('a')];
    expect({ next, listed, log: log.length }).toEqual(next === 'recorded' ? { next, listed: ['a'], log: 1 } : { next: 'RUN_MISMATCH', listed: [], log: 0 });
  });

  it('should name a bad client or option', () => {
    expect(() => createRedisEventStore({} as never)).toThrow('createRedisEventStore(client) must be a redis client (with sendCommand), got object');
    expect(() => createRedisEventStore(redis.client, { prefix: 'x' } as never)).toThrow('createRedisEventStore(client, options): unknown option `prefix`; the options are `keyPrefix`, `followBlockMs`, `followReconnects`');
    expect(() => createRedisEventStore(redis.client, { keyPrefix: 1 } as never)).toThrow('createRedisEventStore(client, {keyPrefix}) must be a string, got number');
  });
});
