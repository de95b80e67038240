/** @test {createStoreReplaySource} */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom, of, tap, timeout, toArray } from 'rxjs';
import { describe, expect, it } from 'vitest';
import { createJsonlEventStore } from 'l0-rx/stores/jsonl';
import { createMemoryEventStore, createStoreReplaySource, fromServerSentEvents, L0Error, parseLastEventId, ProviderError, recordEvents, toServerSentEvents, type EventStore, type L0Event, type SeqRange, type SequencedEvent } from 'l0-rx';
import { testScheduler } from '../helpers/testScheduler.js';

const values: Record<string, L0Event> = {
  s: { type: 'start', attempt: 1, fallbackIndex: 0, isRetry: false, isFallback: false },
  a: { type: 'token', value: 'a' },
  b: { type: 'token', value: 'b' },
  c: { type: 'token', value: 'c' },
  x: { type: 'complete', finishReason: 'stop' },
};
/** Every run these specs record is tagged `r1` (recordEvents' runTag), which the replay's ids carry; `null`: plain ids. */
const seqd = (entries: Record<string, [number, string]>, run: string | null = 'r1'): Record<string, SequencedEvent> =>
  Object.fromEntries(Object.entries(entries).map(([k, [seq, v]]) => [k, run === null ? { seq, event: values[v]! } : { seq, event: values[v]!, run }]));
const record = { streamId: 'chat', runTag: () => 'r1' };
const frame = (id: string, v: string) => `id: ${id}\nevent: ${values[v]!.type}\ndata: ${JSON.stringify(values[v])}\n\n`;

describe('createStoreReplaySource', () => {
  it('should resume after a Last-Event-ID from the store: the recorded events after it, then the live ones, numbered as SSE ids', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const store = createMemoryEventStore();
      cold('s-a-b---c-x|', values).pipe(recordEvents(store, record)).subscribe();
      // SSE ids: s 1, a 2, b 3, c 4, x 5; the client saw up to 2 (a)
      expectObservable(createStoreReplaySource(store).replay('chat', 2), '-----^').toBe('-----3--4-(5|)', seqd({ 3: [3, 'b'], 4: [4, 'c'], 5: [5, 'x'] }));
    });
  });

  it('should turn the recorded error into the replay\'s typed error', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const store = createMemoryEventStore();
      const error = new ProviderError('down', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 });
      cold('s-a-#', values, error).pipe(recordEvents(store, record)).subscribe({ error: () => undefined });
      expectObservable(createStoreReplaySource(store).replay('chat', 1)).toBe('--2-#', seqd({ 2: [2, 'a'] }), error);
    });
  });

  it('should carry the store\'s numbering through toServerSentEvents, so a resumed stream has the ids of the original', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const store = createMemoryEventStore();
      cold('s-a-b-x|', values).pipe(recordEvents(store, record)).subscribe();
      const frames = toServerSentEvents(createStoreReplaySource(store).replay('chat', 3), { resumeFrom: 3, heartbeatMs: 0 }).frames;
      expectObservable(frames, '---^').toBe('------(ye|)', {
        y: frame('r1:4', 'x'),
        e: 'event: end\ndata: {}\n\n',
      });
    });
  });

  it('should tag its SSE ids with the log\'s run tag, from the start and resuming from seq k (read from the log\'s seq 0)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const store = createMemoryEventStore();
      cold('s-a-b-x|', values).pipe(recordEvents(store, { streamId: 'chat', runTag: () => 'ask.7' })).subscribe();
      const source = createStoreReplaySource(store);
      const frames = (after: number) => toServerSentEvents(source.replay('chat', after), { resumeFrom: after, heartbeatMs: 0 }).frames;
      const e = 'event: end\ndata: {}\n\n';
      expectObservable(frames(0)).toBe('1-2-3-(4e|)', { 1: frame('ask.7:1', 's'), 2: frame('ask.7:2', 'a'), 3: frame('ask.7:3', 'b'), 4: frame('ask.7:4', 'x'), e });
      expectObservable(frames(2), '---^').toBe('----3-(4e|)', { 3: frame('ask.7:3', 'b'), 4: frame('ask.7:4', 'x'), e }); // the tail past seq 0
      expectObservable(frames(1), '------^').toBe('------(234e|)', { 2: frame('ask.7:2', 'a'), 3: frame('ask.7:3', 'b'), 4: frame('ask.7:4', 'x'), e }); // the tail from seq 0
    });
  });

  it('should give plain <seq> ids for a log without a run tag (written before run tags), or with one no SSE id can carry', () => {
    testScheduler().run(({ expectObservable }) => {
      const store = createMemoryEventStore();
      const log = (streamId: string, run?: string) =>
        store.append(['s', 'a', 'x'].map((v, seq) => ({ v: 1 as const, streamId, seq, ts: 0, ...(seq === 0 && run !== undefined ? { run } : {}), event: values[v]! })));
      log('old');
      log('own', 'run 1'); // envelopes of your own; recordEvents refuses such a runTag
      const source = createStoreReplaySource(store);
      expectObservable(source.replay('old', 1)).toBe('(23|)', seqd({ 2: [2, 'a'], 3: [3, 'x'] }, null));
      expectObservable(source.replay('own', 1)).toBe('(23|)', seqd({ 2: [2, 'a'], 3: [3, 'x'] }, null));
    });
  });

  it('should end at once when the client already has the run\'s complete (a drop before the end frame)', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const store = createMemoryEventStore();
      cold('s-a-x|', values).pipe(recordEvents(store, record)).subscribe();
      // SSE ids: s 1, a 2, x 3; the client saw x
      expectObservable(createStoreReplaySource(store).replay('chat', 3), '-----^').toBe('-----|');
    });
  });

  it('should end at once for a forged id beyond a finished run, instead of following a stream that will not grow', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const store = createMemoryEventStore();
      cold('s-a-x|', values).pipe(recordEvents(store, record)).subscribe();
      expectObservable(createStoreReplaySource(store).replay('chat', 9), '-----^').toBe('-----|');
    });
  });

  it('should still error with the recorded error for an id beyond a failed run', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const store = createMemoryEventStore();
      const error = new ProviderError('down', { code: 'SERVER_ERROR', category: 'server', retryable: true, status: 503 });
      cold('s-a-#', values, error).pipe(recordEvents(store, record)).subscribe({ error: () => undefined });
      expectObservable(createStoreReplaySource(store).replay('chat', 7), '-----^').toBe('-----#', undefined, error);
    });
  });

  it('should follow a live run from the start when the id is beyond what is recorded yet, sending nothing up to it', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const store = createMemoryEventStore();
      cold('s-a-b-c-x|', values).pipe(recordEvents(store, record)).subscribe();
      // at frame 1 only s (id 1) is recorded; the client claims id 3 (b), as when its server ran ahead of the recorder
      expectObservable(createStoreReplaySource(store).replay('chat', 3), '-^').toBe('------4-(5|)', seqd({ 4: [4, 'c'], 5: [5, 'x'] }));
    });
  });

  it('should stop following the store when the client leaves', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const store = createMemoryEventStore();
      cold('s-a-b-x|', values).pipe(recordEvents(store, record)).subscribe();
      expectObservable(createStoreReplaySource(store).replay('chat', 0), '^--!').toBe('1-2', seqd({ 1: [1, 's'], 2: [2, 'a'] }));
    });
  });

  describe('a store whose reads answer later (as Redis does)', () => {
    /** The memory store with its range reads answered in a promise; `onHead` runs before the read of a log's seq 0. */
    const later = (onHead?: (store: EventStore) => void): EventStore => {
      const store = createMemoryEventStore();
      return {
        ...store,
        read: async (streamId, range) => {
          if (range?.fromSeq === 0) onHead?.(store);
          return store.read(streamId, range);
        },
        follow: store.follow!.bind(store),
        append: store.append.bind(store),
        delete: store.delete.bind(store),
      };
    };

    it('should hold the envelopes the tail gives while it reads the run tag, and send them in order after it', async () => {
      const store = later();
      of(values.s!, values.a!, values.b!, values.c!, values.x!).pipe(recordEvents(store, record)).subscribe();
      // the tail starts at seq 2 (b, the client's last) and gives c and x at once, before seq 0 is read
      const replayed = await lastValueFrom(createStoreReplaySource(store).replay('chat', 3).pipe(toArray()));
      expect(replayed).toEqual([{ seq: 4, event: values.c, run: 'r1' }, { seq: 5, event: values.x, run: 'r1' }]);
    });

    it('should fail with STREAM_NOT_FOUND, sending none of the held envelopes, when the log is deleted before its seq 0 is read', async () => {
      const store = later((memory) => void memory.delete('chat'));
      of(values.s!, values.a!, values.b!, values.c!, values.x!).pipe(recordEvents(store, record)).subscribe();
      const sent: SequencedEvent[] = [];
      const replay = createStoreReplaySource(store).replay('chat', 3).pipe(tap((e) => sent.push(e)));
      await expect(lastValueFrom(replay)).rejects.toMatchObject({ code: 'STREAM_NOT_FOUND' });
      expect(sent).toEqual([]);
    });
  });

  it('should error with STREAM_NOT_FOUND for a stream the store does not hold, without tailing it', () => {
    testScheduler().run(({ expectObservable }) => {
      const store = createMemoryEventStore();
      expectObservable(createStoreReplaySource(store).replay('forged', 4)).toBe('#', undefined, new L0Error('no stream "forged" to resume in the event store', { code: 'STREAM_NOT_FOUND', category: 'bad-request', retryable: false }));
    });
  });

  it('should error with a TypeError naming the read for a store of your own whose read answers no array', async () => {
    const memory = createMemoryEventStore();
    of(values.s!, values.a!, values.b!).pipe(recordEvents(memory, record)).subscribe();
    // `read: (id) => logs.get(id)`: undefined where the contract says [] (for every read, or only for the run tag's read of seq 0)
    const store = (answers: (range?: SeqRange) => boolean): EventStore => ({ ...memory, read: (id, range) => (answers(range) ? memory.read(id, range) : undefined as never) });
    await expect(lastValueFrom(createStoreReplaySource(store(() => false)).replay('chat', 2))).rejects.toThrow(new TypeError('createStoreReplaySource(store): store.read("chat", {"fromSeq":1}) must answer an array, got undefined'));
    await expect(lastValueFrom(createStoreReplaySource(store((range) => range?.toSeq !== 0)).replay('chat', 2))).rejects.toThrow(new TypeError('createStoreReplaySource(store): store.read("chat", {"fromSeq":0,"toSeq":0}) must answer an array, got undefined'));
  });

  it('should error with a TypeError naming an afterSeq that is not a sequence number', () => {
    const store = createMemoryEventStore();
    of(values['s']!).pipe(recordEvents(store, record)).subscribe();
    let error: unknown;
    createStoreReplaySource(store).replay('chat', -1).subscribe({ error: (e) => (error = e) });
    expect(error).toEqual(new TypeError('createStoreReplaySource: replay(streamId, afterSeq) needs a non-negative integer (parseLastEventId\'s), got -1'));
  });

  it('should throw a TypeError at creation for a store without a live tail, such as the JSONL store', () => {
    expect(() => createStoreReplaySource(createJsonlEventStore(join(tmpdir(), 'l0-rx-never-written.jsonl')))).toThrow('createStoreReplaySource(store): this store has no live tail (`follow`); the memory and Redis stores have one, the JSONL store does not');
    expect(() => createStoreReplaySource(null as never)).toThrow('createStoreReplaySource(store) needs an EventStore, got null');
  });

  describe('behind toServerSentEvents and fromServerSentEvents, over loopback HTTP', () => {
    it('should complete a client whose first response ended after the complete frame, before the end frame', async () => {
      const store = createMemoryEventStore();
      const run = [values['s']!, values['a']!, values['x']!];
      of(...run).pipe(recordEvents(store, record)).subscribe();
      const source = createStoreReplaySource(store);
      const lastEventIds: unknown[] = [];
      const server = createServer((req, res) => {
        const after = parseLastEventId(req.headers['last-event-id']);
        const sse = toServerSentEvents(source.replay('chat', after), { resumeFrom: after, heartbeatMs: 0 });
        if (lastEventIds.push(req.headers['last-event-id']) > 1) return void sse.writeTo(res);
        res.writeHead(200, sse.headers);
        sse.frames.subscribe((f) => (f.startsWith('event: end') ? res.end() : res.write(f)));
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      try {
        const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/chat`;
        const events = await lastValueFrom(fromServerSentEvents(url, { reconnectDelay: 0 }).pipe(toArray(), timeout(5000)));
        expect([events, lastEventIds]).toEqual([run, [undefined]]); // (the client has the whole run: it does not reconnect)
        // a client resuming after the run's complete (a reload that kept its id) gets the end at once
        const resumed = await lastValueFrom(fromServerSentEvents(url, { lastEventId: 'r1:3' }).pipe(toArray(), timeout(5000)));
        expect([resumed, lastEventIds]).toEqual([[], [undefined, 'r1:3']]);
      } finally {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    });
  });
});
