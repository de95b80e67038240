/** @test {createRedisEventStore}: Redis failures as the event log's errors, against a real redis-server (one still loading its dataset). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createClient } from 'redis';
import { lastValueFrom, Subject, toArray } from 'rxjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { recordEvents, replayEvents, type EventEnvelope, type L0Event, type RecordedInfo } from 'l0-rx';
import { createRedisEventStore } from 'l0-rx/stores/redis';
import { startRedisServer, useRedisServer, type RedisServer } from '../helpers/redisServer.js';
import { env } from './storeFixtures.js';

const unavailable = (streamId: string | undefined, command: string) => ({
  name: 'EventLogError', code: 'STORE_UNAVAILABLE', category: 'network', retryable: true, streamId,
  message: expect.stringContaining(`Redis answered ${command}`),
  cause: expect.objectContaining({ message: expect.stringMatching(/^LOADING /) }),
});

describe('createRedisEventStore on a Redis server still loading its dataset (a restart: LOADING)', () => {
  let dir = '';
  let server: RedisServer | undefined;
  let client: ReturnType<typeof createClient> | undefined;
  beforeAll(async () => {
    // a dump of 30,000 keys, loaded at 1 ms a key: the server answers LOADING for about 30 s
    dir = await mkdtemp(join(tmpdir(), 'l0-redis-loading-'));
    const writer = await startRedisServer(['--dir', dir]);
    const writing = await createClient({ url: writer.url }).connect();
    for (let i = 0; i < 30_000; i += 1000) await Promise.all(Array.from({ length: 1000 }, (_, j) => writing.sendCommand(['SET', `k${i + j}`, 'v'])));
    await writing.sendCommand(['SAVE']);
    await writing.quit();
    await writer.stop();
    server = await startRedisServer(['--dir', dir, '--dbfilename', 'dump.rdb', '--key-load-delay', '1000', '--loading-process-events-interval-bytes', '1024']);
    client = createClient({ url: server.url });
    client.on('error', () => undefined);
    await client.connect();
  });
  afterAll(async () => {
    client?.destroy();
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('should reject every call with STORE_UNAVAILABLE (retryable) naming the command, the LOADING reply as cause', async () => {
    const store = createRedisEventStore(client!);
    // each of them rejected with the client's bare SimpleError: not an L0Error, not retryable
    await expect(store.read('a')).rejects.toMatchObject(unavailable('a', 'XRANGE'));
    await expect(store.append([env('a', 0)])).rejects.toMatchObject(unavailable('a', 'EVALSHA'));
    await expect(store.streams()).rejects.toMatchObject(unavailable(undefined, 'SSCAN'));
    await expect(store.has!('a')).rejects.toMatchObject(unavailable('a', 'EVALSHA'));
    await expect(store.delete('a')).rejects.toMatchObject(unavailable('a', 'DEL'));
  });

  it('should fail a replay and a follower with it, and give it to a recorder as its failure\'s cause', async () => {
    const store = createRedisEventStore(client!);
    await expect(lastValueFrom(replayEvents(store, 'a'))).rejects.toMatchObject(unavailable('a', 'XRANGE'));
    await expect(lastValueFrom(store.follow!('a').pipe(toArray()))).rejects.toMatchObject(unavailable('a', 'XREAD'));
    const source = new Subject<L0Event>();
    const recorded = new Promise<RecordedInfo>((onRecorded) => source.pipe(recordEvents(store, { streamId: 'a', onRecorded, onRecordError: () => undefined })).subscribe());
    source.next({ type: 'token', value: 'x' });
    source.complete();
    expect((await recorded).error).toMatchObject({ code: 'RECORD_FAILED', cause: unavailable('a', 'EVALSHA') });
  });
});

describe('createRedisEventStore: other Redis failures as the event log\'s errors (against a real redis-server)', () => {
  const redis = useRedisServer();

  it('should reject a call Redis refuses for good with STORE_FAILED (not retryable), the reply as cause', async () => {
    await redis.client.set('l0:events:stream:s', 'not a stream');
    const store = createRedisEventStore(redis.client);
    await expect(store.read('s')).rejects.toMatchObject({
      name: 'EventLogError', code: 'STORE_FAILED', retryable: false, streamId: 's',
      message: expect.stringMatching(/^Redis refused XRANGE for stream "s": WRONGTYPE/), cause: { message: expect.stringMatching(/^WRONGTYPE/) },
    });
  });

  it('should name the command a follower\'s error reply answered: the start\'s XREVRANGE, the check\'s XRANGE, the XREAD', async () => {
    await redis.client.set('l0:events:stream:s', 'not a stream');
    const store = createRedisEventStore(redis.client, { followBlockMs: 20 });
    const refused = (command: string, streamId: string) => ({
      name: 'EventLogError', code: 'STORE_FAILED', streamId, message: expect.stringMatching(new RegExp(`^Redis refused ${command} for stream "${streamId}": WRONGTYPE`)),
    });
    // from seq 3: the stream's last entry is read first (was named XREAD)
    await expect(lastValueFrom(store.follow!('s', 3))).rejects.toMatchObject(refused('XREVRANGE', 's'));
    await expect(lastValueFrom(store.follow!('s'))).rejects.toMatchObject(refused('XREAD', 's'));
    // a follower that passed an envelope checks it is still there before each read: the key now holds a string (was named XREAD)
    await store.append([env('h', 0)]);
    let passed: () => void = () => undefined;
    const first = new Promise<void>((resolve) => (passed = resolve));
    const ended = new Promise<unknown>((resolve) => store.follow!('h').subscribe({ next: () => passed(), error: resolve, complete: () => resolve('completed') }));
    await first;
    await redis.client.del('l0:events:stream:h');
    await redis.client.set('l0:events:stream:h', 'not a stream');
    expect(await ended).toMatchObject(refused('XRANGE', 'h'));
  });

  it('should refuse a stream whose id cannot be listed (the set\'s key of another type) with nothing of it added, naming each stream', async () => {
    await redis.client.set('l0:events:streams', 'not a set');
    const store = createRedisEventStore(redis.client);
    const refusedSadd = (streamId: string) => ({
      code: 'STORE_FAILED', streamId,
      message: expect.stringMatching(new RegExp(`^Redis refused SADD in the add script for stream "${streamId}" at seq 0 \\(it and the rest of its batch are not appended\\): WRONGTYPE`)),
    });
    await expect(store.append([env('a', 0), env('a', 1)])).rejects.toMatchObject(refusedSadd('a'));
    // each stream's own script lists it: a failure names its stream, where one SADD for b and c named none
    await expect(store.append([env('b', 0), env('c', 0)])).rejects.toMatchObject(refusedSadd('b'));
    expect((await redis.client.keys('l0:events:stream:*')).sort()).toEqual([]);
  });

  it('should list a stream whose first batch went in though the client closed right after sending it (nothing left unlisted)', async () => {
    const client = await redis.client.duplicate().connect();
    const store = createRedisEventStore(client);
    await store.append([env('warm', 0)]); // the add script is cached: an append is one EVALSHA
    const appended = Promise.resolve(store.append([env('a', 0), env('a', 1)])).then(() => 'appended', (e: Error) => e.message);
    await client.quit(); // sent after the append's call, answered after it
    // the batch went in, then its SADD met the closed client: the append failed, and streams() and has() never found
    // the stream that read() gave, nor did anything remove it
    const other = createRedisEventStore(redis.client);
    expect([await appended, (await other.read('a')).map((e) => e.seq), await other.streams(), await other.has!('a')]).toEqual(['appended', [0, 1], ['a', 'warm'], true]);
  });

  it('should leave the set of ids as it was when a stream\'s seq 0 is refused: no stream listed that the store never made', async () => {
    await redis.client.set('l0:events:stream:a', 'not a stream'); // another program's key
    await redis.client.sendCommand(['XADD', 'l0:events:stream:b', '*', 'deleted', '1']); // a delete whose DEL was lost
    const store = createRedisEventStore(redis.client);
    await store.append([{ ...env('c', 0), run: 'r1' }]);
    const refused = async (envelopes: EventEnvelope[]) => Promise.resolve(store.append(envelopes)).then(() => 'appended', (e: { code: string }) => e.code);
    const codes = [await refused([env('a', 0)]), await refused([{ ...env('b', 0), run: 'r2' }]), await refused([env('b', 0)]), await refused([{ ...env('c', 0), run: 'r2' }])];
    // and a batch whose seq 0 went in before Redis refused a later entry of it (out of order)
    codes.push(await refused([env('d', 0), env('d', 2), env('d', 1)]));
    expect(codes).toEqual(['STORE_FAILED', 'STORE_FAILED', 'STORE_FAILED', 'RUN_MISMATCH', 'STORE_FAILED']);
    // the script's SADD stayed: a and b were listed (has() true), and a replay of b said STREAM_EMPTY, as for a recorded stream
    expect([await store.streams(), await store.has!('a'), await store.has!('b')]).toEqual([['c', 'd'], false, false]);
    await expect(lastValueFrom(replayEvents(store, 'b'))).rejects.toMatchObject({ code: 'STREAM_NOT_FOUND' });
  });

  it('should reject a call on a closed client with STORE_UNAVAILABLE (retryable), the client\'s error as cause', async () => {
    const closed = await redis.client.duplicate().connect();
    closed.destroy();
    await expect(createRedisEventStore(closed).read('a')).rejects.toMatchObject({
      name: 'EventLogError', code: 'STORE_UNAVAILABLE', retryable: true, message: expect.stringContaining("the Redis event store's connection failed during XRANGE"),
      cause: { message: 'The client is closed' },
    });
  });
});
