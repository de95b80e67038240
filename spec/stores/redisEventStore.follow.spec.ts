/** @test {createRedisEventStore} */
import { createClient } from 'redis';
import { concat, defer, firstValueFrom, ignoreElements, lastValueFrom, of, take, timeout, toArray, type Observable } from 'rxjs';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createStoreReplaySource, recordEvents, type EventEnvelope, type L0Event, type RecordedInfo } from 'l0-rx';
import { createRedisEventStore, type RedisFollowClient } from 'l0-rx/stores/redis';
import { startRedisServer, type RedisServer, blockedReaders, until } from '../helpers/redisServer.js';
import { env, tokens } from './storeFixtures.js';

const complete: L0Event = { type: 'complete', finishReason: 'stop' };
/** `count` tokens in chunks with a macrotask between them, then `complete`. */
const run = (count: number, chunk: number): Observable<L0Event> => concat(tokens(count, chunk), of(complete));
const seqs = (envelopes: readonly EventEnvelope[]) => envelopes.map((e) => e.seq);
const range = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => from + i);
/** What a follow ends with: its seqs, or its error. */
const outcome = (followed: Observable<EventEnvelope>) => lastValueFrom(followed.pipe(toArray())).then((log) => ({ seqs: seqs(log) }), (error: unknown) => ({ error }));
/** A follow connection whose commands wait while `hold()` is on: a follower held between two reads, deterministically. */
function holdable(connection: RedisFollowClient) {
  let gate: Promise<void> | undefined;
  let release = () => undefined as void;
  let held = 0;
  const wrapped: RedisFollowClient = {
    connect: () => connection.connect(),
    on: (event, listener) => connection.on!(event, listener),
    get isReady() { return connection.isReady; },
    get isOpen() { return connection.isOpen; },
    destroy: () => connection.destroy!(),
    sendCommand: async (args) => {
      if (gate) {
        held++;
        await gate;
      }
      return connection.sendCommand(args);
    },
  };
  return {
    wrapped,
    held: () => held,
    hold: () => void (gate = new Promise<void>((resolve) => (release = () => { gate = undefined; resolve(); }))),
    release: () => release(),
  };
}

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

  it('should complete at once when following a finished stream from past its end (nothing more can come)', async () => {
    const store = createRedisEventStore(client, { followBlockMs: 60_000 });
    await store.append([env('a', 0), { ...env('a', 1), event: complete }]);
    // it waited forever (a 60 s blocked read, then another)
    expect(seqs(await lastValueFrom(store.follow!('a', 5).pipe(toArray(), timeout(3_000))))).toEqual([]);
  });

  it('should complete a follower from past the end of a live run (or of one not recorded yet) once the run ends before fromSeq', async () => {
    const store = createRedisEventStore(client, { followBlockMs: 60_000 });
    await store.append([env('a', 0), env('a', 1)]);
    const pastLive = outcome(store.follow!('a', 5).pipe(timeout(3_000)));
    const pastUnborn = outcome(store.follow!('b', 5).pipe(timeout(3_000)));
    await until(async () => (await blockedReaders(client)).length === 2);
    await store.append([{ ...env('a', 2), event: complete }, env('b', 0), { ...env('b', 1), event: complete }]);
    // both waited forever (a blocked read for entries after 0-5, which no run that ended at seq 2 or 1 writes)
    expect([await pastLive, await pastUnborn]).toEqual([{ seqs: [] }, { seqs: [] }]);
    // a follower from within reach of the end still gets it
    await store.append([env('c', 0)]);
    const atEnd = outcome(store.follow!('c', 2).pipe(timeout(3_000)));
    await until(async () => (await blockedReaders(client)).length === 1);
    await store.append([env('c', 1), { ...env('c', 2), event: complete }]);
    expect(await atEnd).toEqual({ seqs: [2] });
  });

  it('should recover from a drop during the first read of a follower from past seq 0, as from any other', async () => {
    const store0 = createRedisEventStore(client);
    await store0.append([env('a', 0), env('a', 1), env('a', 2), { ...env('a', 3), event: complete }]);
    const real = client.duplicate();
    let dropped = false;
    const connection: RedisFollowClient = {
      connect: () => real.connect(),
      destroy: () => real.destroy(),
      sendCommand: async (args) => {
        if (!dropped) {
          dropped = true;
          throw new Error('Socket closed unexpectedly'); // the connection dropped under its first command
        }
        return real.sendCommand(args);
      },
    };
    const store = createRedisEventStore({ sendCommand: (args) => client.sendCommand(args), duplicate: () => connection });
    // that first command (the look at the stream's end) ended the follower with the raw error
    expect(await outcome(store.follow!('a', 2))).toEqual({ seqs: [2, 3] });
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
    let release!: () => void;
    const halfway = new Promise<void>((resolve) => (release = resolve));
    // the second half of the run waits for `release`, so the followers below really join a run in progress
    const source = concat(tokens(150, 7), defer(() => halfway).pipe(ignoreElements()), run(150, 7));
    const recorded = new Promise<RecordedInfo>((resolve) =>
      source.pipe(recordEvents(createRedisEventStore(serverA), { streamId: 'chat', onRecorded: resolve })).subscribe());
    const fromStart = lastValueFrom(createRedisEventStore(serverB).follow!('chat').pipe(toArray()));
    await until(async () => (await createRedisEventStore(serverB).read('chat')).length > 0); // part of the run is recorded by now
    const atFirst = (await createRedisEventStore(serverB).read('chat')).length;
    const resumed = lastValueFrom(createRedisEventStore(serverB).follow!('chat', 120).pipe(toArray()));
    release();
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

  it('should read on from where it was after its connection drops, through a reconnect of the client', async () => {
    const store = createRedisEventStore(client, { followBlockMs: 60_000 });
    await store.append([env('a', 0)]);
    const followed = outcome(store.follow!('a'));
    await until(async () => (await blockedReaders(client)).length === 1);
    await client.sendCommand(['CLIENT', 'KILL', 'ID', (await blockedReaders(client))[0]!]);
    await store.append([env('a', 1)]);
    await until(async () => (await blockedReaders(client)).length === 1); // reconnected and blocked again
    await client.sendCommand(['CLIENT', 'KILL', 'ID', (await blockedReaders(client))[0]!]);
    await store.append([env('a', 2), { ...env('a', 3), event: complete }]);
    expect(await followed).toEqual({ seqs: [0, 1, 2, 3] });
  });

  it('should error with an EventLogError naming the cause after followReconnects failed reconnects in a row', async () => {
    const own = await startRedisServer();
    const c = createClient({ url: own.url, socket: { reconnectStrategy: () => 5 } });
    c.on('error', () => undefined);
    await c.connect();
    const followed = outcome(createRedisEventStore(c, { followReconnects: 3 }).follow!('a'));
    await until(async () => (await blockedReaders(c)).length === 1);
    await own.stop(); // the follower's reconnects are refused
    const { error } = (await followed) as { error: Error & { code: string; cause: Error } };
    c.destroy();
    expect(error).toMatchObject({ name: 'EventLogError', code: 'STORE_UNAVAILABLE', category: 'network', retryable: true, message: expect.stringMatching(/dropped and 3 reconnects failed in a row \(Error: connect ECONNREFUSED/) });
    expect(error.cause.message).toMatch(/ECONNREFUSED/);
  });

  it('should count failed first connects against followReconnects, not wait forever while Redis is down when it starts', async () => {
    const own = await startRedisServer();
    await own.stop(); // nothing listens on its port any more
    const c = createClient({ url: own.url, socket: { reconnectStrategy: () => 5 } });
    c.on('error', () => undefined);
    const { error } = (await outcome(createRedisEventStore(c, { followReconnects: 2 }).follow!('a'))) as { error: Error & { cause: Error } };
    expect(error).toMatchObject({ name: 'EventLogError', code: 'STORE_UNAVAILABLE', retryable: true, message: expect.stringMatching(/could not be reached: 3 attempts to connect to Redis failed in a row \(Error: connect ECONNREFUSED/) });
    expect(error.cause.message).toMatch(/ECONNREFUSED/);
  });

  it('should end a follower whose first connect the client gave up on with STORE_UNAVAILABLE, its error as the cause', async () => {
    const refused = new Error('connect ECONNREFUSED');
    const connection: RedisFollowClient = { connect: async () => { throw refused; }, sendCommand: async () => null };
    const { error } = (await outcome(createRedisEventStore({ sendCommand: async () => null, duplicate: () => connection }).follow!('a'))) as { error: Error & { cause: unknown } };
    expect(error).toMatchObject({ name: 'EventLogError', code: 'STORE_UNAVAILABLE', message: expect.stringMatching(/could not be reached: its Redis connection failed/) });
    expect(error.cause).toBe(refused);
  });

  it('should send a read again at once for a client that does not say it is reconnecting, and error after followReconnects + 1 failures', async () => {
    let reads = 0;
    const connection: RedisFollowClient = { connect: async () => undefined, sendCommand: async () => { reads++; throw new Error('Socket closed unexpectedly'); } };
    const followed = outcome(createRedisEventStore({ sendCommand: async () => null, duplicate: () => connection }, { followReconnects: 2 }).follow!('a'));
    expect(await followed).toMatchObject({ error: { code: 'STORE_UNAVAILABLE', cause: { message: 'Socket closed unexpectedly' } } });
    expect(reads).toBe(3);
  });

  it('should not retry an error reply (the key holds no stream), and end with it typed: STORE_FAILED, the reply as cause', async () => {
    await client.set('l0:events:stream:s', 'not a stream');
    expect(await outcome(createRedisEventStore(client).follow!('s'))).toMatchObject({
      error: { name: 'EventLogError', code: 'STORE_FAILED', retryable: false, streamId: 's', cause: { message: expect.stringMatching(/^WRONGTYPE/) } },
    });
  });

  it('should error a follower that was between two reads when its stream was deleted, not splice the next run of that id onto it', async () => {
    const control = holdable(client.duplicate());
    const store = createRedisEventStore({ sendCommand: (args) => client.sendCommand(args), duplicate: () => control.wrapped });
    await store.append([env('a', 0, 'old')]);
    const followed = outcome(store.follow!('a'));
    await until(async () => (await blockedReaders(client)).length === 1);
    control.hold();
    await store.append([env('a', 1, 'old')]); // the blocked read returns; the next one waits
    await until(async () => (await client.ping()) === 'PONG' && control.held() === 2); // its XRANGE check and XREAD
    await createRedisEventStore(client).delete('a'); // no follower is blocked to get the marker
    await store.append([env('a', 0, 'new'), env('a', 1, 'new'), env('a', 2, 'new'), { ...env('a', 3), event: complete }]);
    control.release();
    expect(await followed).toMatchObject({ error: { name: 'EventLogError', code: 'STREAM_NOT_FOUND' } });
  });

  it('should error a follower of a stream not recorded yet when that id is deleted, as the memory store does', async () => {
    const store = createRedisEventStore(client, { followBlockMs: 60_000 });
    const followed = outcome(store.follow!('later'));
    await until(async () => (await blockedReaders(client)).length === 1);
    await store.delete('later');
    expect(await followed).toMatchObject({ error: { code: 'STREAM_NOT_FOUND' } });
    expect(await client.exists('l0:events:stream:later')).toBe(0);
  });

  it('should name a client without duplicate, a bad fromSeq a bad followBlockMs and a bad followReconnects', () => {
    const store = createRedisEventStore({ sendCommand: async () => null });
    expect(() => store.follow!('a')).toThrow(/follow needs a client with duplicate\(\)/);
    expect(() => createRedisEventStore(client).follow!('a', 1.5)).toThrow(/fromSeq must be an integer >= 0, got 1.5/);
    expect(() => createRedisEventStore(client, { followBlockMs: 0 })).toThrow(/followBlockMs/);
    expect(() => createRedisEventStore(client, { followReconnects: -1 })).toThrow('createRedisEventStore(client, {followReconnects}) must be an integer >= 0, got -1');
  });
});
