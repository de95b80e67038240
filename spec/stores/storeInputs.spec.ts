/** @test {createRedisEventStore} {createJsonlEventStore} {createMemoryEventStore}: bad input, and open ranges read as the memory store reads them. */
import { readFile } from 'node:fs/promises';
import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createMemoryEventStore, type EventStore } from 'l0-rx';
import { createJsonlEventStore } from 'l0-rx/stores/jsonl';
import { createRedisEventStore } from 'l0-rx/stores/redis';
import { useRedisServer } from '../helpers/redisServer.js';
import { useTempDir } from '../helpers/tempDir.js';
import { env } from './storeFixtures.js';

describe('event stores: bad input and open ranges', () => {
  const redis = useRedisServer();
  const tmp = useTempDir('l0-store-inputs-');
  const durable: [string, () => EventStore][] = [
    ['createJsonlEventStore()', () => createJsonlEventStore(tmp.path)],
    ['createRedisEventStore()', () => createRedisEventStore(redis.client)],
  ];
  const stores: [string, () => EventStore][] = [['createMemoryEventStore()', () => createMemoryEventStore()], ...durable];
  /** What `append` does with `envelopes`: its error (thrown or rejected), or undefined. */
  const appendError = async (store: EventStore, envelopes: unknown) => {
    try {
      await store.append(envelopes as never);
      return undefined;
    } catch (e) {
      return e as Error;
    }
  };

  it.each(stores)('%s: should append nothing of a batch with a malformed envelope, and name the envelope and its field', async (name, make) => {
    const store = make();
    // Redis refused seq -1 and 1.5 as raw ERR replies and created (unlisted) the key of a numeric streamId; JSONL wrote
    // such lines (and a string's characters) into the file; both crashed on null with "Cannot destructure"; the memory
    // store appended envelopes[0] (listing the stream 7, keeping seq -1 and an undefined event) before it crashed on null
    const cases: [unknown, string][] = [
      [[env('a', 0), { ...env('a', 1), seq: -1 }], 'envelopes[1].seq must be an integer >= 0, got -1'],
      [[env('a', 0), { ...env('a', 1), seq: 1.5 }], 'envelopes[1].seq must be an integer >= 0, got 1.5'],
      [[{ ...env('a', 0), streamId: 7 }], 'envelopes[0].streamId must be a string, got 7'],
      [[env('a', 0), null], 'envelopes[1] must be an envelope {v, streamId, seq, ts, event}, got null'],
      [[{ ...env('a', 0), event: undefined }], 'envelopes[0].event must be an event object, got undefined'],
      ['x', 'envelopes must be an array of envelopes, got "x"'],
    ];
    for (const [envelopes, message] of cases) {
      const error = await appendError(store, envelopes);
      expect(error).toBeInstanceOf(TypeError);
      expect(error?.message).toBe(`${name}.append(envelopes): ${message}`);
    }
    expect([await store.streams(), await store.read('a')]).toEqual([[], []]);
    expect(await redis.client.keys('*')).toEqual([]);
    if (name.startsWith('createJsonl')) await expect(readFile(tmp.path, 'utf8')).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it.each(stores)('%s: should name a streamId that is not a string and a range bound that is not an integer', async (name, make) => {
    const store = make();
    const rejection = async (f: () => unknown) => {
      try {
        await f();
      } catch (e) {
        return e;
      }
      return undefined;
    };
    // Redis read and deleted the stream "7" for 7; JSONL appended a marker for no stream; a range of NaN or '3' read nothing or what a string compares to;
    // the memory store read NaN as nothing, '3' as a number, and a null range as the whole log, and took any streamId as a Map key
    await store.append([env('a', 0), env('a', 1)]);
    expect(await rejection(() => store.read(7 as never))).toEqual(new TypeError(`${name}.read(streamId): streamId must be a string, got 7`));
    expect(await rejection(() => store.delete(undefined as never))).toEqual(new TypeError(`${name}.delete(streamId): streamId must be a string, got undefined`));
    if (store.follow) expect(() => store.follow!(null as never)).toThrow(new TypeError(`${name}.follow(streamId): streamId must be a string, got null`));
    expect(await rejection(() => store.read('a', { fromSeq: Number.NaN }))).toEqual(new TypeError(`${name}.read(streamId, {fromSeq}): fromSeq must be an integer, got NaN`));
    expect(await rejection(() => store.read('a', { toSeq: '3' as never }))).toEqual(new TypeError(`${name}.read(streamId, {toSeq}): toSeq must be an integer, got "3"`));
    expect(await rejection(() => store.read('a', null as never))).toEqual(new TypeError(`${name}.read(streamId, range): range must be an object {fromSeq?, toSeq?}, got null`));
    expect(await rejection(() => store.read('a', { fromSeq: 1.5 }))).toEqual(new TypeError(`${name}.read(streamId, {fromSeq}): fromSeq must be an integer, got 1.5`));
    expect((await store.read('a')).map((e) => e.seq)).toEqual([0, 1]); // nothing was deleted
  });

  it.each(stores)('%s: should read bounds below 0 and past any seq as open, and an empty range as []', async (_, make) => {
    const store = make();
    await store.append([0, 1, 2, 3].map((s) => env('a', s)));
    const read = async (range: { fromSeq?: number; toSeq?: number }) => (await store.read('a', range)).map((e) => e.seq);
    // Redis refused these with "ERR Invalid stream ID specified as stream command argument"
    expect(await read({ fromSeq: -5 })).toEqual([0, 1, 2, 3]);
    expect(await read({ fromSeq: -Infinity, toSeq: Infinity })).toEqual([0, 1, 2, 3]);
    expect(await read({ fromSeq: 2, toSeq: Number.MAX_SAFE_INTEGER })).toEqual([2, 3]);
    expect(await read({ toSeq: 1e21 })).toEqual([0, 1, 2, 3]);
    expect(await read({ toSeq: -2 })).toEqual([]);
    expect(await read({ fromSeq: 3, toSeq: 2 })).toEqual([]);
    expect(await read({ fromSeq: 4 })).toEqual([]);
    expect(await read({ fromSeq: Infinity })).toEqual([]);
    expect(await read({ fromSeq: 3, toSeq: 3 })).toEqual([3]);
  });

  it.each(stores)('%s: should never give one stream id another\'s log, for ids UTF-8 cannot tell apart (a lone surrogate)', async (name, make) => {
    const store = make();
    const [one, two] = ['run\uD800', 'run\uDC00'];
    const appended = await appendError(store, [env(one, 0, 'first')]);
    if (name.startsWith('createRedis')) {
      // Redis stored both under the key "run\uFFFD": the second run's seq 0 was refused as "equal or smaller", a read of
      // one id gave the other's log, and streams() listed "run\uFFFD", neither id
      const message = ' must be well-formed Unicode, got "run\\ud800" with a lone surrogate (U+D800) at index 3: Redis keeps keys as UTF-8, where it becomes U+FFFD, so two such ids would share one stream';
      expect(appended).toEqual(new TypeError(`${name}.append(envelopes): envelopes[0].streamId${message}`));
      await expect(store.read(one)).rejects.toThrow(new TypeError(`${name}.read(streamId): streamId${message}`));
      await expect((async () => store.has!(two))()).rejects.toThrow(/has\(streamId\): streamId must be well-formed Unicode, got "run\\udc00" with a lone surrogate \(U\+DC00\) at index 3/);
      await expect((async () => store.delete(one))()).rejects.toThrow(TypeError);
      expect(() => store.follow!(one)).toThrow(TypeError);
      expect(() => createRedisEventStore(redis.client, { keyPrefix: '\uDBFF:' })).toThrow(/\{keyPrefix\}\) must be well-formed Unicode, got "\\udbff:" with a lone surrogate \(U\+DBFF\) at index 0/);
      expect(await redis.client.keys('*')).toEqual([]);
      // a well-formed pair is one character, and is kept
      await store.append([env('run\uD83D\uDE00', 0, 'smile')]);
      expect([await store.streams(), (await store.read('run\uD83D\uDE00')).map((e) => e.streamId)]).toEqual([['run\uD83D\uDE00'], ['run\uD83D\uDE00']]);
      return;
    }
    expect(appended).toBeUndefined();
    await store.append([env(two, 0, 'second')]);
    expect((await store.read(one)).map((e) => [e.streamId, (e.event as { value: string }).value])).toEqual([[one, 'first']]);
    expect((await store.read(two)).map((e) => [e.streamId, (e.event as { value: string }).value])).toEqual([[two, 'second']]);
    expect((await store.streams()).slice().sort()).toEqual([one, two].sort());
  });

  it('createRedisEventStore(): should follow a stream past a refused malformed batch as if it never came', async () => {
    const store = createRedisEventStore(redis.client);
    await store.append([env('a', 0)]);
    await expect(store.append([env('a', 1), { ...env('a', 2), seq: 'two' } as never])).rejects.toThrow(TypeError);
    await store.append([env('a', 1), { ...env('a', 2), event: { type: 'complete', finishReason: 'stop' } }]);
    expect((await lastValueFrom(store.follow!('a').pipe(toArray()))).map((e) => e.seq)).toEqual([0, 1, 2]);
  });
});
