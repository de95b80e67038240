/** @test {replayEvents} an empty read, and the stores' `has`: one stream's check, not a listing of every stream. */
import { lastValueFrom } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createMemoryEventStore, replayEvents, type EventStore } from 'l0-rx';
import { createJsonlEventStore } from 'l0-rx/stores/jsonl';
import { createRedisEventStore, type RedisCommandClient } from 'l0-rx/stores/redis';
import { useRedisServer } from '../helpers/redisServer.js';
import { useTempDir } from '../helpers/tempDir.js';
import { env } from './storeFixtures.js';

describe('EventStore.has', () => {
  const tmp = useTempDir('l0-store-has-');
  const redis = useRedisServer();
  const stores: [string, () => EventStore][] = [
    ['memory', () => createMemoryEventStore()],
    ['jsonl', () => createJsonlEventStore(tmp.path)],
    ['redis', () => createRedisEventStore(redis.client)],
  ];

  it.each(stores)('%s: should say what streams() says of one stream: recorded, unknown, deleted', async (_, make) => {
    const store = make();
    await store.append([env('a', 0), env('a', 1)]);
    await store.append([env('b', 0)]);
    await store.delete('b');
    expect(await store.streams()).toEqual(['a']);
    expect([await store.has!('a'), await store.has!('b'), await store.has!('c')]).toEqual([true, false, false]);
    await expect(lastValueFrom(replayEvents(store, 'a', { fromSeq: 5 }))).rejects.toMatchObject({ code: 'STREAM_EMPTY' });
    await expect(lastValueFrom(replayEvents(store, 'c'))).rejects.toMatchObject({ code: 'STREAM_NOT_FOUND' });
  });

  it('redis: should not find a stream whose key went outside the store (DEL by another client), and unlist it, as a listing does', async () => {
    const store = createRedisEventStore(redis.client);
    await store.append([env('a', 0)]);
    await redis.client.del('l0:events:stream:a');
    expect(await store.has!('a')).toBe(false);
    expect(await redis.client.sMembers('l0:events:streams')).toEqual([]);
  });

  it('redis: should tell an unknown stream from an empty range with one key\'s check, not by listing every stream', async () => {
    const sent: string[][] = [];
    const counting: RedisCommandClient = { sendCommand: (args) => (sent.push([...args]), redis.client.sendCommand([...args])) };
    const store = createRedisEventStore(counting);
    await store.append(Array.from({ length: 2500 }, (_, i) => env(`s${i}`, 0)));
    sent.length = 0;
    await expect(lastValueFrom(replayEvents(store, 'unknown'))).rejects.toMatchObject({ code: 'STREAM_NOT_FOUND' });
    await expect(lastValueFrom(replayEvents(store, 's7', { fromSeq: 3 }))).rejects.toMatchObject({ code: 'STREAM_EMPTY' });
    // it sent SMEMBERS (2,500 ids back) and a script checking 2,500 keys, per empty replay
    expect(sent.map((args) => args[0])).toEqual(['XRANGE', 'EVALSHA', 'XRANGE', 'EVALSHA']);
    expect(Math.max(...sent.map((args) => args.length))).toBeLessThan(10);
  });

  it('redis: should check a page larger than COUNT asked for a thousand ids at a time (COUNT is only a hint to Redis)', async () => {
    const scripts: string[][] = [];
    // Redis may answer SSCAN with more than COUNT (a whole small set, a table being rehashed): here, every id in one page
    const bigPages: RedisCommandClient = {
      sendCommand: async (args) => {
        if (args[0] === 'SSCAN') return ['0', await redis.client.sendCommand(['SMEMBERS', args[1]!])];
        if (args[0] === 'EVALSHA' || args[0] === 'EVAL') scripts.push([...args]);
        return redis.client.sendCommand([...args]);
      },
    };
    const store = createRedisEventStore(bigPages);
    const ids = Array.from({ length: 2500 }, (_, i) => `s${i}`);
    await store.append(ids.map((id) => env(id, 0)));
    scripts.length = 0;
    expect(await store.streams()).toEqual([...ids].sort());
    expect(scripts.length).toBe(3);
    expect(Math.max(...scripts.map((args) => args.length))).toBeLessThan(2 * 1000 + 10);
  });

  it('redis: should list every stream a page at a time: no reply and no script holds them all', async () => {
    const sent: string[][] = [];
    const counting: RedisCommandClient = { sendCommand: (args) => (sent.push([...args]), redis.client.sendCommand([...args])) };
    const store = createRedisEventStore(counting);
    const ids = Array.from({ length: 2500 }, (_, i) => `s${i}`);
    await store.append(ids.map((id) => env(id, 0)));
    sent.length = 0;
    expect(await store.streams()).toEqual([...ids].sort());
    // one EVALSHA with 5,000 keys and ids before
    expect(Math.max(...sent.map((args) => args.length))).toBeLessThan(2 * 1000 + 10);
    expect(sent.filter((args) => args[0] === 'SMEMBERS')).toEqual([]);
  });
});
