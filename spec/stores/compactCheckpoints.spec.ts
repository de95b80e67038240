/** @test {createJsonlEventStore} @test {createRedisEventStore} @test {recordEvents} */
import { appendFile, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { firstValueFrom, lastValueFrom, map, of, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import {
  checkpointEvery,
  createMemoryEventStore,
  l0,
  recordEvents,
  recommendedGuardrails,
  replayEvents,
  type EventEnvelope,
  type EventStore,
  type L0Event,
  type RecordedInfo,
} from 'l0-rx';
import { createJsonlEventStore } from 'l0-rx/stores/jsonl';
import { createRedisEventStore } from 'l0-rx/stores/redis';
import { fakeModel } from 'l0-rx/testing';
import { testScheduler } from '../helpers/testScheduler.js';
import { useRedisServer } from '../helpers/redisServer.js';
import { expectLinearTime, prose } from '../helpers/linearTime.js';
import { CheckpointDecoder } from '../../src/events/checkpointRefs.js';
import { useTempDir } from '../helpers/tempDir.js';
import { untagged } from './storeFixtures.js';

/* A checkpoint holds the whole text so far: the durable stores write the ones recordEvents proved a
   prefix of the recorded attempt text as a length, and rebuild them when they read. */

const WORDS = 'the quick brown fox jumps over the lazy dog while birds sing in morning light'.split(' ');
/** `n` words, numbered so the text never loops (drift would take a loop for runaway repetition). */
const words = (n: number, from = 0) => Array.from({ length: n }, (_, i) => `${WORDS[(from + i) % WORDS.length]}${(from + i) % 7 === 0 ? ` ${from + i}.` : ''} `);

/**
 * A run with everything that shapes checkpoints: a failed attempt resumed from its checkpoint, a
 * fallback, drift detection (whose checks hold the newest text back, so checkpoints lag the text),
 * guardrails, and a token ending in half an emoji. Recorded to `store`; returns the live events.
 */
async function recordRun(store: EventStore, streamId: string, interval = 2): Promise<{ live: L0Event[]; info: RecordedInfo }> {
  const live: L0Event[] = [];
  let done!: (info: RecordedInfo) => void;
  const recorded = new Promise<RecordedInfo>((resolve) => (done = resolve));
  testScheduler().run(() => {
    l0({
      stream: fakeModel([
        { items: [...words(150), 'smile \uD83D', '\uDE00 ok ', ...words(40, 150), { error: { status: 503 } }] },
        { items: [...words(120, 190), { error: { status: 503 } }] },
      ]),
      fallbackStreams: [fakeModel({ items: words(150, 310) })],
      retry: { backoff: 'fixed', baseDelay: 5, maxRetries: 1 },
      continueFromLastKnownGoodToken: true,
      checkpointInterval: interval,
      guardrails: recommendedGuardrails,
      detectDrift: true,
      runOperators: [recordEvents(store, { streamId, onRecorded: (info) => done(info) })],
    }).subscribe({ next: (e) => live.push(e), error: () => undefined });
  });
  return { live, info: await recorded };
}

const json = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
const checkpoints = (events: readonly L0Event[]) => events.filter((e) => e.type === 'checkpoint');

describe('compact checkpoints in the JSONL store', () => {
  const tmp = useTempDir('l0-compact-');

  it('should write proved checkpoints as a length and replay every event as it passed', async () => {
    const store = createJsonlEventStore(tmp.path);
    const { live, info } = await recordRun(store, 'run');
    expect(info.error).toBeUndefined();
    // the run did resume, fall back and checkpoint behind the text (drift's held-back tail)
    expect(live.map((e) => e.type)).toEqual(expect.arrayContaining(['resume', 'fallback', 'checkpoint']));
    const replayed = await lastValueFrom(replayEvents(store, 'run').pipe(toArray()));
    expect(replayed).toEqual(json(live));
    const lines = (await readFile(tmp.path, 'utf8')).split('\n').filter((l) => l.includes('"type":"checkpoint"'));
    expect(lines).toHaveLength(checkpoints(live).length);
    expect(lines.every((l) => /"contentLength":\d+/.test(l) && !l.includes('"content"'))).toBe(true);
  });

  it('should rebuild checkpoints behind the text (drift holds the newest text back)', async () => {
    const store = createJsonlEventStore(tmp.path);
    const { live } = await recordRun(store, 'run', 1);
    const failed = live.slice(0, live.findIndex((e) => e.type === 'retry'));
    const text = failed.filter((e) => e.type === 'token').map((e) => e.value).join('');
    expect(checkpoints(failed).every((c) => c.content.length < text.length - 100 && text.startsWith(c.content))).toBe(true);
    expect(await lastValueFrom(replayEvents(store, 'run').pipe(toArray()))).toEqual(json(live));
  });

  it('should rebuild a checkpoint that leaves out half an emoji cut between tokens', async () => {
    const store = createJsonlEventStore(tmp.path);
    let done!: () => void;
    const recorded = new Promise<void>((resolve) => (done = resolve));
    const events: L0Event[] = [{ type: 'token', value: 'ab' }, { type: 'token', value: 'smile \uD83D' }, { type: 'token', value: '\uDE00 ok' }, { type: 'complete', finishReason: 'stop' }];
    const live = await lastValueFrom(of(...events).pipe(checkpointEvery(1), recordEvents(store, { streamId: 'e', onRecorded: () => done() }), toArray()));
    await recorded;
    expect(checkpoints(live).map((c) => c.content)).toEqual(['ab', 'absmile ', 'absmile \uD83D\uDE00 ok']);
    expect((await readFile(tmp.path, 'utf8')).match(/"contentLength":\d+/g)).toEqual(['"contentLength":2', '"contentLength":8', '"contentLength":13']);
    expect(await lastValueFrom(replayEvents(store, 'e').pipe(toArray()))).toEqual(live);
  });

  it('should read a window that starts after the run began with its checkpoints whole', async () => {
    const store = createJsonlEventStore(tmp.path);
    const { live } = await recordRun(store, 'run');
    const seq = live.findIndex((e, i) => i > 30 && e.type === 'checkpoint');
    const window = await store.read('run', { fromSeq: seq, toSeq: seq + 3 });
    expect(window.map((e) => e.event)).toEqual(json(live.slice(seq, seq + 4)));
  });

  it('should write a checkpoint whole when an operator between checkpointEvery and recordEvents changed the tokens', async () => {
    const store = createJsonlEventStore(tmp.path);
    const upper = map((e: L0Event): L0Event => (e.type === 'token' ? { type: 'token', value: e.value.toUpperCase() } : e));
    let done!: (info: RecordedInfo) => void;
    const recorded = new Promise<RecordedInfo>((resolve) => (done = resolve));
    const events: L0Event[] = [{ type: 'token', value: 'ab' }, { type: 'token', value: 'cd' }, { type: 'complete', finishReason: 'stop' }];
    const live = await lastValueFrom(of(...events).pipe(checkpointEvery(1), upper, recordEvents(store, { streamId: 'up', onRecorded: (info) => done(info) }), toArray()));
    await recorded;
    const lines = (await readFile(tmp.path, 'utf8')).split('\n').filter((l) => l.includes('"type":"checkpoint"'));
    expect(lines.map((l) => (JSON.parse(l) as EventEnvelope).event)).toEqual([
      { type: 'checkpoint', content: 'ab', tokenCount: 1 },
      { type: 'checkpoint', content: 'abcd', tokenCount: 2 },
    ]);
    expect(await lastValueFrom(replayEvents(store, 'up').pipe(toArray()))).toEqual(json(live));
  });

  it('should write whole a checkpoint no checkpointEvery made (a source of its own)', async () => {
    const store = createJsonlEventStore(tmp.path);
    let done!: () => void;
    const recorded = new Promise<void>((resolve) => (done = resolve));
    const events: L0Event[] = [{ type: 'token', value: 'ab' }, { type: 'checkpoint', content: 'ab', tokenCount: 1 }, { type: 'complete', finishReason: 'stop' }];
    await lastValueFrom(of(...events).pipe(recordEvents(store, { streamId: 'own', onRecorded: () => done() })));
    await recorded;
    expect((await readFile(tmp.path, 'utf8')).split('\n').filter((l) => l.includes('"type":"checkpoint"')).map((l) => (JSON.parse(l) as EventEnvelope).event)).toEqual([events[1]]);
  });

  it('should write about the answer once, not once per checkpoint (bytes linear in its length)', async () => {
    const size = async (n: number) => {
      const file = join(tmp.dir, `run-${n}.jsonl`);
      let done!: () => void;
      const recorded = new Promise<void>((resolve) => (done = resolve));
      const events: L0Event[] = [...words(n).map((value): L0Event => ({ type: 'token', value })), { type: 'complete', finishReason: 'stop' }];
      of(...events).pipe(checkpointEvery(10), recordEvents(createJsonlEventStore(file), { streamId: 'n', onRecorded: () => done() })).subscribe();
      await recorded;
      return (await stat(file)).size;
    };
    const [small, large] = [await size(1000), await size(4000)];
    // written whole, 4x the tokens would be 16x the bytes (100 checkpoints of 4 KB on average at 1,000 tokens, 400 KB)
    expect(large / small).toBeLessThan(4.5);
    expect(small).toBeLessThan(150_000); // 1,000 token lines of about 85 bytes, 100 checkpoint lines of about 90
  });

  it('should rebuild the checkpoints of a second run recorded under the same id without run tags from that run alone', async () => {
    // (a run with a tag is refused where the id holds a log: a log holds two runs only as written before run tags)
    const store = untagged(createJsonlEventStore(tmp.path));
    const run = async (values: readonly string[]) => {
      let done!: () => void;
      const recorded = new Promise<void>((resolve) => (done = resolve));
      const events: L0Event[] = [...values.map((value): L0Event => ({ type: 'token', value })), { type: 'complete', finishReason: 'stop' }];
      const live = await lastValueFrom(of(...events).pipe(checkpointEvery(1), recordEvents(store, { streamId: 'twice', onRecorded: () => done() }), toArray()));
      await recorded;
      return live;
    };
    const first = await run(['ab', 'cd']);
    const second = await run(['xy', 'zw']);
    // the second run's checkpoints were rebuilt from the first run's text: 'ab', 'abcd'
    expect((await store.read('twice')).map((e) => e.event)).toEqual([...first, ...second]);
  });

  it('should leave an envelope without an event object to the replay to name (INVALID_LOG), not fail the read with a TypeError', async () => {
    await appendFile(tmp.path, [
      JSON.stringify({ v: 1, streamId: 'odd', seq: 0, ts: 0, event: { type: 'token', value: 'abc' } }),
      JSON.stringify({ v: 1, streamId: 'odd', seq: 1, ts: 0, event: null }),
    ].join('\n') + '\n');
    // read threw "Cannot read properties of null (reading 'type')" from the checkpoint decoder
    await expect(lastValueFrom(replayEvents(createJsonlEventStore(tmp.path), 'odd').pipe(toArray()))).rejects.toMatchObject({
      name: 'EventLogError',
      code: 'INVALID_LOG',
      message: expect.stringMatching(/no event object/),
    });
  });

  it('should fail a read with INVALID_LOG for a compact checkpoint longer than the text before it', async () => {
    await appendFile(tmp.path, [
      JSON.stringify({ v: 1, streamId: 'bad', seq: 0, ts: 0, event: { type: 'token', value: 'abc' } }),
      JSON.stringify({ v: 1, streamId: 'bad', seq: 1, ts: 0, event: { type: 'checkpoint', contentLength: 9, tokenCount: 1 } }),
    ].join('\n') + '\n');
    await expect(createJsonlEventStore(tmp.path).read('bad')).rejects.toMatchObject({
      name: 'EventLogError',
      code: 'INVALID_LOG',
      message: expect.stringMatching(/checkpoint at seq 1 refers to the first 9 characters of an attempt text of 3/),
    });
  });
});

describe('rebuilding compact checkpoints', () => {
  it('should take linear time in the log, checkpoints lagging the text included (never a copy of the whole text each)', () => {
    const log = (size: number): EventEnvelope[] => {
      const text = prose(size);
      const out: EventEnvelope[] = [];
      const push = (event: EventEnvelope['event']) => out.push({ v: 1, streamId: 's', seq: out.length, ts: 0, event });
      push({ type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false });
      for (let at = 0, n = 1; at < text.length; at += 16, n++) {
        push({ type: 'token', value: text.slice(at, at + 16) });
        // a checkpoint every 10 tokens, 100 characters behind the text (as drift's held-back tail makes them)
        if (n % 10 === 0) push({ type: 'checkpoint', contentLength: at + 16 - 100, tokenCount: n - 6 } as unknown as EventEnvelope['event']);
      }
      return out;
    };
    let content = '';
    expectLinearTime('CheckpointDecoder', (size) => {
      const envelopes = log(size);
      const started = performance.now();
      const decoder = new CheckpointDecoder('s');
      for (const e of envelopes) {
        const d = decoder.decode(e);
        if (d.event.type === 'checkpoint') content = d.event.content;
      }
      return performance.now() - started;
    }, 256 * 1024);
    expect(prose(1024 * 1024).startsWith(content)).toBe(true);
    expect(content.length).toBeGreaterThan(1024 * 1024 - 300);
  });
});

describe('compact checkpoints in the memory store', () => {
  it('should keep the envelopes whole (the same objects), as every store of your own gets them', async () => {
    const store = createMemoryEventStore();
    const { live } = await recordRun(store, 'run');
    const read = await store.read('run');
    expect(read.filter((e) => e.event.type === 'checkpoint').map((e) => e.event)).toEqual(checkpoints(live));
    expect(read.map((e) => e.event)).toEqual(live);
  });
});

describe('compact checkpoints in the Redis store (against a real redis-server)', () => {
  const redis = useRedisServer();

  it('should store proved checkpoints as a length and replay every event as it passed', async () => {
    const store = createRedisEventStore(redis.client);
    const { live } = await recordRun(store, 'run');
    expect(await lastValueFrom(replayEvents(store, 'run').pipe(toArray()))).toEqual(json(live));
    const entries = (await redis.client.sendCommand(['XRANGE', 'l0:events:stream:run', '-', '+'])) as [string, string[]][];
    const raw = entries.map(([, fields]) => JSON.parse(fields[1]!) as { event: Record<string, unknown> });
    const stored = raw.filter((e) => e.event.type === 'checkpoint');
    expect(stored).toHaveLength(checkpoints(live).length);
    expect(stored.every((e) => typeof e.event.contentLength === 'number' && !('content' in e.event))).toBe(true);
  });

  it('should read a window that starts after the run began with its checkpoints whole', async () => {
    const store = createRedisEventStore(redis.client);
    const { live } = await recordRun(store, 'run');
    const seq = live.findIndex((e, i) => i > 30 && e.type === 'checkpoint');
    expect((await store.read('run', { fromSeq: seq, toSeq: seq + 3 })).map((e) => e.event)).toEqual(json(live.slice(seq, seq + 4)));
    expect((await store.read('run', { fromSeq: 1, toSeq: 2 })).map((e) => e.event)).toEqual(json(live.slice(1, 3)));
  });

  it('should fail a read of a stream trimmed at its head (XTRIM) with INVALID_LOG, never rebuild a checkpoint from part of its text', async () => {
    const store = createRedisEventStore(redis.client);
    const { live } = await recordRun(store, 'run');
    await redis.client.sendCommand(['XTRIM', 'l0:events:stream:run', 'MAXLEN', String(live.length - 3)]);
    // it gave checkpoints whose content was the text from the first envelope kept ('brown fox jumps over th' for 'the 0. quick brown fox ')
    await expect(store.read('run')).rejects.toMatchObject({ name: 'EventLogError', code: 'INVALID_LOG', message: expect.stringMatching(/envelopes of that attempt are missing/) });
  });

  it('should follow from the middle of a run with its checkpoints whole', async () => {
    const store = createRedisEventStore(redis.client);
    const { live } = await recordRun(store, 'run');
    const from = live.findIndex((e, i) => i > 30 && e.type === 'token');
    const followed = await lastValueFrom(store.follow!('run', from).pipe(toArray()));
    expect(followed.map((e) => e.event)).toEqual(json(live.slice(from)));
    expect(followed.map((e) => e.seq)).toEqual(live.slice(from).map((_, i) => from + i));
    // and from the start, with no priming read
    expect((await firstValueFrom(store.follow!('run', 0).pipe(toArray()))).map((e) => e.event)).toEqual(json(live));
  });
});
