/** @test {createRedisEventStore}: a batch one of whose writes fails, against a real redis-server. */
import { lastValueFrom, of, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { checkpointEvery, recordEvents, type EventStore, type L0Event } from 'l0-rx';
import { createRedisEventStore, type RedisCommandClient } from 'l0-rx/stores/redis';
import { useRedisServer } from '../helpers/redisServer.js';
import { env } from './storeFixtures.js';

const tok = (value: string): L0Event => ({ type: 'token', value });
const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const complete: L0Event = { type: 'complete', finishReason: 'stop' };
const json = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

describe('createRedisEventStore: a batch one of whose writes fails (against a real redis-server)', () => {
  const redis = useRedisServer();
  /** A client that runs `before(args)` ahead of the first command carrying the entry id `id` (an envelope's `seq` + 1). */
  const hooked = (id: string, before: () => Promise<void>): RedisCommandClient => {
    let hit = false;
    return {
      sendCommand: async (args) => {
        if (!hit && args.includes(id)) {
          hit = true;
          await before();
        }
        return redis.client.sendCommand([...args]);
      },
    };
  };
  /** Records start, `values` as tokens with a checkpoint after each (the recorder's second append holds all but `start`), and complete. */
  const record = async (store: EventStore, values: readonly string[]): Promise<{ live: L0Event[]; failed: boolean }> => {
    let done!: () => void;
    const recorded = new Promise<void>((resolve) => (done = resolve));
    let failed = false;
    const source = of(start, ...values.map(tok), complete).pipe(checkpointEvery(1));
    const live = await lastValueFrom(source.pipe(recordEvents(store, { streamId: 'r', onRecorded: () => done(), onRecordError: () => (failed = true) }), toArray()));
    await recorded;
    return { live, failed };
  };

  it('should keep the log readable and a prefix of the run when a write in the middle of a batch fails', async () => {
    // seq 3 ('cd') is lost, as a command in flight is when the connection drops; the checkpoint 'abcd' at seq 4 needs it
    const store = createRedisEventStore(hooked('0-4', () => Promise.reject(new Error('Socket closed unexpectedly'))));
    const { live, failed } = await record(store, ['ab', 'cd', 'ef']);
    expect(failed).toBe(true);
    // the checkpoint 'abcd' was stored as a length after the missing seq 3: the read failed with INVALID_LOG
    const read = await createRedisEventStore(redis.client).read('r');
    expect(read.map((e) => e.event)).toEqual(json(live.slice(0, read.length)));
  });

  it('should write nothing of a batch past an entry another writer holds, never a checkpoint rebuilt from its text', async () => {
    // another run under the same id wrote seq 1 first: Redis refuses ours, and took what followed it
    const other = { v: 1, streamId: 'r', seq: 1, ts: 0, event: tok('XX') };
    const store = createRedisEventStore(hooked('0-2', async () => void (await redis.client.sendCommand(['XADD', 'l0:events:stream:r', '0-2', 'envelope', JSON.stringify(other)]))));
    const { live, failed } = await record(store, ['ab', 'cd']);
    expect(failed).toBe(true);
    // it read the checkpoint 'ab' at seq 2 as 'XX', rebuilt from the other run's token
    const read = await createRedisEventStore(redis.client).read('r');
    expect(read.map((e) => e.event)).toEqual(json([live[0]!, other.event]));
  });

  it('should write nothing of a batch holding an envelope JSON cannot write', async () => {
    const store = createRedisEventStore(redis.client);
    const unwritable = { ...env('a', 1), event: { type: 'data', payload: { contentType: 'json', json: 10n } } } as never;
    await expect(store.append([env('a', 0), unwritable])).rejects.toThrow(/BigInt/);
    // seq 0 went out before the envelope that threw: a stream in Redis that was never listed
    expect([await redis.client.exists('l0:events:stream:a'), await store.streams()]).toEqual([0, []]);
  });

  it('should append when Redis no longer has its script cached (a restart, a failover, SCRIPT FLUSH)', async () => {
    const store = createRedisEventStore(redis.client);
    await store.append([env('a', 0), env('a', 1)]);
    await redis.client.sendCommand(['SCRIPT', 'FLUSH']);
    await store.append([env('a', 2)]);
    expect(await store.read('a')).toEqual([env('a', 0), env('a', 1), env('a', 2)]);
  });
});
