/** @test {createJsonlEventStore} @test {createRedisEventStore}: compact checkpoints are proved where they are written (stores of your own around them, failed appends, deletes). */
import { readFile } from 'node:fs/promises';
import { lastValueFrom, map, of, Subject, toArray, type Observable } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { checkpointEvery, recordEvents, type EventEnvelope, type EventStore, type L0Event, type RecordedInfo } from 'l0-rx';
import { createJsonlEventStore } from 'l0-rx/stores/jsonl';
import { createRedisEventStore } from 'l0-rx/stores/redis';
import { useRedisServer } from '../helpers/redisServer.js';
import { tokens, untagged } from './storeFixtures.js';
import { useTempDir } from '../helpers/tempDir.js';

const tok = (value: string): L0Event => ({ type: 'token', value });
const start = (attempt: number): L0Event => ({ type: 'start', attempt, fallbackIndex: 0, isRetry: attempt > 1, isFallback: false });
const retry = { type: 'retry', attempt: 2, delayMs: 0, error: { name: 'Error', message: 'x', category: 'server', reason: 'server_error' }, reason: 'server_error', countsTowardAttempts: false } as unknown as L0Event;
const complete: L0Event = { type: 'complete', finishReason: 'stop' };
const checkpoints = (events: readonly L0Event[]) => events.filter((e) => e.type === 'checkpoint');
const json = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;

/** A store of your own around `inner` that forwards only `seq` 0 (Redis creates a stream there) and the envelopes `keep` accepts (the same objects). */
const forwarding = (inner: EventStore, keep: (e: EventEnvelope) => boolean): EventStore => ({
  append: (envelopes) => inner.append(envelopes.filter((e) => e.seq === 0 || keep(e))),
  read: (id, range) => inner.read(id, range),
  streams: () => inner.streams(),
  delete: (id) => inner.delete(id),
});

/** Records `source` with a checkpoint every `interval` tokens to `store`; resolves once every envelope is written. */
async function record(store: EventStore, streamId: string, source: Observable<L0Event>, interval = 1): Promise<L0Event[]> {
  let done!: (info: RecordedInfo) => void;
  const recorded = new Promise<RecordedInfo>((resolve) => (done = resolve));
  const live = await lastValueFrom(source.pipe(checkpointEvery(interval), recordEvents(store, { streamId, onRecorded: (info) => done(info), onRecordError: () => undefined }), toArray()));
  await recorded;
  return live;
}

/** The specs both durable stores must pass; `raw(id)` is what the store holds for the stream, each event as written. */
function wrapperSpecs(make: () => EventStore, raw: (id: string) => Promise<Record<string, unknown>[]>): void {
  const words = ['one ', 'two ', 'three ', 'four ', 'five ', 'six '];
  const run = () => of(start(1), ...words.map(tok), complete);

  it('should write checkpoints whole when a store of your own forwards it no tokens, and read them back', async () => {
    const store = make();
    const live = await record(forwarding(store, (e) => e.event.type !== 'token'), 'run', run());
    // the checkpoints were stored as lengths into a text the log does not hold: the read failed with INVALID_LOG
    expect((await store.read('run')).map((e) => e.event)).toEqual(json(live.filter((e) => e.type !== 'token')));
    expect(checkpoints(live)).toHaveLength(words.length);
    expect((await raw('run')).filter((e) => e.type === 'checkpoint').every((e) => typeof e.content === 'string' && !('contentLength' in e))).toBe(true);
  });

  it('should write checkpoints whole when a store of your own forwards it only checkpoints', async () => {
    const store = make();
    const live = await record(forwarding(store, (e) => e.event.type === 'checkpoint'), 'run', run());
    expect((await store.read('run')).map((e) => e.event)).toEqual(json([live[0]!, ...checkpoints(live)]));
  });

  it('should write checkpoints whole when a store of your own samples every other envelope', async () => {
    const store = make();
    const live = await record(forwarding(store, (e) => e.seq % 2 === 0), 'run', run());
    expect((await store.read('run')).map((e) => e.event)).toEqual(json(live.filter((_, i) => i % 2 === 0)));
  });

  it('should keep the checkpoints of an attempt compact when the attempt is written whole though an earlier one was left out', async () => {
    const store = make();
    const source = of(start(1), tok('lost '), tok('words '), retry, start(2), ...words.map(tok), complete);
    // the wrapper leaves out the failed attempt: it forwards from the second attempt's start on
    let forwarded = false;
    const live = await record(forwarding(store, (e) => (forwarded ||= e.event.type === 'start' && e.event.attempt === 2)), 'run', source);
    expect((await store.read('run')).map((e) => e.event)).toEqual(json([live[0]!, ...live.slice(live.findIndex((e) => e.type === 'start' && e.attempt === 2))]));
    const stored = (await raw('run')).filter((e) => e.type === 'checkpoint');
    expect(stored.length).toBeGreaterThan(0);
    expect(stored.every((e) => typeof e.contentLength === 'number' && !('content' in e))).toBe(true);
  });

  it('should keep each stream apart: a store shared by a filtered and a whole stream writes only the whole one compact', async () => {
    const store = make();
    const wrapper = forwarding(store, (e) => e.streamId !== 'a' || e.event.type !== 'token');
    const [a, b] = await Promise.all([record(wrapper, 'a', tokens(40, 3), 2), record(wrapper, 'b', tokens(40, 5), 2)]);
    expect((await store.read('a')).map((e) => e.event)).toEqual(json(a.filter((e, i) => i === 0 || e.type !== 'token')));
    expect((await store.read('b')).map((e) => e.event)).toEqual(json(b));
    const compact = async (id: string) => (await raw(id)).filter((e) => e.type === 'checkpoint').map((e) => 'contentLength' in e);
    expect(await compact('a')).toEqual(checkpoints(a).map(() => false));
    expect(await compact('b')).toEqual(checkpoints(b).map(() => true));
  });

  it('should write whole the checkpoints after an append that failed, when a store of your own goes on writing', async () => {
    const store = make();
    // one append per envelope, a failed one ignored: the log misses that envelope
    const ignoring: EventStore = {
      ...forwarding(store, () => true),
      append: async (envelopes) => {
        for (const e of envelopes) await Promise.resolve(store.append([e])).catch(() => undefined);
      },
    };
    const unwritable = { type: 'data', payload: { contentType: 'json', json: 10n } } as unknown as L0Event; // JSON cannot write a BigInt
    const live = await record(ignoring, 'run', of(start(1), tok('ab'), unwritable, tok('cd'), tok('ef'), complete));
    // the checkpoint 'abcdef' was stored as a length into a text missing nothing it used, but after a missing seq: INVALID_LOG
    const read = (await store.read('run')).map((e) => e.event);
    expect(checkpoints(read as L0Event[])).toEqual(json(checkpoints(live)));
  });

  it('should write whole a checkpoint longer than the text it wrote (a token value shortened in place before the log)', async () => {
    const store = make();
    // events are immutable (documented): this operator breaks that, and the store still writes nothing it cannot read back
    const trimInPlace = map((e: L0Event) => {
      if (e.type === 'token') (e as { value: string }).value = e.value.trim();
      return e;
    });
    let done!: () => void;
    const recorded = new Promise<void>((resolve) => (done = resolve));
    const live = await lastValueFrom(of(tok('ab '), tok('cd '), complete).pipe(checkpointEvery(1), trimInPlace, recordEvents(store, { streamId: 'trim', onRecorded: () => done() }), toArray()));
    await recorded;
    // the read failed: "the checkpoint at seq 1 refers to the first 3 characters of an attempt text of 2"
    expect(checkpoints((await store.read('trim')).map((e) => e.event) as L0Event[])).toEqual(json(checkpoints(live)));
    expect(checkpoints(live).map((c) => c.content)).toEqual(['ab ', 'ab cd ']);
  });
}

describe('compact checkpoints behind a store of your own: the JSONL store', () => {
  const tmp = useTempDir('l0-compact-wrap-');
  const raw = async (id: string) =>
    (await readFile(tmp.path, 'utf8'))
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { streamId: string; event?: Record<string, unknown> })
      .filter((e): e is { streamId: string; event: Record<string, unknown> } => e.streamId === id && e.event !== undefined) // (not a delete marker)
      .map((e) => e.event);
  wrapperSpecs(() => createJsonlEventStore(tmp.path), raw);

  it('should write whole the checkpoints of a stream deleted while it is recorded without run tags, until its next attempt', async () => {
    // (a run with a tag writes nothing more into its deleted stream: RUN_MISMATCH; a recorder before run tags went on)
    const store = createJsonlEventStore(tmp.path);
    const source = new Subject<L0Event>();
    let done!: () => void;
    const recorded = new Promise<void>((resolve) => (done = resolve));
    const live: L0Event[] = [];
    source.pipe(checkpointEvery(1), recordEvents(untagged(store), { streamId: 'd', onRecorded: () => done() })).subscribe((e) => live.push(e));
    source.next(start(1));
    source.next(tok('ab'));
    source.next(tok('cd'));
    while ((await store.read('d')).length < 5) await new Promise((resolve) => setTimeout(resolve, 5));
    await store.delete('d');
    const after = live.length;
    source.next(tok('ef'));
    source.next(retry);
    source.next(start(2));
    source.next(tok('gh'));
    source.next(complete);
    source.complete();
    await recorded;
    // the checkpoint 'abcdef' was stored as a length into a text whose head the delete took: INVALID_LOG
    expect((await store.read('d')).map((e) => e.event)).toEqual(json(live.slice(after)));
    // 'ab' and 'abcd' before the delete, 'abcdef' after it, 'gh' in the next attempt
    expect((await raw('d')).filter((e) => e.type === 'checkpoint').map((e) => 'contentLength' in e)).toEqual([true, true, false, true]);
  });
});

describe('compact checkpoints behind a store of your own: the Redis store (against a real redis-server)', () => {
  const redis = useRedisServer();
  const raw = async (id: string) => {
    const entries = (await redis.client.sendCommand(['XRANGE', `l0:events:stream:${id}`, '-', '+'])) as [string, string[]][];
    return entries.map(([, fields]) => (JSON.parse(fields[1]!) as { event: Record<string, unknown> }).event);
  };
  wrapperSpecs(() => createRedisEventStore(redis.client), raw);
});
