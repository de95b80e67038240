/** @test {createRedisEventStore} */
import { createClient } from 'redis';
import { concat, firstValueFrom, lastValueFrom, of, take, toArray, type Observable } from 'rxjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createStoreReplaySource, recordEvents, type EventEnvelope, type L0Event, type RecordedInfo } from 'l0-rx';
import { createRedisEventStore } from 'l0-rx/stores/redis';
import { startRedisServer, type RedisServer } from '../helpers/redisServer.js';
import { env, tokens } from './storeFixtures.js';

const complete: L0Event = { type: 'complete', finishReason: 'stop' };
/** `count` tokens in chunks with a macrotask between them, then `complete`. */
const run = (count: number, chunk: number): Observable<L0Event> => concat(tokens(count, chunk), of(complete));
const seqs = (envelopes: readonly EventEnvelope[]) => envelopes.map((e) => e.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);

describe('createRedisEventStore: follow (against a real redis-server)', () => {
  let server: RedisServer;
  const connected = async () => {
    const c = createClient({ url: server.url });
    await c.connect();
    return c;
  };
  let client: Awaited<ReturnType<typeof connected>>;
  const connections = async () => (await client.sendCommand(['CLIENT', 'LIST']) as string).trim().split('\n').length;
  beforeAll(async () => {
    server = await startRedisServer();
    client = await connected();
  });
  afterAll(async () => {
    await client?.quit();
    await server?.stop();
  });
  beforeEach(async () => {
    await client.flushAll();
  });

  it('should give the recorded envelopes, then the live ones, and complete after the terminal envelope', async () => {
    const store = createRedisEventStore(client);
    await store.append([env('a', 0), env('a', 1)]);
    const followed = lastValueFrom(store.follow!('a').pipe(toArray()));
    await new Promise((resolve) => setTimeout(resolve, 30));
    await store.append([env('a', 2), { ...env('a', 3), event: complete }]);
    expect(seqs(await followed)).toEqual([0, 1, 2, 3]);
  });

  it('should start at fromSeq', async () => {
    const store = createRedisEventStore(client);
    await store.append([env('a', 0), env('a', 1), env('a', 2), { ...env('a', 3), event: { type: 'error', error: { name: 'Error', message: 'x' } } }]);
    expect(seqs(await lastValueFrom(store.follow!('a', 2).pipe(toArray())))).toEqual([2, 3]);
  });

  it('should wait for a stream that is not recorded yet', async () => {
    const store = createRedisEventStore(client, { followBlockMs: 20 });
    const first = firstValueFrom(store.follow!('later'));
    await new Promise((resolve) => setTimeout(resolve, 60)); // a few XREAD timeouts go by
    await store.append([env('later', 0)]);
    expect((await first).seq).toBe(0);
  });

  it('should close its own connection on unsubscribe, ending a blocked read at once', async () => {
    const before = await connections();
    const store = createRedisEventStore(client, { followBlockMs: 60_000 });
    const sub = store.follow!('idle').subscribe();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await connections()).toBe(before + 1);
    sub.unsubscribe();
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await connections()).toBe(before);
  });

  it('should let a second server follow a run the first one is recording, with no envelope missed or repeated', async () => {
    const [serverA, serverB] = [await connected(), await connected()];
    const recorded = new Promise<RecordedInfo>((resolve) =>
      run(300, 7).pipe(recordEvents(createRedisEventStore(serverA), { streamId: 'chat', onRecorded: resolve })).subscribe());
    const fromStart = lastValueFrom(createRedisEventStore(serverB).follow!('chat').pipe(toArray()));
    await new Promise((resolve) => setTimeout(resolve, 5)); // part of the run is recorded by now
    const atFirst = (await createRedisEventStore(serverB).read('chat')).length;
    const resumed = lastValueFrom(createRedisEventStore(serverB).follow!('chat', 120).pipe(toArray()));
    expect((await recorded).count).toBe(301);
    expect(seqs(await fromStart)).toEqual(range(0, 300));
    expect(seqs(await resumed)).toEqual(range(120, 300));
    expect((await resumed).at(-1)!.event).toEqual(complete);
    expect(atFirst).toBeLessThan(301); // the follower really joined a run in progress
    await Promise.all([serverA.quit(), serverB.quit()]);
  });

  it('should serve a resume of a stream Redis does not hold as STREAM_NOT_FOUND through createStoreReplaySource, opening no connection', async () => {
    const before = await connections();
    const replay = createStoreReplaySource(createRedisEventStore(client)).replay('forged', 7);
    await expect(lastValueFrom(replay)).rejects.toMatchObject({ code: 'STREAM_NOT_FOUND' });
    expect(await connections()).toBe(before);
  });

  it('should take part of a live tail and stop there', async () => {
    const store = createRedisEventStore(client);
    await store.append([0, 1, 2, 3, 4].map((s) => env('a', s)));
    expect(seqs(await lastValueFrom(store.follow!('a').pipe(take(2), toArray())))).toEqual([0, 1]);
  });

  it('should name a client without duplicate, a bad fromSeq and a bad followBlockMs', () => {
    const store = createRedisEventStore({ sendCommand: async () => null });
    expect(() => store.follow!('a')).toThrow(/follow needs a client with duplicate\(\)/);
    expect(() => createRedisEventStore(client).follow!('a', 1.5)).toThrow(/fromSeq must be an integer >= 0, got 1.5/);
    expect(() => createRedisEventStore(client, { followBlockMs: 0 })).toThrow(/followBlockMs/);
  });
});
