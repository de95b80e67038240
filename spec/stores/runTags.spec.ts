/** @test {createMemoryEventStore} @test {createJsonlEventStore} @test {createRedisEventStore}: one run per log (run tags). */
import { appendFile } from 'node:fs/promises';
import { createClient } from 'redis';
import { lastValueFrom, of, Subject, toArray, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createMemoryEventStore, recordEvents, replayEvents, type EventEnvelope, type EventLogError, type EventStore, type L0Event, type RecordedInfo } from 'l0-rx';
import { createJsonlEventStore } from 'l0-rx/stores/jsonl';
import { createRedisEventStore } from 'l0-rx/stores/redis';
import { useRedisServer } from '../helpers/redisServer.js';
import { useTempDir } from '../helpers/tempDir.js';
import { env } from './storeFixtures.js';

const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
const tok = (value: string): L0Event => ({ type: 'token', value });
const complete: L0Event = { type: 'complete', finishReason: 'stop' };
const json = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
const RUN_MISMATCH = { name: 'EventLogError', code: 'RUN_MISMATCH' };

/** `inner`, telling when every append made through it so far has settled (the recorder appends in the background). */
function watched(inner: EventStore): EventStore & { settled(): Promise<void> } {
  const pending = new Set<PromiseLike<void>>();
  return {
    append(envelopes) {
      const result = inner.append(envelopes);
      if (result instanceof Promise) {
        pending.add(result);
        result.then(() => pending.delete(result), () => pending.delete(result));
      }
      return result;
    },
    read: (id, range) => inner.read(id, range),
    streams: () => inner.streams(),
    delete: (id) => inner.delete(id),
    async settled() {
      while (pending.size > 0) await Promise.allSettled([...pending]);
    },
  };
}

/** A run recorded under `streamId`, fed by hand: its refusal (the first `onRecordError`) and its `onRecorded`. */
function recording(store: EventStore, streamId: string, source: Observable<L0Event> = new Subject<L0Event>()) {
  const errors: EventLogError[] = [];
  const recorded = new Promise<RecordedInfo>((resolve) => source.pipe(recordEvents(store, { streamId, onRecordError: (e) => errors.push(e), onRecorded: resolve })).subscribe());
  return { source: source as Subject<L0Event>, errors, recorded };
}

const events = async (store: EventStore, id: string) => (await store.read(id)).map((e) => e.event);
const replayed = (store: EventStore, id: string) => lastValueFrom(replayEvents(store, id).pipe(toArray()));

/**
 * The specs every store must pass. `writeOld(id, envelopes)` writes a log as l0-rx did before run
 * tags (for the memory store, untagged envelopes; for the durable ones, their bytes).
 */
function runSpecs(make: () => EventStore, writeOld: (id: string, envelopes: readonly EventEnvelope[]) => Promise<void>): void {
  it('should write nothing of an old run still recording after a new run took its id, report RUN_MISMATCH, and read back exactly the new run', async () => {
    const store = watched(make());
    const old = recording(store, 'chat');
    old.source.next(start);
    old.source.next(tok('old one '));
    await store.settled();
    // the example server: a first connection deletes the id's log and starts a new run under it
    await store.delete('chat');
    const fresh = recording(store, 'chat');
    fresh.source.next(start);
    await store.settled();
    // the old run's model goes on streaming (seq 2, then its end at seq 3), between the new run's envelopes
    old.source.next(tok('old two '));
    old.source.next(complete);
    old.source.complete();
    const gone = await old.recorded;
    expect(gone).toMatchObject({ count: 2, error: RUN_MISMATCH });
    fresh.source.next(tok('new one '));
    fresh.source.next(complete);
    fresh.source.complete();
    const info = await fresh.recorded;
    // before run tags, the old run's tokens and end were in the new log (Redis: and the new run's seq 1 was the one refused)
    expect(info).toMatchObject({ count: 3, error: undefined });
    const refusal = `stream "chat" holds the log of run ${info.run}: seq 2 of run ${gone.run} refused`;
    expect(old.errors).toEqual([expect.objectContaining({ ...RUN_MISMATCH, streamId: 'chat', cause: expect.objectContaining({ ...RUN_MISMATCH, message: refusal }) })]);
    expect(await events(store, 'chat')).toEqual(json([start, tok('new one '), complete]));
    expect(await replayed(store, 'chat')).toEqual(json([start, tok('new one '), complete]));
    expect((await store.read('chat'))[0]).toMatchObject({ seq: 0, run: info.run });
  });

  it('should refuse an old run between the delete and the new run, bring no log back, and let the new run record', async () => {
    const store = watched(make());
    const old = recording(store, 'chat');
    old.source.next(start);
    await store.settled();
    await store.delete('chat');
    old.source.next(tok('old one '));
    old.source.complete();
    expect(await old.recorded).toMatchObject({ count: 1, error: { ...RUN_MISMATCH, cause: { message: expect.stringMatching(/^stream "chat" holds no log: seq 1 of run \d+\.\d+ refused$/) } } });
    expect([await store.read('chat'), await store.streams()]).toEqual([[], []]);
    expect(await recording(store, 'chat', of(start, tok('new '), complete)).recorded).toMatchObject({ count: 3, error: undefined });
    expect(await replayed(store, 'chat')).toEqual(json([start, tok('new '), complete]));
  });

  it('should refuse a run whose stream id holds another run\'s log, and keep that log whole', async () => {
    const store = make();
    await recording(store, 'chat', of(start, tok('first '), complete)).recorded;
    const second = await recording(store, 'chat', of(start, tok('second '), complete)).recorded;
    expect(second).toMatchObject({ count: 0, error: { ...RUN_MISMATCH, cause: { message: expect.stringMatching(/^stream "chat" holds the log of run \d+\.\d+: seq 0 of run \d+\.\d+ refused$/) } } });
    expect(await replayed(store, 'chat')).toEqual(json([start, tok('first '), complete]));
  });

  it('should give the run tag back with seq 0, so a log copied with read and append stays its run\'s', async () => {
    const store = make();
    const { run } = await recording(store, 'chat', of(start, tok('a '), complete)).recorded;
    const copy = createMemoryEventStore();
    copy.append(await store.read('chat'));
    expect((copy.read('chat') as EventEnvelope[]).map((e) => e.run)).toEqual([run, undefined, undefined]);
    expect(() => copy.append([{ ...env('chat', 3), run: 'another' }])).toThrow(expect.objectContaining(RUN_MISMATCH));
    expect(await replayed(copy, 'chat')).toEqual(json([start, tok('a '), complete]));
  });

  it('should read a log written before run tags as before, and refuse a run\'s envelopes in it', async () => {
    const store = make();
    const log = [env('old', 0), env('old', 1), env('old', 2)];
    await writeOld('old', log);
    expect(await store.read('old')).toEqual(log);
    await expect(Promise.resolve().then(() => store.append([{ ...env('old', 3), run: 'r1' }]))).rejects.toMatchObject({ ...RUN_MISMATCH, message: expect.stringMatching(/^stream "old" holds (the log of an untagged run|no log): seq 3 of run r1 refused$/) });
    expect(await store.read('old')).toEqual(log);
    expect(await replayed(store, 'old')).toEqual(log.map((e) => e.event));
  });
}

describe('one run per log: the memory store', () => {
  let store = createMemoryEventStore();
  runSpecs(
    () => (store = createMemoryEventStore()),
    async (_, envelopes) => void store.append(envelopes),
  );

  it('should deliver to followers what it appended before a refused envelope', () => {
    const mem = createMemoryEventStore();
    mem.append([{ ...env('a', 0), run: 'r1' }]);
    const seqs: number[] = [];
    mem.follow!('a').subscribe((e) => seqs.push(e.seq));
    expect(() => mem.append([{ ...env('a', 1), run: 'r1' }, { ...env('a', 2), run: 'r2' }])).toThrow(expect.objectContaining(RUN_MISMATCH));
    expect(seqs).toEqual([0, 1]);
    expect((mem.read('a') as EventEnvelope[]).map((e) => [e.seq, e.run])).toEqual([[0, 'r1'], [1, undefined]]);
  });
});

describe('one run per log: the JSONL store', () => {
  const tmp = useTempDir('l0-runs-');
  runSpecs(
    () => createJsonlEventStore(tmp.path),
    (_, envelopes) => appendFile(tmp.path, envelopes.map((e) => `\n${JSON.stringify(e)}`).join('') + '\n'),
  );
});

describe('one run per log: the Redis store (against a real redis-server)', () => {
  const redis = useRedisServer();
  runSpecs(
    () => createRedisEventStore(redis.client),
    async (id, envelopes) => {
      for (const e of envelopes) await redis.client.sendCommand(['XADD', `l0:events:stream:${id}`, `0-${e.seq + 1}`, 'envelope', JSON.stringify(e)]);
      await redis.client.sendCommand(['SADD', 'l0:events:streams', id]);
    },
  );

  it('should refuse an old run on one server after another server deleted its id and started a new run, in the add script', async () => {
    const other = createClient({ url: redis.server.url });
    await other.connect();
    try {
      const one = watched(createRedisEventStore(redis.client));
      const two = watched(createRedisEventStore(other));
      const old = recording(one, 'chat');
      old.source.next(start);
      await one.settled();
      await two.delete('chat');
      const fresh = recording(two, 'chat');
      fresh.source.next(start);
      fresh.source.next(tok('new '));
      await two.settled();
      old.source.next(tok('old '));
      old.source.complete();
      expect(await old.recorded).toMatchObject({ count: 1, error: RUN_MISMATCH });
      fresh.source.next(complete);
      fresh.source.complete();
      const info = await fresh.recorded;
      expect(info).toMatchObject({ count: 3, error: undefined });
      expect(await events(one, 'chat')).toEqual(json([start, tok('new '), complete]));
      // the run is kept once, on seq 0 (the script reads the entry's field), not on every entry
      const entries = (await redis.client.sendCommand(['XRANGE', 'l0:events:stream:chat', '-', '+'])) as [string, string[]][];
      expect(entries.map(([, fields]) => fields.filter((_, i) => i % 2 === 0))).toEqual([['envelope', 'run'], ['envelope'], ['envelope']]);
      expect(entries[0]![1][3]).toBe(info.run);
      expect(entries.map(([, fields]) => (JSON.parse(fields[1]!) as EventEnvelope).run)).toEqual([info.run, undefined, undefined]);
    } finally {
      await other.quit();
    }
  });
});
