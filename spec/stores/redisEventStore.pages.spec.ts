/** @test {createRedisEventStore} {createStoreReplaySource}: `read` pages its XRANGE (no unbounded reply), against a real redis-server */
import { lastValueFrom, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createStoreReplaySource, l0, recordEvents, type EventEnvelope, type L0Event } from 'l0-rx';
import { fakeModel } from 'l0-rx/testing';
import { createRedisEventStore, type RedisCommandClient } from 'l0-rx/stores/redis';
import { useRedisServer } from '../helpers/redisServer.js';
import { testScheduler } from '../helpers/testScheduler.js';

const start: L0Event = { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false };
/** Envelope `seq` of the run `r1` of 'a': its start, then tokens. */
const envelope = (seq: number, event: L0Event = seq === 0 ? start : { type: 'token', value: `t${seq} ` }): EventEnvelope =>
  ({ v: 1, streamId: 'a', seq, ts: seq, event, ...(seq === 0 ? { run: 'r1' } : {}) }) as EventEnvelope;
const seqs = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => from + i);
/** Appends envelopes `from` to `to` (exclusive) in batches of 500. */
const appendRange = async (store: { append(e: readonly EventEnvelope[]): unknown }, from: number, to: number, last?: L0Event) => {
  for (let s = from; s < to; s += 500) await store.append(seqs(s, Math.min(s + 500, to)).map((q) => envelope(q, q === to - 1 ? last : undefined)));
};

describe('createRedisEventStore: read in pages (against a real redis-server)', () => {
  const redis = useRedisServer();
  /** The real client, with the XRANGE replies it gave recorded (their lengths) and `before` run ahead of every XRANGE. */
  const watched = (before?: (n: number) => Promise<void>) => {
    const replies: number[] = [];
    const client: RedisCommandClient = {
      sendCommand: async (args) => {
        if (args[0] === 'XRANGE') await before?.(replies.length);
        const reply = await redis.client.sendCommand([...args]);
        if (args[0] === 'XRANGE') replies.push((reply as unknown as unknown[]).length);
        return reply;
      },
      duplicate: () => redis.client.duplicate(),
    };
    return { client, replies };
  };

  it('should read a log longer than a page whole and in order, no XRANGE reply longer than a page', async () => {
    const { client, replies } = watched();
    const store = createRedisEventStore(client);
    await appendRange(store, 0, 2_600);
    replies.length = 0;
    expect((await store.read('a')).map((e) => e.seq)).toEqual(seqs(0, 2_600));
    // one XRANGE of 2600 entries before
    expect(replies).toEqual([1_000, 1_001, 601]);
    replies.length = 0;
    expect((await store.read('a', { fromSeq: 1_500, toSeq: 2_599 })).map((e) => e.seq)).toEqual(seqs(1_500, 2_600));
    expect(replies).toEqual([1_000, 101]);
    replies.length = 0;
    expect(await store.read('a', { fromSeq: 999, toSeq: 999 })).toEqual([envelope(999)]);
  });

  it('should read a window of a long run that holds a compact checkpoint from the run\'s start, in pages, with the checkpoint whole', async () => {
    const { client, replies } = watched();
    const store = createRedisEventStore(client);
    const words = Array.from({ length: 2_500 }, (_, i) => `w${i} `);
    const live: L0Event[] = [];
    let recorded!: () => void;
    const done = new Promise<void>((resolve) => (recorded = resolve));
    testScheduler().run(() => {
      l0({ stream: fakeModel({ items: words }), checkpointInterval: 400, continueFromLastKnownGoodToken: true, runOperators: [recordEvents(store, { streamId: 'run', onRecorded: () => recorded() })] }).subscribe((e) => live.push(e));
    });
    await done;
    const at = live.map((e) => e.type).lastIndexOf('checkpoint');
    expect(at).toBeGreaterThan(2_000);
    const stored = (await redis.client.sendCommand(['XRANGE', 'l0:events:stream:run', `0-${at + 1}`, `0-${at + 1}`])) as unknown as [string, string[]][];
    expect(JSON.parse(stored[0]![1][1]!)).toMatchObject({ event: { type: 'checkpoint', contentLength: expect.any(Number) } }); // stored compact
    replies.length = 0;
    const window = await store.read('run', { fromSeq: at - 1, toSeq: at + 1 });
    expect(JSON.parse(JSON.stringify(window.map((e) => e.event)))).toEqual(JSON.parse(JSON.stringify(live.slice(at - 1, at + 2))));
    expect(Math.max(...replies)).toBeLessThanOrEqual(1_001);
    expect(replies.length).toBeGreaterThan(3); // the window, then the run from its start in pages
  });

  /** Deletes 'a' and records it again as run `run`, 1500 envelopes whose tokens differ from r1's. */
  const replace = async (store: ReturnType<typeof createRedisEventStore>, run: string) => {
    await store.delete('a');
    await store.append(seqs(0, 1_500).map((s) => ({ ...envelope(s, s === 0 ? start : { type: 'token', value: `${run}-${s} ` }), ...(s === 0 ? { run } : {}) })));
  };

  it('should read the stream again, never splice two runs, when it is deleted and recorded again between two pages', async () => {
    const setup = createRedisEventStore(redis.client);
    await appendRange(setup, 0, 1_500);
    const { client, replies } = watched((n) => (n === 1 ? replace(setup, 'r2') : Promise.resolve()));
    const read = await createRedisEventStore(client).read('a');
    // one run whole: r2's (r1's first page and r2's seq 1000 to 1499 would be two answers spliced)
    expect(read.map((e) => e.seq)).toEqual(seqs(0, 1_500));
    expect([read[0]!.run, read.slice(1).every((e) => (e.event as { value: string }).value.startsWith('r2-'))]).toEqual(['r2', true]);
    expect(replies).toEqual([1_000, 501, 1_000, 501]); // the second page's first entry (seq 999) was not r1's: read again
  });

  it('should fail with STREAM_NOT_FOUND when the stream is replaced between two pages at every read', async () => {
    const setup = createRedisEventStore(redis.client);
    await appendRange(setup, 0, 1_500);
    const { client, replies } = watched((n) => (n % 2 === 1 ? replace(setup, `r${n + 1}`) : Promise.resolve()));
    await expect(createRedisEventStore(client).read('a')).rejects.toMatchObject({ name: 'EventLogError', code: 'STREAM_NOT_FOUND', message: 'Stream a was deleted while it was read, 3 times in a row' });
    expect(replies).toHaveLength(6);
  });

  it('createStoreReplaySource: should resume over a backlog of several pages with every event once, in order, then the live tail', async () => {
    const { client, replies } = watched();
    const store = createRedisEventStore(client, { followBlockMs: 50 });
    await appendRange(store, 0, 2_500);
    replies.length = 0;
    const replayed = lastValueFrom(createStoreReplaySource(store).replay('a', 10).pipe(toArray()));
    await appendRange(store, 2_500, 2_700, { type: 'complete', finishReason: 'stop' });
    const items = await replayed;
    expect(items.map((i) => i.seq)).toEqual(seqs(11, 2_701)); // SSE ids: seq + 1, from after the client's last (10)
    expect(items.every((i) => i.run === 'r1')).toBe(true);
    expect(Math.max(...replies)).toBeLessThanOrEqual(1_001);
  });
});
